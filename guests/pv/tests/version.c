/* xen_version (spec 9.2): every XENVER_* command, exact buffer sizes (a canary after each buffer
 * must survive), the feature submaps, pagesize's NULL rule, the denied commands, unknown ones. */
#include "pvlib.h"

static u8 buf[2048];
#define CANARY 0x5a

static long ver(u32 cmd, ulong size) {
    memset(buf, CANARY, sizeof(buf));
    long r = HC2(xen_version, cmd, buf);
    for (ulong i = size; i < size + 64; i++) if (buf[i] != CANARY) { fail("cmd %u wrote byte %lu (size %lu)", cmd, i, size); break; }
    return r;
}
static int terminated(ulong size) { for (ulong i = 0; i < size; i++) if (!buf[i]) return 1; return 0; }

void test_main(void) {
    check_eq(HC2(xen_version, 0, 0), 0x00040011, "XENVER_version (4.17)");
    check_eq(HC2(xen_version, 0, 0x12345678), 0x00040011, "XENVER_version ignores its argument");

    check_eq(ver(1, 16), 0, "extraversion");
    check(terminated(16) && buf[0] == '.', "extraversion \"%s\"", buf);
    check_eq(ver(2, 144), 0, "compile_info");
    check(terminated(64) && buf[0], "compile_info.compiler");
    check(buf[64 + 15] == 0 || terminated(16), "compile_by");
    check_eq(ver(3, 1024), 0, "capabilities");
    check(!strcmp((char *)buf, CAPABILITIES), "capabilities \"%s\"", buf);
    check_eq(ver(4, 64), 0, "changeset");
    check(terminated(64), "changeset terminated");
    check_eq(ver(5, 4), 0, "platform_parameters");
    check_eq(*(u32 *)buf, HYPERVISOR_VIRT_START, "platform_parameters.virt_start");

    u32 fi[2] = { 0, 0xdeadbeef };
    check_eq(HC2(xen_version, 6, fi), 0, "get_features submap 0");
    check_eq(fi[0], 0, "submap_idx kept");
    check(fi[1] & (1u << 17), "XENFEAT_direct_mapped missing (0x%x)", fi[1]);
    check(!(fi[1] & ((1u << 0) | (1u << 2) | (1u << 3))), "translated/writable/supervisor features advertised (0x%x)", fi[1]);
#if CONFIG_PAE
    check(fi[1] & (1u << 4), "pae_pgdir_above_4gb missing for a PAE_MODE=yes guest (0x%x)", fi[1]);
#else
    check(!(fi[1] & (1u << 4)), "pae_pgdir_above_4gb for a 2-level guest (0x%x)", fi[1]);
#endif
    fi[0] = 1; fi[1] = 0x1234;
    check_eq(HC2(xen_version, 6, fi), -EINVAL, "get_features submap 1");
    check_eq(fi[1], 0x1234, "submap written on error");

    check_eq(HC2(xen_version, 7, 0), 4096, "pagesize");
    check_eq(HC2(xen_version, 7, buf), -EINVAL, "pagesize with a non-NULL argument");
    check_eq(ver(8, 16), 0, "guest_handle");
    check_eq(ver(9, 1024), 0, "commandline");
    check(!strcmp((char *)buf, "<denied>"), "commandline for a domU \"%s\"", buf);
    check_eq(ver(10, 0), -EPERM, "build_id for a domU");
    for (u32 c = 11; c < 16; c++) check_eq(HC2(xen_version, c, buf), -ENOSYS, "unknown XENVER command");
    check_eq(HC2(xen_version, 0x80000000u, buf), -ENOSYS, "XENVER 0x80000000");
}
