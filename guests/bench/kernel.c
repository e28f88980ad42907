/*
 * Benchmark kernel (multiboot): runs each workload `reps` times and marks every unit of work on the
 * marker port 0x504 so the host can time it from inside the run: OUT 0x504 with (id << 8 | rep) at
 * the start and 0xFFFF at the end of each unit. The checksum of each workload is printed on COM1 as
 * "name checksum". Repetitions come from the multiboot command line ("reps=N"), default 3.
 * Engines that cannot see the marker port (v86 drops unknown ports) time each unit from the '.'
 * written to COM1 after it (one byte per unit: negligible next to a unit's milliseconds).
 */
#include "workloads.h"

static inline void outb(unsigned short port, unsigned char v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(unsigned short port, unsigned short v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline unsigned char inb(unsigned short port) { unsigned char v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static void putc(char c) { while (!(inb(0x3FD) & 0x20)) {} outb(0x3F8, (unsigned char)c); }
static void puts(const char *s) { while (*s) putc(*s++); }
static void puthex(u32 v) { for (int i = 28; i >= 0; i -= 4) putc("0123456789abcdef"[(v >> i) & 15]); }

struct mbinfo { u32 flags, mem_lower, mem_upper, boot_device, cmdline; };

static int parse_reps(const char *s) {
    for (; s && *s; s++) {
        if (s[0] == 'r' && s[1] == 'e' && s[2] == 'p' && s[3] == 's' && s[4] == '=') {
            int v = 0;
            for (s += 5; *s >= '0' && *s <= '9'; s++) v = v * 10 + (*s - '0');
            return v > 0 ? v : 1;
        }
    }
    return 3;
}

void kmain(u32 magic, struct mbinfo *mbi) {
    int reps = (magic == 0x2BADB002 && (mbi->flags & 4)) ? parse_reps((const char *)mbi->cmdline) : 3;
    puts("start\n"); /* engines without the marker port (v86) time units from here, '.' to '.' */
    for (int w = 0; w < NUM_WORKLOADS; w++) {
        int sum = 0;
        for (int r = 0; r < reps; r++) {
            outw(0x504, (unsigned short)((w << 8) | r));
            sum = WORKLOADS[w].fn(WORKLOADS[w].scale);
            outw(0x504, 0xFFFF);
            putc('.');
        }
        puts(WORKLOADS[w].name);
        putc(' ');
        puthex((u32)sum);
        putc('\n');
    }
    puts("DONE\n");
}
