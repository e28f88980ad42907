/* Descriptor tables (spec 5.1-5.3): set_gdt (frames must not be writable, every descriptor checked,
 * at most 7168 entries), update_descriptor (DPL 0 raised to 1, call gates, refused types, alignment,
 * frame checks), the machine GDT follows the guest's table (selectors load with the new contents),
 * SET_LDT with a lazily loaded LDT page. cmdline kind=ldtrw: the LDT page is mapped writable, so the
 * first LDT selector load faults (#PF at the guest's LDT address: the domain crashes here, no handler). */
#include "mm.h"

static volatile u32 *word(ulong va) { return (volatile u32 *)va; }
static u64 rd_desc(ulong va, int i) { return ((volatile u64 *)va)[i]; }
#define check64(got, want, what) do { u64 __g = (got), __w = (want); \
    if (__g != __w) fail("%s: got 0x%llx, want 0x%llx", what, __g, __w); } while (0)
static inline void load_fs(u16 sel) { __asm__ volatile("mov %0, %%fs" :: "r"(sel)); }
static inline u32 fs_read(u32 off) { u32 v; __asm__ volatile("mov %%fs:(%1), %0" : "=r"(v) : "r"(off)); return v; }
static inline void load_gs(u16 sel) { __asm__ volatile("mov %0, %%gs" :: "r"(sel)); }
static inline u32 gs_read(u32 off) { u32 v; __asm__ volatile("mov %%gs:(%1), %0" : "=r"(v) : "r"(off)); return v; }

