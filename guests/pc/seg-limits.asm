; seg-limits: protected-mode segmentation checks.
;
; Behaviour under test (Intel SDM Vol. 3A):
;   §3.4.5.1 / §5.3  limit checks for expand-up and expand-down data
;            segments: byte/word/dword accesses at the edges, the upper bound
;            of an expand-down segment set by the B flag (FFFFh or
;            FFFFFFFFh), 4-KiB granular limits;
;   §5.4 / §5.5 / §5.7 type and privilege checks on segment-register loads
;            (MOV Sreg, LLDT pages of Vol. 2): read-only data (write -> #GP(0)),
;            execute-only code (load into ES -> #GP(sel); read through CS ->
;            #GP(0)), null selectors (use -> #GP(0), SS load -> #GP(0)),
;            not-present descriptors (#NP(sel), #SS(sel) for SS), SS with
;            RPL/DPL != CPL (#GP(sel)), selectors beyond the GDT/LDT limit,
;            system descriptors, RPL > DPL;
;   §6.15 "#SS" for SS-relative accesses beyond the SS limit (#SS(0));
;   §5.8.1.2 conforming code segments (CPL is unchanged by a far JMP,
;            conforming readable code loads into DS from any CPL);
;   §5.3 code-segment limit on instruction fetch (jump target beyond the
;            limit, instruction straddling the limit: #GP(0)).
; Every line prints the vector and error code observed ("vec=--" when no
; exception happened; "vec=30" for ring-3 code that returned normally via
; INT 30h) and whether the saved EIP is the faulting instruction.

%include "boot.inc"

; EXPECT_ES selector, "name", instruction -- load ES, then EXPECT
%macro EXPECT_ES 3+
    BEGIN
    mov ax, %1
    mov es, ax
    AT
    %3
    END %2
    NL
%endmacro

%define S_UP      0x30      ; data RW, base buf, limit FFFh, byte granular
%define S_DN16    0x38      ; data RW expand-down, B=0, limit FFFh, base 0
%define S_DN32    0x40      ; data RW expand-down, B=1, limit FFFh, base 10000h
%define S_RO      0x48      ; data read-only, flat
%define S_XO      0x50      ; code execute-only, flat, 32-bit
%define S_XR      0x58      ; code execute/read, flat, 32-bit
%define S_SS16    0x60      ; data RW, base 0, limit FFFFh (a small stack)
%define S_SSDN    0x68      ; data RW expand-down, B=1, limit 7FFFh, base 0
%define S_LDT     0x70      ; LDT
%define S_CONF0   0x78      ; conforming execute/read code, DPL 0, flat
%define S_CODELIM 0x80      ; code execute/read, base 0, limit FFFFFh
%define S_NP      0x88      ; data RW, not present
%define S_UPG     0x90      ; data RW, G=1, raw limit 0 (FFFh), base buf
%define S_DNG     0x98      ; data RW expand-down, G=1, B=1, raw limit 1 (1FFFh), base 10000h
%define S_CONF3   0xA8      ; conforming execute/read code, DPL 3, flat
%define S_DPL1    0xB0      ; data RW, DPL 1, flat
%define S_CL      0xB8      ; code execute/read, base cl_start, tiny limit

main:
    DESC S_UP,     buf, 0xFFF, A_P | A_S | T_RW
    DESC S_DN16,   0, 0xFFF, A_P | A_S | T_RWDN
    DESC S_DN32,   0x10000, 0xFFF, A_P | A_S | T_RWDN | F_DB
    DESC S_RO,     0, 0xFFFFF, A_P | A_S | T_RO | F_G | F_DB
    DESC S_XO,     0, 0xFFFFF, A_P | A_S | T_XO | F_G | F_DB
    DESC S_XR,     0, 0xFFFFF, A_P | A_S | T_XR | F_G | F_DB
    DESC S_SS16,   0, 0xFFFF, A_P | A_S | T_RW | F_DB
    DESC S_SSDN,   0, 0x7FFF, A_P | A_S | T_RWDN | F_DB
    DESC S_LDT,    ldt_tab, 15, A_P | T_LDT
    DESC S_CONF0,  0, 0xFFFFF, A_P | A_S | T_XRC | F_G | F_DB
    DESC S_CODELIM, 0, 0xFFFFF, A_P | A_S | T_XR | F_DB
    DESC S_NP,     0, 0xFFFFF, A_S | T_RW | F_G | F_DB
    DESC S_UPG,    buf, 0, A_P | A_S | T_RW | F_G | F_DB
    DESC S_DNG,    0x10000, 1, A_P | A_S | T_RWDN | F_G | F_DB
    DESC S_CONF3,  0, 0xFFFFF, A_P | A_DPL3 | A_S | T_XRC | F_G | F_DB
    DESC S_DPL1,   0, 0xFFFFF, A_P | A_DPL1 | A_S | T_RW | F_G | F_DB
    DESC S_CL,     cl_start, cl_straddle + 2 - cl_start, A_P | A_S | T_XR | F_DB
    DESC_AT ldt_tab,     buf, 0xFF, A_P | A_S | T_RW | F_DB
    DESC_AT ldt_tab + 8, buf, 0xFF, A_S | T_RW | F_DB

    ; ---- expand-up data segment, limit FFFh
    EXPECT_ES S_UP, "up-byte-at-limit", mov al, [es:0xFFF]
    EXPECT_ES S_UP, "up-word-at-limit", mov ax, [es:0xFFF]
    EXPECT_ES S_UP, "up-dword-fits", mov eax, [es:0xFFC]
    EXPECT_ES S_UP, "up-dword-over", mov eax, [es:0xFFD]
    EXPECT_ES S_UP, "up-byte-past", mov al, [es:0x1000]
    EXPECT_ES S_UP, "up-write-over", mov [es:0xFFE], eax
    EXPECT_ES S_UPG, "up-4k-gran-last", mov al, [es:0xFFF]
    EXPECT_ES S_UPG, "up-4k-gran-past", mov al, [es:0x1000]

    ; ---- expand-down, B=0: valid offsets 1000h..FFFFh
    EXPECT_ES S_DN16, "dn16-byte-at-limit", mov al, [es:0xFFF]
    EXPECT_ES S_DN16, "dn16-byte-above", mov al, [es:0x1000]
    EXPECT_ES S_DN16, "dn16-dword-top", mov eax, [es:0xFFFC]
    EXPECT_ES S_DN16, "dn16-word-over-top", mov ax, [es:0xFFFF]
    EXPECT_ES S_DN16, "dn16-byte-10000", mov al, [es:0x10000]
    EXPECT_ES S_DN16, "dn16-word-straddle", mov ax, [es:0xFFF]
    ; ---- expand-down, B=1: valid offsets 1000h..FFFFFFFFh
    EXPECT_ES S_DN32, "dn32-byte-10000", mov al, [es:0x10000]
    EXPECT_ES S_DN32, "dn32-dword-top", mov eax, [es:0xFFFFFFFC]
    EXPECT_ES S_DN32, "dn32-dword-over-top", mov eax, [es:0xFFFFFFFD]
    EXPECT_ES S_DN32, "dn32-byte-at-limit", mov al, [es:0xFFF]
    EXPECT_ES S_DN32, "dn32-write-above", mov [es:0x1000], al
    EXPECT_ES S_DNG, "dn-4k-gran-at-limit", mov al, [es:0x1FFF]
    EXPECT_ES S_DNG, "dn-4k-gran-above", mov al, [es:0x2000]

    ; ---- types
    EXPECT_ES S_RO, "ro-read", mov eax, [es:buf]
    EXPECT_ES S_RO, "ro-write", mov [es:buf], eax
    EXPECT_ES S_RO, "ro-rmw", add [es:buf], eax
    EXPECT "xo-load-es", mov es, [sel_xo]
    BEGIN
    jmp S_XO:.in_xo
.in_xo:
    AT
    mov eax, [cs:buf]
    END "xo-read-cs"
    NL
    BEGIN
    jmp S_XO:.in_xo2
.in_xo2:
    AT
    mov [cs:buf], eax
    END "xo-write-cs"
    NL
    EXPECT "xr-load-es", mov es, [sel_xr]
    EXPECT_ES S_XR, "xr-read", mov eax, [es:buf]
    EXPECT_ES S_XR, "xr-write", mov [es:buf], eax
    EXPECT "code-write-cs", mov [cs:buf], eax
    EXPECT "tss-load-es", mov es, [sel_tss]

    ; ---- null selectors
    EXPECT "null-load-es", mov es, [sel_null]
    EXPECT_ES 0, "null-use-es", mov eax, [es:buf]
    EXPECT "null-load-ss", mov ss, [sel_null]
    EXPECT "null-load-fs-3", mov fs, [sel_null3]
    BEGIN
    mov ax, 3
    mov fs, ax
    AT
    mov eax, [fs:buf]
    END "null-use-fs"
    NL

    ; ---- selector checks on loads
    EXPECT "np-load-es", mov es, [sel_np]
    EXPECT "np-load-ss", mov ss, [sel_np]
    EXPECT "np-rpl3-load-es", mov es, [sel_np3]
    EXPECT "beyond-gdt-es", mov es, [sel_beyond]
    EXPECT "rpl3-dpl1-es", mov es, [sel_dpl1_3]
    EXPECT "rpl1-dpl1-es", mov es, [sel_dpl1_1]
    EXPECT "ss-ro-data", mov ss, [sel_ro]
    EXPECT "ss-code", mov ss, [sel_xr]
    EXPECT "ss-dpl3", mov ss, [sel_udata0]
    EXPECT "ss-rpl3", mov ss, [sel_kdata3]
    EXPECT "ss-dpl1", mov ss, [sel_dpl1_1]

    ; ---- SS limits (#SS(0)), on a private stack in low memory
    BEGIN
    mov ax, S_SS16
    mov ss, ax
    mov esp, 0x8000
    AT
    mov eax, [ss:0xFFFE]
    END "ss-up-dword-over"
    NL
    BEGIN
    mov ax, S_SS16
    mov ss, ax
    mov esp, 0x8000
    mov ebp, 0xFFFC
    AT
    mov eax, [ebp]
    END "ss-up-ebp-fits"
    NL
    BEGIN
    mov ax, S_SS16
    mov ss, ax
    mov esp, 0x8000
    mov ebp, 0x10000
    AT
    mov al, [ebp]
    END "ss-up-ebp-past"
    NL
    BEGIN
    mov ax, S_SSDN
    mov ss, ax
    mov esp, 0x9000
    push eax
    pop eax
    AT
    mov eax, [ss:0x7FFE]
    END "ss-dn-below"
    NL
    BEGIN
    mov ax, S_SSDN
    mov ss, ax
    mov esp, 0x9000
    AT
    mov eax, [ss:0x8000]
    END "ss-dn-at-bottom"
    NL

    ; ---- LDT
    mov ax, S_LDT
    lldt ax
    sldt ax
    P "ldtr:"
    PF "sel", 4, eax
    NL
    EXPECT "ldt-load-es", mov es, [sel_ldt0]
    EXPECT_ES 0x04, "ldt-byte-at-limit", mov al, [es:0xFF]
    EXPECT_ES 0x04, "ldt-dword-over", mov eax, [es:0xFE]
    EXPECT "ldt-np-load", mov es, [sel_ldt1]
    EXPECT "ldt-beyond-limit", mov es, [sel_ldt2]
    EXPECT "lldt-data-desc", lldt [sel_kdata]
    EXPECT "lldt-ti-set", lldt [sel_ldt0]
    xor eax, eax
    lldt ax
    EXPECT "ldt-null-ldtr", mov es, [sel_ldt0]

    ; ---- code-segment limit on instruction fetch
    EXPECT "far-jmp-beyond-limit", jmp S_CODELIM:0x200000
    BEGIN
    jmp S_CL:0
    ENDX "near-jmp-beyond-limit"
    PEQ "off_ok", [exc_eip], cl_jmp - cl_start
    PF "cs", 4, [exc_cs]
    NL
    BEGIN
    jmp S_CL:cl_straddle - cl_start
    ENDX "insn-straddles-limit"
    PEQ "off_ok", [exc_eip], cl_straddle - cl_start
    NL

    ; ---- conforming code
    EXPECT "call-conforming-dpl3", call S_CONF3:conf_target
    USER u_load_kdata
    REPORT "user-load-ds-dpl0"
    NL
    USER u_load_conf
    REPORT "user-load-ds-conforming"
    PF "ds", 4, [u_val]
    NL
    USER u_jmp_conf
    REPORT "user-jmp-conforming-dpl0"
    PF "cs", 4, [u_val]
    NL
    USER u_jmp_nonconf
    REPORT "user-jmp-nonconforming-dpl0"
    NL
    USER u_null_ds
    REPORT "user-use-null-ds"
    NL
    ret

conf_target:
    retf

; ---- ring-3 code (returns with INT 30h)
u_load_kdata:
    mov ax, KDATA
    mov ds, ax
    int 0x30
u_load_conf:
    mov ax, S_CONF0 | 3
    mov ds, ax
    mov bx, ds
    mov ax, UDATA | 3
    mov ds, ax
    movzx ebx, bx
    mov [u_val], ebx
    int 0x30
u_jmp_conf:
    jmp S_CONF0:.here
.here:
    mov ax, UDATA | 3
    mov ds, ax
    mov eax, cs
    mov [u_val], eax
    int 0x30
u_jmp_nonconf:
    jmp KCODE:.here
.here:
    int 0x30
u_null_ds:
    mov eax, [buf]          ; DS was nulled by the IRET to ring 3
    int 0x30

; ---- code run in segment S_CL (base cl_start, limit = cl_straddle+2)
cl_start:
cl_jmp:
    jmp near cl_beyond
    nop
cl_straddle:
    mov eax, 0x12345678     ; 5 bytes: only the first 3 are within the limit
cl_beyond:
    int 0x30                ; reached only if the limit was not enforced

section .data
sel_null:   dw 0
sel_null3:  dw 3
sel_xo:     dw S_XO
sel_xr:     dw S_XR
sel_ro:     dw S_RO
sel_tss:    dw TSS_SEL
sel_np:     dw S_NP
sel_np3:    dw S_NP | 3
sel_beyond: dw GDT_ENTRIES * 8
sel_dpl1_3: dw S_DPL1 | 3
sel_dpl1_1: dw S_DPL1 | 1
sel_udata0: dw UDATA
sel_kdata3: dw KDATA | 3
sel_kdata:  dw KDATA
sel_ldt0:   dw 0x04
sel_ldt1:   dw 0x0C
sel_ldt2:   dw 0x14

section .bss
alignb 8
ldt_tab:    resq 2
u_val:      resd 1
alignb 4096
buf:        resb 0x3000
