/* int 0x80 from ring 3 through the trap table (Xen's direct trap; ringone delivers it in the core,
 * docs/pv-design.md): the exact 5-word frame on kernel_sp for a trap-type entry (mask untouched)
 * and an interrupt-type entry (flag 4: events masked in the handler, HYPERVISOR_iret restores
 * them); the saved mask in the CS word and the virtual IF in EFLAGS when ring 3 runs with events
 * masked; the virtual IOPL in the image with architectural_iopl; a frame that straddles a page
 * boundary; a new handler address after set_trap_table; a DPL 1 entry (#GP(0x402) from ring 3);
 * an entry removed by a NULL trap table. "crash=1": kernel_sp unmapped, so the frame cannot be
 * written and the domain crashes as in Xen. Also ring-3 page faults (the core bounces them too).
 * Prints "syscall: int80 N pf M", the number of int 0x80 and #PF delivered to a handler (the host
 * test compares core exits with and without the direct gate). */
#define PVTRAPS_IMPL
#include "pvtraps.h"

static u8 ustack[4096] __attribute__((aligned(16)));
static u8 kst2[8192] __attribute__((aligned(4096)));
volatile u32 u_eax;

#define KSTACK_TOP ((u32)(ring3_kstack + sizeof(ring3_kstack)))
#define USTACK_TOP ((u32)(ustack + sizeof(ustack)))

extern char u80_after[];
static void user_int80(void) {
    asm volatile("mov $0x12345678, %%eax; int $0x80\n u80_after: mov %%eax, u_eax" ::: "eax", "memory");
    asm volatile("int $0x81");
}
static void user_int80_twice(void) {
    asm volatile("int $0x80; int $0x80" ::: "memory");
    asm volatile("int $0x81");
}

static u32 f[5], f_esp, f_mask, f_calls;
static void hook(u32 *fr, u32 vec) {
    if (vec != 0x80 && vec != 130) return;
    for (int i = 0; i < 5; i++) f[i] = fr[i];
    f_esp = (u32)fr;
    f_mask = V_MASK;
    f_calls++;
}
static u32 delivered;

/* Ring-3 #PF (delivered by the core the same way): 6-word frame, U|W error code, RF in the image,
 * the fault address in vcpu_info.arch.cr2 and in the virtual CR2 (MOV from CR2, emulated). */
