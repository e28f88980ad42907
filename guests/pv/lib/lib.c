/* ringone PV test library: strings, printk via HYPERVISOR_console_io, the test protocol. */
#include "pvlib.h"

void *memset(void *d, int c, ulong n) { u8 *p = d; while (n--) *p++ = (u8)c; return d; }
void *memcpy(void *d, const void *s, ulong n) { u8 *p = d; const u8 *q = s; while (n--) *p++ = *q++; return d; }
int memcmp(const void *a, const void *b, ulong n) {
    const u8 *p = a, *q = b;
    for (; n; n--, p++, q++) if (*p != *q) return *p < *q ? -1 : 1;
    return 0;
}
ulong strlen(const char *s) { ulong n = 0; while (s[n]) n++; return n; }
int strncmp(const char *a, const char *b, ulong n) {
    for (; n; n--, a++, b++) { if (*a != *b) return (u8)*a - (u8)*b; if (!*a) return 0; }
    return 0;
}
int strcmp(const char *a, const char *b) { return strncmp(a, b, ~0ul); }
const char *strstr(const char *h, const char *n) {
    ulong l = strlen(n);
    for (; *h; h++) if (!strncmp(h, n, l)) return h;
    return l ? NULL : h;
}
ulong parse_ulong(const char *s) {
    ulong v = 0, base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) { base = 16; s += 2; }
    for (;; s++) {
        ulong d;
        if (*s >= '0' && *s <= '9') d = *s - '0';
        else if (base == 16 && *s >= 'a' && *s <= 'f') d = *s - 'a' + 10;
        else if (base == 16 && *s >= 'A' && *s <= 'F') d = *s - 'A' + 10;
        else break;
        v = v * base + d;
    }
    return v;
}
const char *cmdline_arg(const char *key) {
    const char *c = start_info->cmd_line;
    ulong l = strlen(key);
    while (*c) {
        while (*c == ' ') c++;
        if (!strncmp(c, key, l) && c[l] == '=') return c + l + 1;
        while (*c && *c != ' ') c++;
    }
    return NULL;
}

/* ---- formatting ---------------------------------------------------------------------------- */

struct out { char *buf; ulong size, n; };
static void put(struct out *o, char c) { if (o->n + 1 < o->size) o->buf[o->n] = c; o->n++; }
/* v /= d, returning the remainder (bitwise long division: no libgcc in a freestanding kernel). */
static u32 divmod64(unsigned long long *v, u32 d) {
    unsigned long long q = 0; u32 r = 0;
    for (int b = 63; b >= 0; b--) {
        r = (r << 1) | (u32)((*v >> b) & 1);
        if (r >= d) { r -= d; q |= 1ull << b; }
    }
    *v = q;
    return r;
}
static void put_num(struct out *o, unsigned long long v, int base, int width, int zero, int neg, int upper) {
    char tmp[24]; int i = 0;
    const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do { tmp[i++] = dig[divmod64(&v, (u32)base)]; } while (v);
    if (neg) tmp[i++] = '-';
    while (i < width) tmp[i++] = zero ? '0' : ' ';
    while (i) put(o, tmp[--i]);
}
int vsnprintf(char *buf, ulong size, const char *fmt, __builtin_va_list ap) {
    struct out o = { buf, size, 0 };
    for (; *fmt; fmt++) {
        if (*fmt != '%') { put(&o, *fmt); continue; }
        int zero = 0, width = 0, lng = 0;
        fmt++;
        if (*fmt == '0') { zero = 1; fmt++; }
        while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l') { lng++; fmt++; }
        switch (*fmt) {
        case 'd': case 'i': {
            long long v = lng >= 2 ? __builtin_va_arg(ap, long long) : __builtin_va_arg(ap, long);
            put_num(&o, v < 0 ? -(unsigned long long)v : (unsigned long long)v, 10, width, zero, v < 0, 0);
            break;
        }
        case 'u': put_num(&o, lng >= 2 ? __builtin_va_arg(ap, unsigned long long) : __builtin_va_arg(ap, ulong), 10, width, zero, 0, 0); break;
        case 'x': case 'X': put_num(&o, lng >= 2 ? __builtin_va_arg(ap, unsigned long long) : __builtin_va_arg(ap, ulong), 16, width, zero, 0, *fmt == 'X'); break;
        case 'p': put(&o, '0'); put(&o, 'x'); put_num(&o, (ulong)__builtin_va_arg(ap, void *), 16, 8, 1, 0, 0); break;
        case 'c': put(&o, (char)__builtin_va_arg(ap, int)); break;
        case 's': { const char *s = __builtin_va_arg(ap, const char *); if (!s) s = "(null)"; while (*s) put(&o, *s++); break; }
        case '%': put(&o, '%'); break;
        default: put(&o, '%'); put(&o, *fmt); break;
        }
    }
    if (o.size) o.buf[o.n < o.size ? o.n : o.size - 1] = 0;
    return (int)o.n;
}
int snprintf(char *buf, ulong size, const char *fmt, ...) {
    __builtin_va_list ap; __builtin_va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    __builtin_va_end(ap);
    return n;
}

