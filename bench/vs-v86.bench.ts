/**
 * ringone (JIT on) against v86 (npm `v86`, its own x86-to-Wasm JIT) and native, on the same
 * multiboot benchmark kernel (guests/bench), interleaved rounds. Prints per workload:
 *   steady state (median per-unit time over the second half of the units: both engines' compiled
 *   Wasm is tiered up by V8 in the background, which takes some units) and the first unit (warm-up:
 *   interpreter, hotness, compilation) of each engine: ringone's units are timed by the marker port 0x504, v86's
 *   (it drops unknown ports) by the '.' the kernel writes to COM1 after each unit; the ratio
 *   v86 / ringone of the steady states, and each engine's slowdown against native; then time to
 *   first COM1 output for both, and the JIT's compile costs.
 *
 *   npm run bench:vs-v86          (REPS=15 ROUNDS=2 to change the sample size)
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { loadBenchKernel, runRingoneBench, runNativeBench, median, geomean, push, printTable, root, steadyPart } from "./lib/bench-kernel.ts";

const REPS = Number(process.env.REPS ?? 15);
const ROUNDS = Number(process.env.ROUNDS ?? 2);

/** Per workload: the first unit and the steady ones (ms), checksums, time to first COM1 output. */
interface EngineRun { perUnit: Map<string, number[]>; first: Map<string, number>; firstOutputMs: number; sums: Map<string, string> }

function runRingone(kernel: Uint8Array): EngineRun & { jit: string } {
  const g = runRingoneBench(kernel, REPS, { jit: "on" });
  const all = new Map<string, number[]>(), perUnit = new Map<string, number[]>(), first = new Map<string, number>();
  for (const u of g.units) push(all, u.name, u.ms);
  for (const [n, xs] of all) { first.set(n, xs[0]); perUnit.set(n, steadyPart(xs)); }
  const j = g.machine.cpu.jit?.snapshot();
  const jit = j ? `${j.blocks} blocks, ${j.modules} modules, compile ${(j.compileMs / Math.max(1, j.blocks)).toFixed(3)} ms/block ` +
    `(${(j.compileMs / Math.max(1, j.modules)).toFixed(2)} ms/module), instantiate ${(j.instantiateMs / Math.max(1, j.modules)).toFixed(2)} ms/module, ` +
    `${j.insnsCustom} custom + ${j.insnsGeneric} generic instructions, ${j.tierUps} hot modules compiled again with TurboFan (${j.tierUpMs.toFixed(0)} ms)` : "jit off";
  return { perUnit, first, firstOutputMs: g.firstOutputMs, sums: g.sums, jit };
}

/** v86 runs in a child process per round (a stopped v86 instance keeps timers that disturb later measurements). */
function runV86(): EngineRun {
  const out = execFileSync(process.execPath, [...process.execArgv, import.meta.filename, "--v86-child"], {
    encoding: "utf8", env: { ...process.env }, maxBuffer: 1 << 24, stdio: ["ignore", "pipe", "ignore"],
  });
  const j = JSON.parse(out.trim().split("\n").pop()!);
  return { perUnit: new Map(j.perUnit), first: new Map(j.first), firstOutputMs: j.firstOutputMs, sums: new Map(j.sums) };
}

