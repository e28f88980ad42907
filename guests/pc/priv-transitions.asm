; priv-transitions: privilege-level changes and privilege checks.
;
; Behaviour under test (Intel SDM):
;   Vol. 2 IRET, Vol. 3A §6.12.1: IRET from ring 0 to ring 3; data segment
;       registers whose DPL is below the new CPL are loaded with null;
;   Vol. 3A §6.12.1 / §7.2.1: INT n from ring 3 through a DPL-3 interrupt gate
;       switches to SS0:ESP0 from the TSS and pushes SS, ESP, EFLAGS, CS, EIP;
;       §6.12.1.1: INT n / INT3 / INTO to a gate with DPL < CPL raise
;       #GP(vector*8+2); INT1 (ICEBP) is not subject to the gate DPL check;
;   Vol. 3A §5.8.3-5.8.6 (call gates): far CALL from ring 3 through a DPL-3
;       call gate to ring 0 with parameter count 2 (stack switch, parameters
;       copied), far RET imm16 back to ring 3 (and §5.8.6: segment registers
;       with DPL < the new CPL are nulled); gate DPL < CPL -> #GP(gate),
;       gate not present -> #NP(gate); same-privilege call through a gate;
;       Vol. 2 RET: return to an inner ring -> #GP(selector);
;       Vol. 2 IRET: SS.RPL != CS.RPL, CS DPL != RPL -> #GP(selector);
;   Vol. 1 §19.5.1 / §19.5.2 (I/O privilege level, I/O permission bit map): CLI, STI,
;       IN, OUT at CPL 3 with IOPL 0 -> #GP(0); a clear bit in the TSS I/O
;       bitmap allows a port; a multi-byte access needs every bit clear;
;       Vol. 2 POPF: IF and IOPL are silently kept at CPL 3 / IOPL 0;
;   Vol. 2 LAR, LSL, VERR, VERW, ARPL: ZF and results for code, data, system
;       and gate descriptors at CPL 0 and CPL 3 (LAR's result is printed
;       masked with 00F0FF00h: bits 19:16 are not architecturally defined).

%include "boot.inc"

%define G_CALL3   0x30      ; call gate, DPL 3, -> KCODE:cg_target, 2 params
%define G_CALL0   0x38      ; call gate, DPL 0
%define G_CALLNP  0x40      ; call gate, DPL 3, not present
%define S_DPL1    0x48      ; data RW, DPL 1, flat
%define S_XO      0x50      ; code execute-only, DPL 0
%define S_CONF    0x58      ; code execute/read conforming, DPL 0
%define S_LDT     0x60      ; LDT, 1 entry
%define S_SMALL   0x68      ; data RW, DPL 3, G=1, raw limit 3 (3FFFh)
%define S_INTG    0x70      ; an interrupt gate placed in the GDT (not valid for LAR)
%define S_TASKG   0x78      ; a task gate in the GDT (valid for LAR, not LSL)

