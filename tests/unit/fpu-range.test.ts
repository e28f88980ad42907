/**
 * x87 arithmetic beyond the f64 exponent range: results keep the register's 15-bit exponent (53-bit
 * significand, as PC=53 gives on hardware), so the overflow/underflow happens at the narrowing store
 * (OE/UE/PE and C1 there) or at the 80-bit limits, not at the f64 limits. Expected patterns were
 * worked out with exact BigInt arithmetic (below) and checked on a P6-compatible host CPU with the
 * same snippets (FCW 027F: PC=53 bits, RC nearest, all masked; 0E7F: chop; 0A7F: up).
 */
import { describe, expect, it } from "vitest";
import { flat, go, I, m, DATA, sw, get, getU64, putF64, m80, putU16, ExitReason } from "./fpu-helpers.ts";

const C1 = 0x200, OE = 0x8, UE = 0x10, PE = 0x20;
const FMUL = (a: number) => m(0xdc, 1, a);
const FDIV = (a: number) => m(0xdc, 6, a);
const FLD_ST0 = I.r(0xd9, 0, 0);
const FMULP = I.r(0xde, 1, 1);
const FSUBP = I.r(0xde, 5, 1); // DE E8+i: FSUBP ST(i), ST(0) = ST(i) - ST(0)
const SQUARE = [FLD_ST0, FMULP];
const CW = DATA + 0x40, A = DATA, B = DATA + 8, R80 = DATA + 0x20, R64 = DATA + 0x30, SW = DATA + 0x38;
const FSTSW = m(0xdd, 7, SW);

/** Run `fldcw; fld A; <body>; fld st0; fstp m80 R80; fstp m64 R64`; returns [m80, m64, sw]. */
function run(cw: number, a: number, b: number, body: number[][]): [number[], bigint, number] {
  const cpu = flat([I.FNINIT, I.fldcw(CW), I.fld_m64(A), ...body, FLD_ST0, I.fstp_m80(R80), I.fstp_m64(R64), I.HLT]);
  putU16(cpu, CW, cw);
  putF64(cpu, A, a);
  putF64(cpu, B, b);
  expect(go(cpu)).toBe(ExitReason.HLT);
  return [get(cpu, R80, 10), getU64(cpu, R64), sw(cpu) & 0x7fff];
}

/** Exact a*b rounded to nearest-even 53 bits, as an m80 pattern (independent check of the constants). */
function mul53(a: number, b: number): number[] {
  const parts = (v: number): [bigint, number] => {
    const d = new DataView(new ArrayBuffer(8));
    d.setFloat64(0, v);
    const bits = d.getBigUint64(0);
    const e = Number((bits >> 52n) & 0x7ffn);
    return [(bits & ((1n << 52n) - 1n)) | (1n << 52n), e - 1075];
  };
  const [ma, ea] = parts(a), [mb, eb] = parts(b);
  let p = ma * mb, e = ea + eb; // exact: p * 2^e, p has 105 or 106 bits
  const len = p.toString(2).length, drop = BigInt(len - 53);
  const half = 1n << (drop - 1n), rem = p & ((1n << drop) - 1n);
  p >>= drop; e += Number(drop);
  if (rem > half || (rem === half && (p & 1n))) p++;
  if (p === 1n << 53n) { p >>= 1n; e++; }
  return m80(e + 52 + 16383, p << 11n);
}

