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

/**
 * Behaviours the differential snippets (tests/isa/hints-x87.ts) found; every expected value is the
 * host CPU's for the same snippet. Operands are loaded as m80: B first (ST(1)), then A (ST(0)).
 */
describe("x87 behaviours checked against the hardware", () => {
  const LA = DATA + 0x100, LB = DATA + 0x110, OUT = DATA + 0x120, OUT2 = DATA + 0x130;
  function exec(cw: number, a: [number, bigint] | null, b: [number, bigint] | null, body: number[][], tail: number[][] = []) {
    const loads = [...(b ? [I.fld_m80(LB)] : []), ...(a ? [I.fld_m80(LA)] : [])];
    const cpu = flat([I.FNINIT, I.fldcw(CW), ...loads, ...body, FSTSW, ...tail, I.HLT]);
    putU16(cpu, CW, cw);
    if (a) put80(cpu, LA, a);
    if (b) put80(cpu, LB, b);
    expect(go(cpu)).toBe(ExitReason.HLT);
    return { cpu, sw: get(cpu, SW, 2)[0] | (get(cpu, SW, 2)[1] << 8) }; // SW right after the body
  }
  function put80(cpu: ReturnType<typeof flat>, addr: number, [se, mant]: [number, bigint]) {
    cpu.writePhys(addr, Uint8Array.from(m80(se, mant)));
  }
  const INDEF80 = m80(0xffff, 0xc000000000000000n);

  it("FCMOVB with an empty ST(1) and a false condition: masked underflow still writes the indefinite", () => {
    const { cpu, sw } = exec(0x037f, [0x3fff, 1n << 63n], null, [[0xf8] /* CLC */, I.r(0xda, 0, 1)], [I.fstp_m80(OUT)]);
    expect(sw).toBe(0x3841); // TOP 7, SF, IE
    expect(get(cpu, OUT, 10)).toEqual(INDEF80);
  });

  it("FSTP1 (D9 D8+i) with an empty ST(0): no stack fault, pops", () => {
    const { sw } = exec(0x037f, null, null, [I.r(0xd9, 3, 1)]);
    expect(sw).toBe(0x0800);
  });

  it("FXTRACT with an empty ST(0): underflow, and it still pushes (TOP 7)", () => {
    const { sw } = exec(0x037f, null, null, [I.FXTRACT]);
    expect(sw).toBe(0x3841);
  });

  it("FXTRACT of an SNaN: both results are the quieted NaN with all 64 significand bits", () => {
    const { cpu, sw } = exec(0x037f, [0xffff, 0x8963abc87b84be13n], [0x3fff, 1n << 63n], [I.FXTRACT], [I.fstp_m80(OUT), I.fstp_m80(OUT2)]);
    expect(sw & 0x7f).toBe(1); // IE
    expect(get(cpu, OUT, 10)).toEqual(m80(0xffff, 0xc963abc87b84be13n));
    expect(get(cpu, OUT2, 10)).toEqual(m80(0xffff, 0xc963abc87b84be13n));
  });

  it("FPREM partial remainder: C2 alone (C0 C1 C3 clear)", () => {
    const { cpu, sw } = exec(0x0b7f, [0x4003, 0xbd9bb672413baf31n], [0x0003, 0xb1b046c152795795n], [I.FPREM], [I.fstp_m80(OUT)]);
    expect(sw).toBe(0x3400);
    expect(get(cpu, OUT, 10)).toEqual(m80(0x3fe3, 0xa9da77ef4ef4ea4dn));
  });

  it("no DE when the other operand is a NaN or the operation is invalid", () => {
    let { sw } = exec(0x027f, [0x0000, 0x00000000d64c7000n], [0xffff, 0xe3704a3260b72800n], [I.r(0xd8, 0, 1)]);
    expect(sw & 0x3f).toBe(0);
    ({ sw } = exec(0x0e7f, [0x8000, 0x0000000000091800n], null, [I.FSQRT]));
    expect(sw & 0x3f).toBe(1); // IE only
  });

  it("FSCALE truncates ST(1) exactly: -7.99999... scales by 2^-7", () => {
    const { cpu } = exec(0x077f, [0x3bdf, 0xefc59b433329be62n], [0xc001, 0xffffffffffffffffn], [I.FSCALE], [I.fstp_m80(OUT)]);
    expect(get(cpu, OUT, 10)).toEqual(m80(0x3bd8, 0xefc59b433329be62n));
  });

  it("tininess after rounding: FST m64 of a value rounding up to 2^-1022 is not an underflow", () => {
    const { cpu, sw } = exec(0x0b7f, [0x3c00, 0xffffffffffffffffn], null, [I.fst_m64(OUT)]);
    expect(getU64(cpu, OUT)).toBe(0x0010000000000000n);
    expect(sw & 0x3ff).toBe(PE | C1);
  });

  it("MAX - x near the f64 top (TwoSum would overflow): correctly chopped, PE", () => {
    const { cpu, sw } = exec(0x0e7f, [0x43fe, 0xfffffffffffff800n], [0xc3fc, 0xb3825757ab587000n], [I.r(0xde, 0, 1)], [I.fstp_m80(OUT)]);
    expect(get(cpu, OUT, 10)).toEqual(m80(0x43fe, 0xd31f6a2a1529d800n));
    expect(sw & 0x3ff).toBe(PE);
  });
});
