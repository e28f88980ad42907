/*
 * ringone PV test library: a tiny freestanding environment for 32-bit Xen PV test kernels
 * (ring 1, PAE or 2-level). Written for ringone; constants and struct layouts are the public
 * Xen ABI (xen/include/public).
 */
#ifndef PVLIB_H
#define PVLIB_H

/* Where PFN 0 is mapped (XEN_ELFNOTE_VIRT_BASE): 0 like XTF, or 0xC0000000 like Linux (-hi builds). */
#ifndef VIRT_BASE
#define VIRT_BASE 0
#endif

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef int s32;
typedef unsigned long ulong;
#define NULL ((void *)0)
#define PAGE_SIZE 4096u
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Hypercall numbers (xen.h). */
enum {
    HC_set_trap_table = 0, HC_mmu_update = 1, HC_set_gdt = 2, HC_stack_switch = 3, HC_set_callbacks = 4,
    HC_fpu_taskswitch = 5, HC_sched_op_compat = 6, HC_platform_op = 7, HC_set_debugreg = 8,
    HC_get_debugreg = 9, HC_update_descriptor = 10, HC_memory_op = 12, HC_multicall = 13,
    HC_update_va_mapping = 14, HC_set_timer_op = 15, HC_xen_version = 17, HC_console_io = 18,
    HC_physdev_op_compat = 19, HC_vm_assist = 21, HC_iret = 23, HC_vcpu_op = 24,
    HC_set_segment_base = 25, HC_mmuext_op = 26, HC_sched_op = 29, HC_physdev_op = 33, HC_sysctl = 35,
};

/* Errno values (errno.h), returned negated. */
enum { EPERM = 1, ESRCH = 3, E2BIG = 7, EACCES = 13, EFAULT = 14, ENODEV = 19, EINVAL = 22, ENOSPC = 28, ENOSYS = 38 };

/* struct start_info (x86_32, 1112 bytes). */
struct start_info {
    char magic[32];
    ulong nr_pages;
    ulong shared_info;
    u32 flags;
    ulong store_mfn;
    u32 store_evtchn;
    ulong console_mfn;
    u32 console_evtchn;
    ulong pt_base;
    ulong nr_pt_frames;
    ulong mfn_list;
    ulong mod_start;
    ulong mod_len;
    char cmd_line[1024];
    ulong first_p2m_pfn;
    ulong nr_p2m_frames;
};
#define SIF_MULTIBOOT_MOD (1u << 2)
#define SIF_MOD_START_PFN (1u << 3)

struct multicall_entry { ulong op; ulong result; ulong args[6]; };

#if CONFIG_PAE
#define HYPERVISOR_VIRT_START 0xF5800000u
#define MACH2PHYS_VIRT_START 0xF5800000u
#define PT_LEVELS 3
typedef u64 pte_t;
#define PTES_PER_PAGE 512u
#define CAPABILITIES "xen-3.0-x86_32p "
#define START_INFO_MAGIC "xen-3.0-x86_32p"
#else
#define HYPERVISOR_VIRT_START 0xFC000000u
#define MACH2PHYS_VIRT_START 0xFC000000u
#define PT_LEVELS 2
typedef u32 pte_t;
#define PTES_PER_PAGE 1024u
#define CAPABILITIES "xen-3.0-x86_32 "
#define START_INFO_MAGIC "xen-3.0-x86_32"
#endif
#define _PAGE_PRESENT 0x1u
#define _PAGE_RW 0x2u
#define _PAGE_USER 0x4u
#define _PAGE_ACCESSED 0x20u
#define _PAGE_DIRTY 0x40u
#define FLAT_KERNEL_CS 0xE019u
#define FLAT_KERNEL_DS 0xE021u
#define FLAT_KERNEL_SS 0xE021u

/* Provided by head.S / the builder. */
extern const struct start_info *start_info;
extern u8 hypercall_page[4096];
extern u32 entry_regs[8];   /* eax ecx edx ebx esp ebp esi edi at _start */
extern u32 entry_eflags, entry_cs, entry_ss, entry_ds, entry_es, entry_fs, entry_gs;
extern char _start[], _end[];

/* Hypercalls: through the hypercall page, or with a raw `int $0x82` (any number). */
long hypercall(u32 nr, ulong a1, ulong a2, ulong a3, ulong a4, ulong a5);
long hypercall_raw(u32 nr, ulong a1, ulong a2, ulong a3, ulong a4, ulong a5);
/* Through the page with EBX..EDI from regs[0..4]; regs receives their values after the call. */
long hypercall_regs(u32 nr, u32 regs[5]);
#define HC0(n) hypercall(HC_##n, 0, 0, 0, 0, 0)
#define HC1(n, a) hypercall(HC_##n, (ulong)(a), 0, 0, 0, 0)
#define HC2(n, a, b) hypercall(HC_##n, (ulong)(a), (ulong)(b), 0, 0, 0)
#define HC3(n, a, b, c) hypercall(HC_##n, (ulong)(a), (ulong)(b), (ulong)(c), 0, 0)

/* Library. */
void *memset(void *d, int c, ulong n);
void *memcpy(void *d, const void *s, ulong n);
int memcmp(const void *a, const void *b, ulong n);
ulong strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, ulong n);
const char *strstr(const char *h, const char *n);
ulong parse_ulong(const char *s);
/* Value of "key=" in the command line, or NULL. */
const char *cmdline_arg(const char *key);

int vsnprintf(char *buf, ulong size, const char *fmt, __builtin_va_list ap);
int snprintf(char *buf, ulong size, const char *fmt, ...);
void printk(const char *fmt, ...);
void console_write(const char *s, ulong len);

/* Test protocol. */
void fail(const char *fmt, ...);
#define check(cond, ...) do { if (!(cond)) fail(__VA_ARGS__); } while (0)
#define check_eq(got, want, what) do { long __g = (long)(got), __w = (long)(want); \
    if (__g != __w) fail("%s: got %ld (0x%lx), want %ld (0x%lx)", what, __g, __g, __w, __w); } while (0)
void test_main(void);
int test_failures(void);
/* Prints "Test result: SUCCESS" or "Test result: FAILURE: reason" and powers off. */
void __attribute__((noreturn)) test_done(void);
void __attribute__((noreturn)) shutdown(u32 reason);

/* Page tables (read through the initial read-only mapping; MFN == PFN is not assumed). */
ulong m2p(ulong mfn);
ulong p2m(ulong pfn);
/* The L1 entry mapping `va`, or 0 when it is not mapped by the initial tables. */
pte_t l1e_of(ulong va);
/* Virtual address of a machine frame inside the initial region (via the M2P), or 0. */
void *mfn_to_virt(ulong mfn);

#endif
