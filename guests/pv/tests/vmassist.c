/* vm_assist (spec 4.9): enable/disable of every 32-bit PV type; m2p_strict and unknown types
 * -EINVAL; unknown commands -ENOSYS; pae_extended_cr3 visible in XENVER_get_features bit 4. */
#include "pvlib.h"

static u32 features(void) { u32 fi[2] = { 0, 0 }; HC2(xen_version, 6, fi); return fi[1]; }

void test_main(void) {
    for (u32 t = 0; t <= 5; t++) {
        check_eq(HC2(vm_assist, 0, t), 0, "enable");
        check_eq(HC2(vm_assist, 1, t), 0, "disable");
        check_eq(HC2(vm_assist, 0, t), 0, "enable again");
    }
    check_eq(HC2(vm_assist, 0, 32), -EINVAL, "m2p_strict is x86_64 only");
    check_eq(HC2(vm_assist, 0, 6), -EINVAL, "type 6");
    check_eq(HC2(vm_assist, 1, 31), -EINVAL, "type 31");
    check_eq(HC2(vm_assist, 0, 0xffffffffu), -EINVAL, "type 0xffffffff");
    check_eq(HC2(vm_assist, 2, 0), -ENOSYS, "command 2");
    check_eq(HC2(vm_assist, 0xffffffffu, 2), -ENOSYS, "command 0xffffffff");
    check(features() & (1u << 4), "pae_extended_cr3 enabled: feature bit 4 (0x%x)", features());
    check_eq(HC2(vm_assist, 1, 3), 0, "disable pae_extended_cr3");
    check(!(features() & (1u << 4)), "pae_extended_cr3 disabled: bit 4 still set");
}
