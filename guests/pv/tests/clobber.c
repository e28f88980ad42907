/* Argument registers (spec 1.3): a release Xen (and ringone by default) preserves them; with the
 * Xen debug option ("debug=1", --xen-debug) the registers a hypercall uses (its arity) read
 * 0xDEADBEEF afterwards and the others are preserved. */
#include "pvlib.h"

void test_main(void) {
    int debug = cmdline_arg("debug") != NULL;
    u32 r[5] = { 0, 0, 0x33, 0x44, 0x55 };   /* xen_version(0, 0): arity 2 */
    check_eq(hypercall_regs(HC_xen_version, r), 0x40011, "xen_version");
    u32 want[5] = { debug ? 0xdeadbeef : 0, debug ? 0xdeadbeef : 0, 0x33, 0x44, 0x55 };
    for (int i = 0; i < 5; i++) check_eq(r[i], want[i], "argument register after xen_version");
    u32 s[5] = { 0xE021, 0x00ABC000, 0x11, 0x22, 0x33 }; /* stack_switch: arity 2 */
    check_eq(hypercall_regs(HC_stack_switch, s), 0, "stack_switch");
    check_eq(s[2], 0x11, "EDX preserved");
    check_eq(s[0], debug ? 0xdeadbeef : 0xE021, "EBX after stack_switch");
}
