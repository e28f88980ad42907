/* The operations of the paravirt-versus-native benchmark, in marker-id order (bench/pv-native.bench.ts
 * keeps the same list). Marker protocol on port 0x504 (32-bit OUT): id << 8 = start, 0xffff = end. */
#define OPS(X) \
    X(0, syscall) X(1, mmu_update) X(2, update_va_mapping) X(3, new_baseptr) X(4, ctxsw_multicall) \
    X(5, ctxsw_single) X(6, irq_mask) X(7, unmask_pending) X(8, timer) X(9, cpuid) X(10, cpuid_forced) \
    X(11, mov_cr0) X(12, port_in)
