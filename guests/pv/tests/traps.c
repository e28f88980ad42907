/* Exceptions bounced through the virtual IDT (spec 5.4, 5.8, 6.1, 6.2): the exact frame for each
 * vector (error code, EIP, CS with the saved upcall mask in bits 23:16, EFLAGS with the virtual IF),
 * #PF with CR2 in vcpu_info, #NM after fpu_taskswitch, #BP/#OF as traps, #DB single-step with DR6,
 * the interrupt-gate flag, int n through the DPL check, set_trap_table semantics and errors. */
#define PVTRAPS_IMPL
#include "pvtraps.h"

#define IF_ (1u << 9)
#define RF_ (1u << 16)
#define TF_ (1u << 8)

static u32 cur_cs(void) { u16 c; asm volatile("movw %%cs, %0" : "=r"(c)); return c; }
static u32 cur_flags(void) { u32 f; asm volatile("pushf; pop %0" : "=r"(f)); return f; }

/* Check the ring-1 frame of the last trap: vector, [error code], EIP, CS word, EFLAGS. */
static void check_frame(const char *what, u32 vec, int has_ec, u32 ec, u32 eip, u32 saved_mask, u32 rf) {
    volatile struct trap_rec *t = &trap_last;
    check(t->vec == vec, "%s: vector %u, want %u", what, t->vec, vec);
    int o = 0;
    if (has_ec) { check(t->w[0] == ec, "%s: error code 0x%x, want 0x%x", what, t->w[0], ec); o = 1; }
    if (eip) check(t->w[o] == eip, "%s: EIP 0x%x, want 0x%x", what, t->w[o], eip);
    check(t->w[o + 1] == (FLAT_KERNEL_CS | (saved_mask << 16)), "%s: CS word 0x%x, want 0x%x", what, t->w[o + 1], FLAT_KERNEL_CS | (saved_mask << 16));
    u32 fl = t->w[o + 2];
    check(!!(fl & IF_) == !saved_mask, "%s: frame EFLAGS 0x%x: IF must be the virtual IF (%u)", what, fl, !saved_mask);
    check((fl & 0x3000) == 0, "%s: frame IOPL must be 0 (0x%x)", what, fl);
    check((fl & RF_) == rf, "%s: frame RF 0x%x, want 0x%x", what, fl & RF_, rf);
    check(t->cs_in_handler == FLAT_KERNEL_CS, "%s: handler CS 0x%x", what, t->cs_in_handler);
}