extern char u_pf_at[];
static void user_pf(void) {
    asm volatile("u_pf_at: movl $1, 0x40000100" ::: "memory"); /* 10 bytes, not mapped */
    asm volatile("int $0x81");
}
static u32 pf_w[6], pf_esp, pf_mask, pf_n, delivered_pf;
static void pf_hook(u32 *fr, u32 vec) {
    if (vec != 14) return;
    for (int i = 0; i < 6; i++) pf_w[i] = fr[i];
    pf_esp = (u32)fr; pf_mask = V_MASK; pf_n++;
    fr[1] += 10;
}
static u32 read_cr2(void) { u32 v; asm volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static void write_cr2(u32 v) { asm volatile("mov %0, %%cr2" :: "r"(v)); }
static void one_pf(const char *what, u32 eflags, u32 want_cs_word, u32 want_if, u32 want_mask) {
    pf_n = 0; V_CR2 = 0; write_cr2(0);
    trap_hook = pf_hook;
    run_ring3(user_pf, (void *)USTACK_TOP, eflags);
    trap_hook = hook;
    check(pf_n == 1, "%s: #PF handler calls %u", what, pf_n);
    delivered_pf += pf_n;
    check(pf_esp == KSTACK_TOP - 24, "%s: frame at 0x%x want 0x%x", what, pf_esp, KSTACK_TOP - 24);
    check(pf_w[0] == 6, "%s: error code 0x%x want 6 (U|W)", what, pf_w[0]);
    check(pf_w[1] == (u32)u_pf_at, "%s: EIP 0x%x want 0x%x", what, pf_w[1], (u32)u_pf_at);
    check(pf_w[2] == want_cs_word, "%s: CS word 0x%x want 0x%x", what, pf_w[2], want_cs_word);
    check((pf_w[3] & 0x17302) == (0x10002 | want_if), "%s: EFLAGS 0x%x: RF, IF 0x%x, IOPL 0, TF 0", what, pf_w[3], want_if);
    check(pf_w[4] > (u32)ustack && pf_w[4] <= USTACK_TOP, "%s: old ESP 0x%x", what, pf_w[4]);
    check(pf_w[5] == FLAT_USER_SS, "%s: old SS 0x%x", what, pf_w[5]);
    check(pf_mask == want_mask, "%s: mask in the handler %u want %u", what, pf_mask, want_mask);
    check(V_CR2 == 0x40000100, "%s: vcpu_info.arch.cr2 0x%x", what, V_CR2);
    check(read_cr2() == 0x40000100, "%s: virtual CR2 0x%x", what, read_cr2());
}

static u32 gp_ec, gp_eip, gp_n;
extern char u80gp_at[];
static void user_int80_gp(void) {
    asm volatile("u80gp_at: int $0x80" ::: "memory");
    asm volatile("int $0x81");
}
static void gp_hook(u32 *fr, u32 vec) {
    if (vec == 0x80 || vec == 130) f_calls++;
    if (vec != 13) return;
    gp_ec = fr[0]; gp_eip = fr[1];
    fr[1] += 2; /* resume after the int */
    gp_n++;
}
static void expect_gp(const char *what) {
    gp_n = 0; f_calls = 0;
    trap_hook = gp_hook;
    run_ring3(user_int80_gp, (void *)USTACK_TOP, 0x202);
    trap_hook = hook;
    check(gp_n == 1 && f_calls == 0, "%s: %u #GP, %u int 0x80 handler calls", what, gp_n, f_calls);
    check(gp_ec == 0x402, "%s: #GP error code 0x%x want 0x402", what, gp_ec);
    check(gp_eip == (u32)u80gp_at, "%s: #GP at 0x%x want 0x%x", what, gp_eip, (u32)u80gp_at);
}

/* Run user_int80 in ring 3 with `eflags`; check the frame the handler saw. */
static void one(const char *what, u32 eflags, u32 kstack_top, u32 want_cs_word, u32 want_if, u32 want_iopl, u32 want_mask) {
    f_calls = 0; u_eax = 0;
    run_ring3(user_int80, (void *)USTACK_TOP, eflags);
    check(f_calls == 1, "%s: handler calls %u", what, f_calls);
    delivered += f_calls;
    check(u_eax == 0x12345678, "%s: EAX 0x%x after the return", what, u_eax);
    check(f_esp == kstack_top - 20, "%s: frame at 0x%x, want kernel_sp - 20 = 0x%x", what, f_esp, kstack_top - 20);
    check(f[0] == (u32)u80_after, "%s: EIP 0x%x want 0x%x", what, f[0], (u32)u80_after);
    check(f[1] == want_cs_word, "%s: CS word 0x%x want 0x%x", what, f[1], want_cs_word);
    check((f[2] & 0x200) == want_if, "%s: EFLAGS 0x%x, IF want 0x%x", what, f[2], want_if);
    check((f[2] & 0x3000) == want_iopl, "%s: EFLAGS 0x%x, IOPL want 0x%x", what, f[2], want_iopl);
    check((f[2] & 0x4102) == 2, "%s: EFLAGS 0x%x: bit 1 set, TF and NT clear", what, f[2]);
    check(f[3] > (u32)ustack && f[3] <= USTACK_TOP, "%s: old ESP 0x%x", what, f[3]);
    check(f[4] == FLAT_USER_SS, "%s: old SS 0x%x", what, f[4]);
    check(f_mask == want_mask, "%s: mask in the handler %u want %u", what, f_mask, want_mask);
}

void test_main(void) {
    map_shared_info();
    for (u32 v = 0; v <= 20; v++) if (v != 2 && v != 9 && v != 15 && v != 18) check_eq(set_trap(v, 0), 0, "set_trap_table");
    {
        struct trap_info t[2] = { { 0x81, 3, FLAT_KERNEL_CS, trap_stub_addr(0x81) }, { 0, 0, 0, 0 } };
        check_eq(HC1(set_trap_table, t), 0, "return vector 0x81 DPL 3");
    }
    check_eq(HC2(stack_switch, FLAT_KERNEL_SS, KSTACK_TOP), 0, "stack_switch");
    trap_hook = hook;

    if (cmdline_arg("crash")) {
        check_eq(set_trap(0x80, 3), 0, "int 0x80 DPL 3");
        check_eq(HC2(stack_switch, FLAT_KERNEL_SS, 0x40000000), 0, "stack_switch to an unmapped stack");
        printk("syscall: int 0x80 with an unwritable kernel stack\n");
        run_ring3(user_int80, (void *)USTACK_TOP, 0x202);
        fail("int 0x80 returned with an unwritable kernel stack");
    }

    /* Trap-type entry: events stay enabled in the handler; native iret back to ring 3. */
    check_eq(set_trap(0x80, 3), 0, "int 0x80 DPL 3");
    V_MASK = 0;
    one("trap gate", 0x202, KSTACK_TOP, FLAT_USER_CS, 0x200, 0, 0);
    check_eq(V_MASK, 0, "mask after a trap gate");

    /* Interrupt-type entry (flag 4): masked in the handler; HYPERVISOR_iret restores IF = 1. */
    check_eq(set_trap(0x80, 3 | 4), 0, "int 0x80 DPL 3, interrupt");
    trap_use_hc_iret = 1;
    one("interrupt gate", 0x202, KSTACK_TOP, FLAT_USER_CS, 0x200, 0, 1);
    check_eq(V_MASK, 0, "mask restored by HYPERVISOR_iret");

    /* Ring 3 with events masked (HYPERVISOR_iret with IF = 0): saved mask 1 in the CS word, IF 0. */
    one("masked ring 3", 0x002, KSTACK_TOP, FLAT_USER_CS | (1u << 16), 0, 0, 1);
    check_eq(V_MASK, 1, "mask after returning with IF = 0");
    V_MASK = 0;
    trap_use_hc_iret = 0;

    /* architectural_iopl: the virtual IOPL (set by HYPERVISOR_iret from the popped image) is in the frame. */
    check_eq(set_trap(0x80, 3), 0, "trap gate again");
    check_eq(HC2(vm_assist, 0 /* enable */, 4 /* architectural_iopl */), 0, "vm_assist architectural_iopl");
    one("architectural IOPL 1", 0x1202, KSTACK_TOP, FLAT_USER_CS, 0x200, 0x1000, 0);
    check_eq(HC2(vm_assist, 1 /* disable */, 4), 0, "vm_assist disable");
    one("IOPL not architectural", 0x1202, KSTACK_TOP, FLAT_USER_CS, 0x200, 0, 0);

    /* A frame across a page boundary (kernel_sp 8 bytes into the second page). */
    u32 top = (u32)kst2 + 4096 + 8;
    check_eq(HC2(stack_switch, FLAT_KERNEL_SS, top), 0, "stack_switch across a page");
    one("straddling frame", 0x202, top, FLAT_USER_CS, 0x200, 0, 0);
    check_eq(HC2(stack_switch, FLAT_KERNEL_SS, KSTACK_TOP), 0, "stack_switch back");

    /* A new handler for 0x80 (the stub of vector 130 records 130). */
    {
        struct trap_info t[2] = { { 0x80, 3, FLAT_KERNEL_CS, trap_stub_addr(130) }, { 0, 0, 0, 0 } };
        check_eq(HC1(set_trap_table, t), 0, "0x80 -> stub 130");
    }
    trap_last.vec = 0;
    one("new handler", 0x202, KSTACK_TOP, FLAT_USER_CS, 0x200, 0, 0);
    check_eq(trap_last.vec, 130, "the new handler ran");

    /* Two in a row. */
    f_calls = 0;
    run_ring3(user_int80_twice, (void *)USTACK_TOP, 0x202);
    check_eq(f_calls, 2, "two int 0x80");
    delivered += 2;

    /* Ring-3 page faults: trap-type entry, interrupt-type entry, ring 3 running masked. */
    one_pf("#PF trap gate", 0x202, FLAT_USER_CS, 0x200, 0);
    check_eq(set_trap(14, 4), 0, "#PF interrupt-type");
    trap_use_hc_iret = 1;
    one_pf("#PF interrupt gate", 0x202, FLAT_USER_CS, 0x200, 1);
    check_eq(V_MASK, 0, "mask restored by HYPERVISOR_iret after the #PF");
    one_pf("#PF masked ring 3", 0x002, FLAT_USER_CS | (1u << 16), 0, 1);
    V_MASK = 0;
    trap_use_hc_iret = 0;
    check_eq(set_trap(14, 0), 0, "#PF trap-type again");

    /* DPL 1: from ring 3 the int is #GP(0x80 << 3 | 2), bounced to the #GP handler. */
    check_eq(set_trap(0x80, 1), 0, "int 0x80 DPL 1");
    expect_gp("DPL 1 entry");

    /* A NULL trap table removes every entry (0x81 and 13 included): re-install those two only. */
    check_eq(HC1(set_trap_table, 0), 0, "NULL trap table");
    check_eq(set_trap(13, 0), 0, "#GP handler again");
    {
        struct trap_info t[2] = { { 0x81, 3, FLAT_KERNEL_CS, trap_stub_addr(0x81) }, { 0, 0, 0, 0 } };
        check_eq(HC1(set_trap_table, t), 0, "0x81 again");
    }
    expect_gp("no entry");

    printk("syscall: int80 %u pf %u\n", delivered, delivered_pf);
}
