/**
 * Snippet hints for the x87 rows that are not memory arithmetic (register forms, one-operand
 * functions, loads, stores, integer and BCD conversions, compares, control words). The runner
 * protocol has no x87 state, so every case is a snippet that loads the operands from MEM, runs the
 * row once and writes the observable state back to MEM:
 *
 *   fldcw [ebx]              ; random RC, all exceptions masked, PC per row (see below)
 *   fld tword [ebx+10h]      ; B   (becomes ST(1))
 *   fld tword [ebx+20h]      ; A   (ST(0))
 *   <row>                    ; register form (ModRM from the row, ST(i) mostly 1), or [ebx+70h]
 *   fnstsw [ebx+30h]         ; status word right after the row (C0-C3, flags, TOP)
 *   fstp tword [ebx+40h]     ; ST(0) ST(1) ST(2) afterwards (empty ones store the indefinite)
 *   fstp tword [ebx+50h]
 *   fstp tword [ebx+60h]
 *
 * Operands are 80-bit patterns over the whole range (f64 edges, the f64 limits, the 80-bit limits,
 * denormals, infinities, NaNs, integers near rounding points). Rows computed in f64 (the basic
 * arithmetic, FSQRT; row note "compare at f64 precision") run with PC=53 bits and operands with
 * 53-bit significands: that is exactly what ringone computes (docs/fpu.md), exponent range
 * included. The exact rows run with PC=64 and full 64-bit significands. Transcendentals are not
 * tested here (f64 library functions: they would need a tolerance).
 */
import type { Hint } from "./hints.ts";
import { type CaseCtx, DATA } from "./cases.ts";
import type { Rng } from "./rng.ts";

const MEM_LEN = 0x80;
const OP = 0x70; // the row's own memory operand
const LD_B = [0xdb, 0x6b, 0x10];
const LD_A = [0xdb, 0x6b, 0x20];
const FNSTSW = [0xdd, 0x7b, 0x30];
const STORE3 = [0xdb, 0x7b, 0x40, 0xdb, 0x7b, 0x50, 0xdb, 0x7b, 0x60];

/** 80-bit pattern from sign, 15-bit exponent field and 64-bit significand. */
function m80(sign: number, exp: number, mant: bigint): number[] {
  const out: number[] = [];
  for (let i = 0n; i < 8n; i++) out.push(Number((mant >> (8n * i)) & 0xffn));
  out.push(exp & 0xff, ((exp >> 8) & 0x7f) | (sign ? 0x80 : 0));
  return out;
}
function rand64(rng: Rng): bigint { return (BigInt(rng.u32()) << 32n) | BigInt(rng.u32()); }
/** Value v = k * 2^-f (|k| < 2^63) as an exact 80-bit pattern. */
function fromScaled(neg: boolean, k: bigint, f: number): number[] {
  if (k === 0n) return m80(neg ? 1 : 0, 0, 0n);
  const len = k.toString(2).length;
  return m80(neg ? 1 : 0, 16383 + len - 1 - f, k << BigInt(64 - len));
}

/**
 * An edge-weighted 80-bit operand. p53: significand limited to 53 bits (low 11 bits zero) so that
 * PC=53 hardware arithmetic is exactly f64-precision arithmetic.
 */
function ext(rng: Rng, p53: boolean): number[] {
  const sign = rng.bool() ? 1 : 0;
  const cut = (m: bigint) => (p53 ? m & ~0x7ffn : m);
  const J = 1n << 63n;
  const k = rng.int(100);
  if (k < 5) return m80(sign, 0, 0n); // +-0
  if (k < 8) return m80(sign, 0x7fff, J); // +-inf
  if (k < 10) return m80(sign, 0x7fff, cut(J | (1n << 62n) | (rand64(rng) >> 2n))); // QNaN
  if (k < 11) return m80(sign, 0x7fff, cut(J | ((rand64(rng) >> 2n) | 0x800n))); // SNaN
  if (k < 13) return m80(sign, 0, cut(rand64(rng) >> BigInt(1 + rng.int(62)))); // denormal
  if (k < 30) { // integers and halves near rounding points
    const bits = rng.pick([1, 2, 3, 8, 15, 16, 31, 32, 53, 59, 60, 63, 64, 65]);
    let v = rand64(rng) >> BigInt(64 - bits);
    if (rng.bool(0.3)) v = (1n << BigInt(bits - 1)) - BigInt(rng.int(3));
    const frac = rng.pick([0, 0, 1, 2, 3]); // v + {0, .5, .25, .75}
    const f = frac === 0 ? 0 : 2;
    const kk = (v << BigInt(f)) + BigInt(frac === 1 ? 2 : frac === 2 ? 1 : frac === 3 ? 3 : 0);
    if (kk >= 1n << 64n) return m80(sign, 16383 + 64, J);
    const r = fromScaled(sign === 1, kk, f);
    if (p53) { r[0] = 0; r[1] &= 0xf8; }
    return r;
  }
  if (k < 45) return m80(sign, 16383 + rng.range(-8, 8), cut(J | rand64(rng)));
  // exponent anywhere, at the f64 limits or at the 80-bit limits
  const e = rng.pick([
    rng.range(1, 0x7ffe), 16383 + 1023 + rng.range(-3, 3), 16383 - 1022 + rng.range(-60, 3),
    rng.range(1, 70), 0x7ffe - rng.int(70), 16383 + rng.range(-1022, 1023), 16383 + rng.range(-1022, 1023),
  ]);
  return m80(sign, e, cut(J | (rng.bool(0.15) ? (rng.bool() ? 0n : J - 1n) : rand64(rng))));
}

