/* Privileged-instruction emulation and CPUID (spec 5.6, 5.7): forced-emulation CPUID and plain
 * CPUID (both PV-filtered), the Xen leaves 0x40000000.., the prefix without cpuid -> #UD, MOV CR0
 * (virtual TS; other bits #GP), CLTS, MOV CR2/CR4, MOV DR7 rules, IN/OUT with and without IOPL and
 * with the I/O bitmap, CLI/STI, RDMSR/WRMSR policy (forbidden MSR -> #GP), the hypercall-page MSR,
 * WBINVD, HLT -> #GP, RDTSC under CR4.TSD. */
#define PVTRAPS_IMPL
#include "pvtraps.h"

#define TRAP_AT(setup, insn, at, ...) \
    asm volatile(setup "\n movl $1f, trap_resume\n 2: " insn "\n 1: movl $2b, %0" : "=m"(at) :: "memory", "cc", ##__VA_ARGS__)

static u32 gp_count(void) { return trap_last.count; }
static u8 newpage[4096] __attribute__((aligned(4096)));

void test_main(void) {
    u32 at = 0, r[4], c;
    map_shared_info();
    for (u32 v = 0; v <= 20; v++) if (v != 2 && v != 9 && v != 15 && v != 18) check_eq(set_trap(v, 0), 0, "set_trap_table");

    /* CPUID: hypervisor leaves through the forced-emulation prefix and plain CPUID alike. */
    cpuid_forced(0x40000000, 0, r);
    check(r[0] >= 0x40000002 && r[1] == 0x566e6558 && r[2] == 0x65584d4d && r[3] == 0x4d4d566e, "forced 0x40000000: %x %x %x %x", r[0], r[1], r[2], r[3]);
    check_eq(r[0], 0x40000005, "max Xen leaf");
    cpuid_raw(0x40000000, 0, r);
    check(r[1] == 0x566e6558 && r[2] == 0x65584d4d && r[3] == 0x4d4d566e, "plain CPUID sees XenVMMXenVMM");
    cpuid_forced(0x40000001, 0, r);
    check_eq(r[0], (4 << 16) | 17, "0x40000001 version = xen_version");
    cpuid_forced(0x40000002, 0, r);
    check(r[0] == 1 && r[1] == 0x40000000, "0x40000002: pages %u msr 0x%x", r[0], r[1]);
    cpuid_forced(0x40000003, 0, r);
    check_eq(r[2], 1000000, "guest TSC kHz");
    cpuid_forced(0x40000003, 1, r);
    check(r[2] == 0x80000000 && r[3] == 1, "tsc scale %x %x", r[2], r[3]);
    cpuid_forced(0x40000004, 0, r);
    check(!(r[0] | r[1] | r[2] | r[3]), "0x40000004 (HVM only) zero");
    cpuid_forced(0x40000005, 0, r);
    check(r[1] >= 24 && r[1] <= 44, "machine address width %u", r[1]);
    cpuid_forced(0x40000006, 0, r);
    check(!(r[0] | r[1] | r[2] | r[3]), "above the maximum: zero");
    cpuid_forced(0x40000100, 0, r);
    check(!(r[0] | r[1] | r[2] | r[3]), "no Viridian base");
    cpuid_forced(1, 0, r);
    check(r[2] & (1u << 31), "HYPERVISOR bit");
    check(!(r[3] & ((1 << 3) | (1 << 13) | (1 << 12) | (1 << 1))), "PSE/PGE/MTRR/VME hidden: edx %x", r[3]);
    check((r[3] & ((1 << 4) | (1 << 6) | (1 << 8))) == ((1 << 4) | (1 << 6) | (1 << 8)), "TSC/PAE/CX8 kept: edx %x", r[3]);
    check_eq(r[1] >> 24, 0, "initial APIC id 0");
    u32 p[4];
    cpuid_raw(1, 0, p);
    check(p[0] == r[0] && p[1] == r[1] && p[2] == r[2] && p[3] == r[3], "plain and forced CPUID agree");
    cpuid_forced(5, 0, r);
    check(!(r[0] | r[1] | r[2] | r[3]), "basic leaf above the maximum: zero");
    /* The prefix without a following cpuid: #UD at the ud2. */
    TRAP_AT("", "ud2; .ascii \"xen\"; nop; nop", at);
    check(trap_last.vec == 6 && trap_last.w[0] == at, "prefix without cpuid: #UD at 0x%x (vec %u eip 0x%x)", at, trap_last.vec, trap_last.w[0]);

    /* CR0: read shows the virtual TS; CLTS clears it; writing another bit is #GP. */
    u32 cr0;
    check_eq(HC1(fpu_taskswitch, 1), 0, "fpu_taskswitch(1)");
    asm volatile("mov %%cr0, %0" : "=r"(cr0));
    check(cr0 & 8, "CR0.TS after fpu_taskswitch(1): 0x%x", cr0);
    check(cr0 & 0x80000001, "CR0.PG|PE");
    asm volatile("clts");
    asm volatile("mov %%cr0, %0" : "=r"(cr0));
    check(!(cr0 & 8), "CLTS cleared TS");
    c = gp_count();
    asm volatile("fninit");
    check_eq(gp_count(), c, "no #NM after CLTS");
    asm volatile("mov %0, %%cr0" :: "r"(cr0 | 8));
    asm volatile("mov %%cr0, %0" : "=r"(cr0));
    check(cr0 & 8, "mov cr0 set TS");
    asm volatile("mov %0, %%cr0" :: "r"(cr0 & ~8u));
    TRAP_AT("mov %%cr0, %%eax; and $~0x10000, %%eax", "mov %%eax, %%cr0", at, "eax"); /* WP */
    check(trap_last.vec == 13 && trap_last.w[0] == 0 && trap_last.w[1] == at, "mov cr0 changing WP: #GP(0)");
    /* CR2 write/read; CR4 keeps only TSD/DE/FSGSBASE/OSXSAVE. */
    u32 cr2, cr4;
    asm volatile("mov %0, %%cr2; mov %%cr2, %1" : "=r"(cr2) : "r"(0x12345678u) : "memory");
    check_eq(cr2, 0x12345678, "cr2");
    check_eq(V_CR2, 0x12345678, "vcpu_info.arch.cr2 follows mov cr2");
    asm volatile("mov %%cr4, %0" : "=r"(cr4));
    check_eq(!!(cr4 & 0x20), CONFIG_PAE, "CR4.PAE as the paging mode");
    asm volatile("mov %0, %%cr4" :: "r"(cr4 | 0x80 | 8)); /* PGE ignored, DE taken */
    asm volatile("mov %%cr4, %0" : "=r"(cr4));
    check((cr4 & 8) && !(cr4 & 0x80), "CR4 after write: 0x%x", cr4);
    asm volatile("mov %0, %%cr4" :: "r"(cr4 & ~8u));
    /* CR3 reads the current base in the xen_pfn_to_cr3 encoding. */
    u32 cr3;
    asm volatile("mov %%cr3, %0" : "=r"(cr3));
    check_eq(cr3 >> 12, p2m(((ulong)start_info->pt_base - VIRT_BASE) >> 12), "cr3 = pt_base's MFN");

    /* Debug registers: mov dr7 with GD is #GP (set_debugreg -EPERM); DR0 round trip. */
    u32 d0;
    asm volatile("mov %1, %%dr0; mov %%dr0, %0" : "=r"(d0) : "r"(0x1000u));
    check_eq(d0, 0x1000, "dr0");
    TRAP_AT("mov $0x2000, %%eax", "mov %%eax, %%dr7", at, "eax");
    check(trap_last.vec == 13 && trap_last.w[1] == at, "mov dr7 with GD: #GP");

    /* I/O: no IOPL -> #GP(0); IOPL 1 -> all ones, writes dropped; CLI/STI likewise. */
    TRAP_AT("", "inb $0x71, %%al", at, "eax");
    check(trap_last.vec == 13 && trap_last.w[0] == 0 && trap_last.w[1] == at, "in without IOPL: #GP(0)");
    TRAP_AT("", "cli", at);
    check(trap_last.vec == 13 && trap_last.w[1] == at, "cli without IOPL: #GP");
    struct { u32 iopl; } io = { 1 };
    check_eq(HC2(physdev_op, 6 /* set_iopl */, &io), 0, "set_iopl 1");
    u32 v = 0x12345678;
    c = gp_count();
    asm volatile("inb $0x71, %%al" : "+a"(v));
    check_eq(v, 0x123456ff, "inb reads all ones");
    asm volatile("inw %%dx, %%ax" : "+a"(v) : "d"(0x1f0));
    check_eq(v, 0x1234ffff, "inw");
    asm volatile("inl %%dx, %%eax" : "+a"(v) : "d"(0xcfc));
    check_eq(v, 0xffffffff, "inl");
    asm volatile("outb %%al, $0x80; outl %%eax, %%dx" :: "a"(0), "d"(0xcf8));
    V_MASK = 1;
    asm volatile("sti");
    check_eq(V_MASK, 1, "sti does not touch the event mask");
    asm volatile("cli");
    check_eq(gp_count(), c, "no traps with IOPL 1");
    io.iopl = 0;
    check_eq(HC2(physdev_op, 6, &io), 0, "set_iopl 0");
    /* I/O bitmap: port 0x70 allowed (bit clear), 0x71 refused. */
    static u8 bitmap[8192 / 8 + 2];
    memset(bitmap, 0xff, sizeof(bitmap));
    bitmap[0x70 / 8] &= ~(1 << (0x70 % 8));
    struct { u32 bitmap; u32 nr; } ib = { (u32)bitmap, 0x400 };
    check_eq(HC2(physdev_op, 7 /* set_iobitmap */, &ib), 0, "set_iobitmap");
    c = gp_count();
    asm volatile("inb $0x70, %%al" ::: "eax");
    check_eq(gp_count(), c, "port 0x70 allowed by the bitmap");
    TRAP_AT("", "inb $0x71, %%al", at, "eax");
    check(trap_last.vec == 13 && trap_last.w[1] == at, "port 0x71 refused");
    TRAP_AT("", "inw $0x70, %%ax", at, "eax");
    check(trap_last.vec == 13 && trap_last.w[1] == at, "16-bit access covering 0x71 refused");

    /* MSRs. */
    u32 lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0x1b));
    check_eq(lo, 0xfee00900, "APIC_BASE");
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0x277));
    check(lo == 0x00070406 && hi == 0x00000501, "PAT %x:%x", hi, lo);
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000080));
    check(!(lo & 0x500), "EFER hides LME/LMA");
    TRAP_AT("mov $0x174, %%ecx", "rdmsr", at, "eax", "ecx", "edx");
    check(trap_last.vec == 13 && trap_last.w[0] == 0 && trap_last.w[1] == at, "rdmsr SYSENTER_CS: #GP(0)");
    TRAP_AT("mov $0xc0000081, %%ecx", "rdmsr", at, "eax", "ecx", "edx");
    check(trap_last.vec == 13 && trap_last.w[1] == at, "rdmsr STAR: #GP(0)");
    c = gp_count();
    asm volatile("wrmsr" :: "c"(0x277), "a"(0), "d"(0));
    check_eq(gp_count(), c, "wrmsr PAT dropped");
    TRAP_AT("mov $0x12345, %%ecx; xor %%eax, %%eax; xor %%edx, %%edx", "wrmsr", at, "eax", "ecx", "edx");
    check(trap_last.vec == 13 && trap_last.w[1] == at, "wrmsr unknown MSR: #GP");
    /* The hypercall-page MSR writes a hypercall page into the named frame. */
    memset(newpage, 0, sizeof(newpage));
    u64 ma = (u64)p2m(((ulong)newpage - VIRT_BASE) >> 12) << 12;
    asm volatile("wrmsr" :: "c"(0x40000000), "a"((u32)ma), "d"((u32)(ma >> 32)));
    check(newpage[17 * 32] == 0xb8 && newpage[17 * 32 + 1] == 17 && newpage[17 * 32 + 5] == 0xcd && newpage[17 * 32 + 6] == 0x82, "hypercall page written via MSR");
    TRAP_AT("mov $0x40000000, %%ecx; mov $1, %%eax; xor %%edx, %%edx", "wrmsr", at, "eax", "ecx", "edx");
    check(trap_last.vec == 13 && trap_last.w[1] == at, "hypercall-page MSR page 1: #GP");

    /* WBINVD is a no-op; HLT and INVD are #GP; LGDT is #GP. */
    c = gp_count();
    asm volatile("wbinvd");
    check_eq(gp_count(), c, "wbinvd");
    TRAP_AT("", "hlt", at);
    check(trap_last.vec == 13 && trap_last.w[0] == 0 && trap_last.w[1] == at, "hlt: #GP(0)");
    TRAP_AT("", "invd", at);
    check(trap_last.vec == 13 && trap_last.w[1] == at, "invd: #GP");

    /* RDTSC with CR4.TSD: emulated for the kernel (consistent with the clock). */
    asm volatile("mov %%cr4, %0" : "=r"(cr4));
    asm volatile("mov %0, %%cr4" :: "r"(cr4 | 4));
    c = gp_count();
    u64 t1 = rdtsc64(), s1 = system_time_ns();
    check_eq(gp_count(), c, "kernel rdtsc under TSD emulated");
    check(s1 >= t1 && s1 - t1 < 100000, "rdtsc and system time agree (1 GHz)");
    asm volatile("mov %0, %%cr4" :: "r"(cr4 & ~4u));
}
