/*
 * start_info and the initial layout (spec 3.2-3.4): the builder's placement of the P2M, start_info,
 * xenstore and console rings, page tables and boot stack; the entry registers; start_info fields;
 * every page of the initial region mapped with the builder's flags, page-table pages read-only.
 * Command line: "expect_pages=N" (nr_pages the harness configured).
 */
#include "pvlib.h"

#define ROUNDUP(x, a) (((x) + (a) - 1) & ~((ulong)(a) - 1))
#define MB (1024ul * 1024ul)

/* Page tables needed to map [0, end) (VIRT_BASE 0). */
static ulong pt_count(ulong end) {
#if CONFIG_PAE
    return 1 + (4 - (VIRT_BASE >> 30)) + (end - VIRT_BASE) / (2 * MB);
#else
    return 1 + (end - VIRT_BASE) / (4 * MB);
#endif
}

void test_main(void) {
    const struct start_info *si = start_info;
    printk("startinfo: start_info at %p, cmdline \"%s\"\n", si, si->cmd_line);

    check(!strcmp(si->magic, START_INFO_MAGIC), "magic is \"%s\"", si->magic);
    const char *ep = cmdline_arg("expect_pages");
    check(ep && si->nr_pages == parse_ulong(ep), "nr_pages %lu, expected %s", si->nr_pages, ep ? ep : "?");
    check_eq(si->flags, 0, "flags");
    check_eq(si->mod_start, 0, "mod_start");
    check_eq(si->mod_len, 0, "mod_len");
    check_eq(si->store_evtchn, 1, "store_evtchn");
    check_eq(si->console_evtchn, 2, "console evtchn");
    check(si->shared_info % PAGE_SIZE == 0, "shared_info 0x%lx not page aligned", si->shared_info);
    check(si->shared_info / PAGE_SIZE >= si->nr_pages, "shared_info frame 0x%lx is guest RAM", si->shared_info >> 12);

    /* The builder's order: kernel, P2M, start_info, xenstore, console, page tables, stack. */
    ulong kend = ROUNDUP((ulong)_end, PAGE_SIZE);
    check_eq((ulong)_start, VIRT_BASE + 0x100000, "image address");
    check_eq(si->mfn_list, kend, "mfn_list (P2M right after the kernel)");
    ulong p2m_pages = ROUNDUP(si->nr_pages * 4, PAGE_SIZE) / PAGE_SIZE;
    ulong si_va = kend + p2m_pages * PAGE_SIZE;
    check_eq((ulong)si, si_va, "start_info address");
    check_eq(entry_regs[6], si_va, "ESI at entry");
    ulong si_pfn = (si_va - VIRT_BASE) >> 12;
    check_eq(si->store_mfn, p2m(si_pfn + 1), "store_mfn");
    check_eq(si->console_mfn, p2m(si_pfn + 2), "console mfn");
    check_eq(si->pt_base, si_va + 3 * PAGE_SIZE, "pt_base");

    /* virt_pgtab_end: 4 MiB aligned, >= 128 free pages after the stack, mapped by the tables. */
    ulong alloc = si->pt_base, pages = 129, end = 0;
    for (int i = 0; i < 64; i++) {
        end = ROUNDUP(alloc + pages * PAGE_SIZE, 4 * MB);
        pages = pt_count(end) + 129;
        if (alloc + pages * PAGE_SIZE <= end) break;
    }
    check_eq(si->nr_pt_frames, pt_count(end), "nr_pt_frames");
    ulong stack_top = si->pt_base + (si->nr_pt_frames + 1) * PAGE_SIZE;
    check_eq(entry_regs[4], stack_top, "ESP at entry (just past the boot stack)");

    /* Registers (spec 3.4). */
    check_eq(entry_cs, FLAT_KERNEL_CS, "CS");
    check_eq(entry_ss, FLAT_KERNEL_SS, "SS");
    check_eq(entry_ds, FLAT_KERNEL_DS, "DS");
    check_eq(entry_es, FLAT_KERNEL_DS, "ES");
    check_eq(entry_fs, FLAT_KERNEL_DS, "FS");
    check_eq(entry_gs, FLAT_KERNEL_DS, "GS");
    check_eq(entry_eflags & 0x3202, 0x202, "EFLAGS IF and IOPL");
    check_eq(entry_regs[0] | entry_regs[1] | entry_regs[2] | entry_regs[3] | entry_regs[5] | entry_regs[7], 0, "EAX EBX ECX EDX EBP EDI");

    /* The mapping: every page of [0, end) present, builder flags, page tables read-only. */
    ulong bad = 0;
    for (ulong va = VIRT_BASE; va < end; va += PAGE_SIZE) {
        pte_t e = l1e_of(va);
        int is_pt = va >= si->pt_base && va < si->pt_base + si->nr_pt_frames * PAGE_SIZE;
        u32 fl = (u32)e & 0xfffu & ~_PAGE_DIRTY;
        u32 want = is_pt ? 0x21 : 0x23;
        ulong pfn = (va - VIRT_BASE) >> 12;
        if (!(e & _PAGE_PRESENT) || fl != want || (e >> 12) != p2m(pfn)) {
            if (!bad++) fail("L1 entry of 0x%lx is 0x%llx (want flags 0x%x, frame 0x%lx)", va, (unsigned long long)e, want, p2m(pfn));
        }
    }
    check(!l1e_of(end), "0x%lx (virt_pgtab_end) is mapped", end);
    /* Upper levels: P|RW|US|A|D. */
    const pte_t *top = (const pte_t *)si->pt_base;
#if CONFIG_PAE
    for (int s = 0; s < (int)(VIRT_BASE >> 30); s++) check_eq(top[s], 0, "L3 entry below VIRT_BASE's slot");
    for (int s = VIRT_BASE >> 30; s < 4; s++) check_eq((u32)top[s] & 0xfff, 0x67, "L3 entry flags");
    for (int s = VIRT_BASE >> 30; s < 4; s++) check_eq((ulong)(top[s] >> 12), p2m(((si->pt_base - VIRT_BASE) >> 12) + 1 + s - (VIRT_BASE >> 30)), "L3 entry frame (L2 pages follow the L3)");
#else
    for (ulong i = 0; i < VIRT_BASE >> 22; i++) if (top[i]) { fail("L2 entry %lu below VIRT_BASE is 0x%x", i, top[i]); break; }
    for (ulong i = VIRT_BASE >> 22; i < end >> 22; i++) check_eq((u32)top[i] & 0xfff & ~_PAGE_ACCESSED, 0x67 & ~_PAGE_ACCESSED, "L2 entry flags");
    check_eq(top[end >> 22], 0, "L2 entry past the region");
#endif
    printk("startinfo: region ends at 0x%lx, %lu page-table frames, stack top 0x%lx\n", end, si->nr_pt_frames, stack_top);
}
