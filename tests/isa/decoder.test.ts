/**
 * Decoder length test, generated from the instruction table: for every row, encode it with random
 * valid prefixes (66, 67, segment overrides), ModRM/SIB/displacement (32- and 16-bit addressing)
 * and immediate, run ONE instruction on ringone and check that EIP advanced by exactly the encoded
 * length. Branch rows get a zero displacement. Operand values are tried in several flavours (zero
 * registers; registers pointing at a data area filled with the next EIP, so RET / JMP [m] land on
 * the next instruction; registers equal to the next EIP; random) until one attempt completes
 * without a fault. Rows where no attempt completes are listed (not failures).
 *
 * ISA_SEED sets the seed (see README.md).
 */
import { describe, expect, it } from "vitest";
import { Cpu } from "../../host/core/cpu.ts";
import * as L from "../../host/isa/layout.ts";
import { TABLE } from "../../host/isa/x86-table.ts";
import type { Row } from "../../host/isa/table-types.ts";
import { Rng, baseSeed, hashSeed, hexBytes, hex8 } from "./rng.ts";
import { hasModrm } from "./cases.ts";

const SEED = baseSeed();
const CODE = 0x200000;
const DATA = 0x100000;
const ATTEMPTS = 32;

const le = (v: number, n: number) => Array.from({ length: n }, (_, i) => (v >>> (8 * i)) & 0xff);

interface Enc { bytes: number[]; desc: string }

function encode(row: Row, rng: Rng): Enc {
  const pre: number[] = [];
  const branch = row.imm === "Jb" || row.imm === "Jz";
  let os16 = false, as16 = false;
  if (!branch && (row.width === "v" || row.width === 16) && rng.bool(0.5)) { pre.push(0x66); os16 = true; }
  if (row.width === 16 && !os16 && rng.bool(0.5)) { pre.push(0x66); os16 = true; }
  if (!branch && rng.bool(0.3)) { pre.push(0x67); as16 = true; }
  if (rng.bool(0.2)) pre.push(rng.pick([0x26, 0x36, 0x3e]));
  if (rng.bool(0.5)) pre.sort(() => rng.int(3) - 1);
  const bytes = [...pre, ...(row.op >= 0x100 ? [0x0f, row.op & 0xff] : [row.op])];
  let desc = pre.length ? pre.map((p) => p.toString(16)).join(" ") + " " : "";
  if (hasModrm(row)) {
    const reg = row.reg ?? rng.int(8);
    const regForm = row.rm !== undefined || row.mod === "reg" || (row.mod !== "mem" && rng.bool(0.35));
    if (regForm) {
      bytes.push(0xc0 | (reg << 3) | (row.rm ?? rng.int(8)));
      desc += "reg";
    } else {
      const mod = rng.int(3);
      const rm = rng.int(8);
      bytes.push((mod << 6) | (reg << 3) | rm);
      if (as16) {
        if (mod === 1) bytes.push(rng.int(256));
        else if (mod === 2 || (mod === 0 && rm === 6)) bytes.push(...le(rng.u32(), 2));
        desc += `a16 mod${mod} rm${rm}`;
      } else {
        let base = rm;
        if (rm === 4) { const sib = rng.int(256); bytes.push(sib); base = sib & 7; }
        if (mod === 1) bytes.push(rng.int(256));
        else if (mod === 2 || (mod === 0 && base === 5)) bytes.push(...le(rng.u32(), 4));
        desc += `a32 mod${mod} rm${rm}`;
      }
    }
  }
  switch (row.imm) {
    case undefined: break;
    case "Ib": case "Ibs": bytes.push(rng.int(256)); break;
    case "Iw": bytes.push(...le(rng.u32(), 2)); break;
    case "Iz": case "Izs": bytes.push(...le(rng.u32(), os16 ? 2 : 4)); break;
    case "IwIb": bytes.push(...le(rng.int(64), 2), rng.int(4)); break;
    case "Ap": bytes.push(...le(rng.u32(), os16 ? 2 : 4), ...le(0x08, 2)); break;
    case "Jb": bytes.push(0); break;
    case "Jz": bytes.push(...le(0, os16 ? 2 : 4)); break;
    case "O": bytes.push(...le(DATA + rng.int(0x100), as16 ? 2 : 4)); break;
  }
  return { bytes, desc };
}

