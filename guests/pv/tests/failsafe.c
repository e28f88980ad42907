/* The failsafe callback (spec 6.4; Xen's failsafe bounce): a data segment register holds a selector
 * whose descriptor was made invalid after the load (update_descriptor: not present, or null), so
 * the return to the guest through HYPERVISOR_iret cannot reload it. The hypervisor loads the null
 * selector there and enters the failsafe callback at FLAT_KERNEL_CS with the frame
 *   DS ES FS GS (as they were), EIP, CS | saved mask << 16, EFLAGS (IF = !mask), [ESP SS]
 * built for the context the iret returned to (on that ring-1 stack, or on kernel_sp for ring 3),
 * events masked only with CALLBACKF_mask_events (set_callbacks registers without it).
 * "nocb=1": no failsafe callback registered, so the domain crashes. */
#define PVTRAPS_IMPL
#include "pvtraps.h"
#include "mm.h"

enum { CALLBACKOP_register = 0, CALLBACKTYPE_failsafe = 1, CALLBACKF_mask_events = 1 };
struct callback_register { u16 type, flags; u32 cs, eip; };

/* The failsafe handler: records ESP, the segment registers it was entered with and the frame, loads
 * the kernel's DS/ES to do so, then DS/ES from the frame (the kernel's for the one selector the test
 * made bad), drops the four selector words and returns with HYPERVISOR_iret. */
volatile u32 fs_esp, fs_cur[4], fs_w[9], fs_mask, fs_count, fs_iret_esp, fs_reload_ds, fs_reload_es, bad_sel;
void fs_entry(void);
extern char fs_ret1[];
asm(".text\n.globl fs_entry\nfs_entry:\n"
    "  movl %esp, %ss:fs_esp\n"
    "  movw %ds, %ss:fs_cur\n  movw %es, %ss:fs_cur+4\n  movw %fs, %ss:fs_cur+8\n  movw %gs, %ss:fs_cur+12\n"
    "  pushl %eax\n  movl $0xe021, %eax\n  movl %eax, %ds\n  movl %eax, %es\n  popl %eax\n"
    "  pushal\n  call fs_c\n  popal\n"
    "  pushl %eax\n  movl fs_reload_es, %eax\n  movl %eax, %es\n  movl fs_reload_ds, %eax\n  movl %eax, %ds\n  popl %eax\n"
    "  addl $16, %esp\n"
    "  jmp hypercall_page + 23 * 32\n" /* the stub pushes EAX: [EAX EIP CS EFLAGS (ESP SS)] */
    ".previous\n");
void __attribute__((used)) fs_c(void) {
    for (int i = 0; i < 9; i++) fs_w[i] = ((u32 *)fs_esp)[i];
    fs_mask = V_MASK;
    fs_count++;
    fs_reload_ds = fs_w[0] == bad_sel ? FLAT_KERNEL_DS : fs_w[0];
    fs_reload_es = fs_w[1] == bad_sel ? FLAT_KERNEL_DS : fs_w[1];
}

/* HYPERVISOR_iret to the next instruction in ring 1 with `eflags` (EAX preserved: the stub pushes it). */
static void __attribute__((noinline, noclone)) iret_to_self(u32 eflags) {
    asm volatile("movl %%esp, fs_iret_esp\n"
                 "pushl %0\n  pushl $0xe019\n  pushl $fs_ret1\n"
                 "jmp hypercall_page + 23 * 32\n"
                 ".globl fs_ret1\nfs_ret1:\n" :: "r"(eflags) : "memory");
}

static long reg_failsafe(u32 flags) {
    struct callback_register r = { CALLBACKTYPE_failsafe, (u16)flags, FLAT_KERNEL_CS, (u32)fs_entry };
    return hypercall(HC_callback_op, CALLBACKOP_register, (ulong)&r, 0, 0, 0);
}

static inline u16 get_ds(void) { u16 s; asm volatile("mov %%ds, %0" : "=r"(s)); return s; }
static inline u16 get_fs(void) { u16 s; asm volatile("mov %%fs, %0" : "=r"(s)); return s; }
static inline u16 get_gs(void) { u16 s; asm volatile("mov %%gs, %0" : "=r"(s)); return s; }
static inline void set_fs(u16 s) { asm volatile("mov %0, %%fs" :: "r"(s)); }
static inline void set_gs(u16 s) { asm volatile("mov %0, %%gs" :: "r"(s)); }
static inline void set_ds(u16 s) { asm volatile("mov %0, %%ds" :: "r"(s) : "memory"); }

