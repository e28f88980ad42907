/* The demo guest `ringone` boots when run with no arguments: a small Xen PV kernel that shows what
 * the hypervisor does for it, line by line, and checks each answer as the tests do. It runs in
 * ring 1, asks xen_version who it runs on, reads its start_info, is refused a writable mapping of
 * its own page table, batches hypercalls in a multicall, sleeps on SCHEDOP_block until timer
 * events arrive through its event channel upcall, does some work, and powers off. It writes to its
 * console ring (io/console.h; `ringone` prints it on stdout), as a PV kernel's console driver does;
 * the check failures and the test result go through console_io, the hypervisor's log (stderr). */
#define PVTRAPS_IMPL
#include "pvtraps.h"
#include "mm.h"

struct xencons { char in[1024]; char out[2048]; volatile u32 in_cons, in_prod, out_cons, out_prod; };

/* printk to the console ring: copy what fits, publish, notify the backend on the console port. */
static void say(const char *fmt, ...) {
    static struct xencons *ring;
    if (!ring) ring = mfn_to_virt(start_info->console_mfn);
    char buf[512];
    __builtin_va_list ap;
    __builtin_va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    __builtin_va_end(ap);
    if (!ring) { console_write(buf, (ulong)n); return; }
    for (int i = 0; i < n;) {
        u32 prod = ring->out_prod;
        while (i < n && prod - ring->out_cons < sizeof(ring->out)) ring->out[prod++ % sizeof(ring->out)] = buf[i++];
        __atomic_thread_fence(__ATOMIC_SEQ_CST); /* the bytes before the index */
        ring->out_prod = prod;
        u32 port = start_info->console_evtchn;
        hypercall(HC_event_channel_op, 4 /* EVTCHNOP_send */, (ulong)&port, 0, 0, 0);
    }
}

static u32 sieve_bits[100000 / 32 + 1];

static u32 count_primes(u32 n) {
    memset(sieve_bits, 0, sizeof(sieve_bits));
    u32 count = 0;
    for (u32 i = 2; i < n; i++) {
        if (sieve_bits[i >> 5] & (1u << (i & 31))) continue;
        count++;
        for (u32 j = i * 2; j < n; j += i) sieve_bits[j >> 5] |= 1u << (j & 31);
    }
    return count;
}

void test_main(void) {
    u16 cs;
    asm volatile("mov %%cs, %0" : "=r"(cs));
    say("ringone demo: a Xen PV guest kernel running in ring %u, %s paging\n", cs & 3,
           CONFIG_PAE ? "PAE (3-level)" : "2-level");
    check_eq(cs & 3, 1, "kernel ring");

    /* Who are we running on? */
    char caps[1024], extra[16];
    long ver = HC2(xen_version, 0, 0);
    HC2(xen_version, 1, extra);
    HC2(xen_version, 3, caps);
    say("  hypervisor: Xen %ld.%ld%s, capabilities \"%s\"\n", ver >> 16, ver & 0xffff, extra, caps);
    check(!strcmp(caps, CAPABILITIES), "capabilities");

    /* What the domain builder gave us. */
    say("  start_info: %lu pages (%lu MiB), %lu page-table frames at virtual 0x%lx, command line \"%s\"\n",
           start_info->nr_pages, start_info->nr_pages >> 8, start_info->nr_pt_frames, start_info->pt_base,
           start_info->cmd_line);
    check(!strncmp(start_info->magic, START_INFO_MAGIC, strlen(START_INFO_MAGIC)), "start_info magic");

    /* Page tables are read-only to the guest: a writable mapping of one is refused. */
    ulong pt_mfn = (ulong)(l1e_of(start_info->pt_base) >> 12);
    long r = hypercall(HC_update_va_mapping, (ulong)sieve_bits, (pt_mfn << 12) | 0x63, 0, 2 /* UVMF_INVLPG */, 0);
    say("  a writable mapping of our top-level page table: %ld (-EBUSY, as Xen refuses it)\n", r);
    check_eq(r, -EBUSY, "writable mapping of a page table");

    /* Four hypercalls in one multicall. */
    struct multicall_entry mc[4];
    for (int i = 0; i < 4; i++) { memset(&mc[i], 0, sizeof(mc[i])); mc[i].op = HC_xen_version; mc[i].args[0] = i == 3 ? 7 : 0; }
    mc[2].args[0] = 6; u32 fi[2] = { 0, 0 }; mc[2].args[1] = (ulong)fi;
    check_eq(HC2(multicall, mc, 4), 0, "multicall");
    say("  multicall of 4: results 0x%lx 0x%lx %ld %ld (version, version, get_features, pagesize)\n",
           mc[0].result, mc[1].result, (long)mc[2].result, (long)mc[3].result);
    check_eq(mc[3].result, 4096, "multicall pagesize");

    /* Events: the periodic timer's VIRQ through our upcall, sleeping in SCHEDOP_block in between. */
    map_shared_info();
    check_eq(register_callbacks(), 0, "set_callbacks");
    u32 port;
    check_eq(bind_virq(0 /* VIRQ_TIMER */, 0, &port), 0, "bind VIRQ_TIMER");
    u64 t0 = system_time_ns();
    ev_count = 0;
    while (ev_count < 5) {
        V_MASK = 1;
        if (ev_count < 5) HC2(sched_op, 1 /* SCHEDOP_block: unmasks and sleeps until an event */, 0);
        V_MASK = 0;
    }
    V_MASK = 1;
    u64 slept = system_time_ns() - t0;
    ulong slept_us = (ulong)(slept >> 10) * 1024 / 1000; /* ns -> us without a 64-bit division */
    say("  timer: %u VIRQ_TIMER upcalls on port %u while blocked, about %lu us of system time\n", ev_count, port, slept_us);
    check(slept >= 40000000ull, "five 10 ms ticks took %lu us", slept_us);

    /* Some work. */
    t0 = system_time_ns();
    u32 primes = count_primes(100000);
    u64 took = system_time_ns() - t0;
    say("  work: %u primes below 100000 (sieve), about %lu us of guest time\n", primes, (ulong)(took >> 10) * 1024 / 1000);
    check_eq(primes, 9592, "primes below 100000");
    say(test_failures() ? "  some checks failed (see the log)\n" : "  every answer was the one Xen gives\n");
    say("  powering off through SCHEDOP_shutdown(poweroff)\n");
}