async function v86Child(kernel: Uint8Array): Promise<EngineRun> {
  const { V86 } = await import("v86");
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let line = "", last = 0, firstOut = 0;
    const perUnit = new Map<string, number[]>(), sums = new Map<string, string>(), first = new Map<string, number>();
    const e = new V86({
      wasm_path: join(root, "node_modules/v86/build/v86.wasm"), memory_size: 64 << 20, autostart: true,
      multiboot: { buffer: kernel.buffer.slice(kernel.byteOffset, kernel.byteOffset + kernel.length) },
      cmdline: `bench reps=${REPS}`, disable_keyboard: true, disable_mouse: true, disable_speaker: true,
    } as never);
    const timer = setTimeout(() => reject(new Error("v86 timed out")), 600_000);
    let units: number[] = [];
    e.add_listener("serial0-output-byte", (b: number) => {
      const now = performance.now() - t0;
      if (!firstOut) { firstOut = now; last = now; }
      const c = String.fromCharCode(b);
      if (c === ".") { units.push(now - last); last = now; return; }
      if (c !== "\n") { line += c; return; }
      const [n, s] = line.trim().split(" ");
      line = "";
      last = now;
      if (n === "DONE") { clearTimeout(timer); e.stop(); e.destroy?.(); resolve({ perUnit, first, firstOutputMs: firstOut, sums }); return; }
      if (s) { sums.set(n, s); first.set(n, units[0]); perUnit.set(n, steadyPart(units)); }
      units = [];
    });
  });
}

async function main(): Promise<void> {
  const kernel = loadBenchKernel();
  const R = new Map<string, number[]>(), R1 = new Map<string, number[]>(), V = new Map<string, number[]>(), V1 = new Map<string, number[]>();
  const N = new Map<string, number[]>();
  const add = (m: Map<string, number[]>, k: string, v: number[]) => push(m, k, ...v);
  const rFirst: number[] = [], vFirst: number[] = [];
  let jit = "";
  for (let round = 0; round < ROUNDS; round++) {
    const seen = new Set<string>();
    for (const u of runNativeBench(REPS).units) if (seen.has(u.name)) add(N, u.name, [u.ms]); else seen.add(u.name);
    const r = runRingone(kernel);
    const v = runV86();
    for (const [k, s] of r.sums) if (v.sums.get(k) !== s) throw new Error(`checksum mismatch on ${k}: ringone ${s}, v86 ${v.sums.get(k)}`);
    for (const [k, xs] of r.perUnit) add(R, k, xs);
    for (const [k, x] of r.first) add(R1, k, [x]);
    for (const [k, xs] of v.perUnit) add(V, k, xs);
    for (const [k, x] of v.first) add(V1, k, [x]);
    rFirst.push(r.firstOutputMs); vFirst.push(v.firstOutputMs);
    jit = r.jit;
  }
  const rows = [["workload", "ringone ms", "1st unit", "v86 ms", "1st unit", "v86/ringone", "ringone/native", "v86/native"]];
  const rs: number[] = [], vs: number[] = [], ratio: number[] = [];
  for (const [k] of R) {
    const r = median(R.get(k)!), v = median(V.get(k) ?? []), n = median(N.get(k) ?? []);
    const f = median(R1.get(k) ?? []), fv = median(V1.get(k) ?? []);
    rs.push(r / n); vs.push(v / n); ratio.push(v / r);
    rows.push([k, r.toFixed(2), f.toFixed(2), v.toFixed(2), fv.toFixed(2), `${(v / r).toFixed(2)}x`, `${(r / n).toFixed(1)}x`, `${(v / n).toFixed(1)}x`]);
  }
  rows.push(["geomean", "", "", "", "", `${geomean(ratio).toFixed(2)}x`, `${geomean(rs).toFixed(1)}x`, `${geomean(vs).toFixed(1)}x`]);
  printTable(rows);
  console.log(`time to first COM1 output: ringone ${median(rFirst).toFixed(0)} ms, v86 ${median(vFirst).toFixed(0)} ms`);
  console.log(`ringone JIT (last round): ${jit}`);
  console.log(`(medians of ${ROUNDS} rounds x ${REPS} reps; ms per unit of work: steady state = median of the second half of the units, each timed inside the run; checksums equal)`);
}

if (process.argv.includes("--v86-child")) {
  const r = await v86Child(loadBenchKernel());
  console.log(JSON.stringify({ perUnit: [...r.perUnit], first: [...r.first], sums: [...r.sums], firstOutputMs: r.firstOutputMs }));
} else {
  await main();
}
process.exit(0);
