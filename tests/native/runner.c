/*
 * runner.c - "silicon oracle" for ringone's differential CPU tests.
 *
 * Reads test cases on stdin (one per line), executes each on the host CPU and
 * prints the resulting state on stdout.  See README.md for the protocol.
 *
 * Built twice from this one source:
 *   x86run64  native x86-64 (cases run in 64-bit mode)
 *   x86run32  gcc -m32 -static, run under qemu-i386 (cases run in 32-bit mode)
 * The register load/save trampoline is in stub.S.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>
#ifdef __x86_64__
#include <asm/prctl.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#endif

#if !defined(__x86_64__) && !defined(__i386__)
#error "x86 only"
#endif

/* ------------------------------------------------------------------------ */
/* Layout                                                                     */

#define DATA_ADDR   0x00100000u         /* case memory, 64 KiB */
#define DATA_SIZE   0x00010000u
#define CODE_ADDR   0x00200000u         /* case code slots, 1 MiB */
#define SLOT_SIZE   128u                /* code + jump back + int3 fill */
#define NSLOTS      8192u
#define CODE_SIZE   (SLOT_SIZE * NSLOTS)
#define MAX_CODE    64                  /* bytes of case code accepted */
#define MAX_MEM     DATA_SIZE           /* bytes of MEM accepted (protocol: 4096) */
#define EXC_TIMEOUT 0xff                /* pseudo vector: case did not finish */
#define FILL_BYTE   0xcc                /* int3 around the case code */

/* ------------------------------------------------------------------------ */
/* State shared with stub.S                                                  */

uint32_t rt_in_regs[8];                 /* eax ecx edx ebx esp ebp esi edi */
uint32_t rt_in_flags;
uint32_t rt_out_regs[8];
uint32_t rt_out_flags;
uintptr_t rt_code_ptr;
uintptr_t rt_saved_sp;
unsigned long rt_saved_flags;
uint16_t rt_saved_seg[5];               /* ds es fs gs ss */
uint32_t rt_mxcsr = 0x1f80;
uint32_t rt_have_sse;
#ifdef __x86_64__
uint64_t rt_fsbase, rt_gsbase;
uint32_t rt_have_fsgsbase;
uint32_t rt_fix_fsgs;                   /* restore FS/GS selector+base after the case */
#endif

void rt_run(void);
void rt_return(void);
void rt_restore_env(void);

enum { R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI };

/* ------------------------------------------------------------------------ */
/* Exception capture                                                          */

static sigjmp_buf case_jmp;
static sigset_t base_mask;
static volatile sig_atomic_t in_case;
static volatile uint32_t case_seq;      /* incremented per case (watchdog) */
static volatile uint32_t wd_seen_seq;
static volatile int wd_ticks;
static volatile int case_exc;           /* vector, -1 = none */
static int debug_signals;               /* X86RUN_DEBUG=1: log signals to stderr */

static uint8_t *const data_area = (uint8_t *)(uintptr_t)DATA_ADDR;
static uint8_t *const code_page = (uint8_t *)(uintptr_t)CODE_ADDR;

static void die(const char *msg)
{
    (void)!write(2, msg, strlen(msg));
    _exit(2);
}

/* Skip legacy prefixes; returns the opcode byte at ip inside the code page. */
static int opcode_at(uintptr_t ip)
{
    if (ip < CODE_ADDR || ip >= CODE_ADDR + CODE_SIZE)
        return -1;
    const uint8_t *p = (const uint8_t *)ip;
    const uint8_t *end = code_page + CODE_SIZE;
    while (p < end) {
        switch (*p) {
        case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
        case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
            p++;
            continue;
        default:
            return *p;
        }
    }
    return -1;
}

/* Is the ucontext trap number plausible for this signal? */
static int trapno_consistent(int sig, long t)
{
    switch (sig) {
    case SIGFPE:  return t == 0 || t == 16 || t == 19;
    case SIGILL:  return t == 6;
    case SIGSEGV: return t == 4 || t == 5 || (t >= 10 && t <= 14);
    case SIGBUS:  return t == 12 || t == 13 || t == 17;
    case SIGTRAP: return t == 1 || t == 3;
    }
    return 0;
}

