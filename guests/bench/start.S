/* Multiboot entry for our benchmark kernels (guests/bench, and the native build of guests/pvbench): header, a 64 KiB stack, call kmain(magic, info), halt. */
    .section .multiboot, "a"
    .align 4
    .long 0x1BADB002
    .long 0x00000003
    .long -(0x1BADB002 + 0x00000003)

    .text
    .globl _start
_start:
    mov $stack_top, %esp
    push %ebx
    push %eax
    call kmain
1:  cli
    hlt
    jmp 1b

    .bss
    .align 16
    .space 65536
stack_top:
    .section .note.GNU-stack, "", @progbits
