/* physdev_op (spec 9.8): PHYSDEVOP_set_iopl 0..3 (4 -> -EINVAL), the legacy physdev_op_compat
 * form, set_iobitmap, unknown commands -ENOSYS. The host checks the final virtual IOPL (1). */
#include "pvlib.h"

struct physdev_op { u32 cmd; u32 arg[3]; };

void test_main(void) {
    u32 iopl;
    for (iopl = 0; iopl <= 3; iopl++) check_eq(HC2(physdev_op, 6, &iopl), 0, "set_iopl");
    iopl = 4;
    check_eq(HC2(physdev_op, 6, &iopl), -EINVAL, "set_iopl 4");
    iopl = 0xffffffffu;
    check_eq(HC2(physdev_op, 6, &iopl), -EINVAL, "set_iopl 0xffffffff");
    struct physdev_op op = { 6, { 2, 0, 0 } };
    check_eq(HC1(physdev_op_compat, &op), 0, "physdev_op_compat set_iopl");
    u32 bm[2] = { 0x1000, 16 };
    check_eq(HC2(physdev_op, 7, bm), 0, "set_iobitmap");
    check_eq(HC2(physdev_op, 999, &iopl), -ENOSYS, "unknown physdev command");
    check_eq(HC2(physdev_op, 0, &iopl), -ENOSYS, "physdev command 0");
    struct physdev_op bad = { 999, { 0, 0, 0 } };
    check_eq(HC1(physdev_op_compat, &bad), -ENOSYS, "unknown physdev_op_compat command");
    iopl = 1;
    check_eq(HC2(physdev_op, 6, &iopl), 0, "set_iopl 1");
}
