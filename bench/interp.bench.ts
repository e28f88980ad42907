/**
 * Interpreter throughput: the integer workloads in guests/bench (same C source) run as a multiboot
 * kernel on ringone and natively on the host (x86-64 build), interleaved in one run. Each unit of
 * work is timed from inside the guest run through the marker port 0x504. Prints per workload:
 * guest instructions per unit, ringone time, MIPS, native time, slowdown (ringone / native), medians.
 *
 *   npm run bench            (REPS=5 ROUNDS=3 to change the sample size)
 */
import { loadBenchKernel, runRingoneBench, runNativeBench, median, geomean, push, printTable, type Unit } from "./lib/bench-kernel.ts";

const REPS = Number(process.env.REPS ?? 3);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
/** The interpreter alone by default (this is the interpreter's benchmark); JIT=on to compare. */
const JIT = (process.env.JIT ?? "off") as "off" | "on" | "force";

function main(): void {
  const kernel = loadBenchKernel();
  const guest = new Map<string, Unit[]>(), native = new Map<string, Unit[]>();
  for (let round = 0; round < ROUNDS; round++) {
    const n = runNativeBench(REPS);
    const g = runRingoneBench(kernel, REPS, { jit: JIT });
    for (const [k, v] of g.sums) if (n.sums.get(k) !== v) throw new Error(`checksum mismatch on ${k}: ringone ${v}, native ${n.sums.get(k)}`);
    for (const u of n.units) push(native, u.name, u);
    for (const u of g.units) push(guest, u.name, u);
  }
  const rows: string[][] = [["workload", "guest instr/unit", "ringone ms", "MIPS", "native ms", "slowdown"]];
  const slow: number[] = [];
  for (const [name, gu] of guest) {
    const gms = median(gu.map((u) => u.ms));
    const nms = median((native.get(name) ?? []).map((u) => u.ms));
    const instr = median(gu.map((u) => u.instructions));
    slow.push(gms / nms);
    rows.push([name, instr.toLocaleString("en-US"), gms.toFixed(2), (instr / gms / 1000).toFixed(1), nms.toFixed(3), `${(gms / nms).toFixed(1)}x`]);
  }
  rows.push(["geomean", "", "", "", "", `${geomean(slow).toFixed(1)}x`]);
  printTable(rows);
  console.log(`(medians of ${ROUNDS} rounds x ${REPS} reps; checksums equal between ringone and native; JIT ${JIT})`);
}

main();
