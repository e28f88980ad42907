/* xenstore over the store ring (io/xs_wire.h): read the seeded keys, write and read back, directory,
 * mkdir/rm, get_perms, get_domain_path, transactions, a watch that fires on registration and on a
 * write, errors as names (ENOENT, EACCES, EINVAL), the E2BIG limit. */
#define PVTRAPS_IMPL
#include "pvtraps.h"

struct xsring { char req[1024]; char rsp[1024]; volatile u32 req_cons, req_prod, rsp_cons, rsp_prod; };
struct hdr { u32 type, req_id, tx_id, len; };
enum { XS_DIRECTORY = 1, XS_READ = 2, XS_GET_PERMS = 3, XS_WATCH = 4, XS_UNWATCH = 5, XS_TS = 6, XS_TE = 7,
       XS_GET_DOMAIN_PATH = 10, XS_WRITE = 11, XS_MKDIR = 12, XS_RM = 13, XS_WATCH_EVENT = 15, XS_ERROR = 16 };

static struct xsring *r;
static u32 next_id = 100;
static char rbuf[4200], evbuf[256];
static u32 rlen, nevents;

static void put(const void *p, u32 n) {
    const char *s = p;
    for (u32 i = 0; i < n; i++) { while (r->req_prod - r->req_cons >= 1024) { u32 pt = start_info->store_evtchn; evtchn_op(4, &pt); } r->req[r->req_prod & 1023] = s[i]; __atomic_thread_fence(__ATOMIC_SEQ_CST); r->req_prod++; }
}
static void get(void *p, u32 n) {
    char *d = p;
    for (u32 i = 0; i < n; i++) { int spins = 0; while (r->rsp_cons == r->rsp_prod) { if (spins++ > 20) fail("no reply"); HC2(sched_op, 1, 0); } d[i] = r->rsp[r->rsp_cons & 1023]; r->rsp_cons++; }
}
/* Send one request, return the reply type; watch events met on the way are counted (last one kept). */
static u32 xs(u32 type, const char *a, u32 alen, const char *b, u32 blen) {
    struct hdr h = { type, next_id++, 0, alen + blen };
    put(&h, 16); put(a, alen); if (blen) put(b, blen);
    u32 pt = start_info->store_evtchn; evtchn_op(4, &pt);
    for (;;) {
        struct hdr g; get(&g, 16);
        if (g.len > sizeof(rbuf) - 1) fail("reply too long %u", g.len);
        get(rbuf, g.len); rbuf[g.len] = 0; rlen = g.len;
        if (g.type == XS_WATCH_EVENT) { nevents++; memcpy(evbuf, rbuf, g.len < 255 ? g.len : 255); continue; }
        check_eq(g.req_id, h.req_id, "req_id echoed");
        return g.type;
    }
}
#define S(str) str, sizeof(str)
static u32 xs1(u32 type, const char *path) { return xs(type, path, strlen(path) + 1, 0, 0); }

