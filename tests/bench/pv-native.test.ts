/**
 * The paravirt-versus-native benchmark guest (guests/pvbench) with N small: every operation runs on
 * both sides, and the hypercall and exit counts behind each one are exactly what the operation does.
 * No timing is checked.
 */
import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { OPS, kernelPath, runNative, runPv, type OpSample } from "../../bench/pv-native.ts";

const N = 16;
const byName = (s: OpSample[]) => new Map(s.map((x) => [x.name, x]));

describe("pvbench: paravirtualised vs native", () => {
  for (const k of ["pv", "native"] as const) it(`${k} kernel is built`, () => expect(existsSync(kernelPath(k)), `run "make -C guests/pvbench"`).toBe(true));

  it("PV kernel: every operation, with exactly the hypercalls and exits it makes", () => {
    const { samples } = runPv(N);
    expect(samples.map((s) => s.name)).toEqual(OPS.map((o) => o.name));
    const s = byName(samples);
    const hc = (op: string) => s.get(op)!.hypercalls, ex = (op: string) => s.get(op)!.exits;
    // int 0x80 from ring 3 goes straight to the guest kernel (the core's direct gate, DPL 3 trap-table
    // entry): no exit. Only the int 0x81 return (a #GP the host bounces) and the HYPERVISOR_iret into ring 3.
    expect(ex("syscall")).toEqual({ FAULT: 1, SOFTINT: 1 });
    expect(hc("syscall")).toEqual({ iret: 1 });
    expect(hc("mmu_update")).toEqual({ mmu_update: N });
    expect(ex("mmu_update")).toEqual({ SOFTINT: N });
    expect(hc("update_va_mapping")).toEqual({ update_va_mapping: N });
    expect(hc("new_baseptr")).toEqual({ mmuext_op: N });
    const four = { update_descriptor: N, mmuext_op: N, stack_switch: N, fpu_taskswitch: N };
    expect(hc("ctxsw_multicall")).toEqual({ multicall: N, ...four });
    expect(ex("ctxsw_multicall")).toEqual({ SOFTINT: N }); // one exit for the batch
    expect(hc("ctxsw_single")).toEqual(four);
    expect(ex("ctxsw_single")).toEqual({ SOFTINT: 4 * N });
    expect(hc("irq_mask")).toEqual({});
    expect(ex("irq_mask")).toEqual({}); // a memory write each way: no exit
    // send (pending while masked), unmask + xen_version to force the upcall, HYPERVISOR_iret from it.
    expect(hc("unmask_pending")).toEqual({ event_channel_op: N, xen_version: N, iret: N });
    expect(hc("timer")).toEqual({ set_timer_op: N, sched_op: N, iret: N });
    for (const op of ["cpuid", "cpuid_forced", "mov_cr0", "port_in"]) {
      expect(hc(op), op).toEqual({});
      expect(ex(op), op).toEqual({ FAULT: N });
    }
    for (const x of samples) expect(x.instructions, x.name).toBeGreaterThan(0);
  });

  it("native kernel: every operation, exits only where the hardware model needs them", () => {
    const { samples, output } = runNative(N);
    expect(output).toContain("pvbench done");
    expect(samples.map((s) => s.name)).toEqual(OPS.map((o) => o.name));
    const s = byName(samples);
    const ex = (op: string) => { const e = { ...s.get(op)!.exits }; delete e.BUDGET; return e; };
    for (const op of ["syscall", "mmu_update", "update_va_mapping", "new_baseptr", "ctxsw_multicall", "ctxsw_single", "irq_mask", "cpuid", "cpuid_forced", "mov_cr0"])
      expect(ex(op), op).toEqual({});
    expect(ex("unmask_pending")).toEqual({ MMIO: 2 * N }); // ICR write + EOI
    expect(ex("timer")).toEqual({ MMIO: 3 * N, HLT: N }); // LVT, initial count, EOI; one HLT each
    expect(ex("port_in")).toEqual({ IO: N });
    for (const x of samples) {
      expect(x.hypercalls).toEqual({});
      expect(x.instructions, x.name).toBeGreaterThan(0);
    }
    // The same C loop retires about the same instruction count on both sides where the guest code is
    // the same instruction (the two builds' register allocation may differ by an instruction or two).
    const pv = byName(runPv(N).samples);
    for (const op of ["cpuid", "cpuid_forced", "mov_cr0"]) expect(Math.abs(pv.get(op)!.instructions - s.get(op)!.instructions), op).toBeLessThanOrEqual(4);
  });
});