type Verdict = { ok: true } | { ok: false; fault?: number; eip?: number; exit: number };

function runOnce(cpu: Cpu, row: Row, enc: Enc, flavour: number, rng: Rng): Verdict {
  const next = CODE + enc.bytes.length;
  cpu.reset();
  cpu.core.setFlat32(0);
  const ram = cpu.ram;
  ram.fill(0xcc, CODE, CODE + 64);
  ram.set([...enc.bytes, 0xf4], CODE);
  const dv = new DataView(ram.buffer, ram.byteOffset);
  for (let a = DATA; a < DATA + 0x2000; a += 4) dv.setUint32(a, flavour === 1 ? next : 0, true);
  for (let r = 0; r < 8; r++) {
    const v = flavour === 0 ? 0 : flavour === 1 ? DATA + 0x800 : flavour === 2 ? next : rng.u32();
    cpu.setReg(r, v);
  }
  if (flavour !== 1) cpu.setReg(4, DATA + 0x1000);
  cpu.eflags = (rng.u32() & 0x8d5) | 0x2;
  cpu.eip = CODE;
  cpu.interceptExceptions(0xffffffff);
  for (let v = 0; v < 256; v++) cpu.claimSoftInt(v);
  let exit = cpu.run(1);
  if (exit === L.ExitReason.IO && cpu.eip === CODE) { cpu.answerIn(0); exit = cpu.run(1); }
  if (exit === L.ExitReason.FAULT) return { ok: false, fault: cpu.exit32(L.X.VECTOR), exit };
  const done = exit === L.ExitReason.BUDGET || exit === L.ExitReason.HLT || exit === L.ExitReason.IO || exit === L.ExitReason.SOFTINT;
  if (!done) return { ok: false, fault: -exit, exit }; // MMIO (wild address), shutdown...: try again
  if (cpu.eip === next) return { ok: true };
  return { ok: false, eip: cpu.eip, exit };
}

const cpu = Cpu.create({ memMB: 4 });
const results = TABLE.map((row) => {
  const rng = new Rng(hashSeed(SEED, "dec:" + row.id));
  const faults = new Set<number>();
  let wrong: { enc: Enc; eip: number; exit: number } | undefined;
  for (let i = 0; i < ATTEMPTS; i++) {
    const enc = encode(row, rng);
    const v = runOnce(cpu, row, enc, i % 4, rng);
    if (v.ok) return { row, ok: true as const };
    if (v.fault !== undefined) faults.add(v.fault);
    else if (!row.block && !wrong) wrong = { enc, eip: v.eip!, exit: v.exit };
  }
  return { row, ok: false as const, faults: [...faults], wrong };
});

const notRun = results.filter((r) => !r.ok && !r.wrong);
console.log(`decoder: ${results.length} rows, ${results.filter((r) => r.ok).length} checked, ` +
  `${notRun.length} could not be run without a fault or far branch (seed 0x${SEED.toString(16)}):\n  ` +
  notRun.map((r) => `${r.row.id}${!r.ok && r.faults.length ? ` (${r.faults.map((f) => (f < 0 ? `exit ${-f}` : `#${f}`)).join(",")})` : ""}`).join(" "));

describe("decoder consumes exactly the encoded length (generated from the table)", () => {
  it("has no table row left over", () => {
    expect(cpu.core.tableRows()).toBe(TABLE.length);
  });
  for (const r of results) {
    if (!r.ok && !r.wrong) { it.skip(`${r.row.id} (not runnable here)`, () => {}); continue; }
    it(r.row.id, () => {
      if (!r.ok && r.wrong) {
        const w = r.wrong;
        expect.fail(`${r.row.id}: ${hexBytes(w.enc.bytes)} (${w.enc.desc}), ${w.enc.bytes.length} bytes: ` +
          `EIP ${hex8(w.eip)} after the instruction, expected ${hex8(CODE + w.enc.bytes.length)} (exit ${w.exit}); ` +
          `ISA_SEED=0x${SEED.toString(16)}`);
      }
    });
  }
});
