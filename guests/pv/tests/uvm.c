/* update_va_mapping (spec 4.5) with each flush flag, update_va_mapping_otherdomain, and the answers
 * Xen gives for bad values: hypervisor range, no L2, writable page-table pages, frames the guest does
 * not own, cache-attribute bits; shared_info may be mapped (as XTF does). */
#include "mm.h"

static volatile u32 *word(ulong va) { return (volatile u32 *)va; }

void test_main(void) {
    const ulong a = scratch_va(0), w = scratch_va(1);
    const ulong own = virt_to_mfn(a);
    ulong fr[4];
    for (int i = 0; i < 4; i++) {
        fr[i] = free_mfn(i);
        check_eq(map_rw(w, fr[i]), 0, "map a free frame");
        *word(w) = 0xf0000000u + (u32)i;
    }
    *word(a) = 0xa0a0a0a0u;

    /* UVMF_NONE: the guest asks for the flush itself (INVLPG); after it the new mapping is used. */
    (void)*word(a);
    check_eq(uvm(a, ma_of(fr[0]) | PG_DATA, UVMF_NONE), 0, "UVMF_NONE");
    invlpg(a);
    check_eq(*word(a), 0xf0000000u, "new mapping after INVLPG");
    /* UVMF_INVLPG: flushed by the hypervisor. */
    check_eq(uvm(a, ma_of(fr[1]) | PG_DATA, UVMF_INVLPG | UVMF_LOCAL), 0, "UVMF_INVLPG|LOCAL");
    check_eq(*word(a), 0xf0000001u, "mapping after UVMF_INVLPG");
    check_eq(uvm(a, ma_of(fr[2]) | PG_DATA, UVMF_TLB_FLUSH | UVMF_ALL), 0, "UVMF_TLB_FLUSH|ALL");
    check_eq(*word(a), 0xf0000002u, "mapping after UVMF_TLB_FLUSH");
    check_eq(uvm(a, ma_of(fr[3]) | PG_DATA, UVMF_INVLPG | UVMF_ALL), 0, "UVMF_INVLPG|ALL");
    check_eq(*word(a), 0xf0000003u, "mapping after UVMF_INVLPG|ALL");
    static ulong mask = 1;
    check_eq(uvm(a, ma_of(fr[0]) | PG_DATA, UVMF_TLB_FLUSH | (ulong)&mask), 0, "UVMF_TLB_FLUSH with a vCPU mask");
    check_eq(*word(a), 0xf0000000u, "mapping after a masked flush");
    check_eq(uvm(a, ma_of(fr[1]) | PG_DATA, UVMF_INVLPG | (ulong)&mask), 0, "UVMF_INVLPG with a vCPU mask");
    check_eq(*word(a), 0xf0000001u, "mapping after a masked INVLPG");
    /* An unreadable mask: -EFAULT, but the entry was updated before the flush was attempted. */
    check_eq(uvm(a, ma_of(fr[2]) | PG_DATA, UVMF_TLB_FLUSH | (region_end() + 0x100000)), -EFAULT, "bad vCPU mask");
    check_eq(pte_mfn(l1e_of(a)), fr[2], "the update happened anyway");
    check_eq(mmuext(MMUEXT_TLB_FLUSH_LOCAL, 0, 0), 0, "TLB_FLUSH_LOCAL");
    check_eq(*word(a), 0xf0000002u, "mapping after TLB_FLUSH_LOCAL");
    check_eq(uvm(a, ma_of(own) | PG_DATA, UVMF_INVLPG), 0, "back to its own frame");
    check_eq(*word(a), 0xa0a0a0a0u, "own frame intact");
    /* User and global mappings, NX (PAE) and available bits are allowed. */
    check_eq(uvm(a, ma_of(own) | PG_DATA | _PAGE_USER | _PAGE_GLOBAL | 0xe00, UVMF_INVLPG), 0, "US|G|avail");
#if CONFIG_PAE
    check_eq(uvm(a, ma_of(own) | PG_DATA | (1ull << 63) | (1ull << 52), UVMF_INVLPG), 0, "NX and bit 52");
    check_eq(uvm(a, ma_of(own) | PG_DATA | (1ull << 62), UVMF_INVLPG), -EINVAL, "bit 62 (grant-table flag)");
#endif

    /* Refused values leave the entry as it was. */
    const pte_t before = l1e_of(a);
    check_eq(uvm(a, ma_of(own) | PG_DATA | _PAGE_PCD, UVMF_INVLPG), -EINVAL, "PCD");
    check_eq(uvm(a, ma_of(own) | PG_DATA | _PAGE_PWT, UVMF_INVLPG), -EINVAL, "PWT");
    check_eq(uvm(a, ma_of(own) | PG_DATA | _PAGE_PAT, UVMF_INVLPG), -EINVAL, "PAT");
    ulong top = virt_to_mfn(start_info->pt_base);
    check_eq(uvm(a, ma_of(top) | PG_DATA, UVMF_INVLPG), -EBUSY, "writable mapping of the top-level table");
    check_eq(uvm(a, ma_of(l1_mfn_of(a)) | PG_DATA, UVMF_INVLPG), -EBUSY, "writable mapping of an L1 (its own)");
    check_eq(uvm(a, ma_of(xen_mfn()) | PG_DATA, UVMF_INVLPG), -EBUSY, "a hypervisor frame, writable");
    check_eq(uvm(a, ma_of(xen_mfn()) | PG_RO, UVMF_INVLPG), -EBUSY, "a hypervisor frame, read-only");
    check_eq(uvm(a, ma_of(0xfffff) | PG_RO, UVMF_INVLPG), -EPERM, "a frame beyond machine memory (MMIO)");
#if CONFIG_PAE
    check_eq(uvm(a, (1ull << 40) | PG_RO, UVMF_INVLPG), -EPERM, "a 40-bit machine address");
#endif
    check(l1e_of(a) == before, "entry unchanged after the refusals");
    check_eq(*word(a), 0xa0a0a0a0u, "still mapped");
    /* Read-only mappings of page tables are fine. */
    check_eq(uvm(a, ma_of(top) | PG_RO, UVMF_INVLPG), 0, "read-only mapping of the top-level table");
    check(*(volatile pte_t *)a == *(const pte_t *)start_info->pt_base, "reads the top-level table");
    check_eq(uvm(a, ma_of(own) | PG_DATA, UVMF_INVLPG), 0, "restore");

    /* Addresses without an L1: the hypervisor range, an empty L2 slot. */
    check_eq(uvm(HYPERVISOR_VIRT_START, ma_of(own) | PG_DATA, UVMF_INVLPG), -EINVAL, "va in the hypervisor range");
    check_eq(uvm(0xfffff000u, 0, UVMF_INVLPG), -EINVAL, "va at the top");
#if CONFIG_PAE
    check_eq(uvm(VIRT_BASE + 0x20000000u, ma_of(own) | PG_DATA, UVMF_INVLPG), -EINVAL, "va with no L1 (empty L2 entry)");
#else
    check_eq(uvm(VIRT_BASE + 0x40000000u, ma_of(own) | PG_DATA, UVMF_INVLPG), -EINVAL, "va with no L1 (empty L2 entry)");
#endif

    /* shared_info may be mapped (XTF maps it over a BSS page). */
    check_eq(uvm(a, (u64)start_info->shared_info | PG_DATA, UVMF_INVLPG), 0, "map shared_info");
    check_eq(((volatile u8 *)a)[1], 1, "vcpu_info[0].evtchn_upcall_mask through the mapping");
    check_eq(uvm(a, ma_of(own) | PG_DATA, UVMF_INVLPG), 0, "restore after shared_info");

    /* Batched in a multicall, as Linux does. */
    struct multicall_entry mc[2] = {
        { HC_update_va_mapping, 0, { a, (u32)(ma_of(fr[3]) | PG_DATA), 0, UVMF_NONE, 0, 0 } },
        { HC_update_va_mapping, 0, { w, (u32)(ma_of(xen_mfn()) | PG_DATA), 0, UVMF_TLB_FLUSH, 0, 0 } },
    };
    check_eq(HC2(multicall, mc, 2), 0, "multicall");
    check_eq(mc[0].result, 0, "first update_va_mapping in the batch");
    check_eq((long)mc[1].result, -EBUSY, "second (refused) update_va_mapping in the batch");
    check_eq(*word(a), 0xf0000003u, "batched mapping in effect after the batch's flush");
    check_eq(uvm(a, ma_of(own) | PG_DATA, UVMF_INVLPG), 0, "restore after the batch");

    /* update_va_mapping_otherdomain: only DOMID_SELF may map pages. */
    check_eq(uvm_other(a, ma_of(fr[0]) | PG_DATA, UVMF_INVLPG, DOMID_SELF), 0, "otherdomain DOMID_SELF");
    check_eq(*word(a), 0xf0000000u, "otherdomain DOMID_SELF mapped");
    check_eq(uvm_other(a, ma_of(own) | PG_DATA, UVMF_INVLPG, 0), -EPERM, "otherdomain dom0");
    check_eq(uvm_other(a, ma_of(own) | PG_DATA, UVMF_INVLPG, DOMID_IO), -EPERM, "otherdomain DOMID_IO");
    check_eq(uvm_other(a, ma_of(own) | PG_DATA, UVMF_INVLPG, 1), -ESRCH, "otherdomain naming ourselves");
    check_eq(uvm_other(a, ma_of(own) | PG_DATA, UVMF_INVLPG, 77), -ESRCH, "otherdomain nonexistent");
    check_eq(uvm_other(a, ma_of(own) | PG_DATA, UVMF_INVLPG, DOMID_XEN), -ESRCH, "otherdomain DOMID_XEN");
    check_eq(pte_mfn(l1e_of(a)), fr[0], "refused otherdomain calls changed nothing");
    check_eq(uvm_other(a, 0, UVMF_INVLPG, 0), 0, "otherdomain dom0, not-present entry");
    check_eq(l1e_of(a), 0, "unmapped");
    check_eq(uvm(a, ma_of(own) | PG_DATA, UVMF_INVLPG), 0, "restore");
    check_eq(*word(a), 0xa0a0a0a0u, "own frame intact at the end");
}
