/**
 * Hypercall costs (issue 3): a null hypercall round trip (int 0x82 -> host -> back), and a
 * multicall of B entries against B separate hypercalls, side by side in one run. The PV kernel
 * guests/pv/tests/hcbench.c separates its phases with SCHEDOP_yield; this bench timestamps each
 * yield (host time and retired guest instructions). Prints per-operation costs, medians of ROUNDS.
 *
 *   npm run bench:hypercall          (N=65536 B=32 ROUNDS=5 JIT=on to change)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PvMachine } from "../host/xen/pv-machine.ts";

const N = Number(process.env.N ?? 65536), B = Number(process.env.B ?? 32), ROUNDS = Number(process.env.ROUNDS ?? 5);
const JIT = (process.env.JIT ?? "on") as "on" | "off" | "force";
const kernel = new Uint8Array(readFileSync(join(import.meta.dirname, "..", "guests", "build", "pv", "hcbench-pae.elf")));

interface Phase { ns: number; instr: number; }

export function runHcBench(n: number, b: number, jit: "on" | "off" | "force" = JIT): { phases: Phase[]; calls: Map<string, number>; ok: boolean; batches: Map<number, number> } {
  const m = new PvMachine(kernel, { memMB: 32, cmdline: `n=${n} b=${b}`, jit });
  const marks: { t: bigint; i: bigint }[] = [];
  m.hooks.onYield = () => { marks.push({ t: process.hrtime.bigint(), i: m.cpu.instructions }); };
  const r = m.run(2e9);
  const phases: Phase[] = [];
  for (let k = 1; k < marks.length; k++) phases.push({ ns: Number(marks[k].t - marks[k - 1].t), instr: Number(marks[k].i - marks[k - 1].i) });
  return { phases, calls: m.stats.calls, ok: r.exitCode === 0, batches: m.stats.batchSizes };
}

const median = (xs: number[]) => { const s = [...xs].sort((a, c) => a - c); return s[s.length >> 1]; };

function main(): void {
  const rows: number[][] = [[], [], []], instr: number[][] = [[], [], []];
  runHcBench(N, B); // warm-up (host JIT, the core's block compiler): not counted
  for (let round = 0; round < ROUNDS; round++) {
    const r = runHcBench(N, B);
    if (!r.ok || r.phases.length !== 3) throw new Error("hcbench kernel did not complete its phases");
    r.phases.forEach((p, k) => { rows[k].push(p.ns / N); instr[k].push(p.instr / N); });
  }
  const fmt = (x: number) => x.toFixed(0).padStart(8);
  const m = rows.map(median);
  console.log(`operation                                   ns/op  guest instr/op   (N=${N}, B=${B}, JIT ${JIT}, medians of ${ROUNDS})`);
  console.log(`null hypercall (xen_version) round trip  ${fmt(m[0])}  ${median(instr[0]).toFixed(1).padStart(14)}`);
  console.log(`same call, ${B} separate per batch        ${fmt(m[1])}  ${median(instr[1]).toFixed(1).padStart(14)}`);
  console.log(`same call, one multicall of ${B}          ${fmt(m[2])}  ${median(instr[2]).toFixed(1).padStart(14)}`);
  console.log();
  console.log(`${B} calls: ${B} separate hypercalls ${(m[1] * B / 1000).toFixed(1)} us, one multicall of ${B} entries ${(m[2] * B / 1000).toFixed(1)} us` +
    ` (per call ${m[1].toFixed(0)} vs ${m[2].toFixed(0)} ns: the multicall is ${(m[1] / m[2]).toFixed(2)}x cheaper)`);
}

if (process.argv[1] && /hypercall\.bench\.(ts|mjs)$/.test(process.argv[1])) main();
