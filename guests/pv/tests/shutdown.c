/* sched_op (spec 9.1): yield returns 0; shutdown_code is recorded; SCHEDOP_shutdown ends the
 * domain with the reason from the command line ("reason=N"; "compat=1" uses sched_op_compat with
 * the reason as a value). The harness checks the exit code derived from the reason. */
#include "pvlib.h"

void test_main(void) {
    check_eq(HC2(sched_op, 0, 0), 0, "yield");
    check_eq(HC2(sched_op_compat, 0, 0), 0, "compat yield");
    u32 code = 3;
    check_eq(HC2(sched_op, 5, &code), 0, "shutdown_code");
    u32 reason = parse_ulong(cmdline_arg("reason") ? cmdline_arg("reason") : "0");
    printk("shutdown: reason %u\n", reason);
    if (!test_failures()) printk("Test result: SUCCESS\n");
    long r;
    if (cmdline_arg("compat")) r = HC2(sched_op_compat, 2, reason);
    else r = HC2(sched_op, 2, &reason);
    printk("Test result: FAILURE: shutdown returned %ld\n", r);
    for (;;) HC2(sched_op, 0, 0);
}
