/* Time and timers (spec 8, 9.1, 9.6): vcpu_time_info (even version, 1 GHz scale, monotonic system
 * time consistent with RDTSC), the wall clock, set_timer_op and singleshot/periodic VCPUOP timers
 * raising VIRQ_TIMER, SCHEDOP_block until a timer, SCHEDOP_poll with timeout / pending port / errors,
 * vcpu_op queries and errors. Command line "forever=1": block with VIRQ_TIMER unbound (the run must
 * stop as blocked forever). */
#define PVTRAPS_IMPL
#include "pvtraps.h"

enum { VCPUOP_is_up = 3, VCPUOP_get_runstate_info = 4, VCPUOP_set_periodic_timer = 6, VCPUOP_stop_periodic_timer = 7,
       VCPUOP_set_singleshot_timer = 8, VCPUOP_stop_singleshot_timer = 9, VCPUOP_initialise = 0 };
struct sched_poll { u32 ports; u32 nr; u64 timeout; } __attribute__((packed));
static long poll(u32 *ports, u32 nr, u64 timeout) { struct sched_poll p = { (u32)ports, nr, timeout }; return HC2(sched_op, 3, &p); }

void test_main(void) {
    map_shared_info();
    if (cmdline_arg("forever")) {
        check_eq(vcpu_op(VCPUOP_stop_periodic_timer, 0, 0), 0, "stop periodic");
        HC2(sched_op, 1, 0);
        printk("Test result: FAILURE: block returned with nothing bound\n");
        return;
    }
    /* vcpu_time_info. */
    check_eq(T_VERSION & 1, 0, "time version even");
    check_eq(T_MUL, 0x80000000u, "tsc_to_system_mul (1 GHz)");
    check_eq(T_SHIFT, 1, "tsc_shift");
    check(T_FLAGS & 1, "TSC_STABLE");
    u64 t0 = system_time_ns(), t1 = system_time_ns();
    check(t1 >= t0, "monotonic");
    check(t0 < 1000000000ull, "system time starts near 0 (%lu)", (ulong)t0);
    for (volatile int i = 0; i < 10000; i++) ;
    u64 t2 = system_time_ns();
    check(t2 > t1 + 10000, "time advances with work");
    /* Wall clock: even version, plausible seconds. */
    check_eq(WC_VERSION & 1, 0, "wc_version even");
    check(WC_VERSION >= 2, "wc written");
    check(WC_SEC > 1600000000u, "wc_sec %u", WC_SEC);
    check(WC_NSEC < 1000000000u, "wc_nsec");

    check_eq(register_callbacks(), 0, "set_callbacks");
    u32 tport;
    check_eq(bind_virq(0, 0, &tport), 0, "bind VIRQ_TIMER");

    /* The default 10 ms periodic timer raises VIRQ_TIMER with events enabled. */
    ev_count = 0; ev_nports = 0;
    V_MASK = 0;
    u64 start = system_time_ns();
    while (ev_count < 3 && system_time_ns() - start < 100000000ull) ;
    V_MASK = 1;
    check(ev_count >= 3, "periodic upcalls %u", ev_count);
    u64 el = system_time_ns() - start;
    check(el >= 20000000ull && el < 40000000ull, "three 10 ms periods took %lu ~us", (ulong)(el >> 10));
    check_eq(ev_ports[0], tport, "timer port");
    check_eq(vcpu_op(VCPUOP_stop_periodic_timer, 0, 0), 0, "stop periodic");
    { u64 p = 999999; check_eq(vcpu_op(VCPUOP_set_periodic_timer, 0, &p), -EINVAL, "period below 1 ms"); }
    { u64 p = 5000000; check_eq(vcpu_op(VCPUOP_set_periodic_timer, 1, &p), -ENOENT, "vCPU 1"); }
    check_eq(vcpu_op(VCPUOP_set_periodic_timer, 0, (void *)0x40000000), -EFAULT, "bad pointer");

    /* set_timer_op + SCHEDOP_block: sleep until the deadline (the clock fast-forwards). */
    ev_count = 0; ev_nports = 0;
    u64 now = system_time_ns();
    check_eq(set_timer_abs(now + 50000000ull), 0, "set_timer_op(+50 ms)");
    check_eq(HC2(sched_op, 1, 0), 0, "block");
    u64 woke = system_time_ns();
    check(woke >= now + 50000000ull, "woke after the deadline (%lu ~us)", (ulong)((woke - now) >> 10));
    check(woke < now + 60000000ull, "not much later");
    check_eq(ev_count, 1, "the upcall came on the return from block");
    check_eq(V_MASK, 0, "block cleared the mask");
    V_MASK = 1;
    /* A deadline in the past fires at once; 0 cancels. */
    ev_count = 0;
    check_eq(set_timer_abs(1), 0, "past deadline");
    V_MASK = 0; HC2(xen_version, 0, 0); V_MASK = 1;
    check_eq(ev_count, 1, "past deadline fired");
    check_eq(set_timer_abs(system_time_ns() + 1000000), 0, "arm");
    check_eq(set_timer_abs(0), 0, "cancel");
    ev_count = 0;
    u64 s2 = system_time_ns();
    V_MASK = 0;
    while (system_time_ns() - s2 < 3000000ull) ;
    V_MASK = 1;
    check_eq(ev_count, 0, "cancelled timer did not fire");

    /* VCPUOP singleshot. */
    struct { u64 t; u32 flags; } ss = { system_time_ns() + 2000000ull, 0 };
    check_eq(vcpu_op(VCPUOP_set_singleshot_timer, 0, &ss), 0, "singleshot");
    ev_count = 0;
    check_eq(HC2(sched_op, 1, 0), 0, "block for singleshot");
    check_eq(ev_count, 1, "singleshot fired");
    V_MASK = 1;
    check_eq(vcpu_op(VCPUOP_set_singleshot_timer, 1, &ss), -ENOENT, "singleshot vCPU 1");
    check_eq(vcpu_op(VCPUOP_stop_singleshot_timer, 0, 0), 0, "stop singleshot");

    /* SCHEDOP_poll: timeout (clock jumps), pending port (returns at once), errors. */
    u32 ports[2] = { tport, 7 };
    u64 p0 = system_time_ns();
    check_eq(poll(ports, 2, p0 + 5000000ull), 0, "poll with timeout");
    check(system_time_ns() >= p0 + 5000000ull, "poll slept until the timeout");
    check_eq(V_MASK, 1, "poll leaves the mask");
    u64 p1 = system_time_ns();
    check_eq(set_timer_abs(p1 + 1000000ull), 0, "arm for poll");
    check_eq(poll(ports, 1, 0), 0, "poll on the timer port");
    u64 p2 = system_time_ns();
    check(p2 >= p1 + 1000000ull && p2 < p1 + 2000000ull, "poll woke at the timer (%lu ~us)", (ulong)((p2 - p1) >> 10));
    check(EVTCHN_PENDING[0] & (1u << tport), "timer port pending");
    u64 p3 = system_time_ns();
    check_eq(poll(ports, 1, 0), 0, "poll on a pending port returns at once");
    check(system_time_ns() - p3 < 1000000ull, "no sleep");
    EVTCHN_PENDING[0] &= ~(1u << tport);
    V_SEL = 0; V_PENDING = 0;
    { u32 bad[1] = { 1024 }; check_eq(poll(bad, 1, 1), -EINVAL, "poll port 1024"); }
    check_eq(poll(ports, 129, 1), -EINVAL, "poll 129 ports");
    check_eq(poll((u32 *)0x40000000, 1, 1), -EFAULT, "poll bad ports pointer");
    check_eq(HC2(sched_op, 3, 0x40000000), -EFAULT, "poll bad argument");

    /* vcpu_op queries. */
    check_eq(vcpu_op(VCPUOP_is_up, 0, 0), 1, "is_up");
    check_eq(vcpu_op(VCPUOP_is_up, 1, 0), -ENOENT, "is_up vCPU 1");
    check_eq(vcpu_op(VCPUOP_initialise, 0, 0), -EEXIST, "initialise vCPU 0");
    struct { s32 state; u64 entry; u64 time[4]; } __attribute__((packed)) rs;
    memset(&rs, 0xff, sizeof(rs));
    check_eq(vcpu_op(VCPUOP_get_runstate_info, 0, &rs), 0, "runstate");
    check_eq(rs.state, 0, "running");
    check(rs.time[0] > 0 && rs.time[0] <= system_time_ns(), "running time");
    check_eq(vcpu_op(VCPUOP_get_runstate_info, 0, (void *)0x40000000), -EFAULT, "runstate bad pointer");
    check_eq(vcpu_op(99, 0, 0), -ENOSYS, "unknown vcpu_op");
    check_eq(T_VERSION & 1, 0, "time version still even");
}
