/* Modules (spec 3.2 step 3, 3.6): one module is mapped right after the kernel (mod_start virtual,
 * mod_len exact, P2M after it); several travel as a multiboot package (SIF_MULTIBOOT_MOD).
 * Command line: "modlen=N" (one module) or "mods=2". */
#include "pvlib.h"

#define ROUNDUP(x, a) (((x) + (a) - 1) & ~((ulong)(a) - 1))
struct mod { u32 start, end, cmdline, pad; };

void test_main(void) {
    const struct start_info *si = start_info;
    ulong kend = ROUNDUP((ulong)_end, PAGE_SIZE);
    check_eq(si->mod_start, kend, "mod_start (right after the kernel)");
    check_eq(si->mfn_list, ROUNDUP(si->mod_start + si->mod_len, PAGE_SIZE), "P2M after the module");
    const char *base = (const char *)si->mod_start;
    if (cmdline_arg("mods")) {
        check(si->flags & SIF_MULTIBOOT_MOD, "flags 0x%x lack SIF_MULTIBOOT_MOD", si->flags);
        const struct mod *m = (const struct mod *)base;
        check(!strncmp(base + m[0].start, "ringone-module-payload\n", 23), "module 0 content");
        check(!strcmp(base + m[0].cmdline, "first arg"), "module 0 cmdline \"%s\"", base + m[0].cmdline);
        check(!strncmp(base + m[1].start, "second module\n", 14), "module 1 content");
        check_eq(m[1].end - m[1].start + 1, 14, "module 1 length (mod_end inclusive)");
        check(!strcmp(base + m[1].cmdline, "second"), "module 1 cmdline");
        check_eq(m[2].start, 0, "terminator");
    } else {
        check_eq(si->flags, 0, "flags");
        check_eq(si->mod_len, parse_ulong(cmdline_arg("modlen")), "mod_len (exact size)");
        check(!strncmp(base, "ringone-module-payload\n", 23), "module content");
        check_eq(base[si->mod_len - 1], 'x', "last byte");
        check(l1e_of(si->mod_start) & _PAGE_RW, "module mapped read-write");
    }
}