describe("x87 results outside the f64 range (PC=53)", () => {
  it("1e300 * 1e300: finite in the register (47C8 8EB39714297F0000), C1 and PE only at the multiply", () => {
    const cpu = flat([I.FNINIT, I.fldcw(CW), I.fld_m64(A), FMUL(B), FSTSW, I.fstp_m80(R80), I.HLT]);
    putU16(cpu, CW, 0x027f); putF64(cpu, A, 1e300); putF64(cpu, B, 1e300);
    go(cpu);
    expect(get(cpu, R80, 10)).toEqual(m80(0x47c8, 0x8eb39714297f0000n));
    expect(get(cpu, R80, 10)).toEqual(mul53(1e300, 1e300));
    expect(get(cpu, SW, 2)).toEqual([0x20, 0x3a]); // TOP 7, C1 (rounded up), PE; no OE
  });

  it("FSTP m64 of 1e600 overflows there: +inf with OE PE C1", () => {
    const [r80, r64, s] = run(0x027f, 1e300, 1e300, [FMUL(B)]);
    expect(r80).toEqual(m80(0x47c8, 0x8eb39714297f0000n));
    expect(r64).toBe(0x7ff0000000000000n);
    expect(s & 0x3ff).toBe(OE | PE | C1);
  });

  it("chained: (1e300 * 1e300) / 1e300 and sqrt(1e300 * 1e300) come back into the f64 range", () => {
    for (const body of [[FMUL(B), FDIV(B)], [FMUL(B), I.FSQRT]]) {
      const [r80, r64, s] = run(0x027f, 1e300, 1e300, body);
      expect(r80).toEqual(m80(0x43e3, 0xbf21e44003ace000n));
      expect(r64).toBe(0x7e37e43c8800759cn); // 1e300 again
      expect(s & 0x3ff).toBe(PE);
    }
  });

  it("x*x - x*x with x*x = 1e600 is +0 (exact cancellation in the register)", () => {
    const [r80, r64, s] = run(0x027f, 1e300, 1e300, [FMUL(B), FLD_ST0, FSUBP]);
    expect(r80).toEqual(m80(0, 0n));
    expect(r64).toBe(0n);
    expect(s & 0x3f).toBe(PE); // from the multiply
  });

  it("1e-300 * 1e-300: normal in the register (3835 E5A04AA62B554000); FSTP m64 underflows to 0 (UE PE)", () => {
    const [r80, r64, s] = run(0x027f, 1e-300, 1e-300, [FMUL(B)]);
    expect(r80).toEqual(m80(0x3835, 0xe5a04aa62b554000n));
    expect(r80).toEqual(mul53(1e-300, 1e-300));
    expect(r64).toBe(0n);
    expect(s & 0x3ff).toBe(UE | PE);
  });

  it("round up: 1e-600 rounds to the register's 53 bits upwards, FSTP m64 gives the least denormal with C1", () => {
    const [r80, r64, s] = run(0x0a7f, 1e-300, 1e-300, [FMUL(B)]);
    expect(r80).toEqual(m80(0x3835, 0xe5a04aa62b554800n));
    expect(r64).toBe(1n);
    expect(s & 0x3ff).toBe(UE | PE | C1);
  });

  it("MAX + MAX = 2^1025 - 2^972 exactly in the register; the store: inf (nearest) or MAX (chop)", () => {
    const max = 1.7976931348623157e308;
    let [r80, r64, s] = run(0x027f, max, max, [m(0xdc, 0, B)]);
    expect(r80).toEqual(m80(0x43ff, 0xfffffffffffff800n));
    expect(r64).toBe(0x7ff0000000000000n);
    expect(s & 0x3ff).toBe(OE | PE | C1);
    [r80, r64, s] = run(0x0e7f, max, max, [m(0xdc, 0, B)]);
    expect(r80).toEqual(m80(0x43ff, 0xfffffffffffff800n));
    expect(r64).toBe(0x7fefffffffffffffn);
    expect(s & 0x3ff).toBe(OE | PE);
  });

  it("2^-1022 * 0.5 is exact: register 3C00 8000000000000000, FSTP m64 the exact denormal, no flags", () => {
    const [r80, r64, s] = run(0x027f, 2.2250738585072014e-308, 0.5, [FMUL(B)]);
    expect(r80).toEqual(m80(0x3c00, 0x8000000000000000n));
    expect(r64).toBe(0x0008000000000000n);
    expect(s & 0x3ff).toBe(0);
  });

  it("the 80-bit range still overflows: (1e300^2)^16 -> inf with OE (nearest) or the 53-bit max (chop)", () => {
    const body = [FMUL(B), ...SQUARE, ...SQUARE, ...SQUARE, ...SQUARE];
    let [r80, , s] = run(0x027f, 1e300, 1e300, body);
    expect(r80).toEqual(m80(0x7fff, 0x8000000000000000n));
    expect(s & OE).toBe(OE); // (C1 here is the final FSTP m64's)
    [r80, , s] = run(0x0e7f, 1e300, 1e300, body);
    expect(r80).toEqual(m80(0x7ffe, 0xfffffffffffff800n));
    expect(s & OE).toBe(OE);
  });

  it("and underflows: (1e-300^2)^16 -> +0 with UE PE", () => {
    const [r80, , s] = run(0x027f, 1e-300, 1e-300, [FMUL(B), ...SQUARE, ...SQUARE, ...SQUARE, ...SQUARE]);
    expect(r80).toEqual(m80(0, 0n));
    expect(s & (UE | PE)).toBe(UE | PE);
  });
});
