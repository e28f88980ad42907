/* mmuext_op (spec 4.6): build a second address space from free frames, pin it, switch to it with
 * NEW_BASEPTR and back, unpin (the table is devalidated and may then be mapped writable), and the
 * errors Xen gives: pinning twice, unpinning what is not pinned, pinning or switching to a frame
 * mapped writable, frames the guest does not own, flush/cache/LDT argument checks, the commands a
 * 32-bit guest does not have, foreign domains, pdone, bad pointers, CLEAR_PAGE and COPY_PAGE. */
#include "mm.h"

static volatile u32 *word(ulong va) { return (volatile u32 *)va; }

#if CONFIG_PAE
#define ROOT_PIN MMUEXT_PIN_L3_TABLE
#else
#define ROOT_PIN MMUEXT_PIN_L2_TABLE
#endif

void test_main(void) {
    const ulong w = scratch_va(0), s = scratch_va(1);
    const ulong old_top = virt_to_mfn(start_info->pt_base);
    const ulong top = free_mfn(0), l1 = free_mfn(1), data = free_mfn(2);
#if CONFIG_PAE
    const ulong l2a = free_mfn(3), l2x = free_mfn(4);
    const ulong probe = VIRT_BASE ? 0x00000000u : 0x40000000u; /* the new space maps it, the old one does not */
#else
    const ulong probe = VIRT_BASE ? 0x00000000u : 0x80000000u;
#endif
    check_eq(map_rw(w, data), 0, "map data");
    *word(w) = 0xda7a0001u;

    /* New tables, written while still mapped writable (then unmapped), as Linux does. */
    check_eq(map_rw(w, l1), 0, "map the new L1");
    memset((void *)w, 0, PAGE_SIZE);
    ((pte_t *)w)[0] = ma_of(data) | PG_DATA;
    check_eq(map_rw(w, top), 0, "map the new top");
    memset((void *)w, 0, PAGE_SIZE);
#if CONFIG_PAE
    const pte_t *ot = (const pte_t *)start_info->pt_base;
    check_eq(map_rw(w, l2a), 0, "map the new L2 for the probe's slot");
    memset((void *)w, 0, PAGE_SIZE);
    ((pte_t *)w)[(probe >> 21) & 511] = ma_of(l1) | PG_TABLE;
    check_eq(map_rw(w, l2x), 0, "map the new slot-3 L2");
    memcpy((void *)w, mfn_to_virt(pte_mfn(ot[3])), PAGE_SIZE); /* same guest mappings as the current slot 3 */
    check_eq(map_rw(w, top), 0, "map the new top again");
    for (int i = 0; i < 4; i++) ((pte_t *)w)[i] = ot[i];
    ((pte_t *)w)[probe >> 30] = ma_of(l2a) | PG_TABLE;
    ((pte_t *)w)[3] = ma_of(l2x) | PG_TABLE;
#else
    memcpy((void *)w, (const void *)start_info->pt_base, PAGE_SIZE);
    ((pte_t *)w)[probe >> 22] = ma_of(l1) | PG_TABLE;
#endif
    /* Still mapped writable at w: pinning or switching must fail. */
    check_eq(mmuext(ROOT_PIN, top, 0), -EINVAL, "pin a frame that is mapped writable");
    check_eq(mmuext(MMUEXT_NEW_BASEPTR, top, 0), -EINVAL, "switch to a frame that is mapped writable");
    check_eq(uvm(w, 0, UVMF_INVLPG), 0, "unmap w");
    check_eq(mmuext(ROOT_PIN, top, 0), 0, "pin the new top");
    check_eq(mmuext(ROOT_PIN, top, 0), -EINVAL, "pin it again");
    check_eq(map_rw(s, l1), -EBUSY, "an L1 of the pinned tables cannot be mapped writable");
    check_eq(uvm(probe, ma_of(data) | PG_DATA, UVMF_INVLPG), -EINVAL, "the probe address has no L1 in the old space");

    /* Switch, use the new space, switch back. */
    check_eq(mmuext(MMUEXT_NEW_BASEPTR, top, 0), 0, "NEW_BASEPTR to the new space");
    check_eq(*word(probe), 0xda7a0001u, "the new space maps data at the probe address");
    check_eq(uvm(probe, ma_of(data) | PG_RO, UVMF_INVLPG), 0, "update_va_mapping works on the probe in the new space");
    check_eq(mmuext(MMUEXT_UNPIN_TABLE, top, 0), 0, "unpin the current top (CR3 still holds it)");
    check_eq(mmuext(MMUEXT_UNPIN_TABLE, top, 0), -EINVAL, "unpin it again");
    check_eq(mmuext(MMUEXT_NEW_BASEPTR, old_top, 0), 0, "back to the initial tables");
    check_eq(uvm(probe, ma_of(data) | PG_DATA, UVMF_INVLPG), -EINVAL, "the probe is unmapped again");
    /* Nothing references the new tables any more: they can be mapped writable. */
    check_eq(map_rw(s, top), 0, "the old new-top can be mapped writable once unused");
    check_eq(map_rw(s, l1), 0, "and its L1");
    check_eq(uvm(s, 0, UVMF_INVLPG), 0, "unmap s");

    /* Pins at every level. */
    check_eq(mmuext(MMUEXT_PIN_L1_TABLE, l1, 0), 0, "pin an L1");
    check_eq(mmuext(MMUEXT_PIN_L2_TABLE, l1, 0), -EINVAL, "pin the same frame as an L2");
    check_eq(mmuext(MMUEXT_NEW_BASEPTR, l1, 0), -EINVAL, "NEW_BASEPTR to a pinned L1");
    check_eq(mmuext(MMUEXT_UNPIN_TABLE, l1, 0), 0, "unpin the L1");
    check_eq(mmuext(MMUEXT_UNPIN_TABLE, l1, 0), -EINVAL, "unpin a table that is not pinned");
    check_eq(mmuext(MMUEXT_UNPIN_TABLE, data, 0), -EINVAL, "unpin a data frame");
    check_eq(mmuext(MMUEXT_PIN_L1_TABLE, virt_to_mfn(scratch_va(3)), 0), -EINVAL, "pin a frame mapped writable");
    check_eq(mmuext(MMUEXT_PIN_L1_TABLE, xen_mfn(), 0), -EINVAL, "pin a hypervisor frame");
    check_eq(mmuext(MMUEXT_PIN_L1_TABLE, 0x7fffffffu, 0), -EINVAL, "pin a nonexistent frame");
    check_eq(mmuext(MMUEXT_NEW_BASEPTR, xen_mfn(), 0), -EINVAL, "NEW_BASEPTR to a hypervisor frame");
    check_eq(mmuext(MMUEXT_PIN_L4_TABLE, l1, 0), 0, "PIN_L4 is ignored for 32-bit guests");
#if CONFIG_PAE
    check_eq(mmuext(MMUEXT_PIN_L3_TABLE, l1, 0), -EINVAL, "PIN_L3 of a frame whose slot 3 is empty");
    check_eq(mmuext(MMUEXT_NEW_USER_BASEPTR, top, 0), -EINVAL, "NEW_USER_BASEPTR (x86_64 only)");
#else
    check_eq(mmuext(MMUEXT_PIN_L3_TABLE, l1, 0), 0, "PIN_L3 is ignored for 2-level guests");
    check_eq(mmuext(MMUEXT_NEW_USER_BASEPTR, top, 0), -ENOSYS, "NEW_USER_BASEPTR (x86_64 only)");
#endif
    check_eq(mmuext(MMUEXT_NEW_BASEPTR, old_top, 0), 0, "NEW_BASEPTR to the current top");

    /* Flushes and cache operations. */
    static ulong mask = 1;
    check_eq(mmuext(MMUEXT_TLB_FLUSH_ALL, 0, 0), 0, "TLB_FLUSH_ALL");
    check_eq(mmuext(MMUEXT_INVLPG_ALL, w, 0), 0, "INVLPG_ALL");
    check_eq(mmuext(MMUEXT_INVLPG_ALL, 0xfffff000u, 0), 0, "INVLPG_ALL of a hypervisor address");
    check_eq(mmuext(MMUEXT_TLB_FLUSH_MULTI, 0, (ulong)&mask), 0, "TLB_FLUSH_MULTI");
    check_eq(mmuext(MMUEXT_INVLPG_MULTI, w, (ulong)&mask), 0, "INVLPG_MULTI");
    check_eq(mmuext(MMUEXT_TLB_FLUSH_MULTI, 0, region_end() + 0x100000), -EINVAL, "TLB_FLUSH_MULTI, unreadable mask");
    check_eq(mmuext(MMUEXT_INVLPG_MULTI, w, HYPERVISOR_VIRT_START), -EINVAL, "INVLPG_MULTI, mask in the hypervisor range");
    check_eq(mmuext(MMUEXT_FLUSH_CACHE, 0, 0), -EACCES, "FLUSH_CACHE without I/O privilege");
    check_eq(mmuext(MMUEXT_FLUSH_CACHE_GLOBAL, 0, 0), -EINVAL, "FLUSH_CACHE_GLOBAL without I/O privilege");
    check_eq(mmuext(MMUEXT_MARK_SUPER, data, 0), -EOPNOTSUPP, "MARK_SUPER");
    check_eq(mmuext(MMUEXT_UNMARK_SUPER, data, 0), -EOPNOTSUPP, "UNMARK_SUPER");
    check_eq(mmuext(14, 0, 0), -ENOSYS, "command 14");
    check_eq(mmuext(21, 0, 0), -ENOSYS, "command 21");
    check_eq(mmuext(0xffffffffu, 0, 0), -ENOSYS, "command ~0");

    /* CLEAR_PAGE / COPY_PAGE. */
    check_eq(map_rw(w, data), 0, "map data");
    check_eq(map_rw(s, l1), 0, "map l1 (now a plain frame)");
    *word(s + 8) = 0x0c0c0c0cu;
    check_eq(mmuext(MMUEXT_COPY_PAGE, data, l1), 0, "COPY_PAGE l1 -> data");
    check_eq(*word(w + 8), 0x0c0c0c0cu, "copied");
    check_eq(mmuext(MMUEXT_CLEAR_PAGE, data, 0), 0, "CLEAR_PAGE");
    check_eq(*word(w + 8), 0, "cleared");
    check_eq(mmuext(MMUEXT_CLEAR_PAGE, old_top, 0), -EINVAL, "CLEAR_PAGE of a page table");
    check_eq(mmuext(MMUEXT_CLEAR_PAGE, xen_mfn(), 0), -EINVAL, "CLEAR_PAGE of a hypervisor frame");
    check_eq(mmuext(MMUEXT_COPY_PAGE, old_top, data), -EINVAL, "COPY_PAGE onto a page table");
    check_eq(mmuext(MMUEXT_COPY_PAGE, data, xen_mfn()), -EINVAL, "COPY_PAGE from a hypervisor frame");
    check(((const pte_t *)start_info->pt_base)[PT_LEVELS == 3 ? 3 : 0] & _PAGE_PRESENT, "top-level table intact");

    /* SET_LDT argument checks (the LDT itself is exercised by the gdt kernel). */
    check_eq(mmuext(MMUEXT_SET_LDT, w + 8, 1), -EINVAL, "SET_LDT misaligned");
    check_eq(mmuext(MMUEXT_SET_LDT, w, 8193), -EINVAL, "SET_LDT with 8193 entries");
    check_eq(mmuext(MMUEXT_SET_LDT, HYPERVISOR_VIRT_START, 1), -EINVAL, "SET_LDT in the hypervisor range");
    check_eq(mmuext(MMUEXT_SET_LDT, w + 8, 0), 0, "SET_LDT with 0 entries ignores the address");

    /* Batches, pdone, foreign domains, bad pointers. */
    struct mmuext_op ops[3] = { { MMUEXT_TLB_FLUSH_LOCAL, 0, 0 }, { MMUEXT_UNPIN_TABLE, data, 0 }, { MMUEXT_TLB_FLUSH_LOCAL, 0, 0 } };
    u32 done = 77;
    check_eq(mmuext_ops(ops, 3, &done, DOMID_SELF), -EINVAL, "batch failing at the second op");
    check_eq(done, 1, "pdone");
    done = 77;
    check_eq(mmuext_ops(ops, 3, &done, DOMID_IO), -EINVAL, "DOMID_IO");
    check_eq(done, 77, "pdone untouched when the owner is refused");
    check_eq(mmuext_ops(ops, 1, &done, 0), -EPERM, "dom0 as owner");
    check_eq(mmuext_ops(ops, 1, &done, 1), -ESRCH, "ourselves by id");
    check_eq(mmuext_ops(ops, 1, &done, 300), -ESRCH, "nonexistent domain");
    check_eq(mmuext_ops(ops, 1, &done, DOMID_XEN), -ESRCH, "DOMID_XEN");
    done = 77;
    check_eq(mmuext_ops((void *)(region_end() + 0x1000), 1, &done, DOMID_SELF), -EFAULT, "unmapped op list");
    check_eq(done, 0, "pdone after a bad list");
    check_eq(mmuext_ops((void *)HYPERVISOR_VIRT_START, 1, NULL, DOMID_SELF), -EFAULT, "op list in the hypervisor range");
    check_eq(mmuext_ops(ops, 1, (u32 *)start_info->pt_base, DOMID_SELF), 0, "read-only pdone is ignored");
    /* A huge count runs until the list leaves the mapped region. */
    struct mmuext_op *tail = (struct mmuext_op *)(region_end() - 2 * sizeof(struct mmuext_op));
    tail[0] = ops[0]; tail[1] = ops[0];
    done = 0;
    check_eq(mmuext_ops(tail, 0x7fffffffu, &done, DOMID_SELF), -EFAULT, "huge count");
    check_eq(done, 2, "pdone after the huge count");
    static struct mmuext_op many[1500];
    for (ulong i = 0; i < ARRAY_SIZE(many); i++) many[i] = ops[0];
    check_eq(mmuext_ops(many, ARRAY_SIZE(many), &done, DOMID_SELF), 0, "1500 ops (continued)");
    check_eq(done, 1500, "pdone after 1500");
}
