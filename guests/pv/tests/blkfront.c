/* A PV block frontend (io/blkif.h, xenbus through xenstore): finds device/vbd/<id>, checks the
 * backend's nodes, grants a ring page and two data pages (grant table v1), allocates an unbound
 * port for domain 0, connects (Initialised -> backend Connected), reads the ext2 superblock with a
 * two-segment request and the next sectors with a one-segment one, checks that a request past the
 * end, a write to the read-only disk and a flush come back as errors, then closes (backend Closed).
 * Also checks P2M/M2P agreement for every page. Works started by ringone's builder or by PV GRUB
 * (which used the disk, then handed it back to InitWait).
 * Command line: fs_label=NAME (the ext2 volume label), fs_blocks=N (s_blocks_count).
 */
#include "pvtraps.h"

#define HC_grant_table_op 20
#define DOMID_SELF 0x7ff0u
typedef short s16;

/* ---- xenstore client (io/xs_wire.h) ---- */
struct xsring { char req[1024]; char rsp[1024]; volatile u32 req_cons, req_prod, rsp_cons, rsp_prod; };
struct xshdr { u32 type, req_id, tx_id, len; };
enum { XS_DIRECTORY = 1, XS_READ = 2, XS_WRITE = 11, XS_WATCH_EVENT = 15, XS_ERROR = 16 };
static struct xsring *xr;
static char val[1024];
static u32 vlen, xs_id = 1;

static void xs_kick(void) { u32 p = start_info->store_evtchn; evtchn_op(4 /* send */, &p); }
static void xs_put(const void *p, u32 n) {
    const char *s = p;
    for (u32 i = 0; i < n; i++) {
        while (xr->req_prod - xr->req_cons >= 1024) xs_kick();
        xr->req[xr->req_prod & 1023] = s[i];
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        xr->req_prod++;
    }
}
static int xs_get(void *p, u32 n) {
    char *d = p;
    for (u32 i = 0; i < n; i++) {
        for (int spins = 0; xr->rsp_cons == xr->rsp_prod; spins++) { if (spins > 50) return -1; xs_kick(); HC2(sched_op, 0 /* yield */, 0); }
        d[i] = xr->rsp[xr->rsp_cons & 1023];
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        xr->rsp_cons++;
    }
    return 0;
}
/* One request; the reply (NUL-terminated) in val. Watch events are skipped. Returns the reply type. */
static u32 xs(u32 type, const char *path, const char *data) {
    u32 plen = strlen(path) + 1, dlen = data ? strlen(data) : 0;
    struct xshdr h = { type, xs_id++, 0, plen + dlen };
    xs_put(&h, 16); xs_put(path, plen); if (dlen) xs_put(data, dlen);
    xs_kick();
    for (;;) {
        struct xshdr g;
        if (xs_get(&g, 16) || g.len >= sizeof(val) || xs_get(val, g.len)) { fail("xenstore: no reply to %s", path); return XS_ERROR; }
        val[g.len] = 0; vlen = g.len;
        if (g.type != XS_WATCH_EVENT) return g.type;
    }
}
static const char *xs_read(const char *path) { return xs(XS_READ, path, NULL) == XS_READ ? val : NULL; }
static ulong xs_read_ulong(const char *path) { const char *v = xs_read(path); check(v != NULL, "read %s", path); return v ? parse_ulong(v) : ~0ul; }
static void xs_write(const char *path, const char *v) { check_eq(xs(XS_WRITE, path, v), XS_WRITE, path); }

/* ---- grants, event channel, ring ---- */
struct grant_entry { u16 flags, domid; u32 frame; };
static u8 gnt_page[4096] __attribute__((aligned(4096)));
static u8 ring_page[4096] __attribute__((aligned(4096)));
static u8 data[2][4096] __attribute__((aligned(4096)));
#define GNT ((volatile struct grant_entry *)gnt_page)
enum { GREF_RING = 8, GREF_DATA0 = 9, GREF_DATA1 = 10 };

struct seg { u32 gref; u8 first, last; u16 pad; };
struct req { u8 op, nseg; u16 handle; u32 id_lo, id_hi; u32 sec_lo, sec_hi; struct seg seg[11]; } __attribute__((packed));
struct rsp { u32 id_lo, id_hi; u8 op, pad; s16 status; };
struct sring { volatile u32 req_prod, req_event, rsp_prod, rsp_event; u8 pad[48]; u8 ring[]; };
#define SR ((struct sring *)ring_page)
#define ENTRY 108
#define RING_SIZE 32
static u32 req_prod_pvt, rsp_cons, port;

