/**
 * Generated differential test of the CPU core against the host CPU (x86run64) and qemu-i386
 * (x86run32). Cases come from the instruction table (cases.ts + hints.ts); see README.md.
 *
 * Env: ISA_SEED (base seed), ISA_ROWS (comma-separated row ids, or /regex/), ISA_CASES (cases
 * per native row, default 480; qemu rows get 2/3 of it), ISA_REPORT (file for the full report).
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { TABLE } from "../../host/isa/x86-table.ts";
import { baseSeed } from "./rng.ts";
import { type Case, type RowPlan, planRow, genRowCases, caseLine } from "./cases.ts";
import { type Outcome, Ringone, runOracle, compare, ensureRunners, oracleOneLiner, outcomeLine } from "./run.ts";

const SEED = baseSeed();
const PER_ROW = Number(process.env.ISA_CASES ?? 480);
const REPORT = process.env.ISA_REPORT ?? join(tmpdir(), "ringone-isa-report.txt");

function rowFilter(): (id: string) => boolean {
  const f = process.env.ISA_ROWS;
  if (!f) return () => true;
  if (f.startsWith("/") && f.endsWith("/")) { const re = new RegExp(f.slice(1, -1)); return (id) => re.test(id); }
  const set = new Set(f.split(",").map((s) => s.trim()));
  return (id) => set.has(id);
}

interface RowResult {
  plan: RowPlan;
  cases: number;
  mismatches: { c: Case; o: Outcome; r: Outcome; diffs: string[] }[];
  /** Cases where ringone raised #UD and the oracle did not. */
  ud: number;
}

const want = rowFilter();
const plans = TABLE.filter((r) => want(r.id)).map(planRow);
const results = new Map<string, RowResult>();
let elapsed = { gen: 0, oracle: 0, ringone: 0 };
let total = 0;
let coreStale = "";

function seedHex() { return "0x" + SEED.toString(16); }

function describeMismatch(m: RowResult["mismatches"][number]): string {
  const line = caseLine(m.c);
  return [
    `[${m.c.rowId}] case #${m.c.idx} (${m.c.desc}) ISA_SEED=${seedHex()} oracle=${m.c.oracle}`,
    `  in:      ${line}`,
    `  oracle:  ${outcomeLine(m.o)}`,
    `  ringone: ${outcomeLine(m.r)}`,
    ...m.diffs.map((d) => `  diff: ${d}`),
    `  repro:   ISA_SEED=${seedHex()} ISA_ROWS=${m.c.rowId} npx vitest run tests/isa/differential.test.ts`,
    `           npx tsx tests/isa/repro.ts ${m.c.oracle} '${line}'`,
    `           ${oracleOneLiner(m.c.oracle, line)}`,
  ].join("\n");
}

