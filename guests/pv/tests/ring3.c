/* Ring 3 (spec 5.8, 6.1, 6.5): HYPERVISOR_iret to ring 3 with FLAT_RING3 selectors (outer data
 * segments nulled), int 0x80 with DPL 3 delivered as a software interrupt on kernel_ss:kernel_sp
 * with the 5-word frame, #GP / #PF from ring 3 (U bit, stack switch, old SS:ESP), int 0x82 from
 * ring 3 as #GP(0x412), a DPL 0 vector from ring 3 as #GP, HYPERVISOR_iret from ring 1 back to
 * ring 3 in a handler, and the event upcall frame taken in ring 3. */
#define PVTRAPS_IMPL
#include "pvtraps.h"

static u8 ustack[4096] __attribute__((aligned(16)));
volatile u32 u_step, u_ds, u_fs, u_cs, u_eax;

#define KSTACK_TOP ((u32)(ring3_kstack + sizeof(ring3_kstack)))
#define USTACK_TOP ((u32)(ustack + sizeof(ustack)))

/* Ring-3 code: only memory writes and traps (no hypercalls from ring 3). */
extern char u_int80_after[], u_gp_at[], u_pf_at[], u_hc_at[], u_dpl0_at[], u_io_at[];
static void user_int80(void) {
    u16 cs, ds, fs;
    asm volatile("movw %%cs, %0; movw %%ds, %1; movw %%fs, %2" : "=r"(cs), "=r"(ds), "=r"(fs));
    u_cs = cs; u_ds = ds; u_fs = fs;
    asm volatile("mov $0x80808080, %%eax; int $0x80\n u_int80_after: mov %%eax, u_eax" ::: "eax", "memory");
    u_step = 1;
    asm volatile("int $0x81");
}
static void user_faults(void) {
    asm volatile("u_gp_at: cli" ::: "memory");                       /* #GP(0): IOPL 0 */
    asm volatile("u_pf_at: movl $1, 0x40000100" ::: "memory");        /* #PF U|W, not present */
    asm volatile("mov $17, %%eax\n u_hc_at: int $0x82" ::: "eax", "memory"); /* #GP(0x412) */
    asm volatile("u_dpl0_at: int $0x40" ::: "memory");              /* #GP(0x202) */
    asm volatile("u_io_at: inb $0x60, %%al" ::: "eax", "memory");   /* #GP(0) */
    u_step = 2;
    asm volatile("int $0x81");
}
static volatile u32 spin_done;
static void user_spin(void) {
    while (!ev_count) ;
    u_step = 3;
    asm volatile("int $0x81");
}

struct seen { u32 vec, ec, eip, cs, fl, esp, ss, frame_esp; };
static struct seen seen[8];
static volatile u32 nseen;
static const struct { u32 len; } lens[] = { {1}, {10}, {2}, {2}, {2} };
static void fault_hook(u32 *f, u32 vec) {
    if (nseen >= 8) return;
    struct seen *s = &seen[nseen];
    int ec = (vec == 13 || vec == 14);
    s->vec = vec; s->ec = ec ? f[0] : 0xffffffff;
    s->eip = f[ec]; s->cs = f[ec + 1]; s->fl = f[ec + 2]; s->esp = f[ec + 3]; s->ss = f[ec + 4];
    s->frame_esp = (u32)f;
    f[ec] += lens[nseen].len; /* resume after the faulting instruction */
    nseen++;
}

static u32 f80[5], f80_esp;
static void hook80(u32 *f, u32 vec) { if (vec == 0x80) { for (int i = 0; i < 5; i++) f80[i] = f[i]; f80_esp = (u32)f; } }

