/**
 * Paravirtualised versus native: the guests/pvbench kernel (one C source) as a Xen PV kernel on
 * ringone's hypervisor and as a native multiboot kernel on ringone's PC, interleaved, ROUNDS rounds
 * of N operations each. Prints per operation: guest instructions and host nanoseconds per operation
 * on each side, the PV/native ratios, and the hypercalls and core exits per operation behind them.
 * Writes the same results as bench/out/pv-native.html (inline SVG bar chart).
 *
 *   npm run bench:pv-native        (N=10000 ROUNDS=5 to change the sample size)
 *
 * The npm script bundles this file with esbuild (like the CLI) and runs it with node: under tsx every
 * inner closure of the host goes through esbuild's keepNames helper (`__name`), which made the PV
 * fault path about 5x slower in host time. `npx tsx bench/pv-native.bench.ts` works too.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OPS, runNative, runPv, type OpSample } from "./pv-native.ts";

const N = Number(process.env.N ?? 10000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[s.length >> 1] : NaN; };

export interface Row {
  name: string; pvWhat: string; nativeWhat: string;
  pvInstr: number; nativeInstr: number; pvNs: number; nativeNs: number;
  pvHypercalls: string; pvExits: string; nativeExits: string;
}

const perOp = (counts: Record<string, number>) =>
  Object.entries(counts).sort((a, b) => b[1] - a[1])
    .map(([k, v]) => (v * 2 < N ? `${k} ${v} total` : `${k} ${+(v / N).toFixed(2)}`)).join(", ") || "-";

function collect(): Row[] {
  const pv = new Map<string, OpSample[]>(), nat = new Map<string, OpSample[]>();
  const add = (m: Map<string, OpSample[]>, s: OpSample[]) => { for (const x of s) (m.get(x.name) ?? m.set(x.name, []).get(x.name)!).push(x); };
  runNative(N); runPv(N); // warm-up (host JIT, code caches): not counted
  for (let r = 0; r < ROUNDS; r++) {
    add(nat, runNative(N).samples);
    add(pv, runPv(N).samples);
  }
  return OPS.map((op) => {
    const p = pv.get(op.name) ?? [], n = nat.get(op.name) ?? [];
    return {
      name: op.name, pvWhat: op.pv, nativeWhat: op.native,
      pvInstr: median(p.map((s) => s.instructions)) / N, nativeInstr: median(n.map((s) => s.instructions)) / N,
      pvNs: median(p.map((s) => s.ns)) / N, nativeNs: median(n.map((s) => s.ns)) / N,
      // Counts are deterministic: the first round's.
      pvHypercalls: perOp(p[0]?.hypercalls ?? {}), pvExits: perOp(p[0]?.exits ?? {}), nativeExits: perOp(n[0]?.exits ?? {}),
    };
  });
}

const f1 = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(1)}x` : "-");

function table(rows: Row[]): string {
  const out: string[][] = [["operation", "PV instr", "native instr", "instr ratio", "PV ns", "native ns", "ns ratio", "PV hypercalls/op", "PV exits/op", "native exits/op"]];
  for (const r of rows) out.push([r.name, f1(r.pvInstr), f1(r.nativeInstr), ratio(r.pvInstr, r.nativeInstr), f1(r.pvNs), f1(r.nativeNs), ratio(r.pvNs, r.nativeNs), r.pvHypercalls, r.pvExits, r.nativeExits]);
  const w = out[0].map((_, c) => Math.max(...out.map((r) => r[c].length)));
  return out.map((r) => r.map((cell, c) => (c === 0 || c >= 7 ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join("  ").trimEnd()).join("\n");
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function html(rows: Row[], text: string): string {
  // Horizontal bars, log scale of host ns per operation, PV and native side by side.
  const W = 900, left = 150, barH = 12, gap = 10, top = 30;
  const max = Math.max(...rows.flatMap((r) => [r.pvNs, r.nativeNs]));
  const min = Math.max(1, Math.min(...rows.flatMap((r) => [r.pvNs, r.nativeNs]).filter((x) => x > 0)));
  const lo = Math.floor(Math.log10(min)), hi = Math.ceil(Math.log10(max));
  const x = (v: number) => left + ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * (W - left - 80);
  const H = top + rows.length * (2 * barH + gap) + 30;
  const parts: string[] = [];
  for (let d = lo; d <= hi; d++) parts.push(`<line x1="${x(10 ** d)}" y1="${top - 5}" x2="${x(10 ** d)}" y2="${H - 25}" stroke="#ddd"/><text x="${x(10 ** d)}" y="${H - 10}" font-size="11" text-anchor="middle">${10 ** d} ns</text>`);
  rows.forEach((r, i) => {
    const y = top + i * (2 * barH + gap);
    parts.push(`<text x="${left - 6}" y="${y + barH + 4}" font-size="12" text-anchor="end">${esc(r.name)}</text>`);
    parts.push(`<rect x="${left}" y="${y}" width="${Math.max(1, x(r.pvNs) - left)}" height="${barH}" fill="#c0392b"><title>PV: ${esc(r.pvWhat)}: ${f1(r.pvNs)} ns</title></rect>`);
    parts.push(`<text x="${x(r.pvNs) + 4}" y="${y + barH - 2}" font-size="10">${f1(r.pvNs)} (${ratio(r.pvNs, r.nativeNs)})</text>`);
    parts.push(`<rect x="${left}" y="${y + barH}" width="${Math.max(1, x(r.nativeNs) - left)}" height="${barH}" fill="#2980b9"><title>native: ${esc(r.nativeWhat)}: ${f1(r.nativeNs)} ns</title></rect>`);
    parts.push(`<text x="${x(r.nativeNs) + 4}" y="${y + 2 * barH - 2}" font-size="10">${f1(r.nativeNs)}</text>`);
  });
  const legend = `<rect x="${left}" y="6" width="12" height="12" fill="#c0392b"/><text x="${left + 16}" y="16" font-size="12">Xen PV (ring 1)</text><rect x="${left + 130}" y="6" width="12" height="12" fill="#2980b9"/><text x="${left + 146}" y="16" font-size="12">native (ring 0)</text>`;
  const defs = rows.map((r) => `<tr><td>${esc(r.name)}</td><td>${esc(r.pvWhat)}</td><td>${esc(r.nativeWhat)}</td></tr>`).join("");
  return `<!doctype html><html><head><meta charset="utf-8"><title>ringone: paravirtualised vs native</title>
<style>body{font-family:sans-serif;margin:20px}pre{font-size:12px}table{border-collapse:collapse;font-size:13px}td{border:1px solid #ccc;padding:2px 6px}</style></head><body>
<h1>ringone: paravirtualised vs native</h1>
<p>Host nanoseconds per operation (log scale), medians of ${ROUNDS} rounds x ${N} operations, core JIT ${process.env.RINGONE_JIT ?? "on"}.</p>
<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">${legend}${parts.join("")}</svg>
<h2>Table</h2><pre>${esc(text)}</pre>
<h2>Operations</h2><table><tr><td><b>operation</b></td><td><b>PV</b></td><td><b>native</b></td></tr>${defs}</table>
</body></html>\n`;
}

function main(): void {
  const rows = collect();
  const text = table(rows);
  console.log(text);
  console.log(`(medians of ${ROUNDS} rounds x ${N} operations per round, PV and native interleaved; instructions = guest instructions retired; ns = host time; core JIT ${process.env.RINGONE_JIT ?? "on"})`);
  const dir = join(import.meta.dirname, "..", "bench", "out"); // also right when bundled into dist/
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "pv-native.html");
  writeFileSync(file, html(rows, text));
  console.log(`HTML: ${file}`);
}

main();
