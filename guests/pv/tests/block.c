/* SCHEDOP_block / SCHEDOP_poll before the events engine exists (spec 9.1): block clears the upcall
 * mask and, with nothing that could wake the vCPU, the run stops with a "blocked" diagnostic rather
 * than pretending an event arrived. With the harness's hooks installed ("hooks=1") both calls
 * return 0 and the kernel finishes. */
#include "pvlib.h"

void test_main(void) {
    u32 ports[2] = { 1, 2 };
    struct { u32 ports; u32 nr; u64 timeout; } __attribute__((packed)) poll = { (u32)ports, 2, 0 };
    if (cmdline_arg("poll")) {
        check_eq(HC2(sched_op, 3, &poll), 0, "poll");
    } else {
        check_eq(HC2(sched_op, 1, 0), 0, "block");
        check_eq(HC2(sched_op_compat, 1, 0), 0, "compat block");
    }
    if (!cmdline_arg("hooks")) printk("Test result: FAILURE: the vCPU was not stopped\n");
}