void test_main(void) {
    map_shared_info();
    V_MASK = 0;
    for (u32 v = 0; v <= 20; v++) if (v != 2 && v != 9 && v != 15 && v != 18) check_eq(set_trap(v, 0), 0, "set_trap_table");
    check_eq(set_trap(0x80, 3), 0, "int 0x80 DPL 3");
    check_eq(set_trap(0x40, 0), 0, "0x40 DPL 0");
    {
        struct trap_info t[2] = { { 0x81, 3, FLAT_KERNEL_CS, trap_stub_addr(0x81) }, { 0, 0, 0, 0 } };
        check_eq(HC1(set_trap_table, t), 0, "return vector 0x81 DPL 3");
    }
    check_eq(HC2(stack_switch, FLAT_KERNEL_SS, KSTACK_TOP), 0, "stack_switch");

    /* int 0x80 from ring 3: software interrupt on the kernel stack; 5-word frame. */
    asm volatile("movw %w0, %%fs" :: "r"(FLAT_KERNEL_DS));
    trap_hook = hook80;
    run_ring3(user_int80, (void *)USTACK_TOP, 0x202);
    trap_hook = 0;
    check_eq(u_step, 1, "ring-3 code ran");
    check_eq(u_cs, FLAT_USER_CS, "ring-3 CS");
    check_eq(u_ds, FLAT_USER_DS, "ring-3 DS (the kernel loaded it before the iret)");
    check_eq(u_fs, 0, "ring-3 FS nulled by the return to ring 3 (it held a DPL 1 selector)");
    check_eq(u_eax, 0x80808080, "EAX preserved through int 0x80 and the native iret");
    check_eq(f80_esp, KSTACK_TOP - 20, "int 0x80 frame on kernel_sp");
    check_eq(f80[0], (u32)u_int80_after, "int 0x80 EIP after the instruction");
    check_eq(f80[1], FLAT_USER_CS, "int 0x80 CS (RPL 3, saved mask 0)");
    check(f80[2] & 0x200, "int 0x80 EFLAGS.IF (events enabled)");
    check(f80[3] > (u32)ustack && f80[3] <= USTACK_TOP, "old ESP 0x%x", f80[3]);
    check_eq(f80[4], FLAT_USER_SS, "old SS");
    check_eq(V_MASK, 0, "events enabled (HYPERVISOR_iret with IF = 1)");

    /* Faults from ring 3: 5-word frames (+ error code) on kernel_sp, CS RPL 3, old SS:ESP. */
    trap_hook = fault_hook;
    check_eq(set_trap(0x80, 3), 0, "again");
    run_ring3(user_faults, (void *)USTACK_TOP, 0x202);
    trap_hook = 0;
    check_eq(u_step, 2, "ring-3 fault sequence completed");
    check_eq(nseen, 5, "five faults (the 0x81 return bypasses the recorder)");
    static const u32 vecs[5] = { 13, 14, 13, 13, 13 }, ecs[5] = { 0, 6, 0x412, 0x202, 0 };
    const u32 ats[5] = { (u32)u_gp_at, (u32)u_pf_at, (u32)u_hc_at, (u32)u_dpl0_at, (u32)u_io_at };
    for (int i = 0; i < 5; i++) {
        struct seen *s = &seen[i];
        check(s->vec == vecs[i] && s->ec == ecs[i], "fault %d: vector %u ec 0x%x, want %u 0x%x", i, s->vec, s->ec, vecs[i], ecs[i]);
        check(s->eip == ats[i], "fault %d: EIP 0x%x want 0x%x", i, s->eip, ats[i]);
        check_eq(s->cs, FLAT_USER_CS, "fault CS word");
        check(s->fl & 0x200, "fault %d: frame IF", i);
        check(s->esp > (u32)ustack && s->esp <= USTACK_TOP, "fault %d: old ESP 0x%x", i, s->esp);
        check_eq(s->ss, FLAT_USER_SS, "fault old SS");
        check_eq(s->frame_esp, KSTACK_TOP - 24, "fault frame on kernel_sp (6 words)");
    }
    check_eq(V_CR2, 0x40000100, "cr2 of the ring-3 #PF");

    /* An event upcall taken in ring 3: 5-word frame, CS 0xe02b; the callback returns to ring 3
     * with HYPERVISOR_iret (restoring SS:ESP and the mask). */
    check_eq(register_callbacks(), 0, "set_callbacks");
    check_eq(vcpu_op(7 /* stop_periodic_timer */, 0, 0), 0, "stop periodic");
    u32 port = 0;
    check_eq(bind_virq(0, 0, &port), 0, "bind VIRQ_TIMER");
    check_eq(set_timer_abs(system_time_ns() + 200000), 0, "set_timer_op(+200us)");
    ev_count = 0; ev_nports = 0;
    run_ring3(user_spin, (void *)USTACK_TOP, 0x202);
    check_eq(u_step, 3, "ring-3 spin ended after the upcall");
    check_eq(ev_count, 1, "one upcall");
    check_eq(ev_nports, 1, "one port");
    check_eq(ev_ports[0], port, "VIRQ_TIMER port");
    check_eq(ev_frame[1], FLAT_USER_CS, "upcall frame CS (ring 3, saved mask 0)");
    check(ev_frame[2] & 0x200, "upcall frame IF");
    check(ev_frame[3] > (u32)ustack && ev_frame[3] <= USTACK_TOP, "upcall frame old ESP 0x%x", ev_frame[3]);
    check_eq(ev_frame[4], FLAT_USER_SS, "upcall frame old SS");
    check_eq(ev_mask_in_handler, 1, "events masked in the callback");
    check_eq(V_MASK, 0, "mask restored by HYPERVISOR_iret");
}
