; exceptions: exception and interrupt delivery.
;
; Behaviour under test (Intel SDM):
;   Vol. 3A §6.15 (exception reference) and the instruction pages of Vol. 2:
;       #DE from DIV/IDIV (divide by zero, quotient overflow, INT_MIN / -1,
;       8-bit), #UD (UD2, UD0, LOCK on a non-lockable instruction or a
;       register operand, MOV CS, CMPXCHG8B with a register operand),
;       #BR (BOUND), #OF (INTO; a trap: EIP after INTO), #BP (INT3 and
;       INT 3; traps), #NM (CR0.TS, CR0.EM, WAIT with CR0.MP), #MF (unmasked
;       x87 exception with CR0.NE=1, reported by the next waiting
;       instruction), #AC (CR0.AM, EFLAGS.AC, CPL 3);
;   §6.5 fault vs trap (saved EIP), §6.6 restartability: a faulting
;       instruction leaves memory, registers and flags unchanged (ADD to
;       memory, POP to memory, indirect CALL), REP string instructions stop
;       with ECX/EDI pointing at the faulting iteration;
;   §6.10 / §6.11 / §6.13: IDT gate not present -> #NP(vector*8+2), vector
;       beyond the IDT limit or a bad gate type -> #GP(vector*8+2); the EXT bit
;       of the error code (set while delivering a hardware exception such as
;       #UD or INT1, clear for INT n / INT3 / INTO);
;   §6.12.1.3 interrupt gates clear IF, trap gates do not;
;   §6.15 "#DF" and Table 6-5: a contributory fault while delivering a
;       contributory fault, and a page fault while delivering a page fault,
;       give #DF (error code 0), delivered here through a task gate (§7.3)
;       so that it runs on a fresh stack;
;   Vol. 3B §18.2 / §18.3 debug registers: single-step trap (EFLAGS.TF; the
;       trap is taken after the instruction that follows the POPF that set
;       TF), DR6.BS/B0/B1/BD, execute breakpoints (faults), data write
;       breakpoints (traps), DR7.GD general detect.

%include "boot.inc"

%define S_CODE_NP 0x30          ; ring-0 code segment, not present
%define TSS_DF    0x38          ; TSS of the double-fault task

%define PG_P    0x001
%define PG_W    0x002
%define PG_U    0x004
%define NP_PAGE 0x400000        ; not-present page

main:
    DESC S_CODE_NP, 0, 0xFFFFF, A_S | T_XR | F_G | F_DB
    call setup_paging

    ; ---- divide errors
    BEGIN
    mov eax, 0x1234
    xor edx, edx
    xor ecx, ecx
    AT
    div ecx
    END "de-div-zero"
    PF "eax", 8, [exc_regs + 28]
    NL
    BEGIN
    mov eax, 0
    mov edx, 1
    mov ecx, 1
    AT
    div ecx
    END "de-div-overflow"
    NL
    BEGIN
    mov eax, 0x80000000
    cdq
    mov ecx, -1
    AT
    idiv ecx
    END "de-idiv-intmin"
    NL
    BEGIN
    mov ax, -128
    mov cl, -1
    AT
    idiv cl
    END "de-idiv8-overflow"
    NL
    BEGIN
    mov eax, -7
    cdq
    mov ecx, 2
    AT
    idiv ecx
    mov [rec], eax
    mov [rec + 4], edx
    END "idiv-ok"
    PF "q", 8, [rec]
    PF "r", 8, [rec + 4]
    NL

    ; ---- invalid opcodes
    EXPECT "ud-ud2", ud2
    EXPECT "ud-ud0", db 0x0F, 0xFF, 0xC0
    EXPECT "ud-lock-nop", db 0xF0, 0x90
    EXPECT "ud-lock-add-reg", db 0xF0, 0x01, 0xD8
    EXPECT "ud-mov-cs", db 0x8E, 0xC8
    EXPECT "ud-cmpxchg8b-reg", db 0x0F, 0xC7, 0xC8
    EXPECT "lock-add-mem", lock add [rec], eax

    ; ---- BOUND, INTO, INT3
    mov dword [rec], 10
    mov dword [rec + 4], 20
    BEGIN
    mov eax, 25
    AT
    bound eax, [rec]
    END "br-bound-above"
    NL
    BEGIN
    mov eax, 9
    AT
    bound eax, [rec]
    END "br-bound-below"
    NL
    BEGIN
    mov eax, 20
    AT
    bound eax, [rec]
    END "bound-in-range"
    NL
    BEGIN
    mov al, 0x7F
    add al, 1
    into
.after_into:
    ENDX "of-into"
    PEQ "eip_after", [exc_eip], .after_into
    NL
    BEGIN
    mov al, 1
    add al, 1
    into
    ENDX "into-no-of"
    NL
    BEGIN
    int3
.after_int3:
    ENDX "bp-int3"
    PEQ "eip_after", [exc_eip], .after_int3
    NL
    BEGIN
    int 3
.after_int_3:
    ENDX "bp-int-3"
    PEQ "eip_after", [exc_eip], .after_int_3
    NL
    BEGIN
    int 0x77
.after_int77:
    ENDX "int-77"
    PEQ "eip_after", [exc_eip], .after_int77
    NL

    ; ---- IDT problems
    IDTGATE 0x50, ISR(0x50), KCODE, A_DPL0 | T_INT           ; not present
    EXPECT "np-idt-gate", int 0x50
    IDTGATE 0x52, ISR(0x52), KCODE, A_P | A_DPL0 | T_CALL    ; not an interrupt/trap/task gate
    EXPECT "gp-idt-bad-type", int 0x52
    IDTGATE 0x53, ISR(0x53), S_CODE_NP, A_P | A_DPL0 | T_INT
    EXPECT "np-gate-cs-int-n", int 0x53
    IDTGATE 0x54, ISR(0x54), 0, A_P | A_DPL0 | T_INT
    EXPECT "gp-gate-cs-null", int 0x54
    mov word [idtr], 0x51 * 8 - 1
    lidt [idtr]
    EXPECT "gp-idt-limit", int 0x51
    mov word [idtr], 256 * 8 - 1
    lidt [idtr]
    IDTGATE 6, ISR(6), S_CODE_NP, A_P | A_DPL0 | T_INT
    EXPECT "np-gate-cs-ud-ext", ud2
    IDTGATE 6, ISR(6), KCODE, A_P | A_DPL0 | T_INT
    IDTGATE 3, ISR(3), S_CODE_NP, A_P | A_DPL0 | T_INT
    EXPECT "np-gate-cs-int3", int3
    IDTGATE 3, ISR(3), KCODE, A_P | A_DPL0 | T_INT
    IDTGATE 4, ISR(4), S_CODE_NP, A_P | A_DPL0 | T_INT
    BEGIN
    mov al, 0x7F
    add al, 1
    AT
    into
    END "np-gate-cs-into"
    NL
    IDTGATE 4, ISR(4), KCODE, A_P | A_DPL0 | T_INT
    IDTGATE 1, ISR(1), S_CODE_NP, A_P | A_DPL0 | T_INT
    EXPECT "np-gate-cs-int1", db 0xF1
    IDTGATE 1, ISR(1), KCODE, A_P | A_DPL0 | T_INT

    ; ---- interrupt gate vs trap gate
    IDTGATE 0x60, ISR(0x60), KCODE, A_P | A_DPL0 | T_INT
    IDTGATE 0x61, ISR(0x61), KCODE, A_P | A_DPL0 | T_TRAP
    sti
    TRY_IRET
    int 0x60
    cli
    P "int-gate:"
    PF "vec", 2, [exc_vec]
    PBIT "if_in_handler", [exc_hflags], 9
    PBIT "if_pushed", [exc_efl], 9
    NL
    sti
    TRY_IRET
    int 0x61
    pushfd
    pop dword [rec]
    cli
    P "trap-gate:"
    PF "vec", 2, [exc_vec]
    PBIT "if_in_handler", [exc_hflags], 9
    PBIT "if_pushed", [exc_efl], 9
    PBIT "if_after_iret", [rec], 9
    NL

    ; ---- restartability
    mov dword [NP_PAGE - 4], 0x44332211
    BEGIN
    mov eax, 0x01010101
    push dword 0x8D7            ; CF PF AF ZF SF OF
    popfd
    AT
    add [NP_PAGE - 2], eax
    END "pf-add-mem-restart"
    PF "cr2", 8, [exc_cr2]
    PF "mem", 8, [NP_PAGE - 4]
    mov eax, [exc_efl]
    and eax, 0x8D5
    PF "flags", 3, eax
    PF "eax", 8, [exc_regs + 28]
    NL
    BEGIN
    push dword 0x5A5A5A5A
    mov [rec], esp
    AT
    pop dword [NP_PAGE]
    END "pf-pop-mem-restart"
    mov eax, [exc_regs + 12]
    add eax, 28                 ; ESP at the fault
    PEQ "esp_ok", eax, [rec]
    NL
    BEGIN
    mov [rec], esp
    AT
    call [NP_PAGE + 8]
    END "pf-call-indirect-restart"
    PF "cr2", 8, [exc_cr2]
    mov eax, [exc_regs + 12]
    add eax, 28
    PEQ "esp_ok", eax, [rec]
    NL
    BEGIN
    mov edi, NP_PAGE - 8
    mov ecx, 4
    mov eax, 0x77777777
    AT
    rep stosd
    END "pf-rep-stosd"
    PF "ecx", 8, [exc_regs + 24]
    PF "edi", 8, [exc_regs + 0]
    PF "mem", 8, [NP_PAGE - 4]
    NL

    ; ---- debug: single step
    mov dword [step_n], 0
    IDTGATE 1, db_step, KCODE, A_P | A_DPL0 | T_INT
    xor eax, eax
    mov dr6, eax
    pushfd
    or dword [esp], EFL_TF
    popfd
.s1:
    nop
.s2:
    mov eax, 1
.s3:
    add eax, 2
step_end:
    nop
    IDTGATE 1, ISR(1), KCODE, A_P | A_DPL0 | T_INT
    P "single-step:"
    PF "count", 1, [step_n]
    PEQ "eip1_ok", [step_eips], main.s2
    PEQ "eip2_ok", [step_eips + 4], main.s3
    PEQ "eip3_ok", [step_eips + 8], step_end
    PF "dr6", 8, [step_dr6]
    NL

    ; ---- debug: breakpoints
    xor eax, eax
    mov dr6, eax
    mov eax, .bp_exec
    mov dr0, eax
    mov eax, 0x00000001         ; L0, execute, 1 byte
    mov dr7, eax
    BEGIN
    nop
.bp_exec:
    nop
    ENDX "db-exec-breakpoint"
    PEQ "eip_ok", [exc_eip], .bp_exec
    PF "dr6", 8, [exc_dr6]
    NL
    xor eax, eax
    mov dr7, eax
    mov dr6, eax
    mov eax, rec + 8
    mov dr1, eax
    mov eax, 0x00D00004         ; L1, write, 4 bytes
    mov dr7, eax
    BEGIN
    mov eax, [rec + 8]
    ENDX "db-data-read-no-trap"
    NL
    BEGIN
    mov dword [rec + 8], 0xABCDEF01
.after_write:
    ENDX "db-data-write"
    PEQ "eip_after", [exc_eip], .after_write
    PF "dr6", 8, [exc_dr6]
    PF "val", 8, [rec + 8]
    NL
    xor eax, eax
    mov dr7, eax
    mov dr6, eax
    mov eax, 0x00002000         ; GD
    mov dr7, eax
    BEGIN
    AT
    mov eax, dr0
    END "db-general-detect"
    PF "dr6", 8, [exc_dr6]
    mov eax, dr7
    PBIT "gd_after", eax, 13
    NL
    xor eax, eax
    mov dr7, eax
    mov dr6, eax

    ; ---- x87 device-not-available and floating-point error
    mov eax, cr0
    and eax, ~0xE               ; MP EM TS off
    or eax, 0x20                ; NE
    mov cr0, eax
    fninit
    mov eax, cr0
    or eax, 8                   ; TS
    mov cr0, eax
    EXPECT "nm-ts-fnop", fnop
    EXPECT "wait-ts-mp0", fwait
    mov eax, cr0
    or eax, 2                   ; MP
    mov cr0, eax
    EXPECT "nm-ts-mp-wait", fwait
    clts
    EXPECT "fnop-after-clts", fnop
    mov eax, cr0
    or eax, 4                   ; EM
    mov cr0, eax
    EXPECT "nm-em-fld1", fld1
    mov eax, cr0
    and eax, ~0xE
    mov cr0, eax
    fninit
    mov word [rec], 0x037B      ; all masked but ZM
    fldcw [rec]
    BEGIN
    fld1
    fldz
    fdivp st1, st0
    mov dword [rec + 4], 1
    AT
    fwait
    END "mf-zero-divide"
    fnstsw ax
    and eax, 0xFF
    PF "fsw_low", 2, eax
    PF "reached", 1, [rec + 4]
    NL
    fninit

    ; ---- alignment check
    mov eax, cr0
    or eax, 1 << 18             ; AM
    mov cr0, eax
    USER u_aligned, user_stack_top, 0x40002
    REPORT "ac-aligned"
    NL
    USER u_misaligned, user_stack_top, 0x40002
    REPORT "ac-misaligned"
    NL
    USER u_misaligned, user_stack_top, 0x2
    REPORT "ac-flag-clear"
    NL
    mov eax, cr0
    and eax, ~(1 << 18)
    mov cr0, eax

    ; ---- double faults, through a task gate
    call setup_df_task
    IDTGATE 0, ISR(0), KCODE, A_DPL0 | T_INT                 ; #DE gate not present
    mov dword [df_count], 0
    BEGIN
    xor edx, edx
    xor ecx, ecx
.df_div:
    div ecx
    ENDX "df-de-then-np"
    call print_df
    PEQ "old_eip_ok", [df_old_eip], .df_div
    NL
    IDTGATE 0, ISR(0), KCODE, A_P | A_DPL0 | T_INT
    BEGIN
    mov esp, NP_PAGE + 0x10
    mov eax, [NP_PAGE + 0x100]
    ENDX "df-pf-then-pf"
    call print_df
    PF "old_esp", 8, [df_old_esp]
    NL
    ret

print_df:
    PF "count", 1, [df_count]
    PF "err", 4, [df_err]
    PF "tr", 4, [df_tr]
    PBIT "nt", [df_efl], 14
    PF "backlink", 4, [df_link]
    mov eax, [df_main_type]
    and eax, 0x0F
    PF "main_type", 1, eax
    str ax
    movzx eax, ax
    PF "tr_now", 4, eax
    ret

setup_paging:
    xor ebx, ebx
.fill:
    mov eax, ebx
    shl eax, 12
    or eax, PG_P | PG_W | PG_U
    mov [pt0 + ebx * 4], eax
    add eax, 0x400000
    mov [pt1 + ebx * 4], eax
    inc ebx
    cmp ebx, 1024
    jb .fill
    mov dword [pt1], 0                          ; 400000: not present
    mov dword [pd], pt0 + (PG_P | PG_W | PG_U)
    mov dword [pd + 4], pt1 + (PG_P | PG_W | PG_U)
    mov eax, pd
    mov cr3, eax
    mov [tss_main + 0x1C], eax                  ; CR3 field of the main TSS
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    jmp .on
.on:
    ret

setup_df_task:
    mov dword [tss_df + 0x1C], pd               ; CR3
    mov dword [tss_df + 0x20], df_task          ; EIP
    mov dword [tss_df + 0x24], 2                ; EFLAGS
    mov dword [tss_df + 0x38], df_stack_top     ; ESP
    mov dword [tss_df + 0x48], KDATA            ; ES
    mov dword [tss_df + 0x4C], KCODE            ; CS
    mov dword [tss_df + 0x50], KDATA            ; SS
    mov dword [tss_df + 0x54], KDATA            ; DS
    mov dword [tss_df + 0x58], KDATA            ; FS
    mov dword [tss_df + 0x5C], KDATA            ; GS
    mov word [tss_df + 0x66], 104               ; no I/O bitmap
    DESC TSS_DF, tss_df, 103, A_P | T_TSS
    IDTGATE 8, 0, TSS_DF, A_P | A_DPL0 | T_TASKG
    ret

; the double-fault task: record, then return to the interrupted task with
; IRET (NT=1) after pointing its saved EIP/ESP at the recovery address
df_task:
    pop eax
    mov [df_err], eax
    pushfd
    pop dword [df_efl]
    str ax
    movzx eax, ax
    mov [df_tr], eax
    movzx eax, word [tss_df]
    mov [df_link], eax
    mov eax, [tss_main + 0x20]
    mov [df_old_eip], eax
    mov eax, [tss_main + 0x38]
    mov [df_old_esp], eax
    movzx eax, byte [gdt + TSS_SEL + 5]
    mov [df_main_type], eax
    inc dword [df_count]
    mov eax, [recov_eip]
    mov [tss_main + 0x20], eax
    mov eax, [recov_esp]
    mov [tss_main + 0x38], eax
    mov dword [recov_eip], 0
    iret
    jmp df_task

; single-step handler: log EIP and DR6, stop stepping at step_end
db_step:
    push eax
    push ebx
    mov eax, [esp + 8]
    mov ebx, [step_n]
    mov [step_eips + ebx * 4], eax
    inc dword [step_n]
    mov ebx, dr6
    cmp dword [step_n], 1
    jne .notfirst
    mov [step_dr6], ebx
.notfirst:
    xor ebx, ebx
    mov dr6, ebx
    cmp eax, step_end
    jne .cont
    and dword [esp + 16], ~EFL_TF
.cont:
    cmp dword [step_n], 8
    jb .ok
    and dword [esp + 16], ~EFL_TF
.ok:
    pop ebx
    pop eax
    iret

; ---------------------------------------------------------------- ring 3
u_aligned:
    mov ax, UDATA | 3
    mov ds, ax
    mov eax, [rec + 8]
    int 0x30
u_misaligned:
    mov ax, UDATA | 3
    mov ds, ax
    mov eax, [rec + 9]
    int 0x30

section .bss
alignb 4096
pd:         resd 1024
pt0:        resd 1024
pt1:        resd 1024
alignb 16
tss_df:     resb 104
alignb 16
            resb 4096
df_stack_top:
            resb 64
rec:        resd 8
step_n:     resd 1
step_eips:  resd 8
step_dr6:   resd 1
df_count:   resd 1
df_err:     resd 1
df_efl:     resd 1
df_tr:      resd 1
df_link:    resd 1
df_old_eip: resd 1
df_old_esp: resd 1
df_main_type: resd 1