/** Operands A and B into MEM; FCW with random RC, masked, PC=53 (p53) or 64. */
function setup(c: CaseCtx, p53: boolean, a?: number[], b?: number[]): void {
  const { rng } = c;
  c.mem.fill(0);
  const cw = (p53 ? 0x027f : 0x037f) | (rng.int(4) << 10);
  c.mem.set([cw & 0xff, cw >> 8], 0);
  c.mem.set(b ?? ext(rng, p53), 0x10);
  c.mem.set(a ?? ext(rng, p53), 0x20);
  c.regs[3] = DATA;
}

/** Register-form rows: fld B; fld A; <row ST(i)>; fnstsw; store ST(0..2). */
function regRow(p53: boolean): Hint {
  return {
    memLen: MEM_LEN, avoid: [3], widths: [32],
    fix: (c) => setup(c, p53),
    build(c) {
      const { row, rng } = c;
      const rm = row.rm ?? (rng.bool(0.75) ? 1 : rng.bool(0.6) ? 0 : rng.range(2, 7));
      // 5%: fewer operands on the stack (stack underflow responses); FXAM reads an empty
      // register's stale sign, which FNINIT does not define: always two operands for it.
      const loads = row.handler === "fxam" || rng.bool(0.95) ? [...LD_B, ...LD_A] : rng.bool() ? LD_A : [];
      return [0xd9, 0x2b, ...loads, row.op, 0xc0 | (row.reg! << 3) | rm, ...FNSTSW, ...STORE3];
    },
  };
}

/** Memory-operand rows: fld B; fld A; <row [ebx+70h]>; fnstsw; store ST(0..2). `mem` fills +70h. */
function memRow(p53: boolean, mem: (c: CaseCtx) => number[], stack = 2): Hint {
  return {
    memLen: MEM_LEN, avoid: [3], widths: [32],
    fix(c) {
      setup(c, p53);
      c.mem.set(mem(c), OP);
    },
    build: (c) => [
      0xd9, 0x2b, ...(stack > 1 ? LD_B : []), ...(stack > 0 ? LD_A : []),
      c.row.op, 0x43 | (c.row.reg! << 3), OP, ...FNSTSW, ...STORE3,
    ],
  };
}

const f32Edge = (rng: Rng): number[] => {
  const b = rng.pick([0, 0x80000000, 0x3f800000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0xffa00000,
    0x00000001, 0x807fffff, 0x00800000, 0x7f7fffff, rng.u32(), rng.u32(), (rng.u32() & 0x807fffff) | (rng.range(100, 150) << 23)]);
  return [0, 1, 2, 3].map((i) => (b >>> (8 * i)) & 0xff);
};
const f64Edge = (rng: Rng): number[] => {
  const hi = rng.pick([0, 0x80000000, 0x3ff00000, 0x7ff00000, 0xfff00000, 0x7ff80000, 0x7ff00001, 0xfff40000,
    0x00000000, 0x800fffff, 0x00100000, 0x7fefffff, rng.u32(), rng.u32(), (rng.u32() & 0x800fffff) | (rng.range(900, 1150) << 20)]);
  const lo = rng.pick([0, 1, 0xffffffff, rng.u32()]);
  return [0, 1, 2, 3].map((i) => (lo >>> (8 * i)) & 0xff).concat([0, 1, 2, 3].map((i) => (hi >>> (8 * i)) & 0xff));
};
const intEdge = (bytes: number) => (rng: Rng): number[] => {
  let v: bigint = rng.pick([0n, 1n, -1n, 2n, 3n, 100n, -100n]);
  if (rng.bool(0.6)) v = rand64(rng) >> BigInt(rng.int(64));
  if (rng.bool(0.2)) v = (rng.bool() ? -1n : 1n) << BigInt(8 * bytes - 1);
  const u = BigInt.asUintN(8 * bytes, v);
  return Array.from({ length: bytes }, (_, i) => Number((u >> BigInt(8 * i)) & 0xffn));
};
const bcd = (rng: Rng): number[] => {
  const out = Array.from({ length: 9 }, () => rng.int(10) * 16 + rng.int(10));
  const digits = rng.int(10); // leading zero bytes
  for (let i = 9 - digits; i < 9; i++) out[i] = 0;
  return [...out, rng.bool() ? 0x80 : 0];
};
/** Values for the integer/BCD stores: integers near the format limits, halves, the rest. */
function intish(c: CaseCtx, bits: number): void {
  const { rng } = c;
  if (!rng.bool(0.7)) return;
  const lim = 1n << BigInt(bits - 1);
  let v = rng.pick([lim, lim - 1n, lim + 1n, rand64(rng) >> BigInt(64 - bits), 999999999999999999n, 1000000000000000000n,
    rand64(rng) >> BigInt(rng.int(64))]);
  if (bits === 60) v = rng.pick([999999999999999999n, 1000000000000000000n, 999999999999999998n, rand64(rng) >> 5n, BigInt(rng.u32())]);
  const f = rng.pick([0, 1, 2]);
  const k = (v << BigInt(f)) + BigInt(rng.int(f === 0 ? 1 : 4));
  if (k === 0n || k >= 1n << 64n) return;
  c.mem.set(fromScaled(rng.bool(), k, f), 0x20);
}

