/*
 * ringone paravirt-versus-native benchmark guest. One source, two builds:
 *   -DPV: a Xen PV kernel (ring 1, our guests/pv library, PAE);
 *   native: a multiboot kernel in ring 0 with its own GDT/IDT/TSS, 2-level page tables and the
 *   local APIC (self-IPI and one-shot timer); the 8259s stay fully masked.
 * Each operation runs N times between two markers (32-bit OUT to port 0x504; in the PV kernel the
 * OUT faults (#GP, ring 1 has no I/O permission) and the bench host claims it before any emulation,
 * natively it is an I/O exit: one core exit and one host call each side, once per N operations).
 */
#include "ops.h"

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

static inline void mark(u32 v) { __asm__ volatile("outl %0, %w1" :: "a"(v), "d"(0x504) : "memory"); }
#define START(id) mark((u32)(id) << 8)
#define END() mark(0xffff)
#define barrier() __asm__ volatile("" ::: "memory")
static inline void cpuid_insn(u32 leaf, u32 r[4]) {
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}
u8 ustack[4096] __attribute__((aligned(16)));
static volatile u32 user_n;
/* Ring-3 code: N system calls, then back to the kernel through vector 0x81. */
static void user_syscalls(void) {
    for (u32 i = 0; i < user_n; i++) __asm__ volatile("int $0x80" ::: "memory");
    __asm__ volatile("int $0x81");
}
/* The system-call handler: nothing but the return. */
__asm__(".text\n.globl sys_entry\nsys_entry:\n  iret\n.previous\n");
extern char sys_entry[];

#ifdef PV
/* ================================ Xen PV layer ================================ */
#define PVTRAPS_IMPL
#include "pvtraps.h"
#include "mm.h"

static ulong gdt_mfn, base_mfn, remap_va, frame_a, frame_b;
static u64 remap_pte_ma;
static u32 ipi_port;
static u32 ksp_top;
static void out_str(const char *s) { printk("%s", s); }

