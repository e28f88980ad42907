/* fpu_taskswitch (spec 5.5): returns 0; with TS clear the FPU works; the host checks the virtual
 * and real CR0.TS after fpu_taskswitch(1) (the #NM delivery is the trap bouncer's test). */
#include "pvlib.h"

void test_main(void) {
    check_eq(HC1(fpu_taskswitch, 0), 0, "fpu_taskswitch(0)");
    u16 cw = 0;
    asm volatile("fninit; fnstcw %0" : "=m"(cw));
    check_eq(cw, 0x37f, "FPU control word after fninit");
    check_eq(HC1(fpu_taskswitch, 5), 0, "fpu_taskswitch(5)");
    check_eq(HC1(fpu_taskswitch, 0), 0, "fpu_taskswitch(0) again");
    asm volatile("fninit");
    check_eq(HC1(fpu_taskswitch, 1), 0, "fpu_taskswitch(1)");
}