main:
    GATE gdt + G_CALL3, cg_target, KCODE, A_P | A_DPL3 | T_CALL | (2 << 8)
    GATE gdt + G_CALL0, cg_target, KCODE, A_P | A_DPL0 | T_CALL | (2 << 8)
    GATE gdt + G_CALLNP, cg_target, KCODE, A_DPL3 | T_CALL | (2 << 8)
    DESC S_DPL1, 0, 0xFFFFF, A_P | A_DPL1 | A_S | T_RW | F_G | F_DB
    DESC S_XO, 0, 0xFFFFF, A_P | A_S | T_XO | F_G | F_DB
    DESC S_CONF, 0, 0xFFFFF, A_P | A_S | T_XRC | F_G | F_DB
    DESC S_LDT, ldt_tab, 7, A_P | T_LDT
    DESC S_SMALL, 0, 3, A_P | A_DPL3 | A_S | T_RW | F_G | F_DB
    GATE gdt + S_INTG, cg_target, KCODE, A_P | A_DPL3 | T_INT
    GATE gdt + S_TASKG, 0, TSS_SEL, A_P | A_DPL3 | T_TASKG
    IDTGATE 0x40, ISR(0x40), KCODE, A_P | A_DPL3 | T_INT

    ; ---- IRET to ring 3
    mov ax, UDATA | 3
    mov fs, ax
    mov ax, KDATA
    mov gs, ax
    USER u_regs
    REPORT "iret-to-ring3"
    PF "cs", 4, [rec + 0]
    PF "ss", 4, [rec + 4]
    PF "ds", 4, [rec + 8]
    PF "es", 4, [rec + 12]
    PF "fs", 4, [rec + 16]
    PF "gs", 4, [rec + 20]
    PEQ "esp_ok", [rec + 24], user_stack_top
    PF "efl", 8, [rec + 28]
    NL

    ; ---- INT n through a DPL-3 gate: stack switch to SS0:ESP0
    mov dword [tss_main + 4], 0x9000
    USER u_int40
    mov dword [tss_main + 4], stack0_top
    REPORT "int-dpl3-gate"
    PEQ "eip_ok", [exc_eip], u_int40.after
    PF "cs", 4, [exc_cs]
    PF "efl", 8, [exc_efl]
    PF "ss", 4, [exc_ss]
    PEQ "esp_ok", [exc_esp], user_stack_top - 12
    mov eax, [exc_regs + 12]
    add eax, 16                 ; ESP right after the processor's pushes
    PF "new_esp", 8, eax
    PF "ds_in", 4, [exc_ds_in]
    NL

    ; ---- gates whose DPL is below CPL 3
    USER u_int41
    REPORT "int-dpl0-gate"
    PEQ "eip_ok", [exc_eip], u_int41
    NL
    USER u_int3
    REPORT "int3-dpl0-gate"
    NL
    USER u_int_3
    REPORT "int-3-dpl0-gate"
    NL
    USER u_into
    REPORT "into-dpl0-gate"
    NL
    USER u_icebp
    REPORT "icebp-dpl0-gate"
    PEQ "eip_ok", [exc_eip], u_icebp.after
    PF "cs", 4, [exc_cs]
    NL

    ; ---- far CALL through a call gate to ring 0, parameters copied
    mov dword [cg_count], 0
    USER u_callgate
    REPORT "callgate-ring3"
    PF "calls", 1, [cg_count]
    mov eax, [cg_cs]
    and eax, 3
    PF "cpl", 1, eax
    PF "cs", 4, [cg_cs]
    mov eax, stack0_top
    sub eax, [cg_esp]
    PF "esp0_used", 2, eax
    PEQ "ret_eip_ok", [cg_frame + 0], u_callgate.ret
    PF "ret_cs", 4, [cg_frame + 4]
    PF "p0", 8, [cg_frame + 8]
    PF "p1", 8, [cg_frame + 12]
    PEQ "esp_ok", [cg_frame + 16], user_stack_top - 8
    PF "ss", 4, [cg_frame + 20]
    NL
    P "retf-to-ring3:"
    PF "cs", 4, [rec + 0]
    PF "ds", 4, [rec + 8]
    PF "es", 4, [rec + 12]
    PF "fs", 4, [rec + 16]
    PF "gs", 4, [rec + 20]
    PEQ "esp_ok", [rec + 24], user_stack_top
    NL
    ; same privilege: no stack switch, no parameter copy
    mov dword [cg_count], 0
    push dword 0x44444444
    push dword 0x33333333
    mov [rec + 24], esp
    call G_CALL3:0
    mov [rec + 28], esp
    P "callgate-ring0:"
    PF "calls", 1, [cg_count]
    PF "cs", 4, [cg_cs]
    mov eax, [rec + 24]
    sub eax, [cg_esp]
    PF "pushed", 2, eax
    PF "ret_cs", 4, [cg_frame + 4]
    mov eax, [rec + 28]
    sub eax, [rec + 24]
    PF "popped", 2, eax
    NL
    USER u_call_dpl0
    REPORT "callgate-dpl0-from-ring3"
    NL
    USER u_call_np
    REPORT "callgate-not-present"
    NL
    USER u_retf_inner
    REPORT "retf-to-inner-ring"
    NL

    ; ---- IRET checks at CPL 0
    BEGIN
    push dword UDATA            ; RPL 0 while CS.RPL = 3
    push dword user_stack_top
    push dword 2
    push dword UCODE | 3
    push dword u_regs
    AT
    iret
    END "iret-ss-rpl-mismatch"
    NL
    BEGIN
    push dword UDATA | 3
    push dword user_stack_top
    push dword 2
    push dword KCODE | 3        ; DPL 0 code with RPL 3
    push dword u_regs
    AT
    iret
    END "iret-cs-dpl-ne-rpl"
    NL

    ; ---- I/O privilege
    mov dx, 0x3FF
    USER u_cli
    REPORT "cli-iopl0"
    NL
    USER u_sti
    REPORT "sti-iopl0"
    NL
    USER u_in
    REPORT "in-iopl0-denied"
    NL
    USER u_out
    REPORT "out-iopl0-denied"
    NL
    mov eax, 0x3FF
    btr [tss_main + 104], eax   ; allow port 3FFh (16550 scratch register)
    mov dx, 0x3FF
    mov al, 0
    out dx, al
    mov dword [rec], 0
    USER u_outin
    mov dx, 0x3FF
    in al, dx
    movzx eax, al
    mov [rec + 4], eax
    REPORT "out-in-iopb-allowed"
    PF "ring3_read", 2, [rec]
    PF "ring0_read", 2, [rec + 4]
    NL
    USER u_inw
    REPORT "inw-iopb-half-allowed"
    NL
    mov eax, 0x3FF
    bts [tss_main + 104], eax
    USER u_popf, user_stack_top, 0x202
    REPORT "popf-iopl0"
    PF "efl_before", 8, [rec]
    PF "efl_after", 8, [rec + 4]
    NL
    USER u_iopl3, user_stack_top, 0x3002
    REPORT "cli-in-iopl3"
    PF "efl", 8, [rec]
    NL

    ; ---- LAR / LSL / VERR / VERW
    mov esi, probe_sels
    mov edi, probe_rec