/* Signal -> CPU exception vector.  REG_TRAPNO is authoritative when it is
 * consistent with the signal (native kernel).  Otherwise (e.g. qemu-user,
 * which does not always fill it) derive the vector from the siginfo, and tell
 * #BR/#OF from #GP by the faulting opcode. */
static int map_vector(int sig, const siginfo_t *si, long trapno, uintptr_t ip)
{
    if (trapno_consistent(sig, trapno))
        return (int)trapno;
    switch (sig) {
    case SIGFPE:
        return (si->si_code == FPE_INTDIV || si->si_code == FPE_INTOVF) ? 0x00 : 0x10;
    case SIGILL:
        return 0x06;
    case SIGSEGV:
        if (si->si_code == SEGV_MAPERR || si->si_code == SEGV_ACCERR)
            return 0x0e;
        /* SI_KERNEL: #GP, #BR (BOUND, a fault: ip at the opcode) or #OF
         * (INTO, a trap: ip just after the 0xce byte). */
        if (opcode_at(ip) == 0x62)
            return 0x05;
        if (ip > CODE_ADDR && ip <= CODE_ADDR + CODE_SIZE && code_page[ip - CODE_ADDR - 1] == 0xce)
            return 0x04;
        return 0x0d;
    case SIGBUS:
        return si->si_code == BUS_ADRALN ? 0x11 : 0x0c;
    case SIGTRAP:
        /* int3 arrives as SI_KERNEL (kernel and qemu); #DB as TRAP_TRACE
         * (kernel) or TRAP_BRKPT (qemu's EXCP01_DB). */
        return si->si_code == SI_KERNEL ? 0x03 : 0x01;
    }
    return 0xfe;
}

static void capture_ucontext(const ucontext_t *uc, long *trapno, uintptr_t *ip)
{
    const greg_t *g = uc->uc_mcontext.gregs;
#ifdef __x86_64__
    rt_out_regs[R_EAX] = (uint32_t)g[REG_RAX];
    rt_out_regs[R_ECX] = (uint32_t)g[REG_RCX];
    rt_out_regs[R_EDX] = (uint32_t)g[REG_RDX];
    rt_out_regs[R_EBX] = (uint32_t)g[REG_RBX];
    rt_out_regs[R_ESP] = (uint32_t)g[REG_RSP];
    rt_out_regs[R_EBP] = (uint32_t)g[REG_RBP];
    rt_out_regs[R_ESI] = (uint32_t)g[REG_RSI];
    rt_out_regs[R_EDI] = (uint32_t)g[REG_RDI];
    *ip = (uintptr_t)g[REG_RIP];
#else
    rt_out_regs[R_EAX] = (uint32_t)g[REG_EAX];
    rt_out_regs[R_ECX] = (uint32_t)g[REG_ECX];
    rt_out_regs[R_EDX] = (uint32_t)g[REG_EDX];
    rt_out_regs[R_EBX] = (uint32_t)g[REG_EBX];
    rt_out_regs[R_ESP] = (uint32_t)g[REG_ESP];
    rt_out_regs[R_EBP] = (uint32_t)g[REG_EBP];
    rt_out_regs[R_ESI] = (uint32_t)g[REG_ESI];
    rt_out_regs[R_EDI] = (uint32_t)g[REG_EDI];
    *ip = (uintptr_t)g[REG_EIP];
#endif
    /* RF (bit 16) is set in the image of a fault; pushf never shows it. */
    rt_out_flags = (uint32_t)g[REG_EFL] & ~0x10000u;
    *trapno = (long)(int32_t)g[REG_TRAPNO];
}

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
    /* First restore segment registers, FS/GS bases and flags: the case may have
     * clobbered them, and glibc (siglongjmp pointer guard) uses TLS. */
#ifdef __x86_64__
    rt_fix_fsgs = 1;