void test_main(void) {
    const ulong g = scratch_va(0), g2 = scratch_va(1), d = scratch_va(2), ldt = scratch_va(3);
    const ulong gf = virt_to_mfn(g), g2f = virt_to_mfn(g2);
    const char *kind = cmdline_arg("kind");
    *word(d) = 0xd47a0000u; word(d)[1] = 0xd47a0001u;

    memset((void *)g, 0, PAGE_SIZE);
    ((u64 *)g)[1] = mkdesc(0, 0xfffff, D_DATA_DPL1);          /* 0x09: flat data, DPL 1 */
    ((u64 *)g)[2] = mkdesc(0, 0xfffff, D_CODE_DPL0);          /* DPL 0 code: raised to DPL 1 */
    ((u64 *)g)[3] = mkdesc((u32)d, 0xf, D_DATA_DPL1 & ~0x00800000u); /* 0x19: d, 16 bytes, byte granular */

    ulong frames[15];
    check_eq(set_gdt(&gf, 16), -EINVAL, "a GDT frame that is mapped writable");
    check_eq(uvm(g, ma_of(gf) | PG_RO, UVMF_INVLPG), 0, "remap the GDT page read-only");
    check_eq(set_gdt(&gf, 7169), -EINVAL, "7169 entries");
    check_eq(set_gdt((ulong *)(region_end() + 0x1000), 16), -EFAULT, "unmapped frame list");
    check_eq(set_gdt((ulong *)HYPERVISOR_VIRT_START, 16), -EFAULT, "frame list in the hypervisor range");
    frames[0] = xen_mfn();
    check_eq(set_gdt(frames, 16), -EINVAL, "a hypervisor frame");
    frames[0] = virt_to_mfn(start_info->pt_base);
    check_eq(set_gdt(frames, 16), -EINVAL, "a page-table frame");
    check_eq(set_gdt(&gf, 16), 0, "set_gdt");
    check64(rd_desc(g, 2), mkdesc(0, 0xfffff, D_CODE_DPL1), "DPL 0 code raised to DPL 1 in the guest's page");
    check64(rd_desc(g, 1), mkdesc(0, 0xfffff, D_DATA_DPL1), "data descriptor unchanged");
    load_fs(0x19);
    check_eq(fs_read(4), 0xd47a0001u, "read through GDT selector 0x19 (base = d)");
    check_eq(uvm(g, ma_of(gf) | PG_DATA, UVMF_INVLPG), -EBUSY, "the installed GDT page cannot be mapped writable");
    for (int i = 0; i < 15; i++) frames[i] = gf;
    check_eq(set_gdt(frames, 7168), 0, "7168 entries: the same frame 14 times");
    check_eq(set_gdt(&gf, 16), 0, "back to one frame");

    /* A frame with one bad descriptor anywhere in its 512 entries is refused; the old GDT stays. */
    memset((void *)g2, 0, PAGE_SIZE);
    ((u64 *)g2)[500] = mkdesc(0, 0xfffff, 0x00a0fa00u); /* 64-bit code (L) */
    check_eq(uvm(g2, ma_of(g2f) | PG_RO, UVMF_INVLPG), 0, "g2 read-only");
    check_eq(set_gdt(&g2f, 8), -EINVAL, "descriptor 500 is a 64-bit code segment");
    load_fs(0x09);
    load_fs(0x19);
    check_eq(fs_read(0), 0xd47a0000u, "old GDT still in place");

    /* update_descriptor. */
    const u64 e4 = ma_of(gf) + 4 * 8;
    check_eq(update_descriptor(e4, mkdesc((u32)d + 4, 0xf, D_DATA_DPL1 & ~0x00800000u)), 0, "update entry 4");
    load_fs(0x21);
    check_eq(fs_read(0), 0xd47a0001u, "the machine GDT follows: selector 0x21 has base d+4");
    check_eq(update_descriptor(e4, mkdesc(0, 0xfffff, D_CODE_DPL0)), 0, "DPL 0 code");
    check64(rd_desc(g, 4), mkdesc(0, 0xfffff, D_CODE_DPL1), "stored with DPL 1");
#if CONFIG_PAE
#define PAST_HV 0xf67ffu /* ends at 0xF6800000, past HYPERVISOR_VIRT_START (old PAE Linux) */
#else
#define PAST_HV 0xfc7ffu /* ends at 0xFC800000 */
#endif
    check_eq(update_descriptor(e4, mkdesc(0, PAST_HV, D_DATA_DPL1)), 0, "flat data ending past HYPERVISOR_VIRT_START");
    check64(rd_desc(g, 4), mkdesc(0, 0xfffff, D_DATA_DPL1), "limit widened to 4 GiB");
    check_eq(update_descriptor(e4, mkdesc(0x1000, PAST_HV, D_DATA_DPL1)), 0, "same limit, base not 0");
    check64(rd_desc(g, 4), mkdesc(0x1000, PAST_HV, D_DATA_DPL1), "not widened");
    /* Call gates: 32-bit, target a guest selector or FLAT_KERNEL_CS, no parameter count. */
    u64 gate = ((u64)(0x00000000u | 0x8c00u | (3u << 13)) << 32) | (FLAT_KERNEL_CS << 16) | 0x1234u;
    check_eq(update_descriptor(e4, gate), 0, "call gate to FLAT_KERNEL_CS");
    check64(rd_desc(g, 4), gate, "call gate stored");
    check_eq(update_descriptor(e4, (gate & ~(0xffffull << 16)) | (0x10ull << 16)), 0, "call gate to a guest GDT selector");
    check_eq(update_descriptor(e4, (gate & ~(0xffffull << 16)) | (0x0full << 16)), 0, "call gate to an LDT selector");
    check_eq(update_descriptor(e4, (gate & ~(0xffffull << 16)) | (0xe008ull << 16)), -EINVAL, "call gate to Xen's ring-0 CS");
    check_eq(update_descriptor(e4, gate | (2ull << 32)), 0, "call gate with a parameter count");
    check_eq(update_descriptor(e4, gate | (0x20ull << 32)), -EINVAL, "call gate with reserved bits 7:5 set");
    check_eq(update_descriptor(e4, (gate & ~(0xfull << 40)) | (0x4ull << 40)), -EINVAL, "16-bit call gate");
    check_eq(update_descriptor(e4, (gate & ~(0xfull << 40)) | (0xeull << 40)), -EINVAL, "interrupt gate");
    check_eq(update_descriptor(e4, mkdesc(0x1000, 0x67, 0x00008900u)), -EINVAL, "TSS");
    check_eq(update_descriptor(e4, mkdesc(0x1000, 0x67, 0x00008200u)), -EINVAL, "LDT descriptor");
    check_eq(update_descriptor(e4, mkdesc(0, 0xfffff, 0x00a0fa00u)), -EINVAL, "64-bit code");
    check_eq(update_descriptor(e4, mkdesc(0x1000, 0x67, 0x00000900u)), 0, "a not-present TSS is harmless");
    check_eq(update_descriptor(e4, 0x0000800000000000ull), 0, "present type 0 (upper half of a 16-byte entry)");
    check_eq(update_descriptor(e4 + 4, mkdesc(0, 0xfffff, D_DATA_DPL1)), -EINVAL, "misaligned address");
    check_eq(update_descriptor(ma_of(xen_mfn()), 0), -EINVAL, "a hypervisor frame");
    check_eq(update_descriptor(ma_of(virt_to_mfn(start_info->pt_base)), 0), -EINVAL, "a page-table frame");
    check_eq(update_descriptor(ma_of(gf) | (1ull << 40), 0), -EINVAL, "a 41-bit machine address");
    check_eq(update_descriptor(ma_of(virt_to_mfn(d)) + 8, mkdesc(0, 0xfffff, D_CODE_DPL0)), 0, "an ordinary writable frame");
    check64(((volatile u64 *)d)[1], mkdesc(0, 0xfffff, D_CODE_DPL1), "written (and checked) there too");
    check_eq(update_descriptor(e4, mkdesc((u32)d + 4, 0xf, D_DATA_DPL1 & ~0x00800000u)), 0, "entry 4 back to data");

    /* LDT: a read-only page with one data descriptor; loaded on first use. */
    memset((void *)ldt, 0, PAGE_SIZE);
    ((u64 *)ldt)[1] = mkdesc((u32)d, 0xf, D_DATA_DPL1 & ~0x00800000u);
    if (!kind || strcmp(kind, "ldtrw") != 0)
        check_eq(uvm(ldt, ma_of(virt_to_mfn(ldt)) | PG_RO, UVMF_INVLPG), 0, "LDT page read-only");
    check_eq(mmuext(MMUEXT_SET_LDT, ldt, 2), 0, "SET_LDT");
    printk("gdt: loading an LDT selector\n");
    load_gs(0x0d); /* index 1, TI, RPL 1 */
    check_eq(gs_read(4), 0xd47a0001u, "read through LDT selector 0x0d");
    check_eq(uvm(ldt, ma_of(virt_to_mfn(ldt)) | PG_DATA, UVMF_INVLPG), -EBUSY, "a loaded LDT page cannot be mapped writable");
    check_eq(update_descriptor(ma_of(virt_to_mfn(ldt)) + 8, mkdesc((u32)d + 4, 0xf, D_DATA_DPL1 & ~0x00800000u)), 0,
             "update_descriptor in the LDT page");
    load_gs(0x0d);
    check_eq(gs_read(0), 0xd47a0001u, "the shadow LDT follows");
    check_eq(mmuext(MMUEXT_SET_LDT, 0, 0), 0, "no LDT");
    check_eq(uvm(ldt, ma_of(virt_to_mfn(ldt)) | PG_DATA, UVMF_INVLPG), 0, "the old LDT page is a plain page again");
    check_eq(set_gdt(NULL, 0), 0, "drop the GDT");
    check_eq(uvm(g, ma_of(gf) | PG_DATA, UVMF_INVLPG), 0, "the old GDT page is a plain page again");
    load_fs(FLAT_KERNEL_DS);
    load_gs(FLAT_KERNEL_DS);
}