void console_write(const char *s, ulong len) { hypercall(HC_console_io, 0 /* CONSOLEIO_write */, len, (ulong)s, 0, 0); }

void printk(const char *fmt, ...) {
    char buf[512];
    __builtin_va_list ap; __builtin_va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    __builtin_va_end(ap);
    console_write(buf, (ulong)n < sizeof(buf) ? (ulong)n : sizeof(buf) - 1);
}

/* ---- test protocol ------------------------------------------------------------------------- */

static char first_failure[200];
static int failures;

void fail(const char *fmt, ...) {
    char buf[200];
    __builtin_va_list ap; __builtin_va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    __builtin_va_end(ap);
    printk("FAIL: %s\n", buf);
    if (!failures++) memcpy(first_failure, buf, sizeof(buf));
}

int test_failures(void) { return failures; }

void shutdown(u32 reason) {
    u32 r = reason;
    hypercall(HC_sched_op, 2 /* SCHEDOP_shutdown */, (ulong)&r, 0, 0, 0);
    for (;;) hypercall(HC_sched_op, 0, 0, 0, 0, 0);
}

void test_done(void) {
    if (failures) printk("Test result: FAILURE: %s\n", first_failure);
    else printk("Test result: SUCCESS\n");
    shutdown(0 /* SHUTDOWN_poweroff */);
}

/* ---- memory helpers ------------------------------------------------------------------------ */

ulong m2p(ulong mfn) { return ((const volatile ulong *)MACH2PHYS_VIRT_START)[mfn]; }
ulong p2m(ulong pfn) { return ((const ulong *)start_info->mfn_list)[pfn]; }

void *mfn_to_virt(ulong mfn) {
    ulong pfn = m2p(mfn);
    if (pfn == ~0ul || pfn >= start_info->nr_pages) return NULL;
    return (void *)(VIRT_BASE + (pfn << 12)); /* the initial region maps PFN n at VIRT_BASE + n * 4096 */
}

pte_t l1e_of(ulong va) {
    const pte_t *top = (const pte_t *)start_info->pt_base;
#if CONFIG_PAE
    pte_t l3 = top[va >> 30];
    if (!(l3 & _PAGE_PRESENT)) return 0;
    const pte_t *l2 = mfn_to_virt((ulong)(l3 >> 12) & 0xffffff);
    if (!l2) return 0;
    pte_t e2 = l2[(va >> 21) & 511];
    if (!(e2 & _PAGE_PRESENT)) return 0;
    const pte_t *l1 = mfn_to_virt((ulong)(e2 >> 12) & 0xffffff);
    if (!l1) return 0;
    return l1[(va >> 12) & 511];
#else
    pte_t e2 = top[va >> 22];
    if (!(e2 & _PAGE_PRESENT)) return 0;
    const pte_t *l1 = mfn_to_virt(e2 >> 12);
    if (!l1) return 0;
    return l1[(va >> 12) & 1023];
#endif
}