#endif
    rt_restore_env();
    if (!in_case) {
        static const char m[] = "x86run: fatal signal outside of a test case\n";
        (void)!write(2, m, sizeof m - 1);
        signal(sig, SIG_DFL);
        return;                         /* re-executes and dies */
    }
    long trapno;
    uintptr_t ip;
    capture_ucontext((const ucontext_t *)ucv, &trapno, &ip);
    if (debug_signals) {
        /* safe enough: the interrupted code is the case, never libc */
        char m[160];
        int n = snprintf(m, sizeof m, "x86run: sig=%d si_code=%d trapno=%ld err=%ld ip=%#lx\n",
                         sig, si->si_code, trapno,
                         (long)((const ucontext_t *)ucv)->uc_mcontext.gregs[REG_ERR],
                         (unsigned long)ip);
        (void)!write(2, m, (size_t)n);
    }
    case_exc = map_vector(sig, si, trapno, ip);
    siglongjmp(case_jmp, 1);
}

/* Watchdog: SIGVTALRM every 250 ms of CPU time; a case that spans ~4 ticks is
 * aborted and reported with EXC ff. */
static void on_watchdog(int sig, siginfo_t *si, void *ucv)
{
    (void)sig; (void)si;
    if (!in_case)
        return;
    if (wd_seen_seq != case_seq) {
        wd_seen_seq = case_seq;
        wd_ticks = 1;
        return;
    }
    if (++wd_ticks < 4)
        return;
#ifdef __x86_64__
    rt_fix_fsgs = 1;
#endif
    rt_restore_env();
    long trapno;
    uintptr_t ip;
    capture_ucontext((const ucontext_t *)ucv, &trapno, &ip);
    case_exc = EXC_TIMEOUT;
    siglongjmp(case_jmp, 1);
}

static void install_handlers(void)
{
    static const int sigs[] = { SIGSEGV, SIGILL, SIGFPE, SIGBUS, SIGTRAP, SIGVTALRM };
    static uint8_t altstack[256 * 1024] __attribute__((aligned(64)));
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
    if (sigaltstack(&ss, NULL) != 0)
        die("x86run: sigaltstack failed\n");

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaddset(&sa.sa_mask, sigs[i]);
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK | (sigs[i] == SIGVTALRM ? SA_RESTART : 0);
        sa.sa_sigaction = sigs[i] == SIGVTALRM ? on_watchdog : on_fault;
        if (sigaction(sigs[i], &sa, NULL) != 0)
            die("x86run: sigaction failed\n");
    }
    sigprocmask(SIG_SETMASK, NULL, &base_mask);

    struct itimerval it = { { 0, 250000 }, { 0, 250000 } };
    setitimer(ITIMER_VIRTUAL, &it, NULL);
}

static void capture_env(void)
{
    uint16_t s;
    __asm__ volatile("mov %%ds, %0" : "=r"(s)); rt_saved_seg[0] = s;
    __asm__ volatile("mov %%es, %0" : "=r"(s)); rt_saved_seg[1] = s;
    __asm__ volatile("mov %%fs, %0" : "=r"(s)); rt_saved_seg[2] = s;
    __asm__ volatile("mov %%gs, %0" : "=r"(s)); rt_saved_seg[3] = s;
    __asm__ volatile("mov %%ss, %0" : "=r"(s)); rt_saved_seg[4] = s;
    unsigned long f;
    __asm__ volatile("pushf; pop %0" : "=r"(f));
    rt_saved_flags = f & ~0x40500ul;    /* clear AC, DF, TF */
#ifdef __x86_64__
    if (syscall(SYS_arch_prctl, ARCH_GET_FS, &rt_fsbase) != 0 ||
        syscall(SYS_arch_prctl, ARCH_GET_GS, &rt_gsbase) != 0)
        die("x86run: arch_prctl failed\n");
    rt_have_fsgsbase = (getauxval(AT_HWCAP2) & 2) != 0;     /* HWCAP2_FSGSBASE */
    rt_have_sse = 1;
#else
    unsigned a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    rt_have_sse = (d >> 25) & 1;
#endif
}

static void map_fixed(uintptr_t addr, size_t size, int prot, int extra_flags)
{
    void *p = mmap((void *)addr, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | extra_flags, -1, 0);
    if (p != (void *)addr)
        die("x86run: cannot map the data/code area at its fixed address\n");
}

static void map_areas(void)
{
    /* NOREPLACE: never silently clobber something already mapped there. */
    map_fixed(DATA_ADDR, DATA_SIZE, PROT_READ | PROT_WRITE, MAP_FIXED_NOREPLACE);
    map_fixed(CODE_ADDR, CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_FIXED_NOREPLACE);
    memset(code_page, FILL_BYTE, CODE_SIZE);
}