.probe0:
    movzx ecx, word [esi]
    cmp ecx, 0xFFFF
    je .probe0_done
    call acc_probe
    add esi, 2
    add edi, 24
    jmp .probe0
.probe0_done:
    mov dword [probe_cpl], 0
    call print_probes
    USER u_probe
    mov dword [probe_cpl], 3
    call print_probes

    ; ---- ARPL
    mov ax, 0x0010
    mov bx, 0x0023
    arpl ax, bx
    pushfd
    pop ecx
    P "arpl-raise:"
    PF "ax", 4, eax
    PBIT "zf", ecx, 6
    NL
    mov ax, 0x0013
    mov bx, 0x0021
    arpl ax, bx
    pushfd
    pop ecx
    P "arpl-keep:"
    PF "ax", 4, eax
    PBIT "zf", ecx, 6
    NL
    ret

; acc_probe: ECX = selector, EDI = 24-byte record (works at any CPL; DS flat)
acc_probe:
    push eax
    xor eax, eax
    mov [edi + 0], eax
    mov [edi + 8], eax
    mov [edi + 16], eax
    mov [edi + 20], eax
    mov eax, 0xdeadbeef
    lar eax, ecx
    setz [edi + 0]
    mov [edi + 4], eax
    mov eax, 0xdeadbeef
    lsl eax, ecx
    setz [edi + 8]
    mov [edi + 12], eax
    verr cx
    setz [edi + 16]
    verw cx
    setz [edi + 20]
    pop eax
    ret

print_probes:
    mov esi, probe_sels
    mov edi, probe_rec
.next:
    movzx ecx, word [esi]
    cmp ecx, 0xFFFF
    je .done
    P "probe-cpl"
    PX 1, [probe_cpl]
    P "-"
    PX 4, ecx
    P ":"
    PF "lar", 1, [edi + 0]
    mov eax, [edi + 4]
    cmp dword [edi + 0], 0
    je .rawlar
    and eax, 0x00F0FF00
.rawlar:
    PF "ar", 8, eax
    PF "lsl", 1, [edi + 8]
    PF "lim", 8, [edi + 12]
    PF "verr", 1, [edi + 16]
    PF "verw", 1, [edi + 20]
    NL
    add esi, 2
    add edi, 24
    jmp .next
.done:
    ret

