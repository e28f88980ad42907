/* memory_op (spec 9.5): maximum_ram_page, current/maximum_reservation (DOMID_SELF; other domains
 * refused), memory_map (one RAM entry of nr_pages), machphys_mapping, unknown commands. */
#include "pvlib.h"

struct e820 { u64 addr, size; u32 type; } __attribute__((packed));
struct memory_map { u32 nr_entries; void *buffer; };

void test_main(void) {
    const struct start_info *si = start_info;
    long maxpage = HC2(memory_op, 2, 0);
    check(maxpage > (long)si->nr_pages && maxpage > (long)(si->shared_info >> 12), "maximum_ram_page %ld", maxpage);
    check_eq(HC2(memory_op, 2 | (1 << 6), 0), -EINVAL, "maximum_ram_page with a start extent");
    u16 domid = 0x7ff0; /* DOMID_SELF */
    check_eq(HC2(memory_op, 3, &domid), si->nr_pages, "current_reservation");
    check_eq(HC2(memory_op, 4, &domid), si->nr_pages, "maximum_reservation");
    domid = 1; /* our own id */
    check_eq(HC2(memory_op, 3, &domid), si->nr_pages, "current_reservation by domid");
    domid = 0;
    check_eq(HC2(memory_op, 3, &domid), -EPERM, "current_reservation of dom0");
    domid = 77;
    check_eq(HC2(memory_op, 4, &domid), -ESRCH, "maximum_reservation of a nonexistent domain");

    struct e820 map[4];
    memset(map, 0xee, sizeof(map));
    struct memory_map mm = { 4, map };
    check_eq(HC2(memory_op, 9, &mm), 0, "memory_map");
    check_eq(mm.nr_entries, 1, "memory_map entries");
    check(map[0].addr == 0 && map[0].size == (u64)si->nr_pages * 4096 && map[0].type == 1, "memory_map entry 0x%llx+0x%llx type %u",
          (unsigned long long)map[0].addr, (unsigned long long)map[0].size, map[0].type);
    check_eq(((u8 *)map)[20], 0xee, "memory_map wrote past its entries");
    mm.nr_entries = 0;
    check_eq(HC2(memory_op, 9, &mm), 0, "memory_map with room for nothing");
    check_eq(mm.nr_entries, 0, "memory_map nothing copied");

    check_eq(HC2(memory_op, 8, 0), -ENOSYS, "unused command 8");
    check_eq(HC2(memory_op, 63, 0), -ENOSYS, "command 63");
    check_eq(HC2(memory_op, 10, &mm), -ENOSYS, "machine_memory_map (not implemented: -ENOSYS)");
}
