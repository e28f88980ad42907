/* Writable page tables (spec 4.8): with VMASST_TYPE_writable_pagetables the kernel stores PTEs
 * straight into its read-only mapped L1 frames (MOV, the two halves of a PAE entry, XCHG, CMPXCHG,
 * CMPXCHG8B); each store is validated like mmu_update. The PAE quirk: an upper-half store that makes
 * the entry invalid is kept with P cleared.
 * cmdline kind=invalid: a store making the L1 map a page table writable is refused: #PF to the guest
 *   (no handler here: the domain crashes; the host checks the entry is intact).
 * kind=noassist: without the assist the first store is an ordinary #PF.
 * kind=l2: stores into an L2 frame are never emulated. */
#include "mm.h"

static volatile u32 *word(ulong va) { return (volatile u32 *)va; }

void test_main(void) {
    const char *kind = cmdline_arg("kind");
    const ulong a = scratch_va(0), w = scratch_va(1);
    const ulong own = virt_to_mfn(a), x = free_mfn(0), y = free_mfn(1);
    volatile pte_t *pte = l1e_ptr(a);
    check_eq(map_rw(w, x), 0, "map x"); *word(w) = 0x0000aaa0u;
    check_eq(map_rw(w, y), 0, "map y"); *word(w) = 0x0000bbb0u;
    *word(a) = 0x0000a0a0u;

    if (kind && !strcmp(kind, "noassist")) {
        printk("ptwr: pte at 0x%lx old 0x%llx\n", (ulong)pte, (unsigned long long)*pte);
        *pte = ma_of(x) | PG_DATA;
        fail("the store went through without the assist");
        return;
    }
    check_eq(HC2(vm_assist, 0, VMASST_TYPE_writable_pagetables), 0, "enable writable_pagetables");

    if (kind && !strcmp(kind, "l2")) {
#if CONFIG_PAE
        volatile pte_t *l2e = (volatile pte_t *)mfn_to_virt(pte_mfn(((const pte_t *)start_info->pt_base)[0])) + 300;
#else
        volatile pte_t *l2e = (volatile pte_t *)start_info->pt_base + 300;
#endif
        printk("ptwr: pte at 0x%lx old 0x%llx\n", (ulong)l2e, (unsigned long long)*l2e);
        *l2e = ma_of(l1_mfn_of(a)) | PG_TABLE;
        fail("an L2 store was emulated");
        return;
    }
    if (kind && !strcmp(kind, "invalid")) {
        printk("ptwr: pte at 0x%lx old 0x%llx\n", (ulong)pte, (unsigned long long)*pte);
        *pte = ma_of(virt_to_mfn(start_info->pt_base)) | PG_DATA; /* RW mapping of the top-level table */
        fail("an invalid PTE store was accepted");
        return;
    }

    /* MOV of a whole entry. */
    *pte = ma_of(x) | PG_DATA;
    check_eq(pte_mfn(*pte), x, "the store is in the table");
    invlpg(a);
    check_eq(*word(a), 0xaaa0, "a maps x");
#if CONFIG_PAE
    /* Two 4-byte halves, low first (the high half stays 0). */
    ((volatile u32 *)pte)[0] = (u32)(ma_of(y) | PG_DATA);
    ((volatile u32 *)pte)[1] = 0;
    invlpg(a);
    check_eq(*word(a), 0xbbb0, "a maps y after two half stores");
    /* The quirk: an upper half that makes the entry invalid is stored with P cleared. */
    ((volatile u32 *)pte)[1] = 1u << 30; /* bit 62: refused in L1 entries */
    check_eq((u32)(*pte >> 32), 1u << 30, "upper half stored");
    check_eq((u32)*pte & _PAGE_PRESENT, 0, "and P cleared");
    ((volatile u32 *)pte)[1] = 0;
    ((volatile u32 *)pte)[0] = (u32)(ma_of(y) | PG_DATA);
    invlpg(a);
    check_eq(*word(a), 0xbbb0, "present again");
    /* CMPXCHG8B. */
    pte_t cur = *pte;
    pte_t got = __sync_val_compare_and_swap(pte, cur, ma_of(x) | PG_DATA);
    check(got == cur, "cmpxchg8b returned the old entry");
    check_eq(pte_mfn(*pte), x, "cmpxchg8b stored");
    got = __sync_val_compare_and_swap(pte, cur, ma_of(own) | PG_DATA);
    check_eq(pte_mfn(got), x, "failed cmpxchg8b returns the current entry");
    check_eq(pte_mfn(*pte), x, "failed cmpxchg8b stores nothing");
#endif
    /* CMPXCHG on the low word. */
    volatile u32 *low = (volatile u32 *)pte;
    u32 c = *low;
    check_eq(__sync_val_compare_and_swap(low, c, (u32)(ma_of(y) | PG_DATA)), c, "cmpxchg");
    check_eq(pte_mfn(*pte), y, "cmpxchg stored");
    check_eq(__sync_val_compare_and_swap(low, c, (u32)(ma_of(own) | PG_DATA)), (u32)(ma_of(y) | PG_DATA), "failed cmpxchg");
    /* XCHG. */
    u32 old = __sync_lock_test_and_set(low, (u32)(ma_of(own) | PG_DATA));
    check_eq(old, (u32)(ma_of(y) | PG_DATA), "xchg returns the old entry");
    invlpg(a);
    check_eq(*word(a), 0xa0a0, "a maps its own frame again");
    /* Unmap and remap by plain stores; a read-only mapping of a page table is fine. */
    *pte = 0;
    check_eq(l1e_of(a), 0, "cleared");
    *pte = ma_of(virt_to_mfn(start_info->pt_base)) | PG_RO;
    invlpg(a);
    check(*(volatile pte_t *)a == *(const pte_t *)start_info->pt_base, "RO mapping of the top-level table");
    *pte = ma_of(own) | PG_DATA;
    invlpg(a);
    check_eq(*word(a), 0xa0a0, "restored");
    /* The hypervisor kept count of the mappings made by the stores. */
    check_eq(mmuext(MMUEXT_PIN_L1_TABLE, x, 0), 0, "x (mapped at a by a store, since unmapped) can become an L1");
    check_eq(mmuext(MMUEXT_UNPIN_TABLE, x, 0), 0, "unpin x");
    check_eq(mmuext(MMUEXT_PIN_L1_TABLE, y, 0), -EINVAL, "y is still mapped writable at w");
    check_eq(uvm(w, 0, UVMF_INVLPG), 0, "unmap w");
    check_eq(mmuext(MMUEXT_PIN_L1_TABLE, y, 0), 0, "now y can");
    check_eq(mmuext(MMUEXT_UNPIN_TABLE, y, 0), 0, "unpin y");
    check_eq(HC2(vm_assist, 1, VMASST_TYPE_writable_pagetables), 0, "disable the assist");
}
