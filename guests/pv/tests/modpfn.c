/* The unmapped-initrd rule (spec 3.2 step 11): with XEN_ELFNOTE_MOD_START_PFN the module sits
 * after virt_pgtab_end, unmapped; mod_start is its PFN, mod_len whole pages, SIF_MOD_START_PFN.
 * Command line: "modlen=N". */
#include "pvlib.h"

#define ROUNDUP(x, a) (((x) + (a) - 1) & ~((ulong)(a) - 1))

void test_main(void) {
    const struct start_info *si = start_info;
    check(si->flags & SIF_MOD_START_PFN, "flags 0x%x lack SIF_MOD_START_PFN", si->flags);
    check_eq(si->mfn_list, ROUNDUP((ulong)_end, PAGE_SIZE), "P2M right after the kernel (module not mapped there)");
    ulong va = VIRT_BASE + (si->mod_start << 12);
    check(!l1e_of(va), "module PFN 0x%lx is mapped", si->mod_start);
    check(l1e_of(va - PAGE_SIZE) & _PAGE_PRESENT, "page before the module is not mapped: it must start at virt_pgtab_end");
    check_eq(va % (4ul << 20), 0, "module at the 4 MiB-aligned virt_pgtab_end");
    check_eq(si->mod_len, ROUNDUP(parse_ulong(cmdline_arg("modlen")), PAGE_SIZE), "mod_len in whole pages");
    check(si->mod_start + si->mod_len / PAGE_SIZE <= si->nr_pages, "module beyond RAM");
}
