/*
 * stub.S - register load/save trampoline for the native oracle (runner.c).
 *
 * One source for both builds: the x86-64 part runs 32-bit-semantics cases in
 * 64-bit mode (x86run64), the i386 part runs under qemu-i386 (x86run32).
 *
 * Shared state lives in C globals (runner.c):
 *   rt_in_regs[8]   u32 eax ecx edx ebx esp ebp esi edi   (case input)
 *   rt_in_flags     u32 case EFLAGS (only 0xcd5 = CF PF AF ZF SF DF OF used)
 *   rt_out_regs[8]  u32 registers at the epilogue
 *   rt_out_flags    u32 pushf image at the epilogue
 *   rt_code_ptr     address of the case code (a slot in the code area)
 *   rt_saved_sp     C stack pointer while a case runs
 *   rt_saved_flags  the runner's own EFLAGS (DF=0, AC=0, TF=0), captured at start
 *   rt_saved_seg[5] u16 ds es fs gs ss selectors, captured at start
 *   rt_fsbase/rt_gsbase, rt_have_fsgsbase, rt_fix_fsgs   (64-bit only)
 *   rt_mxcsr, rt_have_sse
 *
 * rt_run():          load the case state and jump to the case code.
 * rt_return:         the case code ends with a jump here; saves the state,
 *                    restores the C environment and returns from rt_run().
 * rt_restore_env():  restore segment registers (+ FS/GS bases on x86-64) and the
 *                    runner's EFLAGS; called from the epilogue and first thing
 *                    in the signal handler.
 */

#define ARITH_DF_MASK   0xcd5           /* CF PF AF ZF SF DF OF */
#define CLEAR_MASK      0xdd5           /* the above plus TF */

        .text

#ifdef __x86_64__

        .globl  rt_run
        .type   rt_run, @function
rt_run:
        push    %rbx
        push    %rbp
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        mov     %rsp, rt_saved_sp(%rip)

        /* ---- x87 / SSE prologue: known state for every case.
         * EXTENSION POINT (x87 protocol): load FPU state here (frstor/fxrstor)
         * instead of / after fninit. */
        fninit
        ldmxcsr rt_mxcsr(%rip)

        /* ---- flags: runner's flags with CF PF AF ZF SF DF OF from the case */
        pushfq
        andl    $~CLEAR_MASK, (%rsp)
        movl    rt_in_flags(%rip), %eax
        andl    $ARITH_DF_MASK, %eax
        orl     %eax, (%rsp)
        popfq

        /* ---- GPRs (32-bit loads zero-extend into the 64-bit registers) */
        movl    rt_in_regs+0(%rip), %eax
        movl    rt_in_regs+4(%rip), %ecx
        movl    rt_in_regs+8(%rip), %edx
        movl    rt_in_regs+12(%rip), %ebx
        movl    rt_in_regs+20(%rip), %ebp
        movl    rt_in_regs+24(%rip), %esi
        movl    rt_in_regs+28(%rip), %edi
        movl    rt_in_regs+16(%rip), %esp       /* RSP = zero-extended case ESP */
        jmp     *rt_code_ptr(%rip)
        .size   rt_run, .-rt_run

        .globl  rt_return
        .type   rt_return, @function
rt_return:
        /* no flag-modifying instruction before pushfq */
        movl    %eax, rt_out_regs+0(%rip)
        movl    %ecx, rt_out_regs+4(%rip)
        movl    %edx, rt_out_regs+8(%rip)
        movl    %ebx, rt_out_regs+12(%rip)
        movl    %esp, rt_out_regs+16(%rip)
        movl    %ebp, rt_out_regs+20(%rip)
        movl    %esi, rt_out_regs+24(%rip)
        movl    %edi, rt_out_regs+28(%rip)
        mov     rt_saved_sp(%rip), %rsp
        pushfq
        popq    %rax
        movl    %eax, rt_out_flags(%rip)
        /* EXTENSION POINT (x87 protocol): fnsave/fxsave the case FPU state here. */
        call    rt_restore_env                  /* also DF=0, AC=0 */
        fninit
        ldmxcsr rt_mxcsr(%rip)
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbp
        pop     %rbx
        ret
        .size   rt_return, .-rt_return

        /* Clobbers rax rcx rdx rsi rdi r11 (all caller-saved). */
        .globl  rt_restore_env
        .type   rt_restore_env, @function
