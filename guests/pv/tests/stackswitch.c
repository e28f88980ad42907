/* stack_switch (spec 5.5): returns 0 and records kernel_ss:kernel_sp (RPL 0 raised to 1); the host
 * side checks the vCPU state and the TSS ring-1 stack (ss1:esp1). */
#include "pvlib.h"

void test_main(void) {
    check_eq(HC2(stack_switch, FLAT_KERNEL_SS, 0x12345670), 0, "stack_switch");
    check_eq(HC2(stack_switch, 0xE020, 0x00ABC000), 0, "stack_switch with an RPL 0 selector");
}
