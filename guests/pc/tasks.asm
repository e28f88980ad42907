; tasks: hardware task switching.
;
; Behaviour under test (Intel SDM Vol. 3A chapter 7 and the JMP, CALL, IRET
; and INT pages of Vol. 2):
;   §7.3 task switch steps: the current state is saved in the old TSS
;       (general registers, segment selectors, EFLAGS, EIP of the next
;       instruction), the new state loaded (LDTR before the segment
;       registers, so an LDT selector in FS works), CR0.TS set;
;   §7.3 / §7.4 / Table 7-2: JMP clears the old task's busy flag and leaves
;       no back link and NT=0; CALL through a task gate and INT through an
;       IDT task gate set NT and the back link and keep the old task busy;
;       IRET with NT=1 returns to the back-link task, clears the busy flag of
;       the task it leaves and clears NT in that task's saved EFLAGS image;
;   §7.2.2 / Table 7-1 and the JMP/CALL/IRET pages: a TSS limit below 67h
;       (#TS(sel)), a not-present TSS (#NP(sel)), JMP/CALL to a busy TSS and
;       CALL through a task gate to a busy TSS (#GP(TSS sel)), IRET with NT=1
;       to a back link that is not busy (#TS(sel)), a TSS with DPL < CPL
;       (#GP(sel)), an invalid LDT selector in the new TSS (#TS(LDT sel),
;       raised after the commit point, in the context of the new task);
;   §7.2.1 / Vol. 3B §18.2.3: the T (debug trap) flag in a TSS raises #DB
;       with DR6.BT after the switch, before the new task's first instruction.

%include "boot.inc"

%define TSS_A     0x30
%define TSS_B     0x38
%define G_TASK_B  0x40          ; task gate -> TSS_B
%define TSS_SMALL 0x48          ; limit 60h
%define TSS_NP    0x50          ; not present
%define LDT_A     0x58          ; LDT used by task A
%define TSS_C     0x60          ; T flag set
%define TSS_D     0x68          ; bad LDT selector
%define G_TASK_M  0x70          ; task gate -> the main TSS (busy)
%define TSS_TS    0x78          ; #TS handler task

main:
    ; task A: entered with JMP, has an LDT, FS = an LDT selector
    mov edi, tss_a
    mov eax, task_a
    mov ebx, stack_a_top
    call init_tss
    mov dword [tss_a + 0x28], 0xA0A0A0A0        ; EAX
    mov dword [tss_a + 0x34], 0xA1A1A1A1        ; EBX
    mov dword [tss_a + 0x40], 0xA2A2A2A2        ; ESI
    mov dword [tss_a + 0x58], 0x0004            ; FS: LDT entry 0
    mov dword [tss_a + 0x60], LDT_A             ; LDT
    DESC_AT ldt_a, 0, 0xFFFFF, A_P | A_S | T_RW | F_G | F_DB
    DESC LDT_A, ldt_a, 7, A_P | T_LDT
    DESC TSS_A, tss_a, 103, A_P | T_TSS
    ; task B: entered through a task gate (CALL, INT)
    mov edi, tss_b
    mov eax, task_b
    mov ebx, stack_b_top
    call init_tss
    DESC TSS_B, tss_b, 103, A_P | T_TSS
    GATE gdt + G_TASK_B, 0, TSS_B, A_P | A_DPL0 | T_TASKG
    IDTGATE 0x70, 0, TSS_B, A_P | A_DPL0 | T_TASKG
    ; invalid ones
    DESC TSS_SMALL, tss_b, 0x60, A_P | T_TSS
    DESC TSS_NP, tss_b, 103, T_TSS
    GATE gdt + G_TASK_M, 0, TSS_SEL, A_P | A_DPL0 | T_TASKG
    ; task C: T flag
    mov edi, tss_c
    mov eax, task_c
    mov ebx, stack_c_top
    call init_tss
    mov word [tss_c + 0x64], 1
    DESC TSS_C, tss_c, 103, A_P | T_TSS
    ; task D: LDT field holds a data-segment selector
    mov edi, tss_d
    mov eax, task_c
    mov ebx, stack_c_top
    call init_tss
    mov dword [tss_d + 0x60], KDATA
    DESC TSS_D, tss_d, 103, A_P | T_TSS
    ; the #TS handler task
    mov edi, tss_ts
    mov eax, ts_task
    mov ebx, stack_ts_top
    call init_tss
    DESC TSS_TS, tss_ts, 103, A_P | T_TSS
    mov dword [rc_ran], 0

    ; ---- JMP to a TSS descriptor
    clts
    mov ax, UDATA
    mov fs, ax
    xor eax, eax
    mov gs, ax
    mov [main_esp], esp
    push dword 0x8D7
    popfd
    mov eax, 0x11111111
    mov ecx, 0x22222222
    mov edx, 0x33333333
    mov ebx, 0x44444444
    mov ebp, 0x55555555
    mov esi, 0x66666666
    mov edi, 0x77777777
    jmp TSS_A:0
.after_jmp:
    pushfd
    pop dword [rec_m + 0]
    mov [rec_m + 4], eax
    mov [rec_m + 8], ecx
    mov [rec_m + 12], edx
    mov [rec_m + 16], ebx
    mov [rec_m + 20], ebp
    mov [rec_m + 24], esi
    mov [rec_m + 28], edi
    mov [rec_m + 32], esp
    push dword 2
    popfd
    P "tss-jmp:"
    PF "tr", 4, [ra_tr]
    PF "ldtr", 4, [ra_ldtr]
    PBIT "nt", [ra_efl], 14
    PF "backlink", 4, [ra_link]
    PF "type_main", 1, [ra_type_main]
    PF "type_a", 1, [ra_type_a]
    PBIT "cr0_ts", [ra_cr0], 3
    NL
    P "task-a-entry:"
    PF "eax", 8, [ra_regs + 0]
    PF "ebx", 8, [ra_regs + 4]
    PF "esi", 8, [ra_regs + 8]
    PEQ "esp_ok", [ra_regs + 12], stack_a_top
    PF "cs", 4, [ra_seg + 0]
    PF "ss", 4, [ra_seg + 4]
    PF "ds", 4, [ra_seg + 8]
    PF "fs", 4, [ra_seg + 12]
    PF "efl", 8, [ra_efl]
    NL
    P "old-tss-saved:"
    PEQ "eip_ok", [ra_saved + 0x20], main.after_jmp
    PF "efl", 8, [ra_saved + 0x24]
    PF "eax", 8, [ra_saved + 0x28]
    PF "ecx", 8, [ra_saved + 0x2C]
    PF "ebx", 8, [ra_saved + 0x34]
    PEQ "esp_ok", [ra_saved + 0x38], [main_esp]
    PF "edi", 8, [ra_saved + 0x44]
    PF "fs", 4, [ra_saved + 0x58]
    PF "gs", 4, [ra_saved + 0x5C]
    NL
    P "tss-jmp-back:"
    str ax
    movzx eax, ax
    PF "tr", 4, eax
    movzx eax, byte [gdt + TSS_SEL + 5]
    and eax, 0xF
    PF "type_main", 1, eax
    movzx eax, byte [gdt + TSS_A + 5]
    and eax, 0xF
    PF "type_a", 1, eax
    PF "efl", 8, [rec_m + 0]
    PF "eax", 8, [rec_m + 4]
    PF "edi", 8, [rec_m + 28]
    PEQ "esp_ok", [rec_m + 32], [main_esp]
    mov eax, cr0
    PBIT "cr0_ts", eax, 3
    NL
    mov ax, KDATA
    mov fs, ax
    mov gs, ax

    ; ---- CALL through a task gate, IRET back
    clts
    mov dword [rb_count], 0
    mov eax, 0x12121212
    call G_TASK_B:0
    mov [rec_m + 4], eax
    pushfd
    pop dword [rec_m]
    P "task-gate-call:"
    PF "count", 1, [rb_count]
    PF "tr", 4, [rb_tr]
    PBIT "nt", [rb_efl], 14
    PF "backlink", 4, [rb_link]
    PF "type_main", 1, [rb_type_main]
    PF "type_b", 1, [rb_type_b]
    NL
    P "task-iret-back:"
    PBIT "nt", [rec_m], 14
    PF "eax", 8, [rec_m + 4]
    movzx eax, byte [gdt + TSS_B + 5]
    and eax, 0xF
    PF "type_b", 1, eax
    movzx eax, byte [gdt + TSS_SEL + 5]
    and eax, 0xF
    PF "type_main", 1, eax
    PBIT "b_saved_nt", [tss_b + 0x24], 14
    mov eax, cr0
    PBIT "cr0_ts", eax, 3
    NL
    ; INT n through an IDT task gate
    int 0x70
    P "task-int-gate:"
    PF "count", 1, [rb_count]
    PBIT "nt", [rb_efl], 14
    PF "backlink", 4, [rb_link]
    movzx eax, byte [gdt + TSS_B + 5]
    and eax, 0xF
    PF "type_b_after", 1, eax
    NL

    ; ---- invalid switches
    EXPECT "jmp-tss-limit-small", jmp TSS_SMALL:0
    EXPECT "jmp-tss-not-present", jmp TSS_NP:0
    EXPECT "jmp-busy-tss", jmp TSS_SEL:0
    EXPECT "call-busy-tss", call TSS_SEL:0
    EXPECT "call-gate-to-busy-tss", call G_TASK_M:0
    mov word [tss_main], TSS_A                  ; back link to an available TSS
    BEGIN
    pushfd
    or dword [esp], EFL_NT
    popfd
    AT
    iret
    END "iret-nt-link-not-busy"
    NL
    mov word [tss_main], 0
    BEGIN
    pushfd
    or dword [esp], EFL_NT
    popfd
    AT
    iret
    END "iret-nt-link-null"
    NL
    USER u_jmp_tss
    REPORT "user-jmp-tss-dpl0"
    NL

    ; ---- invalid LDT in the new TSS: #TS after the commit point, in the
    ; context of the new task, whose segment registers may be unusable: the
    ; #TS handler is a task (IDT task gate), as the SDM recommends (§6.15)
    IDTGATE 10, 0, TSS_TS, A_P | A_DPL0 | T_TASKG
    mov dword [ts_count], 0
    mov [recov_esp], esp
    jmp TSS_D:0
.bad_ldt_back:
    IDTGATE 10, ISR(10), KCODE, A_P | A_DPL0 | T_INT
    P "tss-bad-ldt:"
    PF "count", 1, [ts_count]
    PF "err", 4, [ts_err]
    PF "ts_tr", 4, [ts_tr]
    PF "ts_backlink", 4, [ts_link]
    PEQ "d_eip_is_entry", [ts_old_eip], task_c
    PF "ran", 1, [rc_ran]
    NL
    str ax
    movzx eax, ax
    P "tss-bad-ldt-back:"
    PF "tr", 4, eax
    movzx eax, byte [gdt + TSS_D + 5]
    and eax, 0xF
    PF "type_d", 1, eax
    movzx eax, byte [gdt + TSS_TS + 5]
    and eax, 0xF
    PF "type_ts", 1, eax
    NL

    ; ---- T flag: #DB after the switch, in the new task
    xor eax, eax
    mov dr6, eax
    mov dword [rc_ran], 0
    TRY .tbit_rec
    call TSS_C:0
    jmp .tbit_done
.tbit_rec:
    DISARM
    str ax
    movzx eax, ax
    mov [rec_m], eax
    pushfd
    or dword [esp], EFL_NT
    popfd
    iret                                        ; back to the main task
.tbit_done:
    P "tss-t-flag:"
    call print_vec_err
    PEQ "eip_is_new_task", [exc_eip], task_c
    PF "tr_in_handler", 4, [rec_m]
    PF "dr6", 8, [exc_dr6]
    PF "task_ran", 1, [rc_ran]
    NL
    ret

; init_tss: EDI = TSS, EAX = EIP, EBX = ESP; flat ring-0 segments
init_tss:
    push eax
    mov [edi + 0x20], eax
    mov [edi + 0x38], ebx
    mov dword [edi + 0x24], 2
    mov dword [edi + 0x48], KDATA
    mov dword [edi + 0x4C], KCODE
    mov dword [edi + 0x50], KDATA
    mov dword [edi + 0x54], KDATA
    mov dword [edi + 0x58], KDATA
    mov dword [edi + 0x5C], KDATA
    mov eax, cr3
    mov [edi + 0x1C], eax
    mov word [edi + 0x66], 104
    pop eax
    ret

task_a:
    mov [ra_regs + 0], eax
    mov [ra_regs + 4], ebx
    mov [ra_regs + 8], esi
    mov [ra_regs + 12], esp
    pushfd
    pop dword [ra_efl]
    mov eax, cs
    mov [ra_seg + 0], eax
    mov eax, ss
    mov [ra_seg + 4], eax
    mov eax, ds
    mov [ra_seg + 8], eax
    mov eax, fs
    mov [ra_seg + 12], eax
    str ax
    movzx eax, ax
    mov [ra_tr], eax
    sldt ax
    movzx eax, ax
    mov [ra_ldtr], eax
    movzx eax, word [tss_a]
    mov [ra_link], eax
    movzx eax, byte [gdt + TSS_SEL + 5]
    and eax, 0xF
    mov [ra_type_main], eax
    movzx eax, byte [gdt + TSS_A + 5]
    and eax, 0xF
    mov [ra_type_a], eax
    mov eax, cr0
    mov [ra_cr0], eax
    mov esi, tss_main
    mov edi, ra_saved
    mov ecx, 26
    rep movsd
    jmp TSS_SEL:0
    jmp task_a

task_b:
    inc dword [rb_count]
    pushfd
    pop dword [rb_efl]
    str ax
    movzx eax, ax
    mov [rb_tr], eax
    movzx eax, word [tss_b]
    mov [rb_link], eax
    movzx eax, byte [gdt + TSS_SEL + 5]
    and eax, 0xF
    mov [rb_type_main], eax
    movzx eax, byte [gdt + TSS_B + 5]
    and eax, 0xF
    mov [rb_type_b], eax
    iret
    jmp task_b

task_c:
    mov dword [rc_ran], 1
    int 0x30

; #TS handler task: record, then JMP back to the main task (which the JMP
; to task D left available) at main.bad_ldt_back
ts_task:
    pop dword [ts_err]
    inc dword [ts_count]
    str ax
    movzx eax, ax
    mov [ts_tr], eax
    movzx eax, word [tss_ts]
    mov [ts_link], eax
    mov eax, [tss_d + 0x20]
    mov [ts_old_eip], eax
    mov dword [tss_main + 0x20], main.bad_ldt_back
    mov eax, [recov_esp]
    mov [tss_main + 0x38], eax
    mov dword [tss_main + 0x24], 2
    jmp TSS_SEL:0
    jmp ts_task

u_jmp_tss:
    jmp TSS_A:0

section .bss
alignb 16
tss_a:      resb 104
tss_b:      resb 104
tss_c:      resb 104
tss_d:      resb 104
tss_ts:     resb 104
alignb 8
ldt_a:      resq 1
alignb 16
            resb 2048
stack_a_top:
            resb 64
            resb 2048
stack_b_top:
            resb 64
            resb 2048
stack_c_top:
            resb 64
            resb 2048
stack_ts_top:
            resb 64
ts_count:   resd 1
ts_err:     resd 1
ts_tr:      resd 1
ts_link:    resd 1
ts_old_eip: resd 1
main_esp:   resd 1
rec_m:      resd 12
ra_regs:    resd 4
ra_seg:     resd 4
ra_efl:     resd 1
ra_tr:      resd 1
ra_ldtr:    resd 1
ra_link:    resd 1
ra_type_main: resd 1
ra_type_a:  resd 1
ra_cr0:     resd 1
ra_saved:   resd 26
rb_count:   resd 1
rb_efl:     resd 1
rb_tr:      resd 1
rb_link:    resd 1
rb_type_main: resd 1
rb_type_b:  resd 1
rc_ran:     resd 1