void test_main(void) {
    map_shared_info();
    check_eq(register_callbacks(), 0, "set_callbacks");
    check_eq(vcpu_op(7, 0, 0), 0, "stop the periodic timer");
    check_eq(start_info->store_evtchn, 1, "store port");
    r = mfn_to_virt(start_info->store_mfn);
    check(r != NULL, "store page mapped");
    V_MASK = 0;

    check_eq(xs1(XS_READ, "domid"), XS_READ, "read domid (relative)"); check_eq(strcmp(rbuf, "1"), 0, "domid 1");
    check_eq(xs1(XS_READ, "/local/domain/1/name"), XS_READ, "read name"); check(rlen > 0, "name");
    char want[16]; snprintf(want, sizeof want, "%lu", start_info->console_mfn);
    check_eq(xs1(XS_READ, "console/ring-ref"), XS_READ, "console ring-ref"); check_eq(strcmp(rbuf, want), 0, "ring-ref = console mfn");
    check_eq(xs1(XS_READ, "console/port"), XS_READ, "console port"); check_eq(strcmp(rbuf, "2"), 0, "port 2");
    snprintf(want, sizeof want, "%lu", start_info->nr_pages * 4);
    check_eq(xs1(XS_READ, "memory/target"), XS_READ, "memory/target"); check_eq(strcmp(rbuf, want), 0, "target KiB");
    check_eq(xs1(XS_READ, "nosuch"), XS_ERROR, "read missing"); check_eq(strcmp(rbuf, "ENOENT"), 0, "ENOENT");
    check_eq(xs1(XS_DIRECTORY, "device"), XS_DIRECTORY, "no devices"); check_eq(rlen, 0, "empty directory");

    /* Watch: fires once at registration. */
    nevents = 0;
    check_eq(xs(XS_WATCH, S("data/k"), S("tok")), XS_WATCH, "watch");
    check_eq(strcmp(rbuf, "OK"), 0, "watch OK");
    if (nevents == 0) { struct hdr g; get(&g, 16); get(evbuf, g.len); check_eq(g.type, XS_WATCH_EVENT, "event"); nevents++; }
    check_eq(nevents, 1, "watch fired on registration");
    check_eq(strcmp(evbuf, "data/k"), 0, "event path (relative)"); check_eq(strcmp(evbuf + 7, "tok"), 0, "event token");

    nevents = 0;
    check_eq(xs(XS_WRITE, S("data/k"), "hello", 5), XS_WRITE, "write");
    if (nevents == 0) { struct hdr g; get(&g, 16); get(evbuf, g.len); check_eq(g.type, XS_WATCH_EVENT, "event on write"); nevents++; }
    check_eq(nevents, 1, "watch fired on the write");
    check_eq(xs1(XS_READ, "/local/domain/1/data/k"), XS_READ, "read back"); check_eq(rlen, 5, "len"); check_eq(strcmp(rbuf, "hello"), 0, "value");
    check_eq(xs(XS_UNWATCH, S("data/k"), S("tok")), XS_UNWATCH, "unwatch");
    check_eq(xs(XS_UNWATCH, S("data/k"), S("tok")), XS_ERROR, "unwatch again"); check_eq(strcmp(rbuf, "ENOENT"), 0, "ENOENT");
    nevents = 0;
    check_eq(xs(XS_WRITE, S("data/k"), "x", 1), XS_WRITE, "write after unwatch");
    check_eq(xs1(XS_READ, "data/k"), XS_READ, "read"); check_eq(nevents, 0, "no event after unwatch");

    check_eq(xs1(XS_MKDIR, "data/d/e"), XS_MKDIR, "mkdir");
    check_eq(xs1(XS_DIRECTORY, "data"), XS_DIRECTORY, "directory"); check_eq(rlen, 4, "k\\0d\\0");
    check_eq(strcmp(rbuf, "k"), 0, "first child"); check_eq(strcmp(rbuf + 2, "d"), 0, "second child");
    check_eq(xs1(XS_RM, "data/d"), XS_RM, "rm");
    check_eq(xs1(XS_READ, "data/d/e"), XS_ERROR, "removed subtree");
    check_eq(xs1(XS_GET_PERMS, "data/k"), XS_GET_PERMS, "get_perms"); check_eq(strcmp(rbuf, "n1"), 0, "owner 1");
    check_eq(xs1(XS_GET_DOMAIN_PATH, "1"), XS_GET_DOMAIN_PATH, "get_domain_path"); check_eq(strcmp(rbuf, "/local/domain/1"), 0, "path");
    check_eq(xs1(XS_TS, ""), XS_TS, "transaction start"); check(rbuf[0] >= '1' && rbuf[0] <= '9', "tx id");
    check_eq(xs1(XS_TE, "T"), XS_TE, "transaction end");

    /* Errors. */
    check_eq(xs(XS_WRITE, S("/local/domain/0/name"), "evil", 4), XS_ERROR, "write dom0's key"); check_eq(strcmp(rbuf, "EACCES"), 0, "EACCES");
    check_eq(xs1(XS_READ, "/local/domain/0/name"), XS_READ, "dom0's name unchanged"); check_eq(strcmp(rbuf, "Domain-0"), 0, "Domain-0");
    check_eq(xs1(XS_READ, "bad//path"), XS_ERROR, "malformed path"); check_eq(strcmp(rbuf, "EINVAL"), 0, "EINVAL");
    check_eq(xs(XS_READ, "noterm", 6, 0, 0), XS_ERROR, "unterminated path"); check_eq(strcmp(rbuf, "EINVAL"), 0, "EINVAL");
    check_eq(xs1(99, "x"), XS_ERROR, "unknown type"); check_eq(strcmp(rbuf, "EINVAL"), 0, "EINVAL");
    V_MASK = 1;
}
