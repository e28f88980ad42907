/* mmu_update (spec 4.4): map, remap and unmap pages through checked L1 writes, the M2P update and
 * its read-back through MACH2PHYS, PRESERVE_AD, plain writes to ordinary frames, a new L1 hooked
 * into an L2 (validated on the way: it cannot be mapped writable while in use, and can again once
 * unhooked), batches stopping at the first failure with *pdone, and long batches (continuations). */
#include "mm.h"

static volatile u32 *word(ulong va) { return (volatile u32 *)va; }

void test_main(void) {
    const ulong a = scratch_va(0), b = scratch_va(1), w = scratch_va(2);
    const ulong x = free_mfn(0), y = free_mfn(1), f = free_mfn(2);
    const ulong amfn = virt_to_mfn(a);
    check(amfn && x && y && f, "scratch frames");

    /* Fill frame x through a temporary mapping at w, then map it at a with mmu_update. */
    check_eq(map_rw(w, x), 0, "map x at w");
    *word(w) = 0x11111111; word(w)[1] = 0x22222222;
    check_eq(map_rw(w, y), 0, "map y at w");
    *word(w) = 0x33333333;
    *word(a) = 0xaaaa0001;
    check_eq(mmu1(l1e_ma(a), ma_of(x) | PG_DATA), 0, "remap a -> x");
    invlpg(a);
    check_eq(*word(a), 0x11111111, "a reads x after the remap and INVLPG");
    check_eq(pte_mfn(l1e_of(a)), x, "the L1 entry holds x");
    /* remap to y, then back to its own frame: the original content is intact. */
    check_eq(mmu1(l1e_ma(a), ma_of(y) | PG_DATA), 0, "remap a -> y");
    invlpg(a);
    check_eq(*word(a), 0x33333333, "a reads y");
    check_eq(mmu1(l1e_ma(a), ma_of(amfn) | PG_DATA), 0, "remap a back");
    invlpg(a);
    check_eq(*word(a), 0xaaaa0001, "a's own frame kept its content");
    /* Unmap b. */
    check_eq(mmu1(l1e_ma(b), 0), 0, "unmap b");
    check_eq(l1e_of(b), 0, "b's entry is empty");
    /* A not-present entry may hold anything (swap entries). */
    check_eq(mmu1(l1e_ma(b), 0xdeadbee0u), 0, "not-present garbage");
    check_eq(l1e_of(b), 0xdeadbee0u, "stored as is");
    check_eq(mmu1(l1e_ma(b), ma_of(virt_to_mfn(a)) | PG_RO), 0, "map a's frame read-only at b as well");
    invlpg(b);
    check_eq(*word(b), 0xaaaa0001, "b aliases a");

    /* MMU_MACHPHYS_UPDATE and the read-back through the M2P window. */
    ulong old = m2p(x);
    check_eq(mmu1(ma_of(x) | MMU_MACHPHYS_UPDATE, 0x12345), 0, "machphys update");
    check_eq(m2p(x), 0x12345, "m2p[x] after the update");
    check_eq(mmu1(ma_of(x) | MMU_MACHPHYS_UPDATE, old), 0, "machphys restore");
    check_eq(m2p(x), old, "m2p[x] restored");
    check_eq(mmu1(ma_of(start_info->shared_info >> 12) | MMU_MACHPHYS_UPDATE, 0x777), 0, "machphys of shared_info");
    check_eq(m2p(start_info->shared_info >> 12), 0x777, "m2p[shared_info]");

    /* PRESERVE_AD: A and D already in the entry survive a value without them. */
    *word(a) = 1; /* sets A and D through the mapping */
    check((l1e_of(a) & (_PAGE_ACCESSED | _PAGE_DIRTY)) == (_PAGE_ACCESSED | _PAGE_DIRTY), "A/D set by the write");
    check_eq(mmu1(l1e_ma(a) | MMU_PT_UPDATE_PRESERVE_AD, ma_of(amfn) | _PAGE_PRESENT | _PAGE_RW), 0, "preserve AD");
    check_eq(l1e_of(a) & 0xfff, _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY, "A/D preserved");
    check_eq(mmu1(l1e_ma(a), ma_of(amfn) | _PAGE_PRESENT | _PAGE_RW), 0, "normal update drops A/D");
    check_eq(l1e_of(a) & 0xfff, _PAGE_PRESENT | _PAGE_RW, "A/D not preserved");

    /* A plain write into an ordinary (writable) frame: frame x, through mmu_update. */
    check_eq(map_rw(w, x), 0, "map x at w again");
    check_eq(mmu1(ma_of(x) + 16, 0x5566778899aabbccull), 0, "plain write into a data frame");
    check_eq(word(w)[4], 0x99aabbccu, "plain write, low word");
#if CONFIG_PAE
    check_eq(word(w)[5], 0x55667788u, "plain write, high word (8-byte entries)");
#else
    check_eq(word(w)[5], 0, "plain write is one 4-byte entry");
#endif

    /* A new L1 (frame f, never mapped) written with plain updates, then hooked into an L2. */
    ulong hook_va;
    u64 l2e_ma;
#if CONFIG_PAE
    hook_va = 0x20800000u; /* an empty entry of the initial slot-0 L2 */
    {
        const pte_t *top = (const pte_t *)start_info->pt_base;
        ulong l2 = pte_mfn(top[hook_va >> 30]);
        l2e_ma = ma_of(l2) + ((hook_va >> 21) & 511) * 8;
    }
#else
    hook_va = 0x80000000u;
    l2e_ma = ma_of(virt_to_mfn(start_info->pt_base)) + (hook_va >> 22) * 4;
#endif
    check_eq(mmuext(MMUEXT_CLEAR_PAGE, f, 0), 0, "clear f");
    check_eq(mmu1(ma_of(f) + 3 * sizeof(pte_t), ma_of(y) | PG_DATA), 0, "entry 3 of f (f is not a table yet)");
    check_eq(mmu1(l2e_ma, ma_of(f) | PG_TABLE), 0, "hook f into the L2");
    check_eq(*word(hook_va + 3 * PAGE_SIZE), 0x33333333, "read y through the new L1");
    check_eq(map_rw(w, f), -EBUSY, "f cannot be mapped writable while it is an L1");
    check_eq(map_ro(w, f), 0, "f can be mapped read-only");
    invlpg(w);
    check_eq((u32)((volatile pte_t *)w)[3], (u32)(ma_of(y) | PG_DATA | 0), "f's entry through the RO mapping");
    /* Now an L1: writes to f through mmu_update are checked. */
    check_eq(mmu1(ma_of(f) + 4 * sizeof(pte_t), ma_of(virt_to_mfn(start_info->pt_base)) | PG_DATA), -EBUSY,
             "checked: RW mapping of the top-level table");
    check_eq(mmu1(ma_of(f) + 4 * sizeof(pte_t), ma_of(x) | PG_DATA), 0, "checked update of f");
    invlpg(hook_va + 4 * PAGE_SIZE);
    check_eq(*word(hook_va + 4 * PAGE_SIZE + 16), 0x99aabbccu, "read x through f entry 4");
    check_eq(mmu1(l2e_ma, 0), 0, "unhook f");
    check_eq(map_rw(w, f), 0, "f is writable again once no L2 uses it");
    check_eq(*word(w + 3 * sizeof(pte_t)), (u32)(ma_of(y) | PG_DATA), "f kept its entries");

    /* Batches: stop at the first failure, *pdone counts the completed requests. */
    struct mmu_update batch[3] = {
        { l1e_ma(b), ma_of(x) | PG_DATA },
        { l1e_ma(b), ma_of(xen_mfn()) | PG_DATA }, /* refused */
        { l1e_ma(b), 0 },
    };
    u32 done = 99;
    check_eq(mmu_update(batch, 3, &done, DOMID_SELF), -EBUSY, "batch with a bad second request");
    check_eq(done, 1, "pdone after the failure");
    check_eq(pte_mfn(l1e_of(b)), x, "first request done, third not");
    done = 5;
    check_eq(mmu_update(batch, 1, &done, DOMID_SELF), 0, "batch of one");
    check_eq(done, 1, "pdone is the count of this call");
    done = 5;
    check_eq(mmu_update(batch, 1 | MMU_UPDATE_PREEMPTED, &done, DOMID_SELF), 0, "a 'preempted' call continues the count");
    check_eq(done, 6, "pdone after a continuation-style call");
    check_eq(mmu_update(batch, 0, &done, DOMID_SELF), 0, "count 0");
    check_eq(done, 0, "pdone for count 0");

    /* A long batch (continued by the hypervisor): 3000 plain writes into frame x. */
    static struct mmu_update big[3000];
    for (ulong i = 0; i < ARRAY_SIZE(big); i++) { big[i].ptr = ma_of(x) + (i % 512) * 8; big[i].val = i; }
    done = 0;
    check_eq(mmu_update(big, ARRAY_SIZE(big), &done, DOMID_SELF), 0, "3000 requests");
    check_eq(done, 3000, "pdone after a long batch");
    check_eq(*word(w + 8 * 7), 0, "f is still mapped at w"); /* sanity: w maps f */
    check_eq(map_rw(w, x), 0, "map x at w");
    check_eq(*word(w + 8 * 100), 2660, "last write to offset 800");

    /* The same long batch inside a multicall (the sub-call continues through its entry). */
    for (ulong i = 0; i < ARRAY_SIZE(big); i++) big[i].val = i + 10000;
    static u32 done2;
    struct multicall_entry mc[2] = {
        { HC_mmu_update, 0, { (ulong)big, ARRAY_SIZE(big), (ulong)&done2, DOMID_SELF, 0, 0 } },
        { HC_mmu_update, 0, { (ulong)batch, 3, 0, DOMID_SELF, 0, 0 } },
    };
    check_eq(HC2(multicall, mc, 2), 0, "multicall of two mmu_updates");
    check_eq(mc[0].result, 0, "first entry result");
    check_eq(done2, 3000, "first entry pdone");
    check_eq((long)mc[1].result, -EBUSY, "second entry result");
    check_eq(*word(w + 8 * 100), 12660, "the batch ran in the multicall");
}
