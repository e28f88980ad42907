/**
 * The benchmark kernel (guests/bench) on ringone and its native twin, shared by the benches that
 * time its workloads (interp, vs-v86, jit). Each unit of work is timed from inside the guest run:
 * the kernel writes (id << 8 | rep) to the marker port 0x504 before a unit and 0xFFFF after it.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PcMachine, type MachineOptions } from "../../host/machine.ts";
import { loadMultiboot } from "../../host/loaders/multiboot.ts";
import type { PortDevice } from "../../host/pc/bus.ts";

export const root = join(import.meta.dirname, "..", "..");
export const buildDir = join(root, "guests", "build", "bench");
export const kernelPath = join(buildDir, "bench-kernel.elf");
export const loadBenchKernel = (): Uint8Array => new Uint8Array(readFileSync(kernelPath));

/** One timed unit of work. */
export interface Unit { name: string; ms: number; instructions: number }
export interface GuestRun { units: Unit[]; sums: Map<string, string>; firstOutputMs: number; machine: PcMachine }

class Marker implements PortDevice {
  readonly name = "bench-marker";
  units: { id: number; ms: number; instructions: number }[] = [];
  private t0 = 0; private i0 = 0n; private id = -1;
  constructor(private readonly m: PcMachine) {}
  read(): number { return 0; }
  write(_p: number, _s: number, v: number): void {
    if (v !== 0xffff) { this.id = v >> 8; this.i0 = this.m.cpu.instructions; this.t0 = performance.now(); return; }
    this.units.push({ id: this.id, ms: performance.now() - this.t0, instructions: Number(this.m.cpu.instructions - this.i0) });
  }
}

/** Workload names and checksums from the kernel's COM1 lines ("name checksum", after one '.' per unit). */
export function parseSums(text: string): { names: string[]; sums: Map<string, string> } {
  const names: string[] = [], sums = new Map<string, string>();
  for (const line of text.split("\n")) {
    const [n, s] = line.replace(/^\.+/, "").trim().split(" ");
    if (s) { names.push(n); sums.set(n, s); }
  }
  return { names, sums };
}

/** Boot the kernel on ringone with `reps` units per workload and time every unit. */
export function runRingoneBench(kernel: Uint8Array, reps: number, opts: MachineOptions = {}, setup?: (m: PcMachine) => void): GuestRun {
  const t0 = performance.now();
  let firstOutputMs = 0;
  const out: number[] = [];
  const m = new PcMachine({ memMB: 32, realtime: false, ...opts, onOutput: (b) => { if (!firstOutputMs) firstOutputMs = performance.now() - t0; out.push(b); } });
  const marker = new Marker(m);
  m.bus.register(marker, 0x504);
  setup?.(m);
  loadMultiboot(m.cpu, kernel, `bench reps=${reps}`);
  const r = m.run(5e10);
  const text = Buffer.from(out).toString("latin1");
  if (r.reason !== "halted") throw new Error(`bench kernel did not finish: ${r.detail}\n${text}`);
  const { names, sums } = parseSums(text);
  return { units: marker.units.map((u) => ({ name: names[u.id], ms: u.ms, instructions: u.instructions })), sums, firstOutputMs, machine: m };
}

/** The same workloads built for the host (x86-64): one line per unit, "name rep ns checksum". */
export function runNativeBench(reps: number): { units: Unit[]; sums: Map<string, string> } {
  const out = execFileSync(join(buildDir, "bench-native"), [String(reps)], { encoding: "utf8" });
  const units: Unit[] = [], sums = new Map<string, string>();
  for (const line of out.trim().split("\n")) {
    const [name, , ns, sum] = line.split(" ");
    units.push({ name, ms: Number(ns) / 1e6, instructions: 0 });
    sums.set(name, sum);
  }
  return { units, sums };
}

/** The steady part of a workload's units: the second half (V8 tiers generated Wasm up in the background over several units; the first unit is warm-up by definition). */
export const steadyPart = (units: number[]): number[] => units.slice(Math.max(1, units.length >> 1));
export const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[s.length >> 1] : NaN; };
export const geomean = (xs: number[]): number => Math.exp(xs.reduce((a, b) => a + Math.log(b), 0) / xs.length);
export function push<K, V>(m: Map<K, V[]>, k: K, ...v: V[]): void { (m.get(k) ?? m.set(k, []).get(k)!).push(...v); }

/** Print rows as a table (first column left-aligned). */
export function printTable(rows: string[][]): void {
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  for (const r of rows) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join("  "));
}
