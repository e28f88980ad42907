/**
 * Interpreter throughput: the integer workloads in guests/bench (same C source) run as a multiboot
 * kernel on ringone and natively on the host (x86-64 build), interleaved in one run. Each unit of
 * work is timed from inside the guest run through the marker port 0x504. Prints per workload:
 * guest instructions per unit, ringone time, MIPS, native time, slowdown (ringone / native), medians.
 *
 *   npm run bench            (REPS=5 ROUNDS=3 to change the sample size)
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PcMachine } from "../host/machine.ts";
import { loadMultiboot } from "../host/loaders/multiboot.ts";
import type { PortDevice } from "../host/pc/bus.ts";

const root = join(import.meta.dirname, "..");
const buildDir = join(root, "guests", "build", "bench");
const REPS = Number(process.env.REPS ?? 3);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
/** The interpreter alone by default (this is the interpreter's benchmark); JIT=on to compare. */
const JIT = (process.env.JIT ?? "off") as "off" | "on" | "force";

interface Unit { name: string; ns: number; instructions: number; }

class Marker implements PortDevice {
  readonly name = "bench-marker";
  units: { id: number; ns: number; instructions: number }[] = [];
  private t0 = 0n; private i0 = 0n; private id = -1;
  constructor(private readonly m: PcMachine) {}
  read(): number { return 0; }
  write(_p: number, _s: number, v: number): void {
    if (v !== 0xffff) { this.id = v >> 8; this.t0 = process.hrtime.bigint(); this.i0 = this.m.cpu.instructions; return; }
    this.units.push({ id: this.id, ns: Number(process.hrtime.bigint() - this.t0), instructions: Number(this.m.cpu.instructions - this.i0) });
  }
}

export function runGuest(kernel: Uint8Array, reps: number): { units: Unit[]; sums: Map<string, string> } {
  const m = new PcMachine({ memMB: 32, jit: JIT, realtime: false });
  const marker = new Marker(m);
  m.bus.register(marker, 0x504);
  loadMultiboot(m.cpu, kernel, `bench reps=${reps}`);
  const r = m.run(5e10);
  if (r.reason !== "halted") throw new Error(`bench kernel did not finish: ${r.detail}\n${m.output}`);
  const sums = new Map<string, string>();
  const names: string[] = [];
  for (const line of m.output.split("\n")) {
    const [name, sum] = line.replace(/^\.+/, "").trim().split(" ");
    if (sum) { sums.set(name, sum); names.push(name); }
  }
  return { units: marker.units.map((u) => ({ name: names[u.id], ns: u.ns, instructions: u.instructions })), sums };
}

function runNative(reps: number): { units: Unit[]; sums: Map<string, string> } {
  const out = execFileSync(join(buildDir, "bench-native"), [String(reps)], { encoding: "utf8" });
  const units: Unit[] = [];
  const sums = new Map<string, string>();
  for (const line of out.trim().split("\n")) {
    const [name, , ns, sum] = line.split(" ");
    units.push({ name, ns: Number(ns), instructions: 0 });
    sums.set(name, sum);
  }
  return { units, sums };
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[s.length >> 1] : NaN; };

function main(): void {
  const kernel = new Uint8Array(readFileSync(join(buildDir, "bench-kernel.elf")));
  const guest = new Map<string, Unit[]>(), native = new Map<string, Unit[]>();
  for (let round = 0; round < ROUNDS; round++) {
    const n = runNative(REPS);
    const g = runGuest(kernel, REPS);
    for (const [k, v] of g.sums) if (n.sums.get(k) !== v) throw new Error(`checksum mismatch on ${k}: ringone ${v}, native ${n.sums.get(k)}`);
    for (const u of n.units) (native.get(u.name) ?? native.set(u.name, []).get(u.name)!).push(u);
    for (const u of g.units) (guest.get(u.name) ?? guest.set(u.name, []).get(u.name)!).push(u);
  }
  const rows: string[][] = [["workload", "guest instr/unit", "ringone ms", "MIPS", "native ms", "slowdown"]];
  const slow: number[] = [];
  for (const [name, gu] of guest) {
    const gms = median(gu.map((u) => u.ns)) / 1e6;
    const nms = median((native.get(name) ?? []).map((u) => u.ns)) / 1e6;
    const instr = median(gu.map((u) => u.instructions));
    slow.push(gms / nms);
    rows.push([name, instr.toLocaleString("en-US"), gms.toFixed(2), (instr / gms / 1000).toFixed(1), nms.toFixed(3), `${(gms / nms).toFixed(1)}x`]);
  }
  const geo = Math.exp(slow.reduce((a, b) => a + Math.log(b), 0) / slow.length);
  rows.push(["geomean", "", "", "", "", `${geo.toFixed(1)}x`]);
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join("  "));
  console.log(`(medians of ${ROUNDS} rounds x ${REPS} reps; checksums equal between ringone and native; JIT ${JIT})`);
}

main();