static void setup(void) {
    map_shared_info();
    V_MASK = 1;
    /* The ring-3 code and data live in the kernel image: let ring 3 reach it (U/S on its pages). */
    for (ulong va = (ulong)_start & ~(PAGE_SIZE - 1); va < (ulong)_end; va += PAGE_SIZE) {
        pte_t e = l1e_of(va);
        if (e & _PAGE_PRESENT) check_eq(uvm(va, (u64)e | _PAGE_USER, UVMF_INVLPG), 0, "user mapping");
    }
    check_eq(register_callbacks(), 0, "set_callbacks");
    check_eq(vcpu_op(7 /* stop_periodic_timer */, 0, 0), 0, "stop periodic timer");
    struct trap_info t[3] = { { 0x80, 3, FLAT_KERNEL_CS, (u32)sys_entry }, { 0x81, 3, FLAT_KERNEL_CS, trap_stub_addr(0x81) }, { 0, 0, 0, 0 } };
    check_eq(HC1(set_trap_table, t), 0, "trap table");
    ksp_top = (u32)(ring3_kstack + sizeof(ring3_kstack));
    check_eq(HC2(stack_switch, FLAT_KERNEL_SS, ksp_top), 0, "stack_switch");
    /* Our own GDT in scratch page 0 (read-only mapped), entry 6 = the TLS slot. */
    ulong g = scratch_va(0);
    gdt_mfn = virt_to_mfn(g);
    memset((void *)g, 0, PAGE_SIZE);
    ((u64 *)g)[6] = mkdesc(0, 0xfffff, D_DATA_DPL1);
    check_eq(map_ro(g, gdt_mfn), 0, "map the GDT frame read-only");
    check_eq(set_gdt(&gdt_mfn, 16), 0, "set_gdt");
    base_mfn = virt_to_mfn(start_info->pt_base);
    remap_va = scratch_va(3);
    remap_pte_ma = l1e_ma(remap_va);
    frame_a = virt_to_mfn(scratch_va(1));
    frame_b = virt_to_mfn(scratch_va(2));
    struct { u32 vcpu, port; } b = { 0, 0 };
    check_eq(evtchn_op(7 /* bind_ipi */, &b), 0, "bind_ipi");
    ipi_port = b.port;
    u32 tport;
    check_eq(bind_virq(0 /* VIRQ_TIMER */, 0, &tport), 0, "bind VIRQ_TIMER");
    struct { u32 iopl; } io = { 1 };
    check_eq(hypercall(HC_physdev_op, 6 /* set_iopl */, (ulong)&io, 0, 0, 0), 0, "set_iopl 1");
}
static void run_user(void (*fn)(void)) { run_ring3(fn, ustack + sizeof(ustack), 0x202); }
static void pte_update_a(u32 i) { check_eq(mmu1(remap_pte_ma, ma_of(i & 1 ? frame_a : frame_b) | PG_DATA), 0, "mmu_update"); }
static void pte_update_b(u32 i) { check_eq(uvm(remap_va, ma_of(i & 1 ? frame_a : frame_b) | PG_DATA, UVMF_INVLPG), 0, "update_va_mapping"); }
static void switch_as(void) { mmuext(MMUEXT_NEW_BASEPTR, base_mfn, 0); }
static void ctxsw(u32 i, int batched) {
    u64 tls = mkdesc(i & 0xff0, 0xfffff, D_DATA_DPL1);
    u64 ma = ma_of(gdt_mfn) + 6 * 8;
    static struct mmuext_op op;
    op.cmd = MMUEXT_NEW_BASEPTR; op.arg1 = base_mfn;
    if (batched) {
        static struct multicall_entry mc[4];
        mc[0] = (struct multicall_entry){ HC_update_descriptor, 0, { (u32)ma, (u32)(ma >> 32), (u32)tls, (u32)(tls >> 32) } };
        mc[1] = (struct multicall_entry){ HC_mmuext_op, 0, { (u32)&op, 1, 0, DOMID_SELF } };
        mc[2] = (struct multicall_entry){ HC_stack_switch, 0, { FLAT_KERNEL_SS, ksp_top } };
        mc[3] = (struct multicall_entry){ HC_fpu_taskswitch, 0, { 1 } };
        check_eq(HC2(multicall, mc, 4), 0, "multicall");
        check(!mc[0].result && !mc[1].result && !mc[2].result && !mc[3].result, "multicall entry failed");
    } else {
        update_descriptor(ma, tls);
        mmuext_ops(&op, 1, NULL, DOMID_SELF);
        HC2(stack_switch, FLAT_KERNEL_SS, ksp_top);
        HC1(fpu_taskswitch, 1);
    }
}
static void force_callback(void) { HC2(xen_version, 0, 0); }
static inline void irq_disable(void) { V_MASK = 1; barrier(); }
static inline void irq_enable(void) { barrier(); V_MASK = 0; barrier(); if (V_PENDING) force_callback(); }
static u32 events(void) { return ev_count; }
static void raise_event(void) { struct { u32 port; } s = { ipi_port }; evtchn_op(4 /* send */, &s); }
static void wait_timer(void) {
    u32 c = ev_count;
    set_timer_abs(system_time_ns() + 10000);
    while (ev_count == c) { HC2(sched_op, 1 /* block */, 0); V_MASK = 1; }
}
static void cpuid_forced_op(u32 r[4]) { cpuid_forced(0, 0, r); }
static u32 cmd_n(void) { const char *v = cmdline_arg("n"); return v ? parse_ulong(v) : 1000; }
static void finish(void) {}
#define KMAIN void test_main(void)

#else
/* ================================ native layer ================================ */
#define NULL ((void *)0)
#define check(c, ...) do { if (!(c)) { out_str("check failed: " #c "\n"); halt(); } } while (0)
#define check_eq(a, b, what) check((a) == (b))
static void halt(void) { for (;;) __asm__ volatile("cli; hlt"); }
static inline void outb(u16 p, u8 v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(p)); }
static void out_str(const char *s) { while (*s) outb(0xe9, (u8)*s++); }

static u64 gdt[8] __attribute__((aligned(8)));
static u64 idt[256] __attribute__((aligned(8)));
static u32 tss[26] __attribute__((aligned(64)));
static u32 pd[1024] __attribute__((aligned(4096)));
static u32 pt[2][1024] __attribute__((aligned(4096)));
static u32 apic_pt[1024] __attribute__((aligned(4096)));
static u8 kstack[8192] __attribute__((aligned(16)));
#define APIC(r) (*(volatile u32 *)(0xFEE00000u + (r)))
#define REMAP_VA 0x7ff000u
#define FRAME_A 0x7fe000u
#define FRAME_B 0x7fd000u
volatile u32 apic_ticks;
u32 ring3_saved_esp;
static u32 ksp_top, cr3_val, n_arg = 1000;

