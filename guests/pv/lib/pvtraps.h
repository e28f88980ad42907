/*
 * ringone PV test library, traps and events part: trap-table entry stubs that record the exact
 * bounce frame, an event-callback stub, ring-3 entry/exit helpers, shared_info access and small
 * hypercall wrappers. Header-only: include it in exactly one test file. Constants and layouts are
 * the public Xen ABI.
 */
#ifndef PVTRAPS_H
#define PVTRAPS_H
#include "pvlib.h"

enum { ENOENT = 2, EEXIST = 17, ETIME = 62 };
enum { HC_set_timer_op_ = 15, HC_event_channel_op_compat = 16, HC_nmi_op = 28, HC_callback_op = 30, HC_event_channel_op = 32 };
#define FLAT_USER_CS 0xE02Bu
#define FLAT_USER_DS 0xE033u
#define FLAT_USER_SS 0xE033u

struct trap_info { u8 vector; u8 flags; u16 cs; u32 address; };

/* The record of the last trap: vector, ESP at entry and the frame words above it. */
struct trap_rec { u32 vec; u32 esp; u32 w[8]; u32 count; u32 mask_in_handler; u32 cs_in_handler; };
extern volatile struct trap_rec trap_last;
/* Where the handler resumes (0 = return to the frame's EIP), and which iret it uses. */
extern volatile u32 trap_resume, trap_use_hc_iret;
/* Called by every trap stub after recording (frame = the words at the handler's ESP). */
extern void (*volatile trap_hook)(u32 *frame, u32 vec);

/* shared_info (mapped at shinfo_page) and vcpu_info[0]. */
extern u8 shinfo_page[4096];
#define SHI ((volatile u8 *)shinfo_page)
#define V_PENDING (*(volatile u8 *)(SHI + 0))
#define V_MASK (*(volatile u8 *)(SHI + 1))
#define V_SEL (*(volatile u32 *)(SHI + 4))
#define V_CR2 (*(volatile u32 *)(SHI + 8))
#define T_VERSION (*(volatile u32 *)(SHI + 0x20))
#define T_TSC (*(volatile u64 *)(SHI + 0x28))
#define T_SYSTIME (*(volatile u64 *)(SHI + 0x30))
#define T_MUL (*(volatile u32 *)(SHI + 0x38))
#define T_SHIFT (*(volatile s8 *)(SHI + 0x3c))
#define T_FLAGS (*(volatile u8 *)(SHI + 0x3d))
#define EVTCHN_PENDING ((volatile u32 *)(SHI + 0x800))
#define EVTCHN_MASK ((volatile u32 *)(SHI + 0x880))
#define WC_VERSION (*(volatile u32 *)(SHI + 0x900))
#define WC_SEC (*(volatile u32 *)(SHI + 0x904))
#define WC_NSEC (*(volatile u32 *)(SHI + 0x908))
typedef signed char s8;

/* Map shared_info at shinfo_page with update_va_mapping (the harness maps it when that call is missing). */
void map_shared_info(void);

/* Install the stub for `vec` with flags (DPL | 4 for "interrupt gate") in the guest's trap table. */
long set_trap(u32 vec, u32 flags);
/* Entry stubs for vectors 0-20 and 0x20-0x8f (trap_stub_addr(vec)). */
u32 trap_stub_addr(u32 vec);

/* Event callback: records the frame, takes the pending ports in ABI order into ev_ports[]. */
extern volatile u32 ev_count, ev_nports, ev_ports[64], ev_frame[6], ev_mask_in_handler;
void ev_callback_entry(void);
void failsafe_entry(void);
long register_callbacks(void);
/* Helpers for the event tests. */
long bind_virq(u32 virq, u32 vcpu, u32 *port);
long vcpu_op(u32 cmd, u32 vcpu, void *arg);
long set_timer_abs(u64 t);

/* Run fn in ring 3 on ustack; fn returns to the kernel with `int $0x81` (DPL 3 vector). */
void run_ring3(void (*fn)(void), void *ustack_top, u32 eflags);
extern u8 ring3_kstack[8192];

static inline u64 rdtsc64(void) { u32 lo, hi; asm volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((u64)hi << 32) | lo; }
static inline void cpuid_raw(u32 leaf, u32 sub, u32 r[4]) {
    asm volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}