static ulong gdt_va, gdt_mfn;
#define D_DATA_DPL3 0x00c0f200u
static void desc(int i, u64 d) { check_eq(update_descriptor(ma_of(gdt_mfn) + (u64)i * 8, d), 0, "update_descriptor"); }

static void frame_is(const char *what, u32 esp, const u32 *want, int n, u32 mask_in) {
    check(fs_count == 1, "%s: failsafe calls %u", what, fs_count);
    check(fs_esp == esp, "%s: frame at 0x%x want 0x%x", what, fs_esp, esp);
    for (int i = 0; i < n; i++) check(fs_w[i] == want[i], "%s: frame word %d = 0x%x want 0x%x", what, i, fs_w[i], want[i]);
    check(fs_mask == mask_in, "%s: mask in the handler %u want %u", what, fs_mask, mask_in);
}

static u8 ustack[4096] __attribute__((aligned(16)));
#define KSTACK_TOP ((u32)(ring3_kstack + sizeof(ring3_kstack)))
#define USTACK_TOP ((u32)(ustack + sizeof(ustack)))
volatile u32 u_ran;
static void user_fn(void) { u_ran++; asm volatile("int $0x81"); }

void test_main(void) {
    map_shared_info();
    V_MASK = 0;
    for (u32 v = 0; v <= 20; v++) if (v != 2 && v != 9 && v != 15 && v != 18) check_eq(set_trap(v, 0), 0, "set_trap_table");
    {
        struct trap_info t[2] = { { 0x81, 3, FLAT_KERNEL_CS, trap_stub_addr(0x81) }, { 0, 0, 0, 0 } };
        check_eq(HC1(set_trap_table, t), 0, "return vector 0x81 DPL 3");
    }
    check_eq(HC2(stack_switch, FLAT_KERNEL_SS, KSTACK_TOP), 0, "stack_switch");

    /* A guest GDT: 1 (0x09) and 2 (0x11) flat data DPL 1, 3 (0x1b) flat data DPL 3. */
    gdt_va = scratch_va(0);
    gdt_mfn = virt_to_mfn(gdt_va);
    memset((void *)gdt_va, 0, PAGE_SIZE);
    ((u64 *)gdt_va)[1] = mkdesc(0, 0xfffff, D_DATA_DPL1);
    ((u64 *)gdt_va)[2] = mkdesc(0, 0xfffff, D_DATA_DPL1);
    ((u64 *)gdt_va)[3] = mkdesc(0, 0xfffff, D_DATA_DPL3);
    check_eq(uvm(gdt_va, ma_of(gdt_mfn) | PG_RO, UVMF_INVLPG), 0, "GDT page read-only");
    check_eq(set_gdt(&gdt_mfn, 16), 0, "set_gdt");
    const u64 flat1 = mkdesc(0, 0xfffff, D_DATA_DPL1), flat3 = mkdesc(0, 0xfffff, D_DATA_DPL3);
    const u64 notpresent = flat1 & ~(0x8000ull << 32);

    if (cmdline_arg("nocb")) {
        set_fs(0x09);
        desc(1, notpresent);
        printk("failsafe: iret with a bad FS and no failsafe callback\n");
        iret_to_self(0x202);
        fail("returned without a failsafe callback");
    }

    /* A valid FS reloads silently. */
    check_eq(reg_failsafe(0), 0, "register failsafe");
    set_fs(0x09); set_gs(0);
    fs_count = 0;
    iret_to_self(0x202);
    check_eq(fs_count, 0, "no failsafe with valid selectors");
    check_eq(get_fs(), 0x09, "FS kept");

    /* 1. FS not present, ring 1, events enabled, no CALLBACKF_mask_events. */
    desc(1, notpresent);
    fs_count = 0;
    iret_to_self(0x202);
    {
        const u32 w[7] = { FLAT_KERNEL_DS, FLAT_KERNEL_DS, 0x09, 0, (u32)fs_ret1, FLAT_KERNEL_CS, 0x202 };
        frame_is("FS not present", fs_iret_esp - 28, w, 7, 0);
    }
    check_eq(fs_cur[0] & 0xffff, FLAT_KERNEL_DS, "DS kept in the handler");
    check_eq(fs_cur[2] & 0xffff, 0, "FS null in the handler");
    check_eq(get_fs(), 0, "FS null after the failsafe");
    check_eq(V_MASK, 0, "events enabled after the handler's iret");
    desc(1, flat1);

    /* 2. CALLBACKF_mask_events: masked in the handler (saved mask 0 in the frame). */
    check_eq(reg_failsafe(CALLBACKF_mask_events), 0, "register failsafe, mask events");
    set_gs(0x11);
    desc(2, 0);
    fs_count = 0;
    iret_to_self(0x202);
    {
        const u32 w[7] = { FLAT_KERNEL_DS, FLAT_KERNEL_DS, 0, 0x11, (u32)fs_ret1, FLAT_KERNEL_CS, 0x202 };
        frame_is("GS null descriptor, mask_events", fs_iret_esp - 28, w, 7, 1);
    }
    check_eq(get_gs(), 0, "GS null");
    check_eq(V_MASK, 0, "the handler's iret (IF = 1) unmasked");
    desc(2, flat1);

    /* 3. Returning with events masked (IF = 0): saved mask 1 in the CS word, IF 0 in EFLAGS. */
    set_gs(0x11);
    desc(2, notpresent);
    fs_count = 0;
    iret_to_self(0x002);
    {
        const u32 w[7] = { FLAT_KERNEL_DS, FLAT_KERNEL_DS, 0, 0x11, (u32)fs_ret1, FLAT_KERNEL_CS | (1u << 16), 0x002 };
        frame_is("masked return", fs_iret_esp - 28, w, 7, 1);
    }
    check_eq(V_MASK, 1, "still masked");
    V_MASK = 0;
    desc(2, flat1);

    /* 4. set_callbacks registers the failsafe callback without CALLBACKF_mask_events. */
    check_eq(hypercall(HC_set_callbacks, FLAT_KERNEL_CS, (ulong)ev_callback_entry, FLAT_KERNEL_CS, (ulong)fs_entry, 0), 0, "set_callbacks");
    set_gs(0x11);
    desc(2, notpresent);
    fs_count = 0;
    iret_to_self(0x202);
    {
        const u32 w[7] = { FLAT_KERNEL_DS, FLAT_KERNEL_DS, 0, 0x11, (u32)fs_ret1, FLAT_KERNEL_CS, 0x202 };
        frame_is("set_callbacks: no mask", fs_iret_esp - 28, w, 7, 0);
    }
    desc(2, flat1);

    /* 5. DS itself (the handler reloads it before touching memory). */
    bad_sel = 0x11;
    set_ds(0x11);
    desc(2, 0);
    fs_count = 0;
    iret_to_self(0x202);
    {
        const u32 w[7] = { 0x11, FLAT_KERNEL_DS, 0, 0, (u32)fs_ret1, FLAT_KERNEL_CS, 0x202 };
        frame_is("DS", fs_iret_esp - 28, w, 7, 0);
    }
    check_eq(fs_cur[0] & 0xffff, 0, "DS null in the handler");
    check_eq(get_ds(), FLAT_KERNEL_DS, "DS as the handler left it");
    desc(2, flat1);
    bad_sel = 0;

    /* 6. Returning to ring 3 with a bad GS (DPL 3): 9-word frame on kernel_sp, for the ring-3 context. */
    set_gs(0x1b); set_fs(0);
    desc(3, notpresent);
    fs_count = 0; u_ran = 0;
    run_ring3(user_fn, (void *)USTACK_TOP, 0x202);
    {
        const u32 w[9] = { FLAT_USER_DS, FLAT_USER_DS, 0, 0x1b, (u32)user_fn, FLAT_USER_CS, 0x202, USTACK_TOP, FLAT_USER_SS };
        frame_is("ring 3", KSTACK_TOP - 36, w, 9, 0);
    }
    check_eq(u_ran, 1, "the ring-3 code ran after the failsafe handler's iret");
    desc(3, flat3);
    set_gs(0); set_fs(0);
    printk("failsafe: all checks passed\n");
}
