/**
 * Runs the paravirt-versus-native benchmark guest (guests/pvbench, one C source built twice) and
 * collects, per operation, the retired guest instructions, the host time, the hypercalls (PV) and the
 * core exits between the operation's two markers (port 0x504: id << 8 starts, 0xffff ends).
 *
 * Marker cost: natively the 32-bit OUT is an I/O exit answered by a port device; in the PV kernel the
 * same OUT raises #GP (ring 1 has no I/O permission) and a fault handler placed before the
 * hypervisor's emulations records it. Each side pays one core exit and one host call per marker,
 * once per N operations. The exit that ends a measurement is not counted in its exit total.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PcMachine } from "../host/machine.ts";
import { loadMultiboot } from "../host/loaders/multiboot.ts";
import type { PortDevice } from "../host/pc/bus.ts";
import { PvMachine, type GuestFault } from "../host/xen/pv-machine.ts";
import { ExitReason } from "../host/isa/layout.ts";

export const OPS = [
  { name: "syscall", pv: "int 0x80 from ring 3 via the trap table, iret", native: "int 0x80 from ring 3 via an IDT gate, iret" },
  { name: "mmu_update", pv: "mmu_update (1 L1 entry)", native: "PTE write + INVLPG" },
  { name: "update_va_mapping", pv: "update_va_mapping UVMF_INVLPG", native: "PTE write + INVLPG" },
  { name: "new_baseptr", pv: "MMUEXT_NEW_BASEPTR", native: "mov to CR3" },
  { name: "ctxsw_multicall", pv: "multicall: update_descriptor, NEW_BASEPTR, stack_switch, fpu_taskswitch", native: "GDT write, mov CR3, TSS.esp0, CR0.TS" },
  { name: "ctxsw_single", pv: "the same four hypercalls one by one", native: "GDT write, mov CR3, TSS.esp0, CR0.TS" },
  { name: "irq_mask", pv: "evtchn_upcall_mask = 1, = 0 (+ pending check)", native: "CLI, STI" },
  { name: "unmask_pending", pv: "mask, EVTCHNOP_send (IPI port), unmask -> xen_version -> upcall", native: "CLI, APIC self-IPI, STI -> interrupt" },
  { name: "timer", pv: "set_timer_op(+10us), SCHEDOP_block -> VIRQ_TIMER upcall", native: "APIC one-shot timer (10us), STI;HLT -> interrupt" },
  { name: "cpuid", pv: "CPUID (faulting, emulated)", native: "CPUID" },
  { name: "cpuid_forced", pv: "forced-emulation CPUID (ud2 'xen' cpuid)", native: "CPUID" },
  { name: "mov_cr0", pv: "mov from CR0 (#GP, emulated)", native: "mov from CR0" },
  { name: "port_in", pv: "in al,0x80 (#GP, emulated with IOPL 1)", native: "in al,0x80 (I/O exit)" },
] as const;

export interface OpSample {
  name: string;
  ns: number;
  instructions: number;
  /** Hypercalls by name (PV only). */
  hypercalls: Record<string, number>;
  /** Core exits by reason name. */
  exits: Record<string, number>;
}

const root = join(import.meta.dirname, "..");
export const kernelPath = (kind: "pv" | "native") => join(root, "guests", "build", "pvbench", `pvbench-${kind}.elf`);
const EXIT_NAMES: Record<number, string> = Object.fromEntries(Object.entries(ExitReason).map(([k, v]) => [v as number, k]));

type Snap = { t: bigint; i: bigint; hc: Map<string, number>; ex: Map<number, number> };
const diff = <K>(a: Map<K, number>, b: Map<K, number>, name: (k: K) => string, minus?: K): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const [k, v] of b) {
    const d = v - (a.get(k) ?? 0) - (k === minus ? 1 : 0);
    if (d > 0) out[name(k)] = d;
  }
  return out;
};

class Recorder {
  samples: OpSample[] = [];
  private start?: Snap & { id: number };
  constructor(private readonly snap: () => Snap, private readonly markerExit: number) {}
  mark(v: number): void {
    const s = this.snap();
    if (v !== 0xffff) { this.start = { ...s, id: v >> 8 }; return; }
    const a = this.start;
    if (!a) throw new Error("end marker without a start");
    this.samples.push({
      name: OPS[a.id]?.name ?? `op${a.id}`,
      ns: Number(s.t - a.t),
      instructions: Number(s.i - a.i),
      hypercalls: diff(a.hc, s.hc, (k) => k),
      exits: diff(a.ex, s.ex, (k) => EXIT_NAMES[k] ?? String(k), this.markerExit),
    });
    this.start = undefined;
  }
}

export interface RunResult { samples: OpSample[]; output: string; }

export function runPv(n: number, image = new Uint8Array(readFileSync(kernelPath("pv")))): RunResult {
  const m = new PvMachine(image, { memMB: 32, cmdline: `n=${n}` });
  const rec = new Recorder(() => ({ t: process.hrtime.bigint(), i: m.cpu.instructions, hc: new Map(m.stats.calls), ex: new Map(m.exitCounts) }), ExitReason.FAULT);
  // The marker OUT (0xEF, out %eax,%dx with DX = 0x504) faults with #GP(0) in ring 1: claim it first.
  m.faultHandlers.unshift((mm: PvMachine, f: GuestFault) => {
    if (f.vector !== 13 || f.errorCode !== 0 || (mm.cpu.reg("edx") & 0xffff) !== 0x504) return false;
    let b: number;
    try { b = mm.mem.copyFromGuest(f.eip, 1)[0]; } catch { return false; }
    if (b !== 0xef) return false;
    rec.mark(mm.cpu.reg("eax"));
    mm.cpu.eip = (f.eip + 1) >>> 0;
    return true;
  });
  const r = m.run(5e10);
  if (r.reason !== "shutdown" || r.exitCode !== 0 || !m.output.includes("Test result: SUCCESS"))
    throw new Error(`PV bench kernel failed: ${r.detail}\n${m.output}`);
  return { samples: rec.samples, output: m.output };
}

export function runNative(n: number, image = new Uint8Array(readFileSync(kernelPath("native")))): RunResult {
  const m = new PcMachine({ memMB: 32 });
  const rec = new Recorder(() => ({ t: process.hrtime.bigint(), i: m.cpu.instructions, hc: new Map(), ex: new Map(m.exitCounts) }), ExitReason.IO);
  const marker: PortDevice = { name: "bench-marker", read: () => 0, write: (_p, _s, v) => rec.mark(v >>> 0) };
  m.bus.register(marker, 0x504);
  loadMultiboot(m.cpu, image, `pvbench n=${n}`);
  const r = m.run(5e10);
  if (!m.output.includes("Test result: SUCCESS")) throw new Error(`native bench kernel failed: ${r.reason} ${r.detail}\n${m.output}`);
  return { samples: rec.samples, output: m.output };
}
