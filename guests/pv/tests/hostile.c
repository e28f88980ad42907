/* Hostile pointers (spec 0.6, 1.4): every implemented hypercall that takes a pointer returns
 * -EFAULT for unmapped memory, the hypervisor range (even the guest-readable M2P), a range that
 * runs off the mapped region, a wrap-around, and (for output) a read-only page; nothing is written
 * and the domain keeps running. The harness supplies console input "zz". */
#include "pvlib.h"

static ulong region_end(void) {
    ulong va = start_info->pt_base;
    while (l1e_of(va) & _PAGE_PRESENT) va += PAGE_SIZE;
    return va;
}

void test_main(void) {
    ulong end = region_end();
    ulong ro = start_info->pt_base;   /* a page-table page: mapped read-only */
    const ulong bad[] = { end, end + 0x100000, MACH2PHYS_VIRT_START, HYPERVISOR_VIRT_START + 0x100000, 0xfffff000u, end - 1 };
    const ulong badw[] = { end, MACH2PHYS_VIRT_START, 0xfffffffeu, end - 1, ro };
    char name[64];
#define EACH(list, body) for (ulong i = 0; i < ARRAY_SIZE(list); i++) { ulong p = list[i]; snprintf(name, sizeof(name), "ptr 0x%lx", p); body; }

    /* console_io */
    EACH(bad, check_eq(HC3(console_io, 0, 8, p), -EFAULT, name));
    check_eq(HC3(console_io, 0, 0x10000, end - 0x8000), -EFAULT, "console write running off the region");
    EACH(badw, check_eq(HC3(console_io, 1, 2, p), -EFAULT, name));
    char in[4] = { 0, 0, 0, 0 };
    check_eq(HC3(console_io, 1, 4, in), 2, "input kept after the failed reads");
    check(in[0] == 'z' && in[1] == 'z', "input \"%s\"", in);

    /* xen_version: every command with an output buffer; get_features also reads its argument. */
    static const u32 cmds[] = { 1, 2, 3, 4, 5, 8, 9 };
    for (ulong c = 0; c < ARRAY_SIZE(cmds); c++) {
        EACH(badw, check_eq(HC2(xen_version, cmds[c], p), -EFAULT, name));
    }
    EACH(bad, check_eq(HC2(xen_version, 6, p), -EFAULT, name));
    /* A buffer that runs off the region: -EFAULT and its mapped part is not written either. */
    u8 *tail = (u8 *)(end - 512);
    memset(tail, 0x77, 512);
    check_eq(HC2(xen_version, 3, tail), -EFAULT, "capabilities running off the region");
    for (int i = 0; i < 512; i++) if (tail[i] != 0x77) { fail("byte %d of a failed copy_to_guest was written", i); break; }
    /* sched_op */
    EACH(bad, check_eq(HC2(sched_op, 2, p), -EFAULT, name));       /* shutdown: no shutdown happens */
    EACH(bad, check_eq(HC2(sched_op, 5, p), -EFAULT, name));
    EACH(bad, check_eq(HC2(sched_op, 3, p), -EFAULT, name));
    EACH(bad, check_eq(HC2(sched_op, 4, p), -EFAULT, name));
    EACH(bad, check_eq(HC2(sched_op, 6, p), -EFAULT, name));
    struct { u32 ports; u32 nr; u64 timeout; } __attribute__((packed)) poll = { (u32)end, 2, 0 };
    check_eq(HC2(sched_op, 3, &poll), -EFAULT, "poll with a bad port list");
    /* multicall */
    EACH(bad, check_eq(HC2(multicall, p, 1), -EFAULT, name));
    /* A read-only list: the entry runs, its result cannot be written. */
    check_eq(HC2(multicall, ro, 1), -EFAULT, "multicall with a read-only list");
    /* physdev_op / physdev_op_compat */
    EACH(bad, check_eq(HC2(physdev_op, 6, p), -EFAULT, name));
    EACH(bad, check_eq(HC2(physdev_op, 7, p), -EFAULT, name));
    EACH(bad, check_eq(HC1(physdev_op_compat, p), -EFAULT, name));
    /* memory_op */
    EACH(bad, check_eq(HC2(memory_op, 3, p), -EFAULT, name));
    EACH(bad, check_eq(HC2(memory_op, 4, p), -EFAULT, name));
    EACH(bad, check_eq(HC2(memory_op, 9, p), -EFAULT, name));
    EACH(badw, check_eq(HC2(memory_op, 12, p), -EFAULT, name));
    struct { u32 nr; u32 buf; } mm = { 1, 0 };
    EACH(badw, { mm.buf = (u32)p; mm.nr = 1; check_eq(HC2(memory_op, 9, &mm), -EFAULT, name); });
    /* sysctl */
    EACH(bad, check_eq(HC1(sysctl, p), -EFAULT, name));
    printk("hostile: still running\n");
}