/* Make the data area "MEM then zeros" again; the first mem_len bytes already
 * hold MEM.  The case may have written anywhere in the 64 KiB, so everything
 * else must be cleared.  x86-64: a plain memset (~1 us).  Under qemu-i386 a
 * 64 KiB memset costs ~12 us, so instead: memset the tail of the pages that
 * hold MEM, and replace every other page that has been touched (mincore says
 * resident; a fresh anonymous page is not) by a fresh zero page (MAP_FIXED). */
static void reset_data(size_t mem_len)
{
#ifdef __x86_64__
    memset(data_area + mem_len, 0, DATA_SIZE - mem_len);
#else
    enum { PG = 4096, NPG = DATA_SIZE / PG };
    size_t first = (mem_len + PG - 1) / PG;         /* first page without MEM */
    memset(data_area + mem_len, 0, first * PG - mem_len);
    if (first >= NPG)
        return;
    unsigned char vec[NPG];
    if (mincore(data_area + first * PG, (NPG - first) * PG, vec) != 0) {
        memset(data_area + first * PG, 0, (NPG - first) * PG);
        return;
    }
    size_t lo = NPG, hi = 0;
    for (size_t i = first; i < NPG; i++) {
        if (vec[i - first] & 1) {
            if (lo == NPG)
                lo = i;
            hi = i + 1;
        }
    }
    if (lo < hi)
        map_fixed(DATA_ADDR + lo * PG, (hi - lo) * PG, PROT_READ | PROT_WRITE, MAP_FIXED);
#endif
}

/* ------------------------------------------------------------------------ */
/* Running one case                                                           */

/* Code slots.  Writing code that qemu-user has already translated costs a
 * host fault + TB flush + mprotect (tens of us), so each distinct CODE gets a
 * slot (direct-mapped by hash) and is only written when the slot holds
 * something else.  A slot is: CODE, jump to rt_return, int3 fill. */
static uint8_t *place_code(const uint8_t *code, size_t n)
{
    uint32_t h = 0x811c9dc5u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ code[i]) * 0x01000193u;
    h ^= h >> 15;
    uint32_t idx = h % NSLOTS;
    uint8_t *p = code_page + (size_t)idx * SLOT_SIZE;

    uint8_t slot[SLOT_SIZE];
    memset(slot, FILL_BYTE, sizeof slot);
    memcpy(slot, code, n);
    uint8_t *j = slot + n;
#ifdef __x86_64__
    /* jmp qword [rip+0] ; dq rt_return */
    uint64_t target = (uint64_t)(uintptr_t)&rt_return;
    j[0] = 0xff; j[1] = 0x25; j[2] = j[3] = j[4] = j[5] = 0;
    memcpy(j + 6, &target, 8);
#else
    /* jmp rel32 */
    int32_t rel = (int32_t)((uintptr_t)&rt_return - (uintptr_t)(p + n + 5));
    j[0] = 0xe9;
    memcpy(j + 1, &rel, 4);
#endif
    /* Compare the whole slot (not a tag): a case that wrote into the code
     * area cannot leave a stale slot behind. */
    if (memcmp(p, slot, sizeof slot) != 0)
        memcpy(p, slot, sizeof slot);
    return p;
}

#ifdef __x86_64__
/* Could the code change the FS/GS selector or base (glibc keeps TLS at FS
 * base)?  mov Sreg, pop fs/gs, lfs/lgs, wr{fs,gs}base, int/syscall/sysenter.
 * Conservative byte scan; a false positive only costs two syscalls. */
static int may_touch_fsgs(const uint8_t *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (c[i]) {
        case 0x8e: case 0xa1: case 0xa9: case 0xb4: case 0xb5: case 0xae: case 0xcd:
            return 1;
        case 0x0f:
            if (i + 1 < n && (c[i + 1] == 0x05 || c[i + 1] == 0x34))
                return 1;
        }
    }
    return 0;
}
#endif

