/* Integer benchmark workloads shared by the guest kernel and the native harness (same source). */
#ifndef WORKLOADS_H
#define WORKLOADS_H
typedef unsigned int u32;
typedef int (*workload_fn)(int scale);
struct workload { const char *name; workload_fn fn; int scale; };
extern const struct workload WORKLOADS[];
extern const int NUM_WORKLOADS;
#endif
