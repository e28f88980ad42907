/*
 * Integer workloads for the interpreter/JIT benchmarks: each returns a checksum so the guest run
 * and the native run can be compared for correctness as well as speed. No libc.
 */
#include "workloads.h"

static unsigned char buf_a[65536], buf_b[65536];
static int arr[8192];

/* A dependent ALU chain: each step needs the previous result. */
static int wl_alu(int n) {
    u32 x = 1, y = 7;
    for (int i = 0; i < n * 100000; i++) {
        x = x * 1664525u + 1013904223u;
        y ^= x >> 7;
        y += (x << 3) | (y >> 29);
    }
    return (int)(x ^ y);
}

static int wl_sieve(int n) {
    int count = 0;
    for (int r = 0; r < n; r++) {
        count = 0;
        for (int i = 0; i < 65536; i++) buf_a[i] = 1;
        for (int i = 2; i < 65536; i++) {
            if (!buf_a[i]) continue;
            count++;
            for (int j = i + i; j < 65536; j += i) buf_a[j] = 0;
        }
    }
    return count;
}

static int wl_crc32(int n) {
    u32 table[256];
    for (u32 i = 0; i < 256; i++) {
        u32 c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    for (int i = 0; i < 65536; i++) buf_b[i] = (unsigned char)(i * 7 + (i >> 5));
    u32 crc = 0xFFFFFFFFu;
    for (int r = 0; r < n; r++)
        for (int i = 0; i < 65536; i++) crc = table[(crc ^ buf_b[i]) & 0xFF] ^ (crc >> 8);
    return (int)~crc;
}

static int fib(int k) { return k < 2 ? k : fib(k - 1) + fib(k - 2); }
static int wl_calls(int n) {
    int s = 0;
    for (int r = 0; r < n; r++) s += fib(20);
    return s;
}

static void *copy(void *d, const void *s, u32 len) {
#if defined(__i386__) || defined(__x86_64__)
    void *ret = d;
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(len) : : "memory");
    return ret;
#endif
}
static int wl_memcpy(int n) {
    u32 sum = 0;
    for (int i = 0; i < 65536; i++) buf_a[i] = (unsigned char)i;
    for (int r = 0; r < n * 20; r++) {
        copy(buf_b, buf_a, 65536);
        copy(buf_a + 1, buf_b, 65535);
        sum += buf_a[(r * 4099 + 77) & 0xFFFF];
    }
    return (int)sum;
}

/* A tiny bytecode interpreter: a branchy dispatch loop. */
static int wl_interp(int n) {
    static const unsigned char prog[] = { 1, 5, 2, 3, 4, 1, 2, 6, 3, 5, 0 };
    int acc = 0, x = 1;
    for (int r = 0; r < n * 20000; r++) {
        for (int pc = 0; prog[pc]; pc++) {
            switch (prog[pc]) {
                case 1: acc += x; break;
                case 2: x = x * 3 + 1; break;
                case 3: acc ^= x; break;
                case 4: x >>= 1; break;
                case 5: acc -= r; break;
                case 6: if (acc & 1) x++; else x--; break;
            }
        }
    }
    return acc ^ x;
}

static void qs(int *a, int lo, int hi) {
    while (lo < hi) {
        int p = a[(lo + hi) >> 1], i = lo, j = hi;
        while (i <= j) {
            while (a[i] < p) i++;
            while (a[j] > p) j--;
            if (i <= j) { int t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
        }
        if (j - lo < hi - i) { qs(a, lo, j); lo = i; } else { qs(a, i, hi); hi = j; }
    }
}
static int wl_qsort(int n) {
    u32 seed = 12345, sum = 0;
    for (int r = 0; r < n; r++) {
        for (int i = 0; i < 8192; i++) { seed = seed * 1103515245u + 12345u; arr[i] = (int)(seed >> 8); }
        qs(arr, 0, 8191);
        sum += (u32)arr[r & 8191] ^ (u32)arr[4096];
    }
    return (int)sum;
}

const struct workload WORKLOADS[] = {
    { "alu-chain", wl_alu, 10 },
    { "sieve", wl_sieve, 4 },
    { "crc32", wl_crc32, 8 },
    { "calls", wl_calls, 20 },
    { "memcpy", wl_memcpy, 10 },
    { "interp", wl_interp, 10 },
    { "qsort", wl_qsort, 4 },
};
const int NUM_WORKLOADS = sizeof(WORKLOADS) / sizeof(WORKLOADS[0]);