/* Returns the exception vector or -1. */
static int run_case(void)
{
    case_exc = -1;
    case_seq++;
    if (sigsetjmp(case_jmp, 0)) {
        /* Exception path: the handler restored segments/flags and captured the
         * registers.  Unblock the signal the handler was running for (savemask
         * 0 avoids a sigprocmask syscall per case on the normal path). */
        in_case = 0;
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        sigprocmask(SIG_SETMASK, &base_mask, NULL);
        /* EXTENSION POINT (x87 protocol): FPU state at the fault is lost here. */
        __asm__ volatile("fninit");
        return case_exc;
    }
    in_case = 1;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    rt_run();
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    in_case = 0;
    return -1;
}

/* ------------------------------------------------------------------------ */
/* I/O                                                                        */

static signed char hexval[256];
static const char hexdig[] = "0123456789abcdef";

static char obuf[1 << 20];
static size_t olen;

static void out_flush(void)
{
    size_t off = 0;
    while (off < olen) {
        ssize_t w = write(1, obuf + off, olen - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            _exit(3);
        }
        off += (size_t)w;
    }
    olen = 0;
}

static void out_reserve(size_t n)
{
    if (olen + n > sizeof obuf)
        out_flush();
}

static void out_str(const char *s)
{
    size_t n = strlen(s);
    out_reserve(n);
    memcpy(obuf + olen, s, n);
    olen += n;
}

static void out_hex32(uint32_t v, char sep)
{
    char *p = obuf + olen;
    for (int i = 7; i >= 0; i--) {
        p[i] = hexdig[v & 15];
        v >>= 4;
    }
    p[8] = sep;
    olen += 9;
}

static char ibuf[1 << 20];
static size_t ipos, iend;
static int ieof;

/* Returns a NUL-terminated line (without newline) or NULL at EOF. Lines longer
 * than the buffer are returned truncated with *toolong set. */
static char *read_line(int *toolong)
{
    *toolong = 0;
    for (;;) {
        char *nl = memchr(ibuf + ipos, '\n', iend - ipos);
        if (nl) {
            char *line = ibuf + ipos;
            *nl = 0;
            ipos = (size_t)(nl - ibuf) + 1;
            return line;
        }
        if (ieof) {
            if (ipos == iend)
                return NULL;
            /* last line without newline */
            if (iend == sizeof ibuf)
                iend--;
            ibuf[iend] = 0;
            char *line = ibuf + ipos;
            ipos = iend;
            return line;
        }
        if (ipos > 0) {
            memmove(ibuf, ibuf + ipos, iend - ipos);
            iend -= ipos;
            ipos = 0;
        }
        if (iend == sizeof ibuf) {
            /* overlong line: discard up to the next newline */
            *toolong = 1;
            iend = 0;
            for (;;) {
                ssize_t r = read(0, ibuf, sizeof ibuf);
                if (r < 0 && errno == EINTR)
                    continue;
                if (r <= 0) { ieof = 1; return ibuf; }
                char *q = memchr(ibuf, '\n', (size_t)r);
                if (q) {
                    ipos = (size_t)(q - ibuf) + 1;
                    iend = (size_t)r;
                    ibuf[0] = 0;
                    return ibuf;
                }
            }
        }
        out_flush();                    /* about to block: let the client see results */
        ssize_t r = read(0, ibuf + iend, sizeof ibuf - iend);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            ieof = 1;
        } else if (r == 0) {
            ieof = 1;
        } else {
            iend += (size_t)r;
        }
    }
}

static char *next_token(char **s, size_t *len)
{
    char *p = *s;
    while (*p == ' ' || *p == '\t' || *p == '\r')
        p++;
    if (!*p)
        return NULL;
    char *t = p;
    while (*p && *p != ' ' && *p != '\t' && *p != '\r')
        p++;
    *len = (size_t)(p - t);
    *s = p;
    return t;
}

static int parse_u32(const char *t, size_t n, uint32_t *v)
{
    if (n < 1 || n > 8)
        return -1;
    uint32_t x = 0;
    for (size_t i = 0; i < n; i++) {
        int h = hexval[(uint8_t)t[i]];
        if (h < 0)
            return -1;
        x = (x << 4) | (uint32_t)h;
    }
    *v = x;
    return 0;
}

