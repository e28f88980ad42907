; PIT + PIC + RTC: IRQ 0 at 100 Hz (8254 channel 0, mode 2, divisor 11932) and the RTC's
; update-ended and 1024 Hz periodic interrupts on IRQ 8, counted over one RTC second (between two
; update-ended interrupts); then the UIP -> UF sequence by polling, the RTC date, and the 8254
; read-back status of channel 0. Values printed are fixed by the devices' rules: 100 PIT periods
; of 10.0001 ms per second give 99 or 100 interrupts depending on phase; the RTC periodic
; interrupt is phase-locked to the update cycle, so exactly 1024.
%include "lib.inc"

section .text
main:
    mov eax, 0x20
    mov ebx, irq0
    call set_gate
    mov eax, 0x28
    mov ebx, irq8
    call set_gate
    ; PIT channel 0: LSB/MSB, mode 2, binary; 11932 -> 100.0 Hz
    mov al, 0x34
    out 0x43, al
    mov al, 11932 & 0xff
    out 0x40, al
    mov al, 11932 >> 8
    out 0x40, al
    ; RTC: 32.768 kHz time base, 1024 Hz periodic; B = PIE | UIE | 24h (BCD)
    mov al, 0x0a
    out 0x70, al
    mov al, 0x26
    out 0x71, al
    mov al, 0x0b
    out 0x70, al
    mov al, 0x52
    out 0x71, al
    mov al, 0x0c
    out 0x70, al
    in al, 0x71
    ; unmask IRQ 0, 2 (cascade) and 8
    mov al, 0xfa
    out 0x21, al
    mov al, 0xfe
    out 0xa1, al
    sti
.wait:
    hlt
    cmp dword [uf_count], 2
    jb .wait
    cli
    mov eax, [pit_end]
    sub eax, [pit_start]
    cmp eax, 99
    jb .bad
    cmp eax, 100
    ja .bad
    P "pit irqs per rtc second in 99..100: 1"
    call newline
    jmp .pf
.bad:
    PNUM "pit irqs per rtc second out of range", eax
.pf:
    mov eax, [pf_end]
    sub eax, [pf_start]
    PNUM "rtc periodic irqs per second", eax
    ; Wait for the next update-ended interrupt and then 98 PIT periods (980 ms), so that polling
    ; for UIP below takes a few milliseconds instead of a second.
    sti
.w3:
    hlt
    cmp dword [uf_count], 3
    jb .w3
    mov eax, [pit_ticks]
    add eax, 98
.w98:
    hlt
    cmp [pit_ticks], eax
    jb .w98
    cli
    ; stop the RTC interrupts, then watch UIP go high and low and UF follow by polling
    mov al, 0x0b
    out 0x70, al
    mov al, 0x02
    out 0x71, al
    mov al, 0x0c
    out 0x70, al
    in al, 0x71
.uip1:
    mov al, 0x0a
    out 0x70, al
    in al, 0x71
    test al, 0x80
    jz .uip1
    mov al, 0x0c
    out 0x70, al
    in al, 0x71
    mov bl, al              ; C while UIP is high: no UF yet
.uip0:
    mov al, 0x0a
    out 0x70, al
    in al, 0x71
    test al, 0x80
    jnz .uip0
    mov al, 0x0c
    out 0x70, al
    in al, 0x71
    mov bh, al              ; C after UIP fell: UF set
    P "rtc C during UIP: "
    mov al, bl
    and al, 0x10
    call puthex2
    call newline
    P "rtc C after UIP: "
    mov al, bh
    and al, 0x10
    call puthex2
    call newline
    ; the date (BCD)
    P "rtc date: "
    mov al, 0x32
    call cmos
    call puthex2
    mov al, 0x09
    call cmos
    call puthex2
    mov al, '-'
    call putc
    mov al, 0x08
    call cmos
    call puthex2
    mov al, '-'
    call putc
    mov al, 0x07
    call cmos
    call puthex2
    call newline
    P "rtc register D: "
    mov al, 0x0d
    call cmos
    call puthex2
    call newline
    ; 8254 read-back: status of channel 0 (OUT, null count, RW=3, mode 2, binary)
    mov al, 0xe2
    out 0x43, al
    in al, 0x40
    and al, 0x7f            ; OUT depends on the phase
    P "pit ch0 status: "
    call puthex2
    call newline
    ; channel 2 in mode 0 with the gate on port 0x61 (Linux's calibration): OUT2 rises after N+1 clocks
    in al, 0x61
    and al, 0xfc
    or al, 0x01
    out 0x61, al
    mov al, 0xb0
    out 0x43, al
    mov al, 0xff
    out 0x42, al
    mov al, 0x00
    out 0x42, al            ; N = 255
    in al, 0x61
    and al, 0x20
    P "port 61 OUT2 after load: "
    call puthex2
    call newline
    mov ecx, 1000000
.out2:
    in al, 0x61
    test al, 0x20
    jnz .out2done
    loop .out2
.out2done:
    P "port 61 OUT2 at terminal count: "
    and al, 0x20
    call puthex2
    call newline
    ret

cmos:                       ; AL = index -> AL = value
    out 0x70, al
    in al, 0x71
    ret

irq0:
    inc dword [pit_ticks]
    call pic_eoi_master
    iret

irq8:
    push eax
    mov al, 0x0c
    out 0x70, al
    in al, 0x71
    test al, 0x40
    jz .nopf
    inc dword [pf_count]
.nopf:
    test al, 0x10
    jz .done
    inc dword [uf_count]
    push ebx
    mov ebx, [pit_ticks]
    mov eax, [pf_count]
    cmp dword [uf_count], 1
    jne .second
    mov [pit_start], ebx
    mov [pf_start], eax
    jmp .snap
.second:
    cmp dword [uf_count], 2
    jne .snap
    mov [pit_end], ebx
    mov [pf_end], eax
.snap:
    pop ebx
.done:
    call pic_eoi_slave
    pop eax
    iret

section .data
pit_ticks: dd 0
pf_count: dd 0
uf_count: dd 0
pit_start: dd 0
pit_end: dd 0
pf_start: dd 0
pf_end: dd 0
