/* multicall (spec 7): entries run in order through the same table, only `result` is written back
 * (the rest untouched; with "debug=1" the ringone Xen debug option poisons it with 0xAA), failing
 * entries do not stop the batch, nesting gives -EINVAL, unknown ops -ENOSYS, long batches
 * (preempted and continued) complete. */
#include "pvlib.h"

static struct multicall_entry mc[8], inner[2], many[200];
static u32 fi[2];

static void set(struct multicall_entry *e, ulong op, ulong a0, ulong a1, ulong a2) {
    memset(e, 0, sizeof(*e));
    e->op = op; e->result = 0x11111111; e->args[0] = a0; e->args[1] = a1; e->args[2] = a2;
    e->args[3] = 0x33333333; e->args[4] = 0x44444444; e->args[5] = 0x55555555;
}

void test_main(void) {
    int debug = cmdline_arg("debug") != NULL;
    const char *msg = "multicall-console\n";
    set(&mc[0], HC_xen_version, 0, 0, 0);
    set(&mc[1], HC_console_io, 0, strlen(msg), (ulong)msg);
    set(&mc[2], HC_vm_assist, 0, 32, 0);           /* -EINVAL */
    set(&mc[3], 60, 0, 0, 0);                        /* unknown: -ENOSYS */
    set(&mc[4], HC_multicall, (ulong)inner, 2, 0);   /* nested: -EINVAL */
    set(&mc[5], HC_xen_version, 6, (ulong)fi, 0);    /* writes through a pointer */
    set(&mc[6], HC_xen_version, 7, 0, 0);            /* 4096 */
    set(&mc[7], HC_console_io, 0, 5, 0xfff00000u);   /* bad pointer: -EFAULT, batch goes on */
    set(&inner[0], HC_xen_version, 0, 0, 0);
    set(&inner[1], HC_xen_version, 0, 0, 0);
    check_eq(HC2(multicall, mc, 8), 0, "multicall");
    long want[8] = { 0x40011, 0, -EINVAL, -ENOSYS, -EINVAL, 0, 4096, -EFAULT };
    for (int i = 0; i < 8; i++) {
        if ((long)mc[i].result != want[i]) fail("entry %d result %ld, want %ld", i, (long)mc[i].result, want[i]);
        if (debug) {
            const u8 *p = (const u8 *)&mc[i];
            for (int b = 0; b < 32; b++) if ((b < 4 || b >= 8) && p[b] != 0xaa) { fail("entry %d byte %d not poisoned", i, b); break; }
        } else {
            if (mc[i].args[3] != 0x33333333 || mc[i].args[4] != 0x44444444 || mc[i].args[5] != 0x55555555) fail("entry %d args modified", i);
        }
    }
    if (!debug) check_eq(mc[0].op, HC_xen_version, "op field untouched");
    check_eq(inner[0].result, 0x11111111, "inner batch must not run");
    check(fi[1] & (1u << 17), "get_features inside a multicall");
    check_eq(HC2(multicall, mc, 0), 0, "empty multicall");

    for (int i = 0; i < 200; i++) set(&many[i], HC_xen_version, 0, 0, 0);
    set(&many[150], HC_xen_version, 7, 0, 0);
    check_eq(HC2(multicall, many, 200), 0, "200-entry multicall (continued)");
    for (int i = 0; i < 200; i++) {
        long w = i == 150 ? 4096 : 0x40011;
        if ((long)many[i].result != w) { fail("entry %d of 200: result %ld", i, (long)many[i].result); break; }
    }
}
