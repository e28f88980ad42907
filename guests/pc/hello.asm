%include "boot.inc"
main:
    P "hello"
    PF "x", 8, 0x1234abcd
    NL
    TRY .r
    ud2
.r: REPORT "ud"
    PEQ "eip_ok", [exc_eip], main
    NL
    ret