static inline void cpuid_forced(u32 leaf, u32 sub, u32 r[4]) {
    asm volatile("ud2; .ascii \"xen\"; cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}
static inline long evtchn_op(u32 cmd, void *arg) { return hypercall(HC_event_channel_op, cmd, (ulong)arg, 0, 0, 0); }
/* System time now from vcpu_time_info (version protocol). */
u64 system_time_ns(void);

/* ---------------------------------------------------------------------------------------------- */
#ifdef PVTRAPS_IMPL
u8 shinfo_page[4096] __attribute__((aligned(4096)));
volatile struct trap_rec trap_last;
volatile u32 trap_resume, trap_use_hc_iret;
void (*volatile trap_hook)(u32 *frame, u32 vec);
volatile u32 ev_count, ev_nports, ev_ports[64], ev_frame[6], ev_mask_in_handler;
u8 ring3_kstack[8192] __attribute__((aligned(16)));
u32 trap_entry_esp, trap_entry_vec, ring3_saved_esp;

void map_shared_info(void) {
    u32 ma = start_info->shared_info;
    long r = hypercall(HC_update_va_mapping, (ulong)shinfo_page, ma | 0x63, 0, 2 /* UVMF_INVLPG */, 0);
    if (r != 0 && r != -ENOSYS) fail("update_va_mapping(shared_info): %ld", r);
}

/* Error-code vectors: 8, 10-14, 17. */
#define HAS_EC(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17)
#define STUB(v) \
    ".globl trapstub_" #v "\n" "trapstub_" #v ":\n" \
    "  movl %esp, trap_entry_esp\n  movl $" #v ", trap_entry_vec\n  jmp trap_common\n"
asm(".text\n"
    STUB(0) STUB(1) STUB(2) STUB(3) STUB(4) STUB(5) STUB(6) STUB(7) STUB(8) STUB(9) STUB(10)
    STUB(11) STUB(12) STUB(13) STUB(14) STUB(15) STUB(16) STUB(17) STUB(18) STUB(19) STUB(20)
    STUB(32) STUB(64) STUB(65) STUB(128) STUB(130) STUB(131)
    "trap_common:\n"
    "  pushal\n"
    "  movw %cs, %ax\n  movzwl %ax, %eax\n  movl %eax, trap_last+48\n"
    "  call trap_c\n"
    "  popal\n"
    /* Drop the error code of error-code vectors. */
    "  cmpl $8, trap_entry_vec\n  je 1f\n"
    "  cmpl $10, trap_entry_vec\n  jb 2f\n  cmpl $14, trap_entry_vec\n  jbe 1f\n"
    "  cmpl $17, trap_entry_vec\n  jne 2f\n"
    "1: addl $4, %esp\n"
    "2: cmpl $0, trap_use_hc_iret\n  jne 3f\n"
    "  iret\n"
    "3: jmp hypercall_page + 23 * 32\n"
    /* Event callback: events are masked on entry; return with HYPERVISOR_iret (restores the mask). */
    ".globl ev_callback_entry\nev_callback_entry:\n"
    "  pushal\n  leal 32(%esp), %eax\n  pushl %eax\n  call ev_c\n  addl $4, %esp\n  popal\n"
    "  jmp hypercall_page + 23 * 32\n"
    ".globl failsafe_entry\nfailsafe_entry:\n  ud2\n"
    /* run_ring3(fn, ustack, eflags): HYPERVISOR_iret to FLAT_RING3; back through vector 0x81. */
    ".globl run_ring3\nrun_ring3:\n"
    "  pushl %ebp\n  pushl %ebx\n  pushl %esi\n  pushl %edi\n"
    "  movl %esp, ring3_saved_esp\n"
    "  movl 20(%esp), %eax\n  movl 24(%esp), %ecx\n  movl 28(%esp), %edx\n"
    "  movl $0xe033, %ebx\n  movw %bx, %ds\n  movw %bx, %es\n"
    "  pushl $0xe033\n  pushl %ecx\n  pushl %edx\n  pushl $0xe02b\n  pushl %eax\n"
    "  jmp hypercall_page + 23 * 32\n"
    ".globl ring3_back\nring3_back:\n"
    "  movl ring3_saved_esp, %esp\n  movl $0xe021, %eax\n  movw %ax, %ds\n  movw %ax, %es\n"
    "  popl %edi\n  popl %esi\n  popl %ebx\n  popl %ebp\n  ret\n"
    ".previous\n");

extern char trapstub_0[], trapstub_1[], trapstub_2[], trapstub_3[], trapstub_4[], trapstub_5[], trapstub_6[],
    trapstub_7[], trapstub_8[], trapstub_9[], trapstub_10[], trapstub_11[], trapstub_12[], trapstub_13[],
    trapstub_14[], trapstub_15[], trapstub_16[], trapstub_17[], trapstub_18[], trapstub_19[], trapstub_20[],
    trapstub_32[], trapstub_64[], trapstub_65[], trapstub_128[], trapstub_130[], trapstub_131[], ring3_back[];

u32 trap_stub_addr(u32 v) {
    static char *const low[21] = { trapstub_0, trapstub_1, trapstub_2, trapstub_3, trapstub_4, trapstub_5,
        trapstub_6, trapstub_7, trapstub_8, trapstub_9, trapstub_10, trapstub_11, trapstub_12, trapstub_13,
        trapstub_14, trapstub_15, trapstub_16, trapstub_17, trapstub_18, trapstub_19, trapstub_20 };
    if (v <= 20) return (u32)low[v];
    switch (v) {
    case 32: return (u32)trapstub_32; case 64: return (u32)trapstub_64; case 65: return (u32)trapstub_65;
    case 128: return (u32)trapstub_128; case 130: return (u32)trapstub_130; case 131: return (u32)trapstub_131;
    case 0x81: return (u32)ring3_back;
    }
    return 0;
}

long set_trap(u32 vec, u32 flags) {
    struct trap_info t[2] = { { (u8)vec, (u8)flags, FLAT_KERNEL_CS, trap_stub_addr(vec) }, { 0, 0, 0, 0 } };
    return HC1(set_trap_table, t);
}

void __attribute__((used)) trap_c(void) {
    u32 *f = (u32 *)trap_entry_esp;
    trap_last.vec = trap_entry_vec;
    trap_last.esp = trap_entry_esp;
    for (int i = 0; i < 8; i++) trap_last.w[i] = f[i];
    trap_last.count++;
    trap_last.mask_in_handler = V_MASK;
    if (trap_entry_vec == 1) f[2] &= ~0x100u; /* single-step: one trap only */
    if (trap_hook) trap_hook(f, trap_entry_vec);
    if (trap_resume) {
        u32 *eip = HAS_EC(trap_entry_vec) ? &f[1] : &f[0];
        *eip = trap_resume;
        trap_resume = 0;
    }
}

void __attribute__((used)) ev_c(u32 *frame) {
    ev_count++;
    ev_mask_in_handler = V_MASK;
    for (int i = 0; i < 6; i++) ev_frame[i] = frame[i];
    while (V_PENDING) {
        V_PENDING = 0;
        u32 sel = __atomic_exchange_n(&V_SEL, 0, __ATOMIC_SEQ_CST);
        while (sel) {
            u32 w = __builtin_ctz(sel);
            sel &= sel - 1;
            u32 bits = EVTCHN_PENDING[w] & ~EVTCHN_MASK[w];
            while (bits) {
                u32 b = __builtin_ctz(bits);
                bits &= bits - 1;
                __atomic_fetch_and(&EVTCHN_PENDING[w], ~(1u << b), __ATOMIC_SEQ_CST);
                if (ev_nports < 64) ev_ports[ev_nports++] = w * 32 + b;
            }
        }
    }
}

long register_callbacks(void) {
    return hypercall(HC_set_callbacks, FLAT_KERNEL_CS, (ulong)ev_callback_entry, FLAT_KERNEL_CS, (ulong)failsafe_entry, 0);
}

long bind_virq(u32 virq, u32 vcpu, u32 *port) {
    struct { u32 virq, vcpu, port; } b = { virq, vcpu, 0xdead };
    long r = evtchn_op(1, &b);
    if (port) *port = b.port;
    return r;
}
long vcpu_op(u32 cmd, u32 vcpu, void *arg) { return hypercall(HC_vcpu_op, cmd, vcpu, (ulong)arg, 0, 0); }
long set_timer_abs(u64 t) { return hypercall(HC_set_timer_op, (u32)t, (u32)(t >> 32), 0, 0, 0); }

u64 system_time_ns(void) {
    u32 v; u64 tsc0, st; u32 mul; s8 shift;
    do {
        v = T_VERSION;
        asm volatile("" ::: "memory");
        tsc0 = T_TSC; st = T_SYSTIME; mul = T_MUL; shift = T_SHIFT;
        asm volatile("" ::: "memory");
    } while ((v & 1) || v != T_VERSION);
    u64 d = rdtsc64() - tsc0;
    d = shift >= 0 ? d << shift : d >> -shift;
    u64 lo = (d & 0xffffffffu) * mul, hi = (d >> 32) * mul;
    return st + hi + (lo >> 32);
}
#endif
#endif
