/* Huge counts (spec 0.6): a multicall with nr = 0x7fffffff runs the entries up to the end of the
 * mapped region (preempted and continued on the way) and then fails with -EFAULT; a console write
 * of 0xffffffff bytes fails at the end of the region; memory_map with a huge capacity copies one
 * entry. None of it hangs or crashes the host. */
#include "pvlib.h"

void test_main(void) {
    ulong end = start_info->pt_base;
    while (l1e_of(end) & _PAGE_PRESENT) end += PAGE_SIZE;
    /* The last 8 pages of the region (padding RAM) become a list of xen_version(0) calls. */
    struct multicall_entry *list = (struct multicall_entry *)(end - 8 * PAGE_SIZE);
    ulong n = 8 * PAGE_SIZE / sizeof(*list);
    for (ulong i = 0; i < n; i++) { memset(&list[i], 0, sizeof(list[i])); list[i].op = HC_xen_version; list[i].result = 7; }
    check_eq(HC2(multicall, list, 0x7fffffff), -EFAULT, "multicall running off the region");
    for (ulong i = 0; i < n; i++) if (list[i].result != 0x40011) { fail("entry %lu result 0x%lx", i, list[i].result); break; }
    memset(list, 0, 8 * PAGE_SIZE);
    check_eq(HC3(console_io, 0, 0xffffffffu, list), -EFAULT, "console write of 0xffffffff bytes");
    struct { u8 e[20]; } map[2];
    memset(map, 0x77, sizeof(map));
    struct { u32 nr; void *buf; } mm = { 0xffffffffu, map };
    check_eq(HC2(memory_op, 9, &mm), 0, "memory_map with a huge capacity");
    check_eq(mm.nr, 1, "entries copied");
    check_eq(map[1].e[0], 0x77, "second entry untouched");
}