rt_restore_env:
        mov     rt_saved_seg+0(%rip), %ds
        mov     rt_saved_seg+2(%rip), %es
        mov     rt_saved_seg+8(%rip), %ss
        /* FS/GS only when the case may have touched them (rt_fix_fsgs, set by
         * a byte scan of CODE, and always on the signal path): on Intel even
         * reloading a null selector zeroes the base, and glibc's TLS lives at
         * FS base, so the bases have to be put back (wrfsbase or arch_prctl). */
        cmpl    $0, rt_fix_fsgs(%rip)
        je      2f
        mov     rt_saved_seg+4(%rip), %fs
        mov     rt_saved_seg+6(%rip), %gs
        cmpl    $0, rt_have_fsgsbase(%rip)
        je      1f
        mov     rt_fsbase(%rip), %rax
        wrfsbase %rax
        mov     rt_gsbase(%rip), %rax
        wrgsbase %rax
        jmp     2f
1:      mov     $158, %eax                      /* SYS_arch_prctl */
        mov     $0x1002, %edi                   /* ARCH_SET_FS */
        mov     rt_fsbase(%rip), %rsi
        syscall
        mov     $158, %eax
        mov     $0x1001, %edi                   /* ARCH_SET_GS */
        mov     rt_gsbase(%rip), %rsi
        syscall
2:      pushq   rt_saved_flags(%rip)
        popfq
        cld
        ret
        .size   rt_restore_env, .-rt_restore_env

#else /* i386 */

        .globl  rt_run
        .type   rt_run, @function
rt_run:
        push    %ebp
        push    %ebx
        push    %esi
        push    %edi
        mov     %esp, rt_saved_sp

        /* ---- x87 / SSE prologue.  EXTENSION POINT (x87 protocol): see x86-64. */
        fninit
        cmpl    $0, rt_have_sse
        je      1f
        ldmxcsr rt_mxcsr
1:
        pushfl
        andl    $~CLEAR_MASK, (%esp)
        movl    rt_in_flags, %eax
        andl    $ARITH_DF_MASK, %eax
        orl     %eax, (%esp)
        popfl

        movl    rt_in_regs+0, %eax
        movl    rt_in_regs+4, %ecx
        movl    rt_in_regs+8, %edx
        movl    rt_in_regs+12, %ebx
        movl    rt_in_regs+20, %ebp
        movl    rt_in_regs+24, %esi
        movl    rt_in_regs+28, %edi
        movl    rt_in_regs+16, %esp             /* the case's stack */
        jmp     *rt_code_ptr
        .size   rt_run, .-rt_run

        .globl  rt_return
        .type   rt_return, @function
rt_return:
        /* The case may have loaded SS/DS with another (valid) selector, e.g. a
         * TLS descriptor with a non-zero base: reload them through CS before
         * the first data access.  Segment loads do not touch GPRs or flags. */
        mov     %cs:rt_saved_seg+8, %ss
        mov     %cs:rt_saved_seg+0, %ds
        movl    %eax, rt_out_regs+0
        movl    %ecx, rt_out_regs+4
        movl    %edx, rt_out_regs+8
        movl    %ebx, rt_out_regs+12
        movl    %esp, rt_out_regs+16
        movl    %ebp, rt_out_regs+20
        movl    %esi, rt_out_regs+24
        movl    %edi, rt_out_regs+28
        movl    rt_saved_sp, %esp
        pushfl
        popl    rt_out_flags
        /* EXTENSION POINT (x87 protocol): fnsave/fxsave the case FPU state here. */
        call    rt_restore_env                  /* ES FS GS (glibc TLS), DF=0, AC=0 */
        fninit
        cmpl    $0, rt_have_sse
        je      1f
        ldmxcsr rt_mxcsr
1:
        pop     %edi
        pop     %esi
        pop     %ebx
        pop     %ebp
        ret
        .size   rt_return, .-rt_return

        .globl  rt_restore_env
        .type   rt_restore_env, @function
rt_restore_env:
        mov     %cs:rt_saved_seg+8, %ss
        mov     %cs:rt_saved_seg+0, %ds
        mov     rt_saved_seg+2, %es
        mov     rt_saved_seg+4, %fs
        mov     rt_saved_seg+6, %gs
        pushl   rt_saved_flags
        popfl
        cld
        ret
        .size   rt_restore_env, .-rt_restore_env

#endif

        .section .note.GNU-stack,"",@progbits