static ulong mfn_of(const void *va) { return p2m(((ulong)va - VIRT_BASE) >> 12); }
static void grant(u32 ref, const void *va, u16 domid) {
    GNT[ref].frame = mfn_of(va);
    GNT[ref].domid = domid;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    GNT[ref].flags = 1; /* GTF_permit_access */
}

/* Queue one request, notify, return its response status (the id and operation must echo). */
static s16 submit(const struct req *r) {
    memcpy(SR->ring + (req_prod_pvt & (RING_SIZE - 1)) * ENTRY, r, sizeof(*r));
    req_prod_pvt++;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    SR->req_prod = req_prod_pvt;
    evtchn_op(4, &port);
    for (int spins = 0; SR->rsp_prod == rsp_cons; spins++) { if (spins > 50) { fail("no response"); return 99; } HC2(sched_op, 0, 0); }
    check_eq(SR->rsp_prod, rsp_cons + 1, "one response");
    const struct rsp *p = (const struct rsp *)(SR->ring + (rsp_cons & (RING_SIZE - 1)) * ENTRY);
    rsp_cons++;
    check(p->id_lo == r->id_lo && p->id_hi == r->id_hi, "response id %x:%x", p->id_hi, p->id_lo);
    check_eq(p->op, r->op, "response operation");
    return p->status;
}
static struct req rw(u8 op, u32 sector, u32 id) { struct req r; memset(&r, 0, sizeof r); r.op = op; r.nseg = 1; r.id_lo = id; r.id_hi = 0xb10c; r.sec_lo = sector; return r; }

static void wait_backend(const char *bstate, const char *want) {
    for (int i = 0; i < 50; i++) { const char *v = xs_read(bstate); if (v && !strcmp(v, want)) return; HC2(sched_op, 0, 0); }
    fail("backend state %s, want %s", xs_read(bstate) ? val : "?", want);
}