/* Run `insn` after `setup`; the handler resumes after it; `at` receives the instruction's address. */
#define TRAP_AT(setup, insn, at, ...) \
    asm volatile(setup "\n movl $1f, trap_resume\n 2: " insn "\n 1: movl $2b, %0" : "=m"(at) :: "memory", "cc", ##__VA_ARGS__)
/* A trap-class instruction: `after` receives the address following it. */
#define TRAP_AFTER(setup, insn, after, ...) \
    asm volatile("movl $0, trap_resume\n " setup "\n " insn "\n 1: movl $1b, %0" : "=m"(after) :: "memory", "cc", ##__VA_ARGS__)

static ulong first_unmapped(void) {
    ulong va = ((ulong)_end + 4095) & ~4095ul;
    while (l1e_of(va)) va += 4096;
    return va;
}

void test_main(void) {
    u32 at = 0, after = 0, before;
    map_shared_info();
    V_MASK = 0; /* events enabled (nothing is bound, so nothing arrives) */
    for (u32 v = 0; v <= 20; v++) if (v != 2 && v != 9 && v != 15 && v != 18) check_eq(set_trap(v, 0), 0, "set_trap_table");

    /* #DE: fault, EIP at the div; no error code; RF set in the pushed image (fault class). */
    TRAP_AT("xor %%edx, %%edx; xor %%ecx, %%ecx; mov $1, %%eax", "divl %%ecx", at, "eax", "ecx", "edx");
    check_frame("#DE", 0, 0, 0, at, 0, RF_);
    check_eq(trap_last.count, 1, "one trap");

    TRAP_AT("", "ud2", at);
    check_frame("#UD", 6, 0, 0, at, 0, RF_);

    /* #GP with a selector error code: an LDT selector with no LDT. */
    TRAP_AT("mov $0x0f, %%eax", "movw %%ax, %%fs", at, "eax");
    check_frame("#GP(sel)", 13, 1, 0x0c, at, 0, RF_);

    /* #PF: not-present write in ring 1: error code W (no U), CR2 in vcpu_info.arch.cr2. */
    V_CR2 = 0;
    TRAP_AT("", "movl $1, 0x40000010", at);
    check_frame("#PF write", 14, 1, 2, at, 0, RF_);
    check_eq(V_CR2, 0x40000010, "vcpu_info.arch.cr2");
    TRAP_AT("", "movl 0x40000024, %%eax", at, "eax");
    check_frame("#PF read", 14, 1, 0, at, 0, RF_);
    check_eq(V_CR2, 0x40000024, "cr2 (read)");
    /* Write to a read-only mapping (the M2P): P|W. */
    asm volatile("movl $1f, trap_resume\n 2: movl $1, (%1)\n 1: movl $2b, %0" : "=m"(at) : "r"(MACH2PHYS_VIRT_START) : "memory");
    check_frame("#PF M2P write", 14, 1, 3, at, 0, RF_);
    check_eq(V_CR2, MACH2PHYS_VIRT_START, "cr2 (M2P)");

    /* #NM after fpu_taskswitch(1); the delivery clears the virtual TS: a retry works. */
    check_eq(HC1(fpu_taskswitch, 1), 0, "fpu_taskswitch(1)");
    before = trap_last.count;
    TRAP_AT("", "fninit", at);
    check_eq(trap_last.count, before + 1, "#NM delivered once");
    check_frame("#NM", 7, 0, 0, at, 0, RF_);
    asm volatile("fninit");
    check_eq(trap_last.count, before + 1, "no second #NM (virtual TS cleared)");

    /* #BP via int3 and int $3 (traps: EIP after; no RF), whatever DPL was registered. */
    TRAP_AFTER("", "int3", after);
    check_frame("#BP (int3)", 3, 0, 0, after, 0, 0);
    TRAP_AFTER("", "int $3", after);
    check_frame("#BP (int $3)", 3, 0, 0, after, 0, 0);
    before = trap_last.count;
    TRAP_AFTER("mov $0x7fffffff, %%eax; add $1, %%eax", "into", after, "eax");
    check_frame("#OF", 4, 0, 0, after, 0, 0);
    asm volatile("xor %%eax, %%eax; into" ::: "eax", "cc");
    check_eq(trap_last.count, before + 1, "into with OF clear does nothing");

    /* #DB single step: TF set by popf traps after the next instruction; DR6.BS; no RF. */
    check_eq(HC2(set_debugreg, 6, 0), 0, "clear DR6");
    TRAP_AFTER("pushf; orl $0x100, (%%esp); popf", "nop", after);
    check_frame("#DB", 1, 0, 0, after, 0, 0);
    check(trap_last.w[2] & TF_, "#DB frame has TF");
    check((u32)hypercall(HC_get_debugreg, 6, 0, 0, 0, 0) & 0x4000, "DR6.BS after single step");
    check(!(cur_flags() & TF_), "TF off");

    /* Interrupt-gate flag: events masked in the handler, saved mask 0 in the CS word. */
    check_eq(set_trap(6, 4), 0, "set #UD as interrupt gate");
    V_MASK = 0;
    TRAP_AT("", "ud2", at);
    check_eq(trap_last.mask_in_handler, 1, "interrupt gate masks events");
    check_frame("#UD (interrupt gate)", 6, 0, 0, at, 0, RF_);
    check_eq(V_MASK, 1, "mask still set after a native iret");
    /* Events masked when the trap happens: saved mask 1 in CS bits 23:16, IF clear in the frame. */
    check_eq(set_trap(6, 0), 0, "set #UD as trap gate");
    V_MASK = 1;
    TRAP_AT("", "ud2", at);
    check_frame("#UD (masked)", 6, 0, 0, at, 1, RF_);
    V_MASK = 0;
    TRAP_AT("", "ud2", at);
    check_eq(trap_last.mask_in_handler, 0, "trap gate leaves events enabled");

    /* int n: DPL 1 entry from ring 1 -> software interrupt (EIP after, no error code, no RF). */
    check_eq(set_trap(0x40, 1), 0, "set 0x40 DPL 1");
    TRAP_AFTER("", "int $0x40", after);
    check_frame("int 0x40", 0x40, 0, 0, after, 0, 0);
    /* DPL 0 entry -> #GP((0x40 << 3) | 2) at the int. */
    check_eq(set_trap(0x40, 0), 0, "set 0x40 DPL 0");
    TRAP_AT("", "int $0x40", at);
    check_frame("int 0x40 with DPL 0", 13, 1, (0x40 << 3) | 2, at, 0, RF_);
    /* An int n with no handler at all (cs 0) and DPL 0: the #GP bounces too. */
    TRAP_AT("", "int $0x83", at);
    check_frame("int 0x83 unregistered", 13, 1, (0x83 << 3) | 2, at, 0, RF_);
    /* Interrupt-gate flag on a software interrupt. */
    check_eq(set_trap(0x41, 1 | 4), 0, "set 0x41 DPL 1 + IF");
    V_MASK = 0;
    TRAP_AFTER("", "int $0x41", after);
    check_eq(trap_last.vec, 0x41, "int 0x41");
    check_eq(trap_last.mask_in_handler, 1, "int 0x41 masks events");
    V_MASK = 0;

    /* HYPERVISOR_iret as the handler's return (ring 1 -> ring 1): EAX and the mask from EFLAGS.IF. */
    {
        u32 x = 0;
        trap_use_hc_iret = 1;
        asm volatile("mov $0x1234, %%eax; int $0x41; mov %%eax, %0" : "=m"(x) :: "eax", "memory");
        check_eq(x, 0x1234, "EAX restored by HYPERVISOR_iret");
        check_eq(V_MASK, 0, "HYPERVISOR_iret unmasked events (frame IF = 1)");
        V_MASK = 1;
        asm volatile("int $0x41" ::: "memory");
        check_eq(V_MASK, 1, "HYPERVISOR_iret kept events masked (frame IF = 0)");
        V_MASK = 0;
        trap_use_hc_iret = 0;
    }

    /* RPL 0 code selectors are raised to RPL 1 (the handler runs with CS 0xe019). */
    {
        struct trap_info t[2] = { { 0x40, 1, 0xe018, trap_stub_addr(0x40) }, { 0, 0, 0, 0 } };
        check_eq(HC1(set_trap_table, t), 0, "set_trap_table RPL 0");
        asm volatile("int $0x40" ::: "memory");
        check_eq(trap_last.cs_in_handler, 0xe019, "handler CS RPL raised to 1");
    }
    /* Entries not listed keep their value; an entry with address 0 ends the table. */
    {
        struct trap_info t[3] = { { 0x40, 1, FLAT_KERNEL_CS, trap_stub_addr(0x40) }, { 0x41, 1, FLAT_KERNEL_CS, 0 }, { 0x41, 0, 0, 1 } };
        check_eq(HC1(set_trap_table, t), 0, "table ends at address 0");
        before = trap_last.count;
        asm volatile("int $0x41" ::: "memory");
        check_eq(trap_last.count, before + 1, "0x41 kept (the entry after the end was not applied)");
        check_eq(trap_last.vec, 0x41, "0x41 vector");
    }
    /* Bad table pointer: -EFAULT; the entries before the bad one stay applied. */
    {
        ulong end = first_unmapped();
        struct trap_info *t = (struct trap_info *)(end - 8);
        check(l1e_of(end - 8), "last mapped page");
        *t = (struct trap_info){ 0x42, 1, FLAT_KERNEL_CS, trap_stub_addr(0x40) };
        check_eq(HC1(set_trap_table, t), -EFAULT, "table running into an unmapped page");
        before = trap_last.count;
        asm volatile("int $0x42" ::: "memory");
        check_eq(trap_last.count, before + 1, "entry before the fault applied");
        check_eq(HC1(set_trap_table, 0x40000000), -EFAULT, "unmapped table");
        check_eq(HC1(set_trap_table, HYPERVISOR_VIRT_START), -EFAULT, "table in the hypervisor range");
    }
    check_eq(cur_cs(), FLAT_KERNEL_CS, "still ring 1");
    /* NULL clears every entry: a later #UD crashes the domain (the harness checks that). */
    check_eq(HC1(set_trap_table, 0), 0, "clear table");
    if (cmdline_arg("crash")) {
        if (!test_failures()) printk("traps: all checks passed; now #UD with a cleared table\n");
        asm volatile("ud2");
    }
}
