/* grant_table_op for a frontend domU: query_size, set/get_version (v1 only), setup_table giving real
 * grant frames the guest maps writable with update_va_mapping and fills (the host checks the frame),
 * and the errors Xen gives: statuses GNTST_general_error / bad_domain / bad_virt_addr, -EINVAL for
 * count != 1, -EFAULT for bad op pointers, -ENOSYS for v2 and the map/copy family. */
#include "pvlib.h"

#define HC_grant_table_op 20
typedef short s16;
enum { OP_map = 0, OP_setup = 2, OP_copy = 5, OP_query = 6, OP_set_version = 8, OP_get_version = 10 };
#define DOMID_SELF 0x7ff0u
struct query { u16 dom; u16 pad; u32 nr, max; s16 status; u16 pad2; };
struct setup { u16 dom; u16 pad; u32 nr; s16 status; u16 pad2; u32 *list; };
static long gt(u32 cmd, void *op, u32 count) { return hypercall(HC_grant_table_op, cmd, (ulong)op, count, 0, 0); }

static u8 gpage[4096] __attribute__((aligned(4096)));
volatile u32 gnt_frame0;

void test_main(void) {
    struct query q = { DOMID_SELF, 0, 99, 99, 99, 0 };
    check_eq(gt(OP_query, &q, 1), 0, "query_size");
    check_eq(q.status, 0, "okay"); check_eq(q.nr, 1, "one frame at creation"); check_eq(q.max, 32, "max 32 frames");
    u32 v = 1;
    check_eq(gt(OP_set_version, &v, 1), 0, "set_version 1");
    v = 2; check_eq(gt(OP_set_version, &v, 1), -ENOSYS, "set_version 2 (v1 only)"); check_eq(v, 1, "current version written back");
    v = 3; check_eq(gt(OP_set_version, &v, 1), -EINVAL, "set_version 3");
    struct { u16 dom, pad; u32 version; } gv = { DOMID_SELF, 0, 0 };
    check_eq(gt(OP_get_version, &gv, 1), 0, "get_version"); check_eq(gv.version, 1, "v1");
    gv.dom = 5; check_eq(gt(OP_get_version, &gv, 1), -ESRCH, "get_version of another domain");

    u32 frames[4] = { 0, 0, 0, 0 };
    struct setup s = { DOMID_SELF, 0, 4, 99, 0, frames };
    check_eq(gt(OP_setup, &s, 1), 0, "setup_table 4"); check_eq(s.status, 0, "okay");
    check(frames[0] && frames[1] && frames[2] && frames[3], "frames %x %x %x %x", frames[0], frames[1], frames[2], frames[3]);
    check(frames[0] != frames[1] && frames[2] != frames[3], "distinct frames");
    check(m2p(frames[0]) >= start_info->nr_pages, "grant frames are not guest RAM");
    gnt_frame0 = frames[0];
    q.nr = 0; check_eq(gt(OP_query, &q, 1), 0, "query again"); check_eq(q.nr, 4, "grew to 4");
    u32 again[2] = { 0, 0 }; s.nr = 2; s.list = again;
    check_eq(gt(OP_setup, &s, 1), 0, "setup_table 2 (never shrinks)"); check_eq(again[0], frames[0], "same frame 0"); check_eq(again[1], frames[1], "same frame 1");
    q.nr = 0; check_eq(gt(OP_query, &q, 1), 0, "query"); check_eq(q.nr, 4, "still 4");

    /* Map frame 0 writable over gpage and fill a v1 entry (flags, domid, frame). */
    check_eq(hypercall(HC_update_va_mapping, (ulong)gpage, ((ulong)frames[0] << 12) | 0x63, 0, 2, 0), 0, "map grant frame 0");
    volatile u32 *e = (volatile u32 *)gpage;
    check_eq(e[0], 0, "fresh frame is zero");
    e[8 * 2] = 0x00000001 | (0 << 16); /* entry 8: GTF_permit_access, domid 0 */
    e[8 * 2 + 1] = 0x1234;             /* frame */
    check_eq(e[8 * 2 + 1], 0x1234, "written");

    /* Errors. */
    s.nr = 33; s.list = frames; s.status = 0;
    check_eq(gt(OP_setup, &s, 1), 0, "setup_table 33"); check_eq(s.status, -1, "GNTST_general_error");
    s.nr = 1; s.dom = 5; s.status = 0;
    check_eq(gt(OP_setup, &s, 1), 0, "setup_table dom 5"); check_eq(s.status, -2, "GNTST_bad_domain");
    s.dom = DOMID_SELF; s.list = (u32 *)0x40000000; s.status = 0;
    check_eq(gt(OP_setup, &s, 1), 0, "setup_table bad frame_list"); check_eq(s.status, -5, "GNTST_bad_virt_addr");
    q.dom = 5; q.status = 0;
    check_eq(gt(OP_query, &q, 1), 0, "query dom 5"); check_eq(q.status, -2, "GNTST_bad_domain");
    q.dom = DOMID_SELF;
    check_eq(gt(OP_query, &q, 2), -EINVAL, "query count 2");
    check_eq(gt(OP_setup, &s, 0), -EINVAL, "setup count 0");
    check_eq(gt(OP_query, (void *)0x40000000, 1), -EFAULT, "query bad pointer");
    check_eq(gt(OP_setup, (void *)HYPERVISOR_VIRT_START, 1), -EFAULT, "setup pointer in the hypervisor range");
    { u32 x[8] = { 0 }; check_eq(gt(OP_map, x, 1), -ENOSYS, "map_grant_ref (no second domain)"); check_eq(gt(OP_copy, x, 1), -ENOSYS, "copy"); }
    check_eq(gt(99, &q, 1), -ENOSYS, "unknown cmd");
    check_eq(e[8 * 2 + 1], 0x1234, "grant frame intact");
}
