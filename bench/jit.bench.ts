/**
 * The JIT itself: what compiling costs and how soon each workload reaches its steady speed, with
 * our own Wasm emitter alone and with binaryen's optimiser run on every module (does it pay?),
 * interleaved in one run on the benchmark kernel (guests/bench). Prints per configuration: blocks,
 * modules, compile time per block and per module, instantiation per module, total JIT time; and
 * per workload: the first unit, the steady state (median of the later units), and the time to
 * steady state (from the workload's start to the end of its first unit within 10% of the steady
 * state). The interpreter alone is the baseline row.
 *
 *   npm run bench:jit          (REPS=8 ROUNDS=3 to change the sample size)
 */
import { loadBenchKernel, runRingoneBench, median, push, printTable, steadyPart, type Unit } from "./lib/bench-kernel.ts";
import { loadBinaryen } from "../host/jit/text.ts";

const REPS = Number(process.env.REPS ?? 8);
const ROUNDS = Number(process.env.ROUNDS ?? 3);

interface Config { name: string; jit: "off" | "on"; optimize: boolean }
const CONFIGS: Config[] = [
  { name: "interpreter", jit: "off", optimize: false },
  { name: "jit", jit: "on", optimize: false },
  { name: "jit+binaryen-opt", jit: "on", optimize: true },
];

interface Sample { units: Unit[]; blocks: number; modules: number; compileMs: number; instantiateMs: number; totalMs: number }

function runConfig(kernel: Uint8Array, c: Config): Sample {
  const t0 = performance.now();
  const g = runRingoneBench(kernel, REPS, { jit: c.jit }, (m) => { if (m.cpu.jit) m.cpu.jit.optimize = c.optimize; });
  const totalMs = performance.now() - t0;
  const j = g.machine.cpu.jit?.snapshot();
  return { units: g.units, blocks: j?.blocks ?? 0, modules: j?.modules ?? 0, compileMs: j?.compileMs ?? 0, instantiateMs: j?.instantiateMs ?? 0, totalMs };
}

/** Steady state of one workload's units, and the time until the first unit within 10% of it. */
function warmup(ms: number[]): { first: number; steady: number; toSteady: number } {
  const steady = median(steadyPart(ms));
  let t = 0;
  for (const x of ms) { t += x; if (x <= steady * 1.1) break; }
  return { first: ms[0], steady, toSteady: t };
}

async function main(): Promise<void> {
  const tb = performance.now();
  await loadBinaryen();
  const binaryenLoadMs = performance.now() - tb;
  const kernel = loadBenchKernel();
  const samples = new Map<string, Sample[]>();
  for (let round = 0; round < ROUNDS; round++) for (const c of CONFIGS) push(samples, c.name, runConfig(kernel, c));

  const costs = [["configuration", "blocks", "modules", "compile ms/block", "compile ms/module", "instantiate ms/module", "JIT ms total", "run ms total"]];
  for (const c of CONFIGS) {
    const s = samples.get(c.name)!;
    const med = (f: (x: Sample) => number) => median(s.map(f));
    if (c.jit === "off") { costs.push([c.name, "", "", "", "", "", "", med((x) => x.totalMs).toFixed(0)]); continue; }
    costs.push([c.name, med((x) => x.blocks).toFixed(0), med((x) => x.modules).toFixed(0),
      med((x) => x.compileMs / Math.max(1, x.blocks)).toFixed(3), med((x) => x.compileMs / Math.max(1, x.modules)).toFixed(2),
      med((x) => x.instantiateMs / Math.max(1, x.modules)).toFixed(2), med((x) => x.compileMs + x.instantiateMs).toFixed(0), med((x) => x.totalMs).toFixed(0)]);
  }
  printTable(costs);
  console.log(`(binaryen.js load, paid once before the optimiser can run: ${binaryenLoadMs.toFixed(0)} ms)\n`);

  const names = [...new Set(samples.get(CONFIGS[0].name)![0].units.map((u) => u.name))];
  const head = ["workload"];
  for (const c of CONFIGS) head.push(`${c.name}: 1st ms`, "steady ms", "to steady ms");
  const rows = [head];
  for (const n of names) {
    const row = [n];
    for (const c of CONFIGS) {
      const w = samples.get(c.name)!.map((s) => warmup(s.units.filter((u) => u.name === n).map((u) => u.ms)));
      row.push(median(w.map((x) => x.first)).toFixed(1), median(w.map((x) => x.steady)).toFixed(1), median(w.map((x) => x.toSteady)).toFixed(0));
    }
    rows.push(row);
  }
  printTable(rows);
  console.log(`(medians of ${ROUNDS} rounds x ${REPS} units per workload, configurations interleaved; ms per unit of work, timed inside the run)`);
}

await main();
process.exit(0);