static u64 seg(u32 base, u32 limit, u32 access_hi) {
    u32 lo = (base << 16) | (limit & 0xffff);
    u32 hi = (base & 0xff000000u) | ((base >> 16) & 0xff) | (limit & 0xf0000) | access_hi;
    return ((u64)hi << 32) | lo;
}
static void gate(int v, void *h, int dpl) {
    u32 a = (u32)h;
    idt[v] = ((u64)((a & 0xffff0000u) | 0x8e00u | ((u32)dpl << 13)) << 32) | (0x08u << 16) | (a & 0xffff);
}
__asm__(".text\n"
    ".globl apic_entry\napic_entry:\n  incl apic_ticks\n  movl $0, 0xfee000b0\n  iret\n"
    ".globl bad_entry\nbad_entry:\n  movb $'!', %al\n  outb %al, $0xe9\n  cli\n  hlt\n"
    /* run_user(fn): iret to ring 3 (CS 0x1b, SS/DS/ES 0x23); back through vector 0x81. */
    ".globl run_user\nrun_user:\n"
    "  pushl %ebp\n  pushl %ebx\n  pushl %esi\n  pushl %edi\n  movl %esp, ring3_saved_esp\n"
    "  movl 20(%esp), %eax\n  movl $0x23, %ecx\n  movw %cx, %ds\n  movw %cx, %es\n"
    "  pushl $0x23\n  pushl $ustack+4096\n  pushl $0x202\n  pushl $0x1b\n  pushl %eax\n  iret\n"
    ".globl ring3_back\nring3_back:\n"
    "  movl $0x10, %eax\n  movw %ax, %ds\n  movw %ax, %es\n  movl ring3_saved_esp, %esp\n"
    "  popl %edi\n  popl %esi\n  popl %ebx\n  popl %ebp\n  ret\n"
    ".previous\n");
extern char apic_entry[], bad_entry[], ring3_back[];
void run_user(void (*fn)(void));