beforeAll(() => {
  ensureRunners();
  let t = performance.now();
  const all: Case[] = [];
  for (const p of plans) {
    if (p.skip) continue;
    const n = p.oracle === "qemu" ? Math.round((PER_ROW * 2) / 3) : PER_ROW;
    const cs = genRowCases(p, n, SEED);
    results.set(p.row.id, { plan: p, cases: cs.length, mismatches: [], ud: 0 });
    all.push(...cs);
  }
  total = all.length;
  elapsed.gen = performance.now() - t;
  t = performance.now();
  const nat = all.filter((c) => c.oracle === "native");
  const qem = all.filter((c) => c.oracle === "qemu");
  const oNat = runOracle("native", nat);
  const oQem = runOracle("qemu", qem);
  elapsed.oracle = performance.now() - t;
  t = performance.now();
  const ring = new Ringone();
  if (ring.cpu.core.tableRows() !== TABLE.length) {
    coreStale = `build/core.wasm has ${ring.cpu.core.tableRows()} table rows, host/isa has ${TABLE.length}: run "npm run build:core"`;
  }
  const check = (cs: Case[], os: Outcome[]) => {
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i];
      const r = ring.run(c);
      const diffs = compare(c, os[i], r);
      if (diffs.length) {
        const res = results.get(c.rowId)!;
        res.mismatches.push({ c, o: os[i], r, diffs });
        if (r.exc === 6 && os[i].exc !== 6) res.ud++;
      }
    }
  };
  check(nat, oNat);
  check(qem, oQem);
  elapsed.ringone = performance.now() - t;

  // summary
  const lines: string[] = [];
  const tested = [...results.values()];
  const bad = tested.filter((r) => r.mismatches.length);
  const unimpl = bad.filter((r) => r.ud === r.cases);
  lines.push(`ISA differential: seed ${seedHex()}, ${tested.length} rows tested, ${total} cases ` +
    `(native ${nat.length}, qemu ${qem.length}); gen ${(elapsed.gen / 1000).toFixed(2)} s, oracles ${(elapsed.oracle / 1000).toFixed(2)} s, ringone ${(elapsed.ringone / 1000).toFixed(2)} s`);
  if (coreStale) lines.push(`WARNING: ${coreStale}`);
  const fam = new Map<string, [number, number, number]>();
  for (const r of tested) {
    const k = (r.plan.row.handler ?? r.plan.row.id);
    const e = fam.get(k) ?? [0, 0, 0];
    e[0]++; e[1] += r.cases; e[2] += r.mismatches.length;
    fam.set(k, e);
  }
  lines.push("cases per handler (rows / cases / mismatches):");
  lines.push("  " + [...fam.entries()].map(([k, [n, c, m]]) => `${k} ${n}/${c}/${m}`).join(", "));
  if (unimpl.length) lines.push(`NOT IMPLEMENTED (ringone #UD on every case): ${unimpl.map((r) => r.plan.row.id).join(", ")}`);
  if (bad.length) {
    lines.push(`MISMATCHES in ${bad.length} rows:`);
    for (const r of bad) lines.push(`  ${r.plan.row.id}: ${r.mismatches.length}/${r.cases}${r.ud === r.cases ? " (not implemented)" : ""}`);
  } else lines.push("mismatches: none");
  const skipped = plans.filter((p) => p.skip);
  const why = new Map<string, string[]>();
  for (const p of skipped) { const k = p.skip!; why.set(k, [...(why.get(k) ?? []), p.row.id]); }
  lines.push(`skipped rows: ${skipped.length}`);
  for (const [k, ids] of why) lines.push(`  ${k}: ${ids.length} (${ids.slice(0, 12).join(" ")}${ids.length > 12 ? " ..." : ""})`);
  const full = [...lines, "", ...bad.flatMap((r) => r.mismatches.map(describeMismatch))].join("\n");
  try { writeFileSync(REPORT, full + "\n"); lines.push(`full report: ${REPORT}`); } catch { /* ignore */ }
  console.log(lines.join("\n"));
}, 600_000);

describe("ISA differential (generated from host/isa/x86-table.ts)", () => {
  it("core build matches the table", () => {
    expect(coreStale, coreStale).toBe("");
  });
  it(`runs enough cases`, () => {
    if (!process.env.ISA_ROWS && !process.env.ISA_CASES) expect(total).toBeGreaterThanOrEqual(50_000);
  });
  for (const p of plans) {
    if (p.skip) {
      it.skip(`${p.row.id} (skipped: ${p.skip})`, () => {});
      continue;
    }
    it(`${p.row.id} [${p.oracle}]`, () => {
      const r = results.get(p.row.id)!;
      if (r.mismatches.length) {
        const head = r.ud === r.cases ? `NOT IMPLEMENTED: ringone raises #UD on all ${r.cases} cases\n` : "";
        const shown = r.mismatches.slice(0, 3).map(describeMismatch).join("\n");
        expect.fail(`${head}${r.mismatches.length}/${r.cases} mismatches\n${shown}`);
      }
    });
  }
});
