/* The hypercall page (spec 1.5): 128 stubs `mov $n,%eax; int $0x82; ret`, the iret stub 23
 * `push %eax; mov $23,%eax; int $0x82`, int3 filler; and calling through it works. */
#include "pvlib.h"

void test_main(void) {
    for (u32 n = 0; n < 128; n++) {
        const u8 *s = hypercall_page + n * 32;
        u8 want[32];
        memset(want, 0xcc, sizeof(want));
        u32 p = 0;
        if (n == HC_iret) want[p++] = 0x50;
        want[p++] = 0xb8; want[p++] = (u8)n; want[p++] = 0; want[p++] = 0; want[p++] = 0;
        want[p++] = 0xcd; want[p++] = 0x82;
        if (n != HC_iret) want[p++] = 0xc3;
        if (memcmp(s, want, 32)) {
            fail("stub %u differs: %02x %02x %02x %02x %02x %02x %02x %02x %02x", n, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8]);
            break;
        }
    }
    check_eq(HC2(xen_version, 0, 0), 0x00040011, "xen_version via the page");
    check_eq(hypercall_raw(HC_xen_version, 0, 0, 0, 0, 0), 0x00040011, "xen_version via int 0x82");
}
