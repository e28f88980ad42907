/* console_io (spec 9.3): writes (zero, filtered, longer than one chunk), reads of pending input,
 * -E2BIG and -ENOSYS. The harness supplies the input "ringone-input" and checks the output. */
#include "pvlib.h"

static char big[20000];

void test_main(void) {
    const char *hello = "console-probe: hello\n";
    check_eq(HC3(console_io, 0, strlen(hello), hello), 0, "write");
    check_eq(HC3(console_io, 0, 0, NULL), 0, "zero-length write");
    const char ctl[] = "filtered:\001a\033b\177c\n";
    check_eq(HC3(console_io, 0, sizeof(ctl) - 1, ctl), 0, "write with control characters");
    memset(big, 'L', sizeof(big));
    big[sizeof(big) - 1] = '\n';
    check_eq(HC3(console_io, 0, sizeof(big), big), 0, "long write");

    char in[32];
    memset(in, 0, sizeof(in));
    check_eq(HC3(console_io, 1, 0x80000000u, in), -E2BIG, "read with count > 2^31-1");
    check_eq(HC3(console_io, 1, 7, in), 7, "read 7 of the pending input");
    check(!memcmp(in, "ringone", 7), "read data \"%s\"", in);
    check_eq(in[7], 0, "read wrote past its count");
    check_eq(HC3(console_io, 1, sizeof(in), in), 6, "read the rest");
    check(!memcmp(in, "-input", 6), "rest \"%s\"", in);
    check_eq(HC3(console_io, 1, sizeof(in), in), 0, "read with nothing pending");
    check_eq(HC3(console_io, 2, 1, in), -ENOSYS, "unknown console_io command");
    check_eq(HC3(console_io, 0xffffffffu, 1, in), -ENOSYS, "unknown console_io command 0xffffffff");
}
