; realmode: leave protected mode for real-address mode and come back.
;
; Behaviour under test (Intel SDM):
;   Vol. 3A §9.9.2 switching back to real-address mode (far jump to a 16-bit
;       code segment with limit FFFFh, data segments with limit FFFFh, LIDT
;       of a real-mode IVT, clear CR0.PE, far jump to a real-mode CS); the
;       hidden segment limits set in protected mode stay in force after the
;       switch (an FS loaded with a 4-GiB limit can still be used with a
;       32-bit address: "unreal" use);
;   Vol. 3A §20.1.4 / Vol. 2 INT n (REAL-ADDRESS-MODE): interrupts go through
;       the IVT at 0, pushing FLAGS, CS, IP (no error code) and clearing IF;
;       IRET pops them;
;   Vol. 2 MOV "Real-Address Mode Exceptions" / Vol. 3A §20.1.3: an operand
;       beyond offset FFFFh (a word at FFFFh, a dword at FFFDh, a 32-bit
;       address 10000h) raises #GP (vector 13) for DS and #SS (vector 12)
;       for SS-based addressing; UD2 raises #UD (vector 6);
;   Vol. 3A §9.9.1 switching to protected mode (set CR0.PE, far jump).
; Results are recorded in low memory while in real mode and printed after
; returning to protected mode.

%include "boot.inc"

%define RM_BASE  0x8000         ; the 16-bit code is copied here (CS = 0800h)
%define RM_SEG   0x0800
%define S_CODE16 0x30           ; 16-bit code, base 8000h, limit FFFFh
%define S_DATA16 0x38           ; 16-bit data, base 0, limit FFFFh
%define RES      0x500          ; results (real-mode DS = 0)
%define SLOT_PTR 0x5F0
%define SAVED_SP 0x5F2
%define RECOVER  0x5F4

%define R(x) ((x) - rm_blob)

main:
    mov esi, rm_blob
    mov edi, RM_BASE
    mov ecx, rm_end - rm_blob
    rep movsb
    mov edi, RES
    mov ecx, 0x100 / 4
    mov eax, 0xFFFFFFFF
    rep stosd
    mov word [0x12350], 0xBEEF
    DESC S_CODE16, RM_BASE, 0xFFFF, A_P | A_S | T_XR
    DESC S_DATA16, 0, 0xFFFF, A_P | A_S | T_RW
    mov [pm_esp], esp
    mov ax, KDATA
    mov fs, ax                  ; FS keeps a 4-GiB limit in real mode
    jmp S_CODE16:R(rm_entry)

pm_back:
    mov ax, KDATA
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov esp, [pm_esp]
    lidt [idtr]
    mov eax, cr0
    mov ebx, cs
    P "pm-back:"
    PBIT "cr0_pe", eax, 0
    PF "cs", 4, ebx
    NL
    P "rm-entered:"
    PBIT "msw_pe", [RES + 0x44], 0
    PF "cs", 4, [RES + 0x46]
    NL
    P "rm-seg-1234:"
    PF "val", 4, [RES + 0x0C]
    NL
    P "rm-int40:"
    movzx eax, word [RES + 0x00]
    PEQ "ip_ok", eax, R(rm_entry.after_int)
    PF "cs", 4, [RES + 0x02]
    PF "flags", 4, [RES + 0x04]
    PF "flags_in", 4, [RES + 0x06]
    PF "sp_in", 4, [RES + 0x08]
    PF "sp_after", 4, [RES + 0x0A]
    NL
    mov esi, fault_names
    mov edi, RES + 0x10
    mov ebx, fault_ips
.faults:
    cmp byte [esi], 0
    je .faults_done
    call puts
    P ":"
    movzx eax, word [edi]
    cmp eax, 0xFFFF
    jne .some
    P " vec=--"
    jmp .next
.some:
    PF "vec", 2, eax
    movzx eax, word [edi + 2]
    movzx ecx, word [ebx]
    PEQ "ip_ok", eax, ecx
    PF "cs", 4, [edi + 4]
    PF "flags", 4, [edi + 6]
.next:
    NL
.skip:
    lodsb
    test al, al
    jnz .skip
    add edi, 8
    add ebx, 2
    jmp .faults
.faults_done:
    P "rm-unreal-fs:"
    PF "val", 8, [RES + 0x40]
    NL
    ret

