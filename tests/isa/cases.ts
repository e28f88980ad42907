/**
 * The case generator: turns instruction-table rows (host/isa/x86-table.ts) into oracle cases.
 * Everything here is driven by the row columns (opcode, reg digit, mod restriction, immediate
 * kind, width, flags, oracle); the only per-instruction knowledge lives in hints.ts.
 *
 * A case is one line of the oracle protocol (tests/native/README.md):
 *   CODE EAX ECX EDX EBX ESP EBP ESI EDI EFLAGS MEM
 * with MEM copied to the data area at linear 0x00100000 (ringone: guest physical 0x100000).
 */
import type { Row } from "../../host/isa/table-types.ts";
import { Rng, edge, regValue, hashSeed, hex8, hexBytes } from "./rng.ts";
import { hintFor, type Hint } from "./hints.ts";

export const DATA = 0x00100000;
export const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, DF = 0x400, OF = 0x800;
export const ARITH_DF = 0xcd5;
const LETTER: Record<string, number> = { C: CF, P: PF, A: AF, Z: ZF, S: SF, O: OF, D: DF };

export function flagBits(letters = ""): number {
  let m = 0;
  for (const ch of letters) m |= LETTER[ch] ?? 0;
  return m;
}

export type OracleKind = "native" | "qemu";
export type Form = "reg" | "mem" | "none";

/** Where the E operand lives: a register (index 0-7; for 8 bits 4-7 are AH..BH) or MEM offset. */
export type Loc = { kind: "reg"; r: number } | { kind: "mem"; off: number };

export interface Case {
  rowId: string;
  oracle: OracleKind;
  code: number[];
  regs: number[];
  flags: number;
  mem: Uint8Array;
  /** Flags not compared for this case: the row's flags.u plus per-case extras from hints. */
  undef: number;
  /** MEM byte ranges [offset, length] not compared (e.g. FXSAVE pointer fields). */
  memIgnore?: [number, number][];
  /** Short description of the form (width, addressing shape, prefixes). */
  desc: string;
  /** Index of the case in its row's stream (reproduce with ISA_SEED + ISA_ROWS). */
  idx: number;
}

/** Mutable state of one case while it is built; hints.ts reads and adjusts it. */
export interface CaseCtx {
  row: Row;
  rng: Rng;
  w: 8 | 16 | 32;
  form: Form;
  regs: number[];
  flags: number;
  mem: Uint8Array;
  prefixes: number[];
  /** The E operand (ModRM rm), when the row has ModRM. */
  E?: Loc;
  /** The ModRM.reg register (G operand), when the row has no reg digit. */
  G?: number;
  /** Immediate values in order (ENTER has two). */
  imm: number[];
  undef: number;
  oracle: OracleKind;
  /** A hint may replace the whole instruction bytes (branch snippets); prefixes then ignored. */
  code?: number[];
  desc: string[];
  memIgnore?: [number, number][];
}

const MASKW = (w: number) => (w === 32 ? 0xffffffff : (1 << w) - 1);

export function hasModrm(r: Row): boolean {
  return !!(r.modrm || r.reg !== undefined || r.rm !== undefined || r.mod);
}

/* ---------- operand access helpers for hints ---------- */

export function getReg(c: CaseCtx, r: number, bits: number): number {
  if (bits === 8) return r < 4 ? c.regs[r] & 0xff : (c.regs[r - 4] >>> 8) & 0xff;
  return (c.regs[r] & MASKW(bits)) >>> 0;
}
export function setReg(c: CaseCtx, r: number, bits: number, v: number): void {
  if (bits === 8) {
    if (r < 4) c.regs[r] = ((c.regs[r] & ~0xff) | (v & 0xff)) >>> 0;
    else c.regs[r - 4] = ((c.regs[r - 4] & ~0xff00) | ((v & 0xff) << 8)) >>> 0;
  } else {
    const m = MASKW(bits);
    c.regs[r] = ((c.regs[r] & ~m) | (v & m)) >>> 0;
  }
}
export function getMem(c: CaseCtx, off: number, bits: number): number {
  let v = 0;
  for (let i = bits / 8 - 1; i >= 0; i--) v = (v * 256 + c.mem[off + i]) >>> 0;
  return v;
}
export function setMem(c: CaseCtx, off: number, bits: number, v: number): void {
  for (let i = 0; i < bits / 8; i++) c.mem[off + i] = (v >>> (8 * i)) & 0xff;
}
export function getE(c: CaseCtx, bits = c.w): number {
  const E = c.E!;
  return E.kind === "reg" ? getReg(c, E.r, bits) : getMem(c, E.off, bits);
}
export function setE(c: CaseCtx, v: number, bits = c.w): void {
  const E = c.E!;
  if (E.kind === "reg") setReg(c, E.r, bits, v); else setMem(c, E.off, bits, v);
}

