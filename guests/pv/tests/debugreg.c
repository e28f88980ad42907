/* set_debugreg / get_debugreg (spec 5.5): initial DR6/DR7, round trips, the hypervisor-range rule
 * for DR0-3, DR6/DR7 fixed bits, DR7.GD and I/O breakpoints refused (-EPERM), DR4/5 aliases,
 * invalid registers -ENODEV. */
#include "pvlib.h"

#define SET(r, v) HC2(set_debugreg, r, v)
#define GET(r) ((ulong)HC1(get_debugreg, r))

void test_main(void) {
    check_eq(GET(6), 0xffff0ff0, "initial DR6");
    check_eq(GET(7), 0x400, "initial DR7");
    ulong vals[4] = { 0x1000, 0x00200004, 0xc0001234, HYPERVISOR_VIRT_START - 4 };
    for (int i = 0; i < 4; i++) {
        check_eq(SET(i, vals[i]), 0, "set DR0-3");
        check_eq(GET(i), vals[i], "get DR0-3");
    }
    check_eq(SET(0, HYPERVISOR_VIRT_START), -EPERM, "DR0 in the hypervisor range");
    check_eq(SET(1, 0xfffffffcu), -EPERM, "DR1 at the top");
    check_eq(SET(2, HYPERVISOR_VIRT_START - 3), -EPERM, "DR2 straddling the hypervisor range");
    check_eq(GET(0), 0x1000, "DR0 unchanged by a refused set");
    check_eq(SET(6, 0), 0, "set DR6");
    check_eq(GET(6), 0xffff0ff0, "DR6 fixed bits");
    check_eq(SET(6, 0x4001), 0, "set DR6 status");
    check_eq(GET(6), 0xffff4ff1, "DR6 status bits");
    check_eq(SET(7, 0x00000001), 0, "set DR7 L0");
    check_eq(GET(7), 0x401, "DR7 reads bit 10 as one");
    check_eq(SET(7, 0x00002000), -EPERM, "DR7.GD");
    check_eq(SET(7, 0x00020001), -EPERM, "I/O breakpoint without CR4.DE");
    check_eq(SET(7, 0x00020000), 0, "I/O type in a disabled slot");
    check_eq(GET(4), GET(6), "DR4 aliases DR6");
    check_eq(GET(5), GET(7), "DR5 aliases DR7");
    check_eq(SET(5, 0x3), 0, "set DR7 through DR5");
    check_eq(GET(7), 0x403, "DR7 after DR5 write");
    check_eq(SET(8, 0), -ENODEV, "set DR8");
    check_eq(SET(0xffffffffu, 0), -ENODEV, "set DR 0xffffffff");
    check_eq((long)GET(8), -ENODEV, "get DR8");
    check_eq((long)GET(0x80000000u), -ENODEV, "get DR 0x80000000");
    check_eq(SET(7, 0x400), 0, "disable breakpoints");
}