const REG_EXACT = regRow(false);
const REG_F64 = regRow(true);

export const X87_HINTS: Record<string, Hint> = {
  /* ---- register forms computed in f64: PC=53 and 53-bit operands */
  farith_st0: REG_F64,
  farith_sti: REG_F64,
  fsqrt: REG_F64,
  /* ---- exact register forms */
  fcom_sti: REG_EXACT, fcompp: REG_EXACT, fucom: REG_EXACT, fcomi: REG_EXACT, ftst: REG_EXACT, fxam: REG_EXACT,
  fchs: REG_EXACT, fabs: REG_EXACT, frndint: REG_EXACT, fscale: REG_EXACT, fxtract: REG_EXACT,
  fprem: REG_EXACT, fprem1: REG_EXACT,
  fld_sti: REG_EXACT, fst_sti: REG_EXACT, fxch: REG_EXACT, fcmov: REG_EXACT, ffree: REG_EXACT, ffreep: REG_EXACT,
  fdecstp: REG_EXACT, fincstp: REG_EXACT, fnop: REG_EXACT, fnop287: REG_EXACT, fldconst: REG_EXACT,
  fnclex: REG_EXACT, fninit: REG_EXACT, fnstsw_ax: REG_EXACT,
  /* ---- loads (one value already on the stack) */
  fld_m32: memRow(false, (c) => f32Edge(c.rng), 1),
  fld_m64: memRow(false, (c) => f64Edge(c.rng), 1),
  fld_m80: memRow(false, (c) => ext(c.rng, false), 1),
  fild_m16: memRow(false, (c) => intEdge(2)(c.rng), 1),
  fild_m32: memRow(false, (c) => intEdge(4)(c.rng), 1),
  fild_m64: memRow(false, (c) => intEdge(8)(c.rng), 1),
  fbld: memRow(false, (c) => bcd(c.rng), 1),
  /* ---- stores: ST(0) = A narrowed with RC (the destination starts as random bytes) */
  fst_m32: memRow(false, (c) => f32Edge(c.rng)),
  fst_m64: memRow(false, (c) => f64Edge(c.rng)),
  fstp_m80: memRow(false, (c) => ext(c.rng, false)),
  fist_m16: { ...memRow(false, (c) => (intish(c, 16), intEdge(2)(c.rng))) },
  fist_m32: { ...memRow(false, (c) => (intish(c, 32), intEdge(4)(c.rng))) },
  fistp_m64: { ...memRow(false, (c) => (intish(c, 64), intEdge(8)(c.rng))) },
  fbstp: { ...memRow(false, (c) => (intish(c, 60), bcd(c.rng))) },
  /* ---- control and status words */
  fldcw: memRow(false, (c) => { const v = (c.rng.u32() & 0xffff) | 0x3f; return [v & 0xff, v >> 8]; }),
  fnstcw: memRow(false, () => [0xaa, 0x55]),
  fnstsw_m16: memRow(false, () => [0xaa, 0x55]),
  /* ---- not tested here */
  ...Object.fromEntries(["f2xm1", "fyl2x", "fptan", "fpatan", "fyl2xp1", "fsincos", "fsin", "fcos"].map((h) => [h,
    { skip: "x87 transcendental (f64 library function, docs/fpu.md): needs a tolerance compare" }])),
  ...Object.fromEntries(["fldenv", "fnstenv", "fnsave", "frstor"].map((h) => [h,
    { skip: "x87 environment image (FIP/FCS/FOP/FDS fields): snippet not written yet" }])),
};
