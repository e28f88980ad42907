/* Hypercall cost benchmark (bench/hypercall.bench.ts): phases separated by SCHEDOP_yield, which the
 * host timestamps (retired instructions and host time). Phase 0 (warm-up, not reported): N
 * null hypercalls in multicalls of B, then N null hypercalls (the core compiles the loops; "warm=0"
 * skips it). Phase 1: N null-ish hypercalls
 * (xen_version(XENVER_version)); phase 2: N/B groups of B separate hypercalls; phase 3: N/B
 * multicalls of B entries of the same call. "n=" and "b=" on the command line set N and B. Every
 * result is checked, so the bench also proves the batches did their work. */
#include "pvlib.h"

static struct multicall_entry mc[256];

static ulong arg(const char *name, ulong dflt) {
    const char *v = cmdline_arg(name);
    if (!v) return dflt;
    ulong x = 0;
    while (*v >= '0' && *v <= '9') x = x * 10 + (ulong)(*v++ - '0');
    return x ? x : dflt;
}

static void mark(void) { HC2(sched_op, 0 /* SCHEDOP_yield */, 0); }

void test_main(void) {
    ulong n = arg("n", 4096), b = arg("b", 32);
    if (b > 256) b = 256;
    long bad = 0;
    const char *w = cmdline_arg("warm");
    ulong warm = (w && *w == '0') ? 0 : n; /* bench/exits.bench.ts times single calls: no warm-up */
    for (ulong i = 0; i < warm / b; i++) {
        for (ulong j = 0; j < b; j++) { mc[j].op = HC_xen_version; mc[j].args[0] = 0; mc[j].args[1] = 0; mc[j].result = 0; }
        bad |= HC2(multicall, mc, b) != 0;
    }
    for (ulong i = 0; i < warm; i++) bad |= HC2(xen_version, 0, 0) != 0x00040011;
    mark();
    for (ulong i = 0; i < n; i++) bad |= HC2(xen_version, 0, 0) != 0x00040011;
    mark();
    for (ulong i = 0; i < n / b; i++)
        for (ulong j = 0; j < b; j++) bad |= HC2(xen_version, 0, 0) != 0x00040011;
    mark();
    for (ulong i = 0; i < n / b; i++) {
        for (ulong j = 0; j < b; j++) { mc[j].op = HC_xen_version; mc[j].args[0] = 0; mc[j].args[1] = 0; mc[j].result = 0; }
        bad |= HC2(multicall, mc, b) != 0;
        for (ulong j = 0; j < b; j++) bad |= mc[j].result != 0x00040011;
    }
    mark();
    check(!bad, "a hypercall returned a wrong value");
}