/* ---------- addressing ---------- */

interface Addr {
  modrmModRm: number; // mod<<6 | rm (reg field added later)
  sib?: number;
  disp: number[];
  /** register -> value assignments that make the EA land on the target */
  set: [number, number][];
  shape: string;
}

function le(v: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((v >>> (8 * i)) & 0xff);
  return out;
}

/**
 * A 32-bit ModRM memory form whose effective address is `ea` (computed without 32-bit wraparound,
 * so the same in 64-bit mode). Never mod=00 rm=101 (RIP-relative in 64-bit mode): the absolute
 * form is SIB base=101 index=100. `avoid` registers are not used as base or index.
 */
function memAddr(rng: Rng, ea: number, avoid: Set<number>, anyAddress: boolean): Addr {
  const free = [0, 1, 2, 3, 4, 5, 6, 7].filter((r) => !avoid.has(r));
  const freeIdx = free.filter((r) => r !== 4);
  for (let attempt = 0; ; attempt++) {
    const shape = rng.int(7);
    const target = anyAddress ? rng.u32() : ea;
    const disp32 = (): number => {
      if (anyAddress) return rng.u32() | 0;
      switch (rng.int(4)) {
        case 0: return rng.int(0x100);
        case 1: return -rng.int(0x10000);
        case 2: return -(rng.u32() >>> 1) | 0; // large negative
        default: return rng.int(target + 1) | 0;
      }
    };
    const disp8 = () => rng.range(-128, 127);
    if (shape === 0 || shape === 1 || shape === 2) {
      // [base], [base+disp8], [base+disp32] without SIB
      const cands = free.filter((r) => r !== 4 && (shape !== 0 || r !== 5));
      if (!cands.length) continue;
      const b = rng.pick(cands);
      const d = shape === 0 ? 0 : shape === 1 ? disp8() : disp32();
      const base = target - d;
      if (!anyAddress && (base < 0 || base > 0xffffffff)) continue;
      return {
        modrmModRm: (shape << 6) | b, disp: shape === 0 ? [] : le(d, shape === 1 ? 1 : 4),
        set: [[b, base >>> 0]], shape: ["[b]", "[b+d8]", "[b+d32]"][shape],
      };
    }
    if (shape === 3 || shape === 4) {
      // SIB with base and index*scale, mod 00/01/10
      const mod = rng.int(3);
      const bc = free.filter((r) => mod !== 0 || r !== 5);
      if (!bc.length || !freeIdx.length) continue;
      const b = rng.pick(bc);
      const ic = freeIdx.filter((r) => r !== b);
      const noIndex = shape === 4 && rng.bool(0.3);
      if (!ic.length && !noIndex) continue;
      const i = noIndex ? 4 : rng.pick(ic);
      const s = rng.int(4);
      const d = mod === 0 ? 0 : mod === 1 ? disp8() : disp32();
      let iv = noIndex ? 0 : rng.pick([0, 1, rng.int(0x100), rng.int(0x10000), rng.int(0x100000)]);
      if (anyAddress) iv = rng.u32();
      let base = target - d - iv * (1 << s);
      if (!anyAddress && (base < 0 || base > 0xffffffff)) continue;
      base = base >>> 0;
      const set: [number, number][] = [[b, base]];
      if (!noIndex) set.push([i, iv >>> 0]);
      return {
        modrmModRm: (mod << 6) | 4, sib: (s << 6) | (i << 3) | b,
        disp: mod === 0 ? [] : le(d, mod === 1 ? 1 : 4), set,
        shape: `SIB[b+i*${1 << s}${mod === 0 ? "" : mod === 1 ? "+d8" : "+d32"}]`,
      };
    }
    if (shape === 5) {
      // SIB, no base: [index*scale + disp32]
      if (!freeIdx.length) continue;
      const i = rng.pick(freeIdx);
      const s = rng.int(4);
      const iv = anyAddress ? rng.u32() : rng.int(Math.floor(target / (1 << s)) + 1);
      const d = anyAddress ? rng.u32() : target - iv * (1 << s);
      if (!anyAddress && (d < 0 || d > 0x7fffffff)) continue;
      return { modrmModRm: 4, sib: (s << 6) | (i << 3) | 5, disp: le(d, 4), set: [[i, iv >>> 0]], shape: `SIB[i*${1 << s}+d32]` };
    }
    // SIB absolute [disp32]
    return { modrmModRm: 4, sib: (4 << 3) | 5, disp: le(target, 4), set: [], shape: "SIB[d32]" };
  }
}