; call-gate target (ring 0, or the caller's ring when called from ring 0)
cg_target:
    mov ax, KDATA
    mov ds, ax
    mov gs, ax
    inc dword [cg_count]
    mov eax, cs
    mov [cg_cs], eax
    mov [cg_esp], esp
    mov ecx, 6
    xor ebx, ebx
.copy:
    mov eax, [esp + ebx * 4]
    mov [cg_frame + ebx * 4], eax
    inc ebx
    loop .copy
    retf 8

; ---------------------------------------------------------------- ring 3

u_regs:
    mov eax, ds
    mov ebx, es
    mov ecx, fs
    mov edx, gs
    mov si, UDATA | 3
    mov ds, si
    mov [rec + 8], eax
    mov [rec + 12], ebx
    mov [rec + 16], ecx
    mov [rec + 20], edx
    mov eax, cs
    mov [rec + 0], eax
    mov eax, ss
    mov [rec + 4], eax
    mov [rec + 24], esp
    pushfd
    pop dword [rec + 28]
    int 0x30

u_int40:
    mov ax, UDATA | 3
    mov ds, ax
    push dword 1
    push dword 2
    push dword 3
    int 0x40
.after:
    int 0x30

u_int41:
    int 0x41
u_int3:
    int3
u_int_3:
    int 3
u_into:
    mov al, 0x7F
    add al, 1               ; OF = 1
    into
    int 0x30
u_icebp:
    db 0xF1                 ; INT1 / ICEBP
.after:
    int 0x30

u_callgate:
    mov ax, UDATA | 3
    mov ds, ax
    mov es, ax
    mov fs, ax
    push dword 0x22222222
    push dword 0x11111111
    call G_CALL3 | 3:0
.ret:
    mov eax, ds
    mov ebx, es
    mov ecx, fs
    mov edx, gs
    mov si, UDATA | 3
    mov ds, si
    mov [rec + 8], eax
    mov [rec + 12], ebx
    mov [rec + 16], ecx
    mov [rec + 20], edx
    mov eax, cs
    mov [rec + 0], eax
    mov [rec + 24], esp
    int 0x30

u_call_dpl0:
    call G_CALL0 | 3:0
    int 0x30
u_call_np:
    call G_CALLNP | 3:0
    int 0x30
u_retf_inner:
    push dword KCODE
    push dword u_retf_inner
    retf

u_cli:
    cli
    int 0x30
u_sti:
    sti
    int 0x30
u_in:
    in al, dx
    int 0x30
u_out:
    out dx, al
    int 0x30
u_outin:
    mov ax, UDATA | 3
    mov ds, ax
    mov dx, 0x3FF
    mov al, 0x5A
    out dx, al
    mov al, 0
    in al, dx
    movzx eax, al
    mov [rec], eax
    int 0x30
u_inw:
    mov dx, 0x3FF
    in ax, dx
    int 0x30
u_popf:
    mov ax, UDATA | 3
    mov ds, ax
    pushfd
    pop eax
    mov [rec], eax
    and eax, ~EFL_IF
    or eax, EFL_IOPL3
    push eax
    popfd
    pushfd
    pop dword [rec + 4]
    int 0x30
u_iopl3:
    mov ax, UDATA | 3
    mov ds, ax
    cli
    mov dx, 0x3FF
    in al, dx
    pushfd
    pop dword [rec]
    int 0x30

u_probe:
    mov ax, UDATA | 3
    mov ds, ax
    mov esi, probe_sels
    mov edi, probe_rec
.next:
    movzx ecx, word [esi]
    cmp ecx, 0xFFFF
    je .done
    or ecx, 3
    call acc_probe
    add esi, 2
    add edi, 24
    jmp .next
.done:
    int 0x30

section .data
probe_sels:
    dw 0x0000, KCODE, KDATA, UCODE, UDATA, TSS_SEL, G_CALL3, S_DPL1, S_XO
    dw S_CONF, S_LDT, S_SMALL, S_INTG, S_TASKG, GDT_ENTRIES * 8, 0x0004
    dw 0xFFFF

section .bss
alignb 8
ldt_tab:    resq 1
rec:        resd 16
cg_count:   resd 1
cg_cs:      resd 1
cg_esp:     resd 1
cg_frame:   resd 8
probe_cpl:  resd 1
probe_rec:  resb 24 * 20
