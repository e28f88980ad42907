/*
 * Native harness for the benchmark workloads (x86-64 host build of the same workloads.c):
 * runs each workload `reps` times and prints one line per unit: "name rep nanoseconds checksum".
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include "workloads.h"
#define strcmp_local strcmp

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
    int reps = argc > 1 ? atoi(argv[1]) : 3;
    const char *only = argc > 2 ? argv[2] : NULL;
    for (int w = 0; w < NUM_WORKLOADS; w++) {
        if (only && strcmp_local(only, WORKLOADS[w].name)) continue;
        for (int r = 0; r < reps; r++) {
            long long t0 = now_ns();
            int sum = WORKLOADS[w].fn(WORKLOADS[w].scale);
            long long t1 = now_ns();
            printf("%s %d %lld %08x\n", WORKLOADS[w].name, r, t1 - t0, (unsigned)sum);
        }
    }
    return 0;
}