static void setup(void) {
    gdt[1] = seg(0, 0xfffff, 0x00c09a00u);   /* 0x08 ring-0 code */
    gdt[2] = seg(0, 0xfffff, 0x00c09200u);   /* 0x10 ring-0 data */
    gdt[3] = seg(0, 0xfffff, 0x00c0fa00u);   /* 0x1b ring-3 code */
    gdt[4] = seg(0, 0xfffff, 0x00c0f200u);   /* 0x23 ring-3 data */
    gdt[5] = seg((u32)tss, sizeof(tss) - 1, 0x00008900u); /* 0x28 TSS */
    gdt[6] = seg(0, 0xfffff, 0x00c0f200u);   /* 0x33 TLS */
    ksp_top = (u32)(kstack + sizeof(kstack));
    tss[1] = ksp_top; tss[2] = 0x10; tss[25] = sizeof(tss) << 16; /* no I/O bitmap */
    struct { u16 lim; u32 base; } __attribute__((packed)) gd = { sizeof(gdt) - 1, (u32)gdt }, id = { sizeof(idt) - 1, (u32)idt };
    __asm__ volatile("lgdt %0; ljmp $0x08, $1f; 1: mov $0x10, %%eax; mov %%eax, %%ds; mov %%eax, %%es; mov %%eax, %%ss;"
                     "mov %%eax, %%fs; mov %%eax, %%gs; mov $0x28, %%eax; ltr %%ax" :: "m"(gd) : "eax", "memory");
    for (int v = 0; v < 32; v++) gate(v, bad_entry, 0);
    gate(0x80, sys_entry, 3);
    gate(0x81, ring3_back, 3);
    gate(0x40, apic_entry, 0);
    __asm__ volatile("lidt %0" :: "m"(id));
    for (u32 i = 0; i < 2048; i++) pt[i >> 10][i & 1023] = (i << 12) | 7;
    pd[0] = (u32)pt[0] | 7; pd[1] = (u32)pt[1] | 7;
    apic_pt[0x200] = 0xFEE00000u | 0x1b;
    pd[0xFEE00000u >> 22] = (u32)apic_pt | 3;
    cr3_val = (u32)pd;
    __asm__ volatile("mov %0, %%cr3; mov %%cr0, %%eax; or $0x80000000, %%eax; mov %%eax, %%cr0" :: "r"(cr3_val) : "eax", "memory");
    /* 8259s fully masked; the local APIC software-enabled. */
    outb(0x21, 0xff); outb(0xa1, 0xff);
    APIC(0xF0) = 0x1ff;
    APIC(0x3E0) = 0xb; /* timer divide by 1 */
}
static void pte_update_a(u32 i) {
    pt[REMAP_VA >> 22][(REMAP_VA >> 12) & 1023] = (i & 1 ? FRAME_A : FRAME_B) | 7;
    __asm__ volatile("invlpg (%0)" :: "r"(REMAP_VA) : "memory");
}
static void pte_update_b(u32 i) { pte_update_a(i); }
static void switch_as(void) { __asm__ volatile("mov %0, %%cr3" :: "r"(cr3_val) : "memory"); }
static void ctxsw(u32 i, int batched) {
    (void)batched;
    gdt[6] = seg(i & 0xff0, 0xfffff, 0x00c0f200u);
    __asm__ volatile("mov %0, %%cr3" :: "r"(cr3_val) : "memory");
    tss[1] = ksp_top;
    __asm__ volatile("mov %%cr0, %%eax; or $8, %%eax; mov %%eax, %%cr0" ::: "eax", "memory");
}
static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
static u32 events(void) { return apic_ticks; }
static void raise_event(void) { APIC(0x300) = 0x40040; /* fixed, self, vector 0x40 */ }
static void wait_timer(void) {
    u32 c = apic_ticks;
    APIC(0x320) = 0x40;  /* one-shot, vector 0x40 */
    APIC(0x380) = 1000;  /* 10 us at the 100 MHz bus clock, like the PV kernel's set_timer_op(+10 us) */
    while (apic_ticks == c) __asm__ volatile("sti; hlt; cli" ::: "memory");
}
static void cpuid_forced_op(u32 r[4]) { cpuid_insn(0, r); }
static u32 cmd_n(void) { return n_arg; }
static void finish(void) { out_str("Test result: SUCCESS\n"); }
static u32 parse_n(const char *s) {
    for (; *s; s++) if (s[0] == 'n' && s[1] == '=') { u32 v = 0; for (s += 2; *s >= '0' && *s <= '9'; s++) v = v * 10 + (u32)(*s - '0'); return v; }
    return 1000;
}
void kmain_common(void);
void kmain(u32 magic, u32 *mbi) {
    if (magic == 0x2BADB002u && (mbi[0] & 4)) n_arg = parse_n((const char *)mbi[4]);
    kmain_common();
}
#define KMAIN void kmain_common(void)
#endif

/* ================================ the benchmark (shared) ================================ */
KMAIN {
    setup();
    const u32 n = cmd_n();
    u32 r[4];

    user_n = n;
    START(0); run_user(user_syscalls); END();

    START(1); for (u32 i = 0; i < n; i++) pte_update_a(i); END();
    START(2); for (u32 i = 0; i < n; i++) pte_update_b(i); END();
    START(3); for (u32 i = 0; i < n; i++) switch_as(); END();
    START(4); for (u32 i = 0; i < n; i++) ctxsw(i, 1); END();
    START(5); for (u32 i = 0; i < n; i++) ctxsw(i, 0); END();
    __asm__ volatile("clts");

    irq_disable();
    START(6); for (u32 i = 0; i < n; i++) { irq_disable(); irq_enable(); } END();
    irq_disable();
    u32 e0 = events();
    START(7); for (u32 i = 0; i < n; i++) { irq_disable(); raise_event(); irq_enable(); } END();
    irq_disable();
    check_eq(events() - e0, n, "one event per unmask");
    START(8); for (u32 i = 0; i < n; i++) wait_timer(); END();
    check_eq(events() - e0, 2 * n, "one timer event per wait");

    START(9); for (u32 i = 0; i < n; i++) cpuid_insn(0, r); END();
    START(10); for (u32 i = 0; i < n; i++) cpuid_forced_op(r); END();
    START(11); for (u32 i = 0; i < n; i++) { u32 v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); } END();
    START(12); for (u32 i = 0; i < n; i++) { u8 v; __asm__ volatile("inb $0x80, %0" : "=a"(v)); } END();
    out_str("pvbench done\n");
    finish();
}