/* ---------- immediates ---------- */

function immBytes(kind: string, v: number[], w: number): number[] {
  switch (kind) {
    case "Ib": case "Ibs": case "Jb": return le(v[0], 1);
    case "Iw": return le(v[0], 2);
    case "Iz": case "Izs": case "Jz": return le(v[0], w === 16 ? 2 : 4);
    case "IwIb": return [...le(v[0], 2), ...le(v[1], 1)];
    case "O": return le(v[0], 4);
    default: throw new Error(`immediate ${kind} not generated`);
  }
}

function immValues(c: CaseCtx, target: number): number[] {
  const { rng, w } = c;
  switch (c.row.imm) {
    case undefined: return [];
    case "Ib": case "Ibs": return [edge(rng, 8)];
    case "Iw": return [edge(rng, 16)];
    case "Iz": case "Izs": return [edge(rng, w === 16 ? 16 : 32)];
    case "IwIb": return [edge(rng, 16), rng.int(256)];
    case "O": return [DATA + target];
    case "Jb": case "Jz": return [0];
    default: return [0];
  }
}

/* ---------- rows ---------- */

export interface RowPlan {
  row: Row;
  hint?: Hint;
  oracle?: OracleKind;
  /** Why the row is not tested differentially (undefined: tested). */
  skip?: string;
}

export function planRow(row: Row): RowPlan {
  const hint = hintFor(row);
  if (hint?.skip) return { row, hint, skip: hint.skip };
  const oracle = (hint?.oracle ?? row.oracle ?? "native") as string;
  if ((row.rm !== undefined || (row.op >= 0xd8 && row.op <= 0xdf)) && !hint?.build) return { row, hint, skip: "x87 row without a snippet hint (see README: x87 plan)" };
  if (oracle !== "native" && oracle !== "qemu") return { row, hint, skip: `oracle "${oracle}"${row.note ? "" : ""}` };
  if (row.imm === "Ap") return { row, hint, skip: "far pointer immediate (system oracle)" };
  if ((row.imm === "Jb" || row.imm === "Jz") && !hint?.build) return { row, hint, skip: "branch without a snippet hint" };
  return { row, hint, oracle: oracle as OracleKind };
}

function widthsOf(row: Row): (8 | 16 | 32)[] {
  switch (row.width) {
    case 8: return [8];
    case 16: return [16];
    case 32: return [32];
    case "v": return [16, 32];
    default: return [32];
  }
}

/** Generate `n` cases for one row from its own seeded stream. */
export function genRowCases(plan: RowPlan, n: number, seed: number): Case[] {
  const { row, hint } = plan;
  const rng = new Rng(hashSeed(seed, row.id));
  const out: Case[] = [];
  const widths = hint?.widths ?? widthsOf(row);
  const modrm = hasModrm(row);
  const forms: Form[] = !modrm ? ["none"] : row.mod === "mem" ? ["mem"] : row.mod === "reg" ? ["reg"] : ["reg", "mem", "mem"];
  for (let idx = 0; idx < n; idx++) {
    const c = genOne(plan, rng, widths[idx % widths.length], forms[Math.floor(idx / widths.length) % forms.length], idx);
    if (c) out.push(c);
  }
  return out;
}

