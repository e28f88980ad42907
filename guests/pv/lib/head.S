/* Entry, hypercall page and Xen ELF notes of the ringone PV test kernels. */
#ifndef CONFIG_PAE
#error CONFIG_PAE must be 0 or 1
#endif

#define ELFNOTE(type, kind, value)          \
    .pushsection .note.Xen, "", @note;      \
    .align 4;                               \
    .long 2f - 1f; .long 4f - 3f; .long type; \
1:  .asciz "Xen";                           \
2:  .align 4;                               \
3:  kind value;                             \
4:  .align 4;                               \
    .popsection

    ELFNOTE(6, .asciz, "ringone-pv-tests")      /* GUEST_OS */
    ELFNOTE(7, .asciz, "1")                     /* GUEST_VERSION */
    ELFNOTE(5, .asciz, "xen-3.0")               /* XEN_VERSION */
    ELFNOTE(8, .asciz, "generic")               /* LOADER */
#ifndef VIRT_BASE
#define VIRT_BASE 0
#endif
    ELFNOTE(3, .long, VIRT_BASE)                /* VIRT_BASE */
    ELFNOTE(4, .long, VIRT_BASE)                /* PADDR_OFFSET: p_paddr == p_vaddr */
    ELFNOTE(1, .long, _start)                   /* ENTRY */
    ELFNOTE(2, .long, hypercall_page)           /* HYPERCALL_PAGE */
#if CONFIG_PAE
    ELFNOTE(10, .asciz, "!writable_page_tables|pae_pgdir_above_4gb") /* FEATURES */
    ELFNOTE(9, .asciz, "yes")                   /* PAE_MODE */
#else
    ELFNOTE(10, .asciz, "!writable_page_tables")
    ELFNOTE(9, .asciz, "no")
#endif
#ifdef MOD_START_PFN
    ELFNOTE(16, .long, 1)                       /* MOD_START_PFN */
#endif

    .section .text.head, "ax"
    .globl _start
_start:
    /* Record the entry state for the tests. */
    mov %eax, entry_regs + 0
    mov %ecx, entry_regs + 4
    mov %edx, entry_regs + 8
    mov %ebx, entry_regs + 12
    mov %esp, entry_regs + 16
    mov %ebp, entry_regs + 20
    mov %esi, entry_regs + 24
    mov %edi, entry_regs + 28
    pushf
    popl entry_eflags
    movw %cs, entry_cs
    movw %ss, entry_ss
    movw %ds, entry_ds
    movw %es, entry_es
    movw %fs, entry_fs
    movw %gs, entry_gs
    mov %esi, start_info
    mov $stack_top, %esp
    call test_main
    call test_done

/* long hypercall(nr, a1..a5): through the hypercall page. */
    .text
    .globl hypercall
hypercall:
    push %ebp
    mov %esp, %ebp
    push %ebx
    push %esi
    push %edi
    mov 8(%ebp), %eax
    mov 12(%ebp), %ebx
    mov 16(%ebp), %ecx
    mov 20(%ebp), %edx
    mov 24(%ebp), %esi
    mov 28(%ebp), %edi
    shl $5, %eax
    add $hypercall_page, %eax
    call *%eax
    pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    ret

/* long hypercall_raw(nr, a1..a5): int $0x82 with any number in EAX. */
    .globl hypercall_raw
hypercall_raw:
    push %ebp
    mov %esp, %ebp
    push %ebx
    push %esi
    push %edi
    mov 8(%ebp), %eax
    mov 12(%ebp), %ebx
    mov 16(%ebp), %ecx
    mov 20(%ebp), %edx
    mov 24(%ebp), %esi
    mov 28(%ebp), %edi
    int $0x82
    pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    ret

/* long hypercall_regs(nr, u32 regs[5]): EBX..EDI from regs, written back after the call. */
    .globl hypercall_regs
hypercall_regs:
    push %ebp
    mov %esp, %ebp
    push %ebx
    push %esi
    push %edi
    mov 12(%ebp), %eax
    mov 0(%eax), %ebx
    mov 4(%eax), %ecx
    mov 8(%eax), %edx
    mov 12(%eax), %esi
    mov 16(%eax), %edi
    mov 8(%ebp), %eax
    shl $5, %eax
    add $hypercall_page, %eax
    call *%eax
    push %eax
    mov 12(%ebp), %eax
    mov %ebx, 0(%eax)
    mov %ecx, 4(%eax)
    mov %edx, 8(%eax)
    mov %esi, 12(%eax)
    mov %edi, 16(%eax)
    pop %eax
    pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    ret

/* The hypercall page: poisoned with `ret` so an unfilled page is detectable. */
    .section .text.hypercall_page, "ax"
    .align 4096
    .globl hypercall_page
hypercall_page:
    .fill 4096, 1, 0xc3

    .data
    .globl start_info, entry_regs, entry_eflags, entry_cs, entry_ss, entry_ds, entry_es, entry_fs, entry_gs
    .align 4
start_info: .long 0
entry_regs: .fill 8, 4, 0
entry_eflags: .long 0
entry_cs: .long 0
entry_ss: .long 0
entry_ds: .long 0
entry_es: .long 0
entry_fs: .long 0
entry_gs: .long 0

    .bss
    .align 16
stack: .skip 16384
stack_top:
