; v86: virtual-8086 mode.
;
; Behaviour under test (Intel SDM Vol. 3B chapter 20 and Vol. 2 IRET/INT):
;   §20.2.1 / §20.2.5: entering virtual-8086 mode with IRET (EFLAGS.VM=1 in
;       the image, CPL 0) pops EIP CS EFLAGS ESP SS ES DS FS GS; addresses are
;       segment*16 + offset; segment limits are FFFFh: a word access at
;       offset FFFFh raises #GP(0) (DS) or #SS(0) (SS);
;   §20.3.1.1 / §20.3.2 / §6.12.1: INT n with IOPL=3 goes through the IDT to
;       a ring-0 handler, which sees GS FS DS ES SS ESP EFLAGS(VM=1) CS EIP on
;       the ring-0 stack taken from the TSS, with DS/ES/FS/GS nulled; IRET
;       returns to virtual-8086 mode and restores the segment registers;
;       INT3 is checked against the gate DPL (#GP(vector*8+2));
;   §20.2.7 (sensitive instructions): with IOPL < 3, INT n, CLI, PUSHF and
;       POPF raise #GP(0) (CR4.VME=0); CLI/PUSHF at IOPL 3 work;
;   §20.2.8 / Vol. 1 §19.5.2: IN/OUT in virtual-8086 mode are checked against
;       the TSS I/O permission bitmap only (not IOPL);
;   HLT and MOV from CR0 are privileged: #GP(0).

%include "boot.inc"

%define V86_CS   0x0700
%define V86_BASE 0x7000
%define V86_SS   0x0800
%define V86_SP   0x1000
%define VM_IOPL3 (EFL_VM | EFL_IOPL3 | 2)
%define VM_IOPL0 (EFL_VM | 2)
%define OUTB     0x600          ; results written by v86 code (segment 0060h)
%define ESP0     0xA000

; V86 entry_label, eflags -- run v86 code until an exception reaches the
; generic handler; continue after the macro
%macro V86 2
    TRY %%back
    push dword 0                ; GS
    push dword 0                ; FS
    push dword 0                ; DS
    push dword 0                ; ES
    push dword V86_SS
    push dword V86_SP
    push dword %2
    push dword V86_CS
    push dword %1 - v86_blob
    iret
%%back:
%endmacro

; V86EXPECT "name", entry_label, eflags, fault_label
%macro V86EXPECT 4
    V86 %2, %3
    REPORT %1
    PBIT "vm", [exc_efl], 17
    PF "cs", 4, [exc_cs]
    PEQ "ip_ok", [exc_eip], %4 - v86_blob
    NL
%endmacro

main:
    ; copy the v86 code below 1 MiB
    mov esi, v86_blob
    mov edi, V86_BASE
    mov ecx, v86_end - v86_blob
    rep movsb
    mov dword [tss_main + 4], ESP0
    IDTGATE 0x31, v86_int31, KCODE, A_P | A_DPL3 | T_INT
    mov word [0x12350], 0xBEEF
    mov edi, OUTB
    xor eax, eax
    mov ecx, 16
    rep stosd

    ; ---- IOPL 3: segment arithmetic, INT n through the IDT and IRET back
    V86 v86_a, VM_IOPL3 | EFL_IF
    P "v86-seg:"
    PF "val", 4, [OUTB + 0x00]
    PF "cs", 4, [OUTB + 0x02]
    PF "sp", 4, [OUTB + 0x04]
    PF "flags", 4, [OUTB + 0x06]
    PF "flags_cli", 4, [OUTB + 0x08]
    NL
    P "v86-int-frame:"
    PF "count", 1, [f_count]
    PEQ "ip_ok", [f_frame + 0], v86_a.ret - v86_blob
    PF "cs", 4, [f_frame + 4]
    PF "efl", 8, [f_frame + 8]
    PF "esp", 8, [f_frame + 12]
    PF "ss", 4, [f_frame + 16]
    PF "es", 4, [f_frame + 20]
    PF "ds", 4, [f_frame + 24]
    PF "fs", 4, [f_frame + 28]
    PF "gs", 4, [f_frame + 32]
    NL
    P "v86-int-handler:"
    PF "esp", 8, [f_esp]
    PF "ds", 4, [f_segs + 0]
    PF "es", 4, [f_segs + 4]
    PF "fs", 4, [f_segs + 8]
    PF "gs", 4, [f_segs + 12]
    PF "cs", 4, [f_segs + 16]
    NL
    P "v86-iret-back:"
    PF "ds", 4, [OUTB + 0x0A]
    PF "fs", 4, [OUTB + 0x0C]
    PF "sp", 4, [OUTB + 0x0E]
    PF "marker", 4, [OUTB + 0x10]
    NL
    REPORT "v86-ds-word-at-ffff"
    PBIT "vm", [exc_efl], 17
    PF "cs", 4, [exc_cs]
    PEQ "ip_ok", [exc_eip], v86_a.gp - v86_blob
    PF "ss", 4, [exc_ss]
    PF "esp", 8, [exc_esp]
    PF "ds", 4, [exc_v86ds]
    NL
    V86EXPECT "v86-ss-word-at-ffff", v86_b, VM_IOPL3, v86_b.ss
    V86EXPECT "v86-int3-gate-dpl0", v86_h, VM_IOPL3, v86_h
    V86EXPECT "v86-hlt-iopl3", v86_g, VM_IOPL3, v86_g
    V86EXPECT "v86-mov-cr0", v86_i, VM_IOPL3, v86_i

    ; ---- IOPL 0: sensitive instructions
    V86EXPECT "v86-int-iopl0", v86_c, VM_IOPL0, v86_c
    V86EXPECT "v86-cli-iopl0", v86_d, VM_IOPL0, v86_d
    V86EXPECT "v86-pushf-iopl0", v86_e, VM_IOPL0, v86_e
    V86EXPECT "v86-popf-iopl0", v86_j, VM_IOPL0, v86_j.popf
    ; I/O: bitmap only
    mov eax, 0x3FF
    btr [tss_main + 104], eax
    V86EXPECT "v86-io-bitmap-allowed", v86_f, VM_IOPL0, v86_f.hlt
    P "v86-io-value:"
    PF "val", 2, [OUTB + 0x12]
    NL
    V86EXPECT "v86-io-bitmap-denied", v86_k, VM_IOPL3, v86_k.in
    mov eax, 0x3FF
    bts [tss_main + 104], eax
    mov dword [tss_main + 4], stack0_top
    ret

; INT 31h handler for v86 code: record the frame and the segment registers
; seen at entry, then IRET back to virtual-8086 mode
v86_int31:
    push eax
    push ecx
    push esi
    push edi
    mov eax, ds
    mov [ss:f_segs + 0], eax
    mov eax, es
    mov [ss:f_segs + 4], eax
    mov eax, fs
    mov [ss:f_segs + 8], eax
    mov eax, gs
    mov [ss:f_segs + 12], eax
    mov eax, cs
    mov [ss:f_segs + 16], eax
    lea eax, [esp + 16]
    mov [ss:f_esp], eax
    inc dword [ss:f_count]
    xor ecx, ecx
.copy:
    mov eax, [esp + 16 + ecx * 4]
    mov [ss:f_frame + ecx * 4], eax
    inc ecx
    cmp ecx, 9
    jb .copy
    pop edi
    pop esi
    pop ecx
    pop eax
    iret

; ---------------------------------------------------------------- v86 code
; position independent 16-bit code, copied to 0700:0000
bits 16
v86_blob:
v86_a:
    mov ax, 0x1234
    mov ds, ax
    mov ax, [0x0010]                ; linear 12350h
    mov bx, OUTB >> 4
    mov es, bx
    mov [es:0x00], ax
    mov [es:0x02], cs
    mov [es:0x04], sp
    pushf
    pop word [es:0x06]
    cli
    pushf
    pop word [es:0x08]
    mov ax, 0x2222
    mov fs, ax
    mov ax, 0x3333
    mov gs, ax
    int 0x31
.ret:
    mov [es:0x0A], ds
    mov [es:0x0C], fs
    mov [es:0x0E], sp
    mov word [es:0x10], 0x600D
.gp:
    mov ax, [0xFFFF]                ; word beyond the DS limit
    int 0x30
v86_b:
    mov bp, 0xFFFF
.ss:
    mov ax, [bp]                    ; word beyond the SS limit
    int 0x30
v86_c:
    int 0x31
    int 0x30
v86_d:
    cli
    int 0x30
v86_e:
    pushf
    int 0x30
v86_j:
    push word 0
.popf:
    popf
    int 0x30
v86_f:
    mov dx, 0x3FF
    mov al, 0xA5
    out dx, al
    mov al, 0
    in al, dx
    mov bx, OUTB >> 4
    mov es, bx
    mov [es:0x12], al
.hlt:
    hlt
    int 0x30
v86_k:
    mov dx, 0x3FE
.in:
    in al, dx
    int 0x30
v86_g:
    hlt
    int 0x30
v86_h:
    int3
    int 0x30
v86_i:
    mov eax, cr0
    int 0x30
v86_end:
bits 32

section .bss
f_count:    resd 1
f_esp:      resd 1
f_segs:     resd 5
f_frame:    resd 9
