; Local APIC: presence (CPUID.1:EDX bit 9) and base MSR; virtual-wire mode (LINT0 ExtINT) keeping
; the PIT's IRQ 0 flowing with the APIC enabled; self-IPIs and TPR masking; the APIC timer
; calibrated against the PIT (100 Hz): a periodic timer set to 10 ms must give 50 +- 1 interrupts
; in 50 PIT periods, a one-shot exactly one, a masked timer none. With the APIC hidden
; (ringone --no-apic, or a CPU without one) it says so and only checks the PIT path.
%include "lib.inc"

%define APIC 0xfee00000

section .text
main:
    mov eax, 0x20
    mov ebx, irq0
    call set_gate
    mov eax, 0x40
    mov ebx, apic_timer
    call set_gate
    mov eax, 0x50
    mov ebx, ipi50
    call set_gate
    mov eax, 0xff
    mov ebx, spurious
    call set_gate
    ; PIT 100 Hz on IRQ 0
    mov al, 0x34
    out 0x43, al
    mov al, 11932 & 0xff
    out 0x40, al
    mov al, 11932 >> 8
    out 0x40, al
    mov al, 0xfa
    out 0x21, al
    mov eax, 1
    cpuid
    test edx, 1 << 9
    jnz .present
    P "apic: absent"
    call newline
    sti
    mov eax, 10
    call wait_pit
    cli
    PNUM "pit irqs without apic >= 10", 1
    ret
.present:
    P "apic: present"
    call newline
    mov ecx, 0x1b
    rdmsr
    P "apic base msr: "
    mov ebx, eax
    shr eax, 24
    call puthex2
    mov eax, ebx
    shr eax, 16
    call puthex2
    mov eax, ebx
    shr eax, 8
    call puthex2
    mov eax, ebx
    call puthex2
    call newline
    ; software enable (spurious vector 0xFF), LINT0 = ExtINT (virtual wire), TPR 0
    mov dword [APIC + 0xf0], 0x1ff
    mov dword [APIC + 0x350], 0x700
    mov dword [APIC + 0x80], 0
    sti
    mov eax, 10
    call wait_pit
    PNUM "pit irqs through lint0 >= 10", 1
    ; self-IPI
    mov dword [APIC + 0x300], 0x40050
    nop
    nop
    PNUM "self-ipi delivered", [ipi_count]
    ; TPR above the vector's class blocks it; lowering TPR releases it
    mov dword [APIC + 0x80], 0x50
    mov dword [APIC + 0x300], 0x40050
    nop
    nop
    PNUM "self-ipi with tpr 0x50", [ipi_count]
    mov dword [APIC + 0x80], 0x00
    nop
    nop
    PNUM "self-ipi after tpr 0", [ipi_count]
    ; calibrate: divide by 16, masked one-shot from 0xFFFFFFFF over 10 PIT periods
    mov dword [APIC + 0x3e0], 0x3
    mov dword [APIC + 0x320], 0x10040
    mov eax, 1
    call wait_pit           ; align to a PIT edge
    mov dword [APIC + 0x380], 0xffffffff
    mov eax, 10
    call wait_pit
    mov eax, [APIC + 0x390]
    not eax                 ; elapsed = 0xFFFFFFFF - current
    xor edx, edx
    mov ecx, 10
    div ecx
    mov [per_tick], eax     ; APIC counts per 10 ms
    ; periodic at 10 ms: count interrupts over 50 PIT periods
    mov dword [APIC + 0x380], 0
    mov dword [timer_count], 0
    mov dword [APIC + 0x320], 0x20040
    mov eax, [per_tick]
    mov [APIC + 0x380], eax
    mov eax, 50
    call wait_pit
    mov eax, [timer_count]
    mov dword [APIC + 0x380], 0
    cmp eax, 49
    jb .bad
    cmp eax, 51
    ja .bad
    PNUM "apic periodic irqs in 50 pit periods within 49..51", 1
    jmp .oneshot
.bad:
    PNUM "apic periodic irqs in 50 pit periods out of range", eax
.oneshot:
    mov dword [timer_count], 0
    mov dword [APIC + 0x320], 0x00040
    mov eax, [per_tick]
    shl eax, 1
    mov [APIC + 0x380], eax
    mov eax, 10
    call wait_pit
    PNUM "apic one-shot irqs", [timer_count]
    PNUM "apic one-shot current count", [APIC + 0x390]
    mov dword [timer_count], 0
    mov dword [APIC + 0x320], 0x10040
    mov eax, [per_tick]
    mov [APIC + 0x380], eax
    mov eax, 5
    call wait_pit
    PNUM "apic masked timer irqs", [timer_count]
    mov eax, [APIC + 0x110]   ; ISR 0x20-0x3F
    or eax, [APIC + 0x120]    ; ISR 0x40-0x5F
    PNUM "apic isr after eoi", eax
    cli
    ret

wait_pit:                   ; EAX = PIT periods to wait (interrupts on)
    add eax, [pit_ticks]
.w: hlt
    cmp [pit_ticks], eax
    jb .w
    ret

irq0:
    inc dword [pit_ticks]
    call pic_eoi_master
    iret

apic_timer:
    inc dword [timer_count]
    mov dword [APIC + 0xb0], 0
    iret

ipi50:
    inc dword [ipi_count]
    mov dword [APIC + 0xb0], 0
    iret

spurious:
    iret

section .data
pit_ticks: dd 0
timer_count: dd 0
ipi_count: dd 0
per_tick: dd 0