function genOne(plan: RowPlan, rng: Rng, w: 8 | 16 | 32, form: Form, idx: number): Case | null {
  const { row, hint } = plan;
  const memLen = hint?.memLen ?? 128;
  const mem = new Uint8Array(memLen);
  for (let i = 0; i < memLen; i++) mem[i] = rng.bool(0.2) ? rng.pick([0, 0xff, 0x7f, 0x80]) : rng.int(256);
  const regs: number[] = [];
  for (let r = 0; r < 8; r++) regs.push(regValue(rng, w, w === 8 && rng.bool()));
  const readsD = (row.flags?.r ?? "").includes("D");
  let flags = rng.u32() & 0x8d5;
  if (rng.bool(readsD ? 0.5 : 0.15)) flags |= DF;
  const c: CaseCtx = {
    row, rng, w, form, regs, flags, mem, prefixes: [], imm: [], undef: flagBits(row.flags?.u),
    oracle: plan.oracle!, desc: [`w${w}`],
  };
  // ModRM
  let modrmByte: number | undefined, sib: number | undefined, disp: number[] = [];
  let addrSet: [number, number][] = [];
  const target = hint?.eaOff ? hint.eaOff(rng, memLen) : rng.range(8, memLen - 24);
  if (form !== "none") {
    const regField = row.reg ?? rng.int(8);
    if (row.reg === undefined) c.G = regField;
    if (form === "reg") {
      let rm = row.rm ?? rng.int(8);
      if (hint?.avoidRm && rng.bool(0.8)) {
        const ok = [0, 1, 2, 3, 4, 5, 6, 7].filter((r) => !hint.avoidRm!(c).includes(r));
        if (ok.length) rm = rng.pick(ok);
      }
      modrmByte = 0xc0 | (regField << 3) | rm;
      c.E = { kind: "reg", r: rm };
      c.desc.push("reg");
    } else {
      const avoid = new Set<number>(hint?.avoid ?? []);
      if (c.G !== undefined && (hint?.noAlias || rng.bool(0.8))) avoid.add(w === 8 ? c.G & 3 : c.G);
      const a = memAddr(rng, DATA + target, avoid, !!hint?.anyAddress);
      modrmByte = a.modrmModRm | (regField << 3);
      sib = a.sib;
      disp = a.disp;
      addrSet = a.set;
      c.E = { kind: "mem", off: target };
      c.desc.push(a.shape);
      // put an edge value at the operand
      setMem(c, target, w, regValue(rng, w));
    }
  }
  c.imm = immValues(c, target);
  if (w === 16) c.prefixes.push(0x66);
  if (form === "mem" && rng.bool(0.05)) c.prefixes.unshift(rng.pick([0x26, 0x36, 0x3e]));
  if (form === "mem" && row.lock && rng.bool(0.15)) { c.prefixes.unshift(0xf0); c.desc.push("lock"); }
  else if (c.oracle === "native" && !row.lock && !hint?.build && rng.bool(0.01)) { c.prefixes.unshift(0xf0); c.desc.push("lock#UD"); }
  hint?.fix?.(c);
  for (const [r, v] of addrSet) c.regs[r] = v;
  hint?.after?.(c);
  let code: number[];
  if (hint?.build) {
    code = hint.build(c);
  } else {
    const opBytes = row.op >= 0x100 ? [0x0f, row.op & 0xff] : [row.op];
    code = [...c.prefixes, ...opBytes];
    if (modrmByte !== undefined) code.push(modrmByte);
    if (sib !== undefined) code.push(sib);
    code.push(...disp);
    if (row.imm) code.push(...immBytes(row.imm, c.imm, w));
  }
  return {
    rowId: row.id, oracle: c.oracle, code, regs: c.regs.map((v) => v >>> 0), flags: c.flags & ARITH_DF,
    mem: c.mem, undef: c.undef, desc: c.desc.join(" "), idx, memIgnore: c.memIgnore,
  };
}

/** The case as one line of the oracle protocol. */
export function caseLine(c: Case): string {
  return [hexBytes(c.code), ...c.regs.map(hex8), c.flags.toString(16).padStart(3, "0"), c.mem.length ? hexBytes(c.mem) : "-"].join(" ");
}

/** Parse a protocol input line back into a case (for repro.ts). */
export function parseLine(line: string, oracle: OracleKind, undef = 0): Case {
  const f = line.trim().split(/\s+/);
  const bytes = (h: string) => (h === "-" ? [] : (h.match(/../g) ?? []).map((x) => parseInt(x, 16)));
  return {
    rowId: "line", oracle, code: bytes(f[0]), regs: f.slice(1, 9).map((x) => parseInt(x, 16) >>> 0),
    flags: parseInt(f[9], 16) & ARITH_DF, mem: Uint8Array.from(bytes(f[10] ?? "-")), undef, desc: "", idx: 0,
  };
}
