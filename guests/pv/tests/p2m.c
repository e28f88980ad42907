/* P2M and M2P (spec 3.1, 3.5): the builder's P2M is a bijection onto guest frames and the M2P,
 * read at MACH2PHYS_VIRT_START, inverts it; hypervisor frames (shared_info) have no PFN;
 * XENMEM_machphys_mapping describes the readable window. */
#include "pvlib.h"

struct machphys_mapping { ulong v_start, v_end, max_mfn; };

void test_main(void) {
    const struct start_info *si = start_info;
    ulong bad = 0;
    for (ulong pfn = 0; pfn < si->nr_pages; pfn++) {
        ulong mfn = p2m(pfn);
        if (mfn == ~0ul || m2p(mfn) != pfn) { if (!bad++) fail("pfn 0x%lx -> mfn 0x%lx -> pfn 0x%lx", pfn, mfn, m2p(mfn)); }
    }
    check_eq(m2p(si->shared_info >> 12), ~0ul, "M2P of the shared_info frame");
    check_eq(m2p(si->store_mfn), ((ulong)si - VIRT_BASE) / PAGE_SIZE + 1, "M2P of the xenstore ring");
    check_eq(m2p(si->console_mfn), ((ulong)si - VIRT_BASE) / PAGE_SIZE + 2, "M2P of the console ring");
    struct machphys_mapping mm = { 0, 0, 0 };
    check_eq(HC2(memory_op, 12 /* XENMEM_machphys_mapping */, &mm), 0, "machphys_mapping");
    check_eq(mm.v_start, MACH2PHYS_VIRT_START, "machphys_mapping.v_start");
    check(mm.v_end > mm.v_start && (mm.v_end - mm.v_start) / 4 == mm.max_mfn + 1, "v_end 0x%lx max_mfn 0x%lx", mm.v_end, mm.max_mfn);
    check(mm.max_mfn >= si->shared_info >> 12, "max_mfn 0x%lx below the shared_info frame", mm.max_mfn);
    /* The last covered entry is readable (hypervisor frames read as invalid). */
    check_eq(m2p(mm.max_mfn), ~0ul, "last M2P entry");
}