section .rodata
fault_names:
    db "rm-ds-word-at-ffff", 0
    db "rm-ss-word-at-ffff", 0
    db "rm-ds-byte-at-ffff", 0
    db "rm-ds-dword-at-fffd", 0
    db "rm-addr32-10000", 0
    db "rm-ud2", 0
    db 0
align 2
fault_ips:
    dw R(rm_t0), R(rm_t1), R(rm_t2), R(rm_t3), R(rm_t4), R(rm_t5)

section .text

; RMTEST n -- arm the real-mode fault handler for result slot n; the
; instruction after RMAT is expected to fault; RMEND marks the recovery point
%macro RMTEST 1
    %push rmtest
    mov word [SLOT_PTR], RES + 0x10 + (%1) * 8
    mov [SAVED_SP], sp
    mov word [RECOVER], R(%$rec)
%endmacro
%macro RMEND 0
%$rec:
    xor ax, ax
    mov ds, ax
    %pop
%endmacro

; ---------------------------------------------------------------- 16-bit code
bits 16
rm_blob:
rm_entry:                       ; 16-bit protected mode, CS base 8000h
    mov ax, S_DATA16
    mov ds, ax
    mov es, ax
    mov gs, ax
    mov ss, ax
    lidt [cs:R(rm_idtr)]
    mov eax, cr0
    and eax, ~1
    mov cr0, eax
    jmp RM_SEG:R(.real)
.real:                          ; real-address mode
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7000
    smsw [RES + 0x44]
    mov [RES + 0x46], cs
    ; IVT entries
    mov word [0x40 * 4], R(rm_int40)
    mov word [0x40 * 4 + 2], RM_SEG
    mov word [6 * 4], R(rm_ud)
    mov word [6 * 4 + 2], RM_SEG
    mov word [12 * 4], R(rm_ss)
    mov word [12 * 4 + 2], RM_SEG
    mov word [13 * 4], R(rm_gp)
    mov word [13 * 4 + 2], RM_SEG
    ; segment arithmetic
    mov ax, 0x1234
    mov ds, ax
    mov ax, [0x0010]
    xor bx, bx
    mov ds, bx
    mov [RES + 0x0C], ax
    ; INT n through the IVT
    push word 0x0202
    popf
    int 0x40
.after_int:
    mov [RES + 0x0A], sp
    cli
    ; limit checks
    RMTEST 0
rm_t0:
    mov ax, [0xFFFF]
    RMEND
    RMTEST 1
    mov bp, 0xFFFF
rm_t1:
    mov ax, [bp]
    RMEND
    RMTEST 2
rm_t2:
    mov al, [0xFFFF]
    RMEND
    RMTEST 3
rm_t3:
    mov eax, [0xFFFD]
    RMEND
    RMTEST 4
rm_t4:
    mov ax, [dword 0x10000]
    RMEND
    RMTEST 5
rm_t5:
    ud2
    RMEND
    ; FS still has the 4-GiB limit loaded in protected mode
    mov eax, [fs:dword 0x100000]
    mov [RES + 0x40], eax
    ; back to protected mode
    cli
    mov eax, cr0
    or eax, 1
    mov cr0, eax
    jmp dword KCODE:pm_back

rm_int40:
    push bp
    push ax
    push ds
    xor ax, ax
    mov ds, ax
    mov bp, sp
    mov ax, [bp + 6]
    mov [RES + 0x00], ax
    mov ax, [bp + 8]
    mov [RES + 0x02], ax
    mov ax, [bp + 10]
    mov [RES + 0x04], ax
    pushf
    pop word [RES + 0x06]
    lea ax, [bp + 6]
    mov [RES + 0x08], ax
    pop ds
    pop ax
    pop bp
    iret

rm_ud:
    push word 6
    jmp rm_fault
rm_ss:
    push word 12
    jmp rm_fault
rm_gp:
    push word 13
rm_fault:
    xor ax, ax
    mov ds, ax
    mov bp, sp
    mov di, [SLOT_PTR]
    mov ax, [bp]
    mov [di], ax
    mov ax, [bp + 2]
    mov [di + 2], ax
    mov ax, [bp + 4]
    mov [di + 4], ax
    mov ax, [bp + 6]
    mov [di + 6], ax
    mov sp, [SAVED_SP]
    jmp word [RECOVER]

align 4
rm_idtr:
    dw 0x3FF
    dd 0
rm_end:
bits 32

section .bss
pm_esp:     resd 1
