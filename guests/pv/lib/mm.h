/*
 * ringone PV test library: page-table and descriptor-table helpers (mmu_update, mmuext_op,
 * update_va_mapping, set_gdt, update_descriptor). Written for ringone; constants and layouts are
 * the public Xen ABI (xen.h).
 */
#ifndef PV_MM_H
#define PV_MM_H
#include "pvlib.h"

enum { EBUSY = 16, EOPNOTSUPP = 95 };
#define DOMID_SELF 0x7ff0u
#define DOMID_IO 0x7ff1u
#define DOMID_XEN 0x7ff2u
#define MMU_UPDATE_PREEMPTED 0x80000000u

enum { MMU_NORMAL_PT_UPDATE = 0, MMU_MACHPHYS_UPDATE = 1, MMU_PT_UPDATE_PRESERVE_AD = 2 };
enum {
    MMUEXT_PIN_L1_TABLE = 0, MMUEXT_PIN_L2_TABLE = 1, MMUEXT_PIN_L3_TABLE = 2, MMUEXT_PIN_L4_TABLE = 3,
    MMUEXT_UNPIN_TABLE = 4, MMUEXT_NEW_BASEPTR = 5, MMUEXT_TLB_FLUSH_LOCAL = 6, MMUEXT_INVLPG_LOCAL = 7,
    MMUEXT_TLB_FLUSH_MULTI = 8, MMUEXT_INVLPG_MULTI = 9, MMUEXT_TLB_FLUSH_ALL = 10, MMUEXT_INVLPG_ALL = 11,
    MMUEXT_FLUSH_CACHE = 12, MMUEXT_SET_LDT = 13, MMUEXT_NEW_USER_BASEPTR = 15, MMUEXT_CLEAR_PAGE = 16,
    MMUEXT_COPY_PAGE = 17, MMUEXT_FLUSH_CACHE_GLOBAL = 18, MMUEXT_MARK_SUPER = 19, MMUEXT_UNMARK_SUPER = 20,
};
enum { UVMF_NONE = 0, UVMF_TLB_FLUSH = 1, UVMF_INVLPG = 2, UVMF_LOCAL = 0, UVMF_ALL = 4 };
#define HC_update_va_mapping_otherdomain 22
#define VMASST_TYPE_writable_pagetables 2

#define _PAGE_PWT 0x8u
#define _PAGE_PCD 0x10u
#define _PAGE_PSE 0x80u
#define _PAGE_PAT 0x80u
#define _PAGE_GLOBAL 0x100u
#define PG_DATA (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)
#define PG_RO (_PAGE_PRESENT | _PAGE_ACCESSED)
#define PG_TABLE (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)

struct mmu_update { u64 ptr; u64 val; };
struct mmuext_op { u32 cmd; u32 arg1; u32 arg2; };

static inline long mmu_update(const struct mmu_update *r, u32 n, u32 *done, u32 fd) {
    return hypercall(HC_mmu_update, (ulong)r, n, (ulong)done, fd, 0);
}
static inline long mmu1(u64 ptr, u64 val) { struct mmu_update r = { ptr, val }; return mmu_update(&r, 1, NULL, DOMID_SELF); }
static inline long mmuext_ops(const struct mmuext_op *o, u32 n, u32 *done, u32 fd) {
    return hypercall(HC_mmuext_op, (ulong)o, n, (ulong)done, fd, 0);
}
static inline long mmuext(u32 cmd, u32 a1, u32 a2) { struct mmuext_op o = { cmd, a1, a2 }; return mmuext_ops(&o, 1, NULL, DOMID_SELF); }
static inline long uvm(ulong va, u64 val, u32 flags) {
    return hypercall(HC_update_va_mapping, va, (u32)val, (u32)(val >> 32), flags, 0);
}
static inline long uvm_other(ulong va, u64 val, u32 flags, u32 domid) {
    return hypercall(HC_update_va_mapping_otherdomain, va, (u32)val, (u32)(val >> 32), flags, domid);
}
static inline void invlpg(ulong va) { mmuext(MMUEXT_INVLPG_LOCAL, va, 0); }

static inline ulong pte_mfn(u64 e) { return (ulong)(e >> 12) & 0xffffffu; }
/* MFN mapped at `va` by the initial tables (0 when unmapped). */
static inline ulong virt_to_mfn(ulong va) { return pte_mfn(l1e_of(va)); }
static inline u64 ma_of(ulong mfn) { return (u64)mfn << 12; }

/* The L1 frame mapping `va` (initial tables), its entry index and the entry's machine address. */
static inline ulong l1_mfn_of(ulong va) {
    const pte_t *top = (const pte_t *)start_info->pt_base;
#if CONFIG_PAE
    const pte_t *l2 = mfn_to_virt(pte_mfn(top[va >> 30]));
    return pte_mfn(l2[(va >> 21) & 511]);
#else
    return pte_mfn(top[va >> 22]);
#endif
}
static inline ulong l1_index(ulong va) { return (va >> 12) & (PTES_PER_PAGE - 1); }
static inline u64 l1e_ma(ulong va) { return ma_of(l1_mfn_of(va)) + l1_index(va) * sizeof(pte_t); }
/* The entry itself through the initial read-only mapping of the L1 frame. */
static inline volatile pte_t *l1e_ptr(ulong va) { return (volatile pte_t *)mfn_to_virt(l1_mfn_of(va)) + l1_index(va); }

/* End of the initial mapping; the pages just below it are unused padding RAM (scratch). */
static inline ulong region_end(void) {
    ulong va = start_info->pt_base;
    while (l1e_of(va) & _PAGE_PRESENT) va += PAGE_SIZE;
    return va;
}
static inline ulong scratch_va(int i) { return region_end() - (ulong)(i + 1) * PAGE_SIZE; }
/* A RAM frame no initial mapping covers (counting down from the last PFN). */
static inline ulong free_mfn(int i) { return p2m(start_info->nr_pages - 1 - (ulong)i); }
/* The first hypervisor-owned frame after shared_info (the M2P backing): the guest may not map it. */
static inline ulong xen_mfn(void) { return (start_info->shared_info >> 12) + 1; }

/* Map machine frame `mfn` at `va` read-write (flushing that address). */
static inline long map_rw(ulong va, ulong mfn) { return uvm(va, ma_of(mfn) | PG_DATA, UVMF_INVLPG); }
static inline long map_ro(ulong va, ulong mfn) { return uvm(va, ma_of(mfn) | PG_RO, UVMF_INVLPG); }

/* Segment descriptors. */
static inline u64 mkdesc(u32 base, u32 limit, u32 access_hi) {
    u32 lo = (base << 16) | (limit & 0xffff);
    u32 hi = (base & 0xff000000u) | ((base >> 16) & 0xff) | (limit & 0xf0000) | access_hi;
    return ((u64)hi << 32) | lo;
}
#define D_DATA_DPL1 0x00c0b200u /* present, DPL 1, data RW, G, D/B */
#define D_CODE_DPL0 0x00c09a00u
#define D_CODE_DPL1 0x00c0ba00u
static inline long update_descriptor(u64 ma, u64 d) {
    return hypercall(HC_update_descriptor, (u32)ma, (u32)(ma >> 32), (u32)d, (u32)(d >> 32), 0);
}
static inline long set_gdt(const ulong *frames, u32 entries) { return HC2(set_gdt, frames, entries); }

#endif
