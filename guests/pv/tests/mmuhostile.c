/* Hostile mmu_update requests (spec 4.3, 4.4) get the errors Xen gives and change nothing:
 * writable mappings of page tables (-EBUSY), the hypervisor's L2 slots (-EPERM), superpages and
 * other refused flags (-EINVAL), frames the guest does not own (-EBUSY) or that are not memory
 * (-EPERM), L3 slot 3 (-EINVAL), a writable linear map (-EINVAL; a read-only one works), writes
 * into a descriptor page, bad commands, foreign domains, bad pointers and huge counts. */
#include "mm.h"

static volatile u32 *word(ulong va) { return (volatile u32 *)va; }

void test_main(void) {
    const ulong a = scratch_va(0), g = scratch_va(1);
    const ulong amfn = virt_to_mfn(a);
    const pte_t *top = (const pte_t *)start_info->pt_base;
    const ulong topmfn = virt_to_mfn((ulong)top);
    const u64 ea = l1e_ma(a);
    static u8 canary[4096];
    for (int i = 0; i < 4096; i++) canary[i] = (u8)(i * 7);
    *word(a) = 0xcafe0001u;
    const pte_t olda = l1e_of(a);

    /* L1 level. */
    check_eq(mmu1(ea, ma_of(topmfn) | PG_DATA), -EBUSY, "RW mapping of the top-level table");
    check_eq(mmu1(ea, ma_of(l1_mfn_of(a)) | PG_DATA), -EBUSY, "RW mapping of the L1 itself");
    check_eq(mmu1(ea, ma_of(amfn) | PG_DATA | _PAGE_PCD), -EINVAL, "PCD");
    check_eq(mmu1(ea, ma_of(amfn) | PG_DATA | _PAGE_PAT), -EINVAL, "PAT");
    check_eq(mmu1(ea, ma_of(xen_mfn()) | PG_RO), -EBUSY, "a hypervisor frame");
    check_eq(mmu1(ea, ma_of(0xfff00) | PG_RO), -EPERM, "past the end of machine memory");
    check(l1e_of(a) == olda, "a's entry unchanged");

    /* L2 level: the hypervisor's slots, superpages, flags, targets. */
#if CONFIG_PAE
    const ulong l2x = pte_mfn(top[3]);            /* the slot-3 L2 */
    const ulong l20 = pte_mfn(top[(VIRT_BASE >> 30)]);
    const u64 xen_slot = ma_of(l2x) + 428 * 8;     /* 0xF5800000 */
    const u64 free_slot = ma_of(l20) + 300 * 8;
#else
    const ulong l20 = topmfn;
    const u64 xen_slot = ma_of(topmfn) + 1008 * 4; /* 0xFC000000 */
    const u64 free_slot = ma_of(topmfn) + ((VIRT_BASE >> 22) + 300) * 4;
#endif
    const ulong l1a = l1_mfn_of(a);
    check_eq(mmu1(xen_slot, ma_of(l1a) | PG_TABLE), -EPERM, "an L1 in the hypervisor's first L2 slot");
    check_eq(mmu1(xen_slot + 5 * sizeof(pte_t), 0), -EPERM, "clearing a hypervisor slot");
    check_eq(mmu1(free_slot, ma_of(amfn) | PG_TABLE | _PAGE_PSE), -EINVAL, "a superpage");
    check_eq(mmu1(free_slot, ma_of(l1a) | PG_TABLE | _PAGE_GLOBAL), -EINVAL, "G in an L2 entry");
    check_eq(mmu1(free_slot, ma_of(l1a) | PG_TABLE | _PAGE_PWT), -EINVAL, "PWT in an L2 entry");
    check_eq(mmu1(free_slot, ma_of(xen_mfn()) | PG_TABLE), -EINVAL, "a hypervisor frame as an L1");
    check_eq(mmu1(free_slot, ma_of(amfn) | PG_TABLE), -EINVAL, "a frame mapped writable as an L1");
    check_eq(mmu1(free_slot, ma_of(l20) | PG_TABLE), -EINVAL, "a writable linear map");
    /* A read-only linear (self) map works: the L2 appears as an L1 under it. */
    check_eq(mmu1(free_slot, ma_of(l20) | PG_RO), 0, "a read-only linear map");
#if CONFIG_PAE
    const ulong lin = (VIRT_BASE & 0xc0000000u) + 300u * 0x200000u;
    const volatile pte_t *via = (const volatile pte_t *)(lin + ((a >> 21) & 511) * PAGE_SIZE);
#else
    const ulong lin = VIRT_BASE + 300u * 0x400000u;
    const volatile pte_t *via = (const volatile pte_t *)(lin + (a >> 22) * PAGE_SIZE);
#endif
    check(via[l1_index(a)] == l1e_of(a), "a's entry read through the linear map");
    check_eq(uvm(lin, 0, UVMF_INVLPG), -EINVAL, "update_va_mapping through a linear map: the 'L1' is an L2");
    check_eq(mmu1(free_slot, 0), 0, "remove the linear map");

    /* L3 (PAE). */
#if CONFIG_PAE
    check_eq(mmu1(ma_of(topmfn) + 3 * 8, top[3]), -EINVAL, "L3 slot 3 cannot change");
    check_eq(mmu1(ma_of(topmfn) + 4 * 8, 0), -EINVAL, "L3 slot 4");
    ulong spare = pte_mfn(top[1]);
    check_eq(mmu1(ma_of(topmfn) + 1 * 8, ma_of(spare) | _PAGE_PRESENT | (1ull << 63)), -EINVAL, "NX in an L3 entry");
    check_eq(mmu1(ma_of(topmfn) + 1 * 8, ma_of(spare) | _PAGE_PRESENT | 0x80), -EINVAL, "bit 7 in an L3 entry");
    check_eq(mmu1(ma_of(topmfn) + 1 * 8, ma_of(spare) | _PAGE_PRESENT | (1ull << 52)), -EINVAL, "bit 52 in an L3 entry");
    check_eq(mmu1(ma_of(topmfn) + 1 * 8, ma_of(l2x) | _PAGE_PRESENT), -EINVAL, "the slot-3 L2 in slot 1");
    check_eq(mmu1(ma_of(topmfn) + 1 * 8, ma_of(spare) | _PAGE_PRESENT), 0, "slot 1 rewritten with P only (native style)");
    check_eq(mmu1(ma_of(topmfn) + 1 * 8, ma_of(spare) | PG_TABLE), 0, "slot 1 back");
#endif

    /* A descriptor page cannot be written through mmu_update. */
    check_eq(uvm(g, ma_of(virt_to_mfn(g)) | PG_RO, UVMF_INVLPG), 0, "g read-only");
    ulong gf = virt_to_mfn(g);
    check_eq(set_gdt(&gf, 16), 0, "g installed as the GDT");
    check_eq(mmu1(ma_of(gf) + 8, 0), -EINVAL, "mmu_update into a GDT frame");
    check_eq(set_gdt(NULL, 0), 0, "empty GDT");
    check_eq(mmu1(ma_of(gf) + 8, 0), 0, "a plain frame again");

    /* Commands, foreign domains, M2P. */
#if CONFIG_PAE
    check_eq(mmu1(ea | 4, 0), -ENOSYS, "command 4");
    check_eq(mmu1(ea | 7, 0), -ENOSYS, "command 7");
#endif
    check_eq(mmu1(ma_of(xen_mfn()) | MMU_MACHPHYS_UPDATE, 5), -EINVAL, "M2P entry of a hypervisor frame");
    check_eq(mmu1(ma_of(0x7fffff) | MMU_MACHPHYS_UPDATE, 5), -EINVAL, "M2P entry of a nonexistent frame");
    struct mmu_update r1 = { ea, ma_of(amfn) | PG_DATA };
    struct mmu_update rm = { ma_of(amfn) | MMU_MACHPHYS_UPDATE, 5 };
    u32 done = 9;
    check_eq(mmu_update(&r1, 1, &done, DOMID_IO), -EBUSY, "DOMID_IO: RAM is not I/O memory");
    check_eq(done, 0, "pdone (DOMID_IO)");
    check_eq(mmu_update(&rm, 1, NULL, DOMID_IO), -EINVAL, "DOMID_IO M2P update");
    check_eq(mmu_update(&r1, 1, NULL, 0), -EPERM, "dom0's pages");
    check_eq(mmu_update(&r1, 1, NULL, 1u << 16), -EPERM, "dom0's page tables (PFD)");
    check_eq(mmu_update(&rm, 1, NULL, 1u << 16), -EPERM, "M2P update with dom0's page tables");
    check_eq(mmu_update(&r1, 1, NULL, 5u << 16), -ESRCH, "nonexistent PFD");
    check_eq(mmu_update(&r1, 1, NULL, (2u << 16) | DOMID_SELF), 0, "PFD naming ourselves");
    done = 9;
    check_eq(mmu_update(&r1, 1, &done, 1), -ESRCH, "FD naming ourselves");
    check_eq(done, 0, "pdone after -ESRCH");
    check_eq(mmu_update(&r1, 1, NULL, 99), -ESRCH, "nonexistent FD");
    check_eq(mmu_update(&r1, 1, NULL, DOMID_XEN), -ESRCH, "DOMID_XEN");

    /* Bad pointers and huge counts. */
    done = 9;
    check_eq(mmu_update((void *)(region_end() + 0x2000), 1, &done, DOMID_SELF), -EFAULT, "unmapped request list");
    check_eq(done, 0, "pdone after a bad list");
    check_eq(mmu_update((void *)MACH2PHYS_VIRT_START, 1, NULL, DOMID_SELF), -EFAULT, "list in the M2P (hypervisor range)");
    check_eq(mmu_update(&r1, 1, (u32 *)HYPERVISOR_VIRT_START, DOMID_SELF), 0, "pdone in the hypervisor range: ignored");
    struct mmu_update *tail = (struct mmu_update *)(region_end() - 2 * sizeof(struct mmu_update));
    tail[0] = r1; tail[1] = r1;
    done = 9;
    check_eq(mmu_update(tail, 0xffffffffu & ~MMU_UPDATE_PREEMPTED, &done, DOMID_SELF), -EFAULT, "huge count");
    check_eq(done, 2, "pdone after a huge count");

    /* Nothing else was harmed. */
    check_eq(pte_mfn(l1e_of(a)), amfn, "a still maps its own frame");
    invlpg(a);
    check_eq(*word(a), 0xcafe0001u, "a's content");
    for (int i = 0; i < 4096; i++) if (canary[i] != (u8)(i * 7)) { fail("canary byte %d", i); break; }
}
