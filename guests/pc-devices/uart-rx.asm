; 16550A receive interrupts: the host sends a line on COM1 (stdin); the kernel takes IRQ 4 for
; received data (non-FIFO mode, so no byte already waiting is lost to a FIFO reset), collects the
; line up to the newline and prints it; then checks FIFO mode (IIR bits 7:6), LSR when idle, and
; loopback (a transmitted byte comes back; MSR mirrors MCR).
%include "lib.inc"

section .text
main:
    mov eax, 0x24
    mov ebx, irq4
    call set_gate
    mov dx, COM1 + 4
    mov al, 0x0b            ; DTR RTS OUT2 (the IRQ gate)
    out dx, al
    mov dx, COM1 + 1
    mov al, 0x01            ; received data available
    out dx, al
    mov al, 0xeb            ; unmask IRQ 4 (and the cascade)
    out 0x21, al
    sti
.wait:
    hlt
    cmp byte [got_nl], 0
    je .wait
    cli
    P "uart rx: "
    mov esi, buf
    call puts
    call newline
    mov eax, [irqs]
    test eax, eax
    setnz al
    movzx eax, al
    PNUM "uart rx irqs > 0", eax
    ; FIFO mode: IIR bits 7:6
    mov dx, COM1 + 1
    xor al, al
    out dx, al
    mov dx, COM1 + 2
    mov al, 0x07
    out dx, al
    in al, dx
    and al, 0xc0
    P "iir fifo bits: "
    call puthex2
    call newline
    mov dx, COM1 + 5
    in al, dx
    P "lsr idle: "
    call puthex2
    call newline
    ; loopback
    mov dx, COM1 + 4
    mov al, 0x1f            ; loop + DTR RTS OUT1 OUT2
    out dx, al
    mov dx, COM1 + 6
    in al, dx
    mov bl, al
    mov dx, COM1
    mov al, 0x5a
    out dx, al
    mov dx, COM1 + 5
    mov ecx, 100000
.lp:
    in al, dx
    test al, 1
    jnz .got
    loop .lp
.got:
    mov dx, COM1
    in al, dx
    mov bh, al
    mov dx, COM1 + 4
    mov al, 0x03
    out dx, al
    P "loopback byte: "
    mov al, bh
    call puthex2
    call newline
    P "loopback msr lines: "
    mov al, bl
    shr al, 4
    call puthex2
    call newline
    ret

irq4:
    pushad
    inc dword [irqs]
.more:
    mov dx, COM1 + 5
    in al, dx
    test al, 1
    jz .done
    mov dx, COM1
    in al, dx
    cmp al, 10
    je .nl
    cmp al, 13
    je .more
    mov ebx, [len]
    cmp ebx, 60
    jae .more
    mov [buf + ebx], al
    inc dword [len]
    jmp .more
.nl:
    mov byte [got_nl], 1
    jmp .more
.done:
    call pic_eoi_master
    popad
    iret

section .data
irqs: dd 0
len: dd 0
got_nl: db 0
buf: times 64 db 0
