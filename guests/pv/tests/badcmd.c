/* Bad commands and numbers (spec 1.3, 1.6, 9.x): unknown hypercall numbers (in and beyond the
 * table, through the page and raw), unimplemented or refused calls, unknown sub-commands. */
#include "pvlib.h"

void test_main(void) {
    static const u32 unknown[] = { 11, 43, 47, 56, 60, 127 };
    for (ulong i = 0; i < ARRAY_SIZE(unknown); i++) check_eq(hypercall(unknown[i], 0, 0, 0, 0, 0), -ENOSYS, "unknown hypercall");
    static const u32 raw[] = { 128, 255, 0x10000, 0x80000000u, 0xffffffffu };
    for (ulong i = 0; i < ARRAY_SIZE(raw); i++) check_eq(hypercall_raw(raw[i], 0, 0, 0, 0, 0), -ENOSYS, "out-of-range hypercall");
    check_eq(HC1(platform_op, 0), -ENOSYS, "platform_op");
    check_eq(HC2(set_segment_base, 0, 0), -ENOSYS, "set_segment_base (x86_64 only)");
    check_eq(hypercall(27, 0, 0, 0, 0, 0), -ENOSYS, "xsm_op");
    check_eq(hypercall(38, 0, 0, 0, 0, 0), -ENOSYS, "tmem_op");
    /* struct xen_sysctl: cmd, then interface_version (the command must not be read as the version). */
    struct { u32 cmd; u32 interface_version; u8 u[128]; } sc = { 0, 0x15, { 0 } };
    check_eq(HC1(sysctl, &sc), -EPERM, "sysctl with the right interface version");
    sc.cmd = 0x15; sc.interface_version = 0x14;
    check_eq(HC1(sysctl, &sc), -EACCES, "sysctl with a wrong interface version");

    check_eq(HC2(sched_op, 8, 0), -ENOSYS, "sched_op 8");
    check_eq(HC2(sched_op, 0xffffffffu, 0), -ENOSYS, "sched_op 0xffffffff");
    check_eq(HC2(sched_op_compat, 3, 0), -ENOSYS, "sched_op_compat 3 (poll is not in the old interface)");
    u32 pcpu = 0;
    check_eq(HC2(sched_op, 7, &pcpu), -EPERM, "pin_override");
    struct { u16 dom; u16 pad; u32 reason; } rs = { 1, 0, 0 };
    check_eq(HC2(sched_op, 4, &rs), -EPERM, "remote_shutdown of ourselves");
    rs.dom = 0x7ff0;
    check_eq(HC2(sched_op, 4, &rs), -ESRCH, "remote_shutdown of DOMID_SELF");
    rs.dom = 9;
    check_eq(HC2(sched_op, 4, &rs), -ESRCH, "remote_shutdown of a nonexistent domain");
    struct { u32 ports; u32 nr; u64 timeout; } __attribute__((packed)) poll = { 0, 129, 0 };
    check_eq(HC2(sched_op, 3, &poll), -EINVAL, "poll with 129 ports");
    poll.nr = 0x7fffffff;
    check_eq(HC2(sched_op, 3, &poll), -EINVAL, "poll with 0x7fffffff ports");

    struct { u32 id, timeout; } wd = { 0, 30 };
    long id1 = HC2(sched_op, 6, &wd), id2 = HC2(sched_op, 6, &wd);
    check(id1 > 0 && id2 > 0 && id1 != id2, "watchdog ids %ld %ld", id1, id2);
    check_eq(HC2(sched_op, 6, &wd), -ENOSPC, "third watchdog");
    wd.id = 3;
    check_eq(HC2(sched_op, 6, &wd), -EINVAL, "watchdog id 3");
    wd.id = (u32)id1; wd.timeout = 0;
    check_eq(HC2(sched_op, 6, &wd), 0, "destroy watchdog");
    check_eq(HC2(sched_op, 6, &wd), -EINVAL, "destroy it twice");
    wd.id = (u32)id2;
    check_eq(HC2(sched_op, 6, &wd), 0, "destroy the other watchdog");
}