void test_main(void) {
    xr = mfn_to_virt(start_info->store_mfn);
    check(xr != NULL, "store page mapped");
    if (!xr) return;
    printk("blkfront: cmdline \"%s\"\n", start_info->cmd_line);

    /* P2M and M2P agree (a bootloader may have rearranged frames). */
    ulong bad = 0;
    for (ulong pfn = 0; pfn < start_info->nr_pages; pfn++) if (m2p(p2m(pfn)) != pfn) bad++;
    check_eq(bad, 0, "pages whose M2P entry disagrees with the P2M");

    /* Discover the disk. */
    check_eq(xs(XS_DIRECTORY, "device/vbd", NULL), XS_DIRECTORY, "list device/vbd");
    char id[16]; memcpy(id, val, sizeof id); id[15] = 0;
    check(vlen == strlen(id) + 1, "exactly one vbd (%u bytes)", vlen);
    char fdir[64], bdir[128], path[192];
    snprintf(fdir, sizeof fdir, "device/vbd/%s", id);
    snprintf(path, sizeof path, "%s/backend", fdir);
    check(xs_read(path) != NULL, "backend path");
    memcpy(bdir, val, sizeof bdir); bdir[127] = 0;
    snprintf(path, sizeof path, "%s/backend-id", fdir); ulong bid = xs_read_ulong(path);
    check_eq(bid, 0, "backend-id");
    char bstate[160]; snprintf(bstate, sizeof bstate, "%s/state", bdir);
    check_eq(xs_read_ulong(bstate), 2, "backend InitWait");
    snprintf(path, sizeof path, "%s/sector-size", bdir); check_eq(xs_read_ulong(path), 512, "sector-size");
    snprintf(path, sizeof path, "%s/info", bdir); check_eq(xs_read_ulong(path), 4, "info = VDISK_READONLY");
    snprintf(path, sizeof path, "%s/sectors", bdir); ulong sectors = xs_read_ulong(path);
    snprintf(path, sizeof path, "%s/dev", bdir); check(xs_read(path) && !strcmp(val, "xvda"), "dev xvda");
    printk("blkfront: vbd %s, backend %s, %lu sectors\n", id, bdir, sectors);

    /* Grant table: one frame, mapped over gnt_page. */
    u32 gframe = 0;
    struct { u16 dom, pad; u32 nr; s16 status; u16 pad2; u32 *list; } st = { DOMID_SELF, 0, 1, 0, 0, &gframe };
    check_eq(hypercall(HC_grant_table_op, 2 /* setup_table */, (ulong)&st, 1, 0, 0), 0, "setup_table");
    check_eq(st.status, 0, "setup_table status");
    check_eq(hypercall(HC_update_va_mapping, (ulong)gnt_page, ((ulong)gframe << 12) | 0x63, 0, 2, 0), 0, "map the grant frame");
    grant(GREF_RING, ring_page, (u16)bid);
    grant(GREF_DATA0, data[0], (u16)bid);
    grant(GREF_DATA1, data[1], (u16)bid);

    struct { u16 dom, remote; u32 port; } au = { DOMID_SELF, (u16)bid, 0 };
    check_eq(evtchn_op(6 /* alloc_unbound */, &au), 0, "alloc_unbound");
    port = au.port;

    memset(ring_page, 0, sizeof ring_page);
    SR->req_event = 1; SR->rsp_event = 1;
    char num[16];
    snprintf(path, sizeof path, "%s/ring-ref", fdir); snprintf(num, sizeof num, "%u", GREF_RING); xs_write(path, num);
    snprintf(path, sizeof path, "%s/event-channel", fdir); snprintf(num, sizeof num, "%u", port); xs_write(path, num);
    snprintf(path, sizeof path, "%s/protocol", fdir); xs_write(path, "x86_32-abi");
    snprintf(path, sizeof path, "%s/state", fdir); xs_write(path, "3");
    wait_backend(bstate, "4");

    /* Sectors 2-3 (the superblock) into data[0] sectors 0-1, sector 4 into data[1] sector 5. */
    memset(data, 0xee, sizeof data);
    struct req r = rw(0 /* READ */, 2, 0x1001);
    r.nseg = 2;
    r.seg[0] = (struct seg){ GREF_DATA0, 0, 1, 0 };
    r.seg[1] = (struct seg){ GREF_DATA1, 5, 5, 0 };
    check_eq(submit(&r), 0, "read sectors 2-4");
    const u8 *sb = data[0] + 0;
    u32 magic = sb[56] | (sb[57] << 8), blocks = *(const u32 *)(sb + 4), log_bs = *(const u32 *)(sb + 24);
    check_eq(magic, 0xef53, "ext2 magic");
    char label[17]; memcpy(label, sb + 120, 16); label[16] = 0;
    printk("blkfront: superblock magic %x, %u blocks of %u bytes, label \"%s\"\n", magic, blocks, 1024u << log_bs, label);
    const char *want = cmdline_arg("fs_label");
    ulong wl = 0;
    while (want && want[wl] && want[wl] != ' ') wl++;
    check(want && wl <= 16 && !strncmp(label, want, wl) && (wl == 16 || label[wl] == 0), "label \"%s\"", label);
    const char *wb = cmdline_arg("fs_blocks");
    check(wb && blocks == parse_ulong(wb), "s_blocks_count %u", blocks);
    check_eq(blocks * (2u << log_bs), sectors, "backend sectors = filesystem size");
    check(data[1][0] == 0xee && data[1][5 * 512 - 1] == 0xee && data[1][6 * 512] == 0xee, "only sector 5 of data[1] written");

    /* Sector 4 again, into data[0] sector 2: the same bytes. */
    r = rw(0, 4, 0x1002);
    r.seg[0] = (struct seg){ GREF_DATA0, 2, 2, 0 };
    check_eq(submit(&r), 0, "read sector 4");
    check_eq(memcmp(data[0] + 2 * 512, data[1] + 5 * 512, 512), 0, "sector 4 read twice agrees");

    /* Errors the backend must report. */
    r = rw(0, (u32)sectors, 0x1003);
    check_eq(submit(&r), -1, "read past the end");
    r = rw(1 /* WRITE */, 100, 0x1004);
    check_eq(submit(&r), -1, "write to a read-only disk");
    r = rw(3 /* FLUSH_DISKCACHE */, 0, 0x1005); r.nseg = 0;
    check_eq(submit(&r), -2, "flush is not supported");
    r = rw(0, 2, 0x1006); r.seg[0] = (struct seg){ 4000, 0, 0, 0 };
    check_eq(submit(&r), -1, "unknown grant reference");

    /* Disconnect. */
    snprintf(path, sizeof path, "%s/state", fdir);
    xs_write(path, "5"); wait_backend(bstate, "5");
    xs_write(path, "6"); wait_backend(bstate, "6");
    struct { u32 port; } cl = { port };
    check_eq(evtchn_op(3 /* close */, &cl), 0, "close the port");
    for (u32 g = GREF_RING; g <= GREF_DATA1; g++) GNT[g].flags = 0;
    printk("blkfront: closed\n");
}