static int parse_bytes(const char *t, size_t n, uint8_t *dst, size_t max, size_t *count)
{
    if (n & 1 || n / 2 > max)
        return -1;
    for (size_t i = 0; i < n; i += 2) {
        int hi = hexval[(uint8_t)t[i]], lo = hexval[(uint8_t)t[i + 1]];
        if (hi < 0 || lo < 0)
            return -1;
        dst[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    *count = n / 2;
    return 0;
}

static void out_error(const char *why)
{
    out_str("ERR ");
    out_str(why);
    out_str("\n");
}

static void process_line(char *line)
{
    char *s = line, *t;
    size_t n;
    uint8_t code[MAX_CODE];
    size_t code_len, mem_len = 0;

    t = next_token(&s, &n);
    if (!t || *t == '#')
        return;                         /* blank line or comment: no output */
    if (parse_bytes(t, n, code, MAX_CODE, &code_len) || code_len == 0)
        return out_error("bad CODE");
    for (int i = 0; i < 8; i++) {
        t = next_token(&s, &n);
        if (!t || parse_u32(t, n, &rt_in_regs[i]))
            return out_error("bad register field");
    }
    t = next_token(&s, &n);
    if (!t || parse_u32(t, n, &rt_in_flags))
        return out_error("bad EFLAGS");
    t = next_token(&s, &n);
    if (t && !(n == 1 && *t == '-')) {
        /* decode straight into the data area (validated before use) */
        if (parse_bytes(t, n, data_area, MAX_MEM, &mem_len))
            return out_error("bad MEM");
    }
    if (next_token(&s, &n))
        return out_error("too many fields");

    /* Clean state: everything beyond MEM is zero. */
    reset_data(mem_len);
    rt_code_ptr = (uintptr_t)place_code(code, code_len);
#ifdef __x86_64__
    rt_fix_fsgs = (uint32_t)may_touch_fsgs(code, code_len);
#endif

    /* EXTENSION POINT (x87 protocol): parse/load FPU input here. */
    int exc = run_case();

    /* Output */
    out_reserve(16 * 9 + 2 * mem_len + 8);
    for (int i = 0; i < 8; i++)
        out_hex32(rt_out_regs[i], ' ');
    out_hex32(rt_out_flags, ' ');
    char *p = obuf + olen;
    if (exc < 0) {
        *p++ = '-';
    } else {
        *p++ = hexdig[(exc >> 4) & 15];
        *p++ = hexdig[exc & 15];
    }
    *p++ = ' ';
    olen = (size_t)(p - obuf);
    uint32_t h = 0x811c9dc5u;
    for (size_t i = 0; i < mem_len; i++)
        h = (h ^ data_area[i]) * 0x01000193u;
    out_hex32(h, ' ');
    p = obuf + olen;
    if (mem_len == 0) {
        *p++ = '-';
    } else {
        for (size_t i = 0; i < mem_len; i++) {
            *p++ = hexdig[data_area[i] >> 4];
            *p++ = hexdig[data_area[i] & 15];
        }
    }
    *p++ = '\n';
    olen = (size_t)(p - obuf);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        fprintf(stderr,
                "usage: %s < cases\n"
                "  in:  CODE EAX ECX EDX EBX ESP EBP ESI EDI EFLAGS [MEM]\n"
                "  out: EAX ECX EDX EBX ESP EBP ESI EDI EFLAGS EXC MEMHASH MEM\n"
                "  (%s build; see tests/native/README.md)\n",
                argv[0],
#ifdef __x86_64__
                "x86-64"
#else
                "i386"
#endif
        );
        return argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) ? 0 : 1;
    }
    memset(hexval, -1, sizeof hexval);
    for (int i = 0; i < 10; i++)
        hexval['0' + i] = (signed char)i;
    for (int i = 0; i < 6; i++) {
        hexval['a' + i] = (signed char)(10 + i);
        hexval['A' + i] = (signed char)(10 + i);
    }

    debug_signals = getenv("X86RUN_DEBUG") != NULL;
    map_areas();
    capture_env();
    install_handlers();

    char *line;
    int toolong;
    while ((line = read_line(&toolong)) != NULL) {
        if (toolong) {
            out_error("line too long");
            continue;
        }
        process_line(line);
    }
    out_flush();
    return 0;
}
