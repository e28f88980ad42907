/**
 * x87 FPU: loads and stores of every format (bit-exact m80 round trips through the register
 * shadow), integer conversions and rounding, condition codes, exceptions and the stack fault,
 * environment images, #NM/#MF, and the documented f64 deviation. Oracle: values worked out from
 * the SDM (vol. 1 ch. 4 and 8; vol. 2 instruction pages) and exact arithmetic in the test.
 */
import { describe, expect, it } from "vitest";
import {
  flat, go, I, m, DATA, CODE, sw, cw, put, get, putU64, getU64, putF64, m80, putU16, getU16, getU32, fpu32, F,
  ExitReason, X, S,
} from "./fpu-helpers.ts";

const C0 = 0x100, C1 = 0x200, C2 = 0x400, C3 = 0x4000;
const IE = 1, SF = 0x40, PE = 0x20, ES = 0x80;

describe("x87 m80 round trips (FLD m80 -> FSTP m80 keep all 80 bits)", () => {
  const patterns: [string, number, bigint][] = [
    ["1 + 2^-63 (64 significand bits)", 0x3fff, 0x8000000000000001n],
    ["largest finite", 0x7ffe, 0xffffffffffffffffn],
    ["smallest normal", 0x0001, 0x8000000000000000n],
    ["denormal", 0x0000, 0x0000000000000001n],
    ["pseudo-denormal", 0x8000, 0x8000000000000000n],
    ["unnormal", 0x1234, 0x1234567800000000n],
    ["-infinity", 0xffff, 0x8000000000000000n],
    ["SNaN, payload in the low bits", 0x7fff, 0x8000000000000001n],
    ["QNaN with payload", 0xffff, 0xc000000000000123n],
    ["pseudo-NaN", 0x7fff, 0x0000000000000001n],
    ["-0", 0x8000, 0n],
    ["1e-4000-ish", 0x00ff, 0xabcdef0123456789n],
  ];
  for (const [name, se, mant] of patterns) {
    it(name, () => {
      const cpu = flat([I.FNINIT, I.fld_m80(DATA), I.fstp_m80(DATA + 16), I.HLT]);
      put(cpu, DATA, m80(se, mant));
      expect(go(cpu)).toBe(ExitReason.HLT);
      expect(get(cpu, DATA + 16, 10)).toEqual(m80(se, mant));
      expect(sw(cpu) & 0x3f).toBe(0); // no exception for any pattern
    });
  }

  it("keeps the 80 bits through FLD ST(0), FXCH and FNSAVE/FRSTOR", () => {
    const cpu = flat([
      I.FNINIT, I.fld_m80(DATA), I.FLD1, I.r(0xd9, 1, 1) /* FXCH ST1 */, I.r(0xd9, 0, 0) /* FLD ST0 */,
      I.fnsave(DATA + 0x100), I.frstor(DATA + 0x100),
      I.fstp_m80(DATA + 16), I.fstp_m80(DATA + 32), I.HLT,
    ]);
    put(cpu, DATA, m80(0x3fff, 0x8000000000000001n));
    expect(go(cpu)).toBe(ExitReason.HLT);
    expect(get(cpu, DATA + 16, 10)).toEqual(m80(0x3fff, 0x8000000000000001n));
    expect(get(cpu, DATA + 32, 10)).toEqual(m80(0x3fff, 0x8000000000000001n));
  });
});

describe("x87 integer loads and stores", () => {
  for (const v of [0x7fffffffffffffffn, -0x8000000000000000n, (1n << 53n) + 1n, -((1n << 60n) + 3n), 0n]) {
    it(`FILD m64 -> FISTP m64 is exact for ${v}`, () => {
      const cpu = flat([I.FNINIT, I.fild_m64(DATA), I.fistp_m64(DATA + 16), I.HLT]);
      putU64(cpu, DATA, v);
      go(cpu);
      expect(BigInt.asIntN(64, getU64(cpu, DATA + 16))).toBe(v);
      expect(sw(cpu) & 0x3f).toBe(0);
    });
  }

  it("FILD m64 beyond 2^53: the f64 view rounds to nearest (FSTP m64), the m80 view is exact", () => {
    const cpu = flat([I.FNINIT, I.fild_m64(DATA), I.fst_m64(DATA + 16), I.fstp_m80(DATA + 32), I.HLT]);
    putU64(cpu, DATA, (1n << 53n) + 1n);
    go(cpu);
    expect(getU64(cpu, DATA + 16)).toBe(0x4340000000000000n); // 2^53 (FST m64 rounds 2^53+1 to even)
    expect(sw(cpu) & PE).toBe(PE);
    expect(get(cpu, DATA + 32, 10)).toEqual(m80(0x3fff + 53, 0x8000000000000400n));
  });

  const RC = [0x037f, 0x077f, 0x0b7f, 0x0f7f]; // nearest, down, up, chop
  const cases: [number, number[]][] = [
    [2.5, [2, 2, 3, 2]],
    [-2.5, [-2, -3, -2, -2]],
    [3.5, [4, 3, 4, 3]],
    [-0.75, [-1, -1, 0, 0]],
  ];
  for (const [v, want] of cases) {
    it(`FIST m32 of ${v} under the four rounding modes`, () => {
      const got: number[] = [];
      for (let k = 0; k < 4; k++) {
        const cpu = flat([I.FNINIT, I.fldcw(DATA + 8), I.fld_m64(DATA), I.fist_m32(DATA + 16), I.HLT]);
        putF64(cpu, DATA, v);
        putU16(cpu, DATA + 8, RC[k]);
        go(cpu);
        got.push(getU32(cpu, DATA + 16) | 0);
        expect(sw(cpu) & PE).toBe(PE);
      }
      expect(got).toEqual(want);
    });
  }

  it("FIST overflow and NaN give the integer indefinite with IE (masked)", () => {
    const cpu = flat([
      I.FNINIT, I.fld_m64(DATA), I.fist_m16(DATA + 16), I.fistp_m32(DATA + 20),
      I.fld_m64(DATA + 8), I.fistp_m32(DATA + 24), I.HLT,
    ]);
    putF64(cpu, DATA, 40000);
    putF64(cpu, DATA + 8, NaN);
    go(cpu);
    expect(getU16(cpu, DATA + 16)).toBe(0x8000);
    expect(getU32(cpu, DATA + 20)).toBe(40000); // fits in 32 bits
    expect(getU32(cpu, DATA + 24)).toBe(0x80000000);
    expect(sw(cpu) & IE).toBe(IE);
  });

  it("FIST m16 keeps the boundary values", () => {
    const cpu = flat([I.FNINIT, I.fild_m16(DATA), I.fistp_m16(DATA + 8), I.fild_m16(DATA + 2), I.fistp_m16(DATA + 10), I.HLT]);
    put(cpu, DATA, [0xff, 0x7f, 0x00, 0x80]);
    go(cpu);
    expect(getU16(cpu, DATA + 8)).toBe(0x7fff);
    expect(getU16(cpu, DATA + 10)).toBe(0x8000);
    expect(sw(cpu) & IE).toBe(0);
  });

  it("FBLD/FBSTP round trip and BCD encoding", () => {
    const cpu = flat([I.FNINIT, I.fbld(DATA), I.fbstp(DATA + 16), I.fild_m32(DATA + 32), I.fbstp(DATA + 48), I.HLT]);
    const bcd = [0x78, 0x56, 0x34, 0x12, 0x90, 0x78, 0x56, 0x34, 0x12, 0x80]; // -123456789012345678
    put(cpu, DATA, bcd);
    put(cpu, DATA + 32, [0x39, 0x30, 0, 0]); // 12345
    go(cpu);
    expect(get(cpu, DATA + 16, 10)).toEqual(bcd);
    expect(get(cpu, DATA + 48, 10)).toEqual([0x45, 0x23, 0x01, 0, 0, 0, 0, 0, 0, 0]);
  });
});

describe("x87 real loads and stores", () => {
  it("m32 -> m64 is exact, FST m32 rounds with RC and sets C1 when rounding up", () => {
    const cpu = flat([
      I.FNINIT, I.fld_m32(DATA), I.fstp_m64(DATA + 8),
      I.fld_m64(DATA + 16), I.fstp_m32(DATA + 24), I.fldcw(DATA + 40), I.fld_m64(DATA + 16), I.fstp_m32(DATA + 28), I.HLT,
    ]);
    put(cpu, DATA, [0x00, 0x00, 0xc0, 0x3f]); // 1.5f
    putF64(cpu, DATA + 16, 1 + 2 ** -30);
    putU16(cpu, DATA + 40, 0x0b7f); // round up
    go(cpu);
    expect(getU64(cpu, DATA + 8)).toBe(0x3ff8000000000000n);
    expect(getU32(cpu, DATA + 24)).toBe(0x3f800000);
    expect(getU32(cpu, DATA + 28)).toBe(0x3f800001);
    expect(sw(cpu) & (C1 | PE)).toBe(C1 | PE);
  });

  it("an m64 SNaN load raises IE and is quieted (payload kept)", () => {
    const cpu = flat([I.FNINIT, I.fld_m64(DATA), I.fstp_m64(DATA + 8), I.HLT]);
    putU64(cpu, DATA, 0x7ff0000000000123n);
    go(cpu);
    expect(getU64(cpu, DATA + 8)).toBe(0x7ff8000000000123n);
    expect(sw(cpu) & IE).toBe(IE);
  });

  it("m32 denormal load raises DE and converts exactly", () => {
    const cpu = flat([I.FNINIT, I.fld_m32(DATA), I.fstp_m64(DATA + 8), I.HLT]);
    put(cpu, DATA, [1, 0, 0, 0]); // 2^-149
    go(cpu);
    expect(getU64(cpu, DATA + 8)).toBe(0x36a0000000000000n);
    expect(sw(cpu) & 0x3f).toBe(2);
  });

  it("FLDPI is the 64-bit rounded constant; RC=down truncates", () => {
    const cpu = flat([I.FNINIT, I.FLDPI, I.fstp_m80(DATA), I.fldcw(DATA + 40), I.FLDPI, I.fstp_m80(DATA + 16), I.HLT]);
    putU16(cpu, DATA + 40, 0x077f);
    go(cpu);
    expect(get(cpu, DATA, 10)).toEqual(m80(0x4000, 0xc90fdaa22168c235n));
    expect(get(cpu, DATA + 16, 10)).toEqual(m80(0x4000, 0xc90fdaa22168c234n));
  });
});

describe("x87 arithmetic, rounding and exceptions", () => {
  it("1/3 under the four rounding modes (f64 results, PE set, C1 = rounded up)", () => {
    const RC = [0x037f, 0x077f, 0x0b7f, 0x0f7f];
    const want = [0x3fd5555555555555n, 0x3fd5555555555555n, 0x3fd5555555555556n, 0x3fd5555555555555n];
    for (let k = 0; k < 4; k++) {
      const cpu = flat([I.FNINIT, I.fldcw(DATA + 40), I.FLD1, I.fdiv_m64(DATA), I.FNSTSW_AX, I.fst_m64(DATA + 8), I.HLT]);
      putF64(cpu, DATA, 3);
      putU16(cpu, DATA + 40, RC[k]);
      go(cpu);
      expect(getU64(cpu, DATA + 8)).toBe(want[k]);
      expect(cpu.reg("eax") & PE).toBe(PE);
      expect((cpu.reg("eax") & C1) !== 0).toBe(k === 2);
    }
  });

  it("DOCUMENTED DEVIATION: 1/3 is computed at f64 precision, not the x87's 64-bit significand", () => {
    const cpu = flat([I.FNINIT, I.FLD1, I.fdiv_m64(DATA), I.fstp_m80(DATA + 16), I.HLT]);
    putF64(cpu, DATA, 3);
    go(cpu);
    // Hardware (PC = extended): 3FFD AAAAAAAAAAAAAAAB. Ours: the f64 1/3 widened exactly.
    expect(get(cpu, DATA + 16, 10)).toEqual(m80(0x3ffd, 0xaaaaaaaaaaaaa800n));
    expect(get(cpu, DATA + 16, 10)).not.toEqual(m80(0x3ffd, 0xaaaaaaaaaaaaaaabn));
  });

  it("x - x is -0 under round-down, +0 otherwise", () => {
    const cpu = flat([I.FNINIT, I.fldcw(DATA + 40), I.FLD1, I.r(0xd8, 4, 0) /* FSUB ST0,ST0 */, I.fstp_m64(DATA), I.HLT]);
    putU16(cpu, DATA + 40, 0x077f);
    go(cpu);
    expect(getU64(cpu, DATA)).toBe(0x8000000000000000n);
  });

  it("masked invalid: 0/0 gives the QNaN indefinite and IE", () => {
    const cpu = flat([I.FNINIT, I.FLDZ, I.FLDZ, I.r(0xde, 7, 1) /* FDIVP */, I.fst_m64(DATA), I.HLT]);
    go(cpu);
    expect(getU64(cpu, DATA)).toBe(0xfff8000000000000n);
    expect(sw(cpu) & (IE | ES)).toBe(IE);
  });

  it("unmasked invalid: result not written, ES pending, #MF at the next waiting instruction (CR0.NE=1)", () => {
    const code = [I.FNINIT, I.fldcw(DATA + 40), I.FLDZ, I.FLDZ, I.r(0xd8, 6, 1) /* FDIV ST0,ST1 */, I.FNSTSW_AX, I.FWAIT, I.HLT];
    const cpu = flat(code);
    putU16(cpu, DATA + 40, 0x037e); // IM = 0
    cpu.setState32(S.CR0, cpu.state32(S.CR0) | 0x20);
    cpu.interceptExceptions(1 << 16);
    expect(go(cpu)).toBe(ExitReason.FAULT);
    expect(cpu.exit32(X.VECTOR)).toBe(16);
    const fwaitAt = CODE + code.slice(0, 6).flat().length;
    expect(cpu.eip).toBe(fwaitAt);
    expect(cpu.reg("eax") & 0xffff).toBe(0x8000 | ES | IE | (6 << 11)); // B, ES, IE; TOP = 6
    // ST(0) is still +0 (not the indefinite).
    const top = fpu32(cpu, F.TOP);
    expect(new DataView(cpu.memory.buffer).getFloat64(0x4000 + F.ST + top * 8, true)).toBe(0);
  });

  it("stack overflow: IE, SF, C1 = 1, and ST(0) = indefinite", () => {
    const cpu = flat([I.FNINIT, ...Array(9).fill(I.FLD1), I.FNSTSW_AX, I.fst_m64(DATA), I.HLT]);
    go(cpu);
    expect(cpu.reg("eax") & (IE | SF | C1)).toBe(IE | SF | C1);
    expect(getU64(cpu, DATA)).toBe(0xfff8000000000000n);
  });

  it("stack underflow: IE, SF, C1 = 0", () => {
    const cpu = flat([I.FNINIT, I.FLD1, I.r(0xd8, 0, 1) /* FADD ST0,ST1 (empty) */, I.HLT]);
    go(cpu);
    expect(sw(cpu) & (IE | SF | C1)).toBe(IE | SF);
  });

  it("FSQRT, FRNDINT, FSCALE, FXTRACT, FCHS", () => {
    const cpu = flat([
      I.FNINIT, I.fld_m64(DATA), I.FSQRT, I.fstp_m64(DATA + 16),
      I.fld_m64(DATA + 8), I.FRNDINT, I.fstp_m64(DATA + 24),
      I.FLD1, I.fld_m64(DATA), I.FXTRACT, I.fstp_m64(DATA + 32), I.fstp_m64(DATA + 40),
      I.fld_m64(DATA + 8), I.FLD1, I.FSCALE, I.FCHS, I.fstp_m80(DATA + 48), I.HLT,
    ]);
    putF64(cpu, DATA, 2);
    putF64(cpu, DATA + 8, 2.5);
    go(cpu);
    expect(new DataView(cpu.readPhys(DATA + 16, 8).buffer).getFloat64(0, true)).toBe(Math.SQRT2);
    expect(new DataView(cpu.readPhys(DATA + 24, 8).buffer).getFloat64(0, true)).toBe(2);
    expect(new DataView(cpu.readPhys(DATA + 32, 8).buffer).getFloat64(0, true)).toBe(1); // significand
    expect(new DataView(cpu.readPhys(DATA + 40, 8).buffer).getFloat64(0, true)).toBe(1); // exponent
    expect(get(cpu, DATA + 48, 10)).toEqual(m80(0xc001, 0x8000000000000000n)); // -(1 * 2^trunc(2.5)) = -4
  });
});

describe("x87 operand order of the register forms", () => {
  // ST1 = 4, ST0 = 10; run `op`, then store ST0 and ST1 (when present) as m64.
  const run = (op: number[], pops: boolean) => {
    const cpu = flat([
      I.FNINIT, I.fld_m64(DATA), I.fld_m64(DATA + 8), op,
      I.fstp_m64(DATA + 16), ...(pops ? [] : [I.fstp_m64(DATA + 24)]), I.HLT,
    ]);
    putF64(cpu, DATA, 4);
    putF64(cpu, DATA + 8, 10);
    go(cpu);
    const d = (a: number) => new DataView(cpu.readPhys(a, 8).buffer).getFloat64(0, true);
    return pops ? [d(DATA + 16)] : [d(DATA + 16), d(DATA + 24)];
  };
  it("D8: ST0 = ST0 op ST1", () => {
    expect(run(I.r(0xd8, 4, 1), false)).toEqual([6, 4]); // FSUB ST0,ST1
    expect(run(I.r(0xd8, 5, 1), false)).toEqual([-6, 4]); // FSUBR
    expect(run(I.r(0xd8, 6, 1), false)).toEqual([2.5, 4]); // FDIV
    expect(run(I.r(0xd8, 7, 1), false)).toEqual([0.4, 4]); // FDIVR
  });
  it("DC: ST1 = ST1 op ST0 (E0 is FSUBR, E8 FSUB, F0 FDIVR, F8 FDIV)", () => {
    expect(run(I.r(0xdc, 5, 1), false)).toEqual([10, -6]); // FSUB ST1,ST0: 4 - 10
    expect(run(I.r(0xdc, 4, 1), false)).toEqual([10, 6]); // FSUBR ST1,ST0: 10 - 4
    expect(run(I.r(0xdc, 7, 1), false)).toEqual([10, 0.4]); // FDIV ST1,ST0
    expect(run(I.r(0xdc, 6, 1), false)).toEqual([10, 2.5]); // FDIVR ST1,ST0
  });
  it("DE: the P forms pop", () => {
    expect(run(I.r(0xde, 7, 1), true)).toEqual([0.4]); // FDIVP ST1,ST0
    expect(run(I.r(0xde, 6, 1), true)).toEqual([2.5]); // FDIVRP
    expect(run(I.r(0xde, 0, 1), true)).toEqual([14]); // FADDP
    expect(run(I.r(0xde, 1, 1), true)).toEqual([40]); // FMULP
  });
  it("FXCH, FLD ST(i), FCMOVcc", () => {
    expect(run(I.r(0xd9, 1, 1), false)).toEqual([4, 10]);
    expect(run(I.r(0xd9, 0, 1), false)).toEqual([4, 10]); // pushes ST1 (4); ST1 is then 10
  });
  it("division by zero: ZE, signed infinity", () => {
    const cpu = flat([I.FNINIT, I.fld_m64(DATA), I.FLDZ, I.r(0xde, 7, 1) /* FDIVP: -1 / 0 */, I.fst_m64(DATA + 8), I.HLT]);
    putF64(cpu, DATA, -1);
    go(cpu);
    expect(getU64(cpu, DATA + 8)).toBe(0xfff0000000000000n);
    expect(sw(cpu) & 0x3f).toBe(4);
  });
  it("integer memory operands (FIADD m16, FISUBR m32)", () => {
    const cpu = flat([I.FNINIT, I.FLD1, m(0xde, 0, DATA), m(0xda, 5, DATA + 4), I.fstp_m64(DATA + 8), I.HLT]);
    put(cpu, DATA, [0xfe, 0xff, 0, 0, 100, 0, 0, 0]); // -2, 100
    go(cpu);
    // 1 + -2 = -1; 100 - (-1) = 101
    expect(new DataView(cpu.readPhys(DATA + 8, 8).buffer).getFloat64(0, true)).toBe(101);
  });
});

describe("x87 FCMOVcc", () => {
  const run = (op: number[], eflags: number) => {
    const cpu = flat([I.FNINIT, I.fld_m64(DATA), I.fld_m64(DATA + 8), op, I.fstp_m64(DATA + 16), I.HLT]);
    putF64(cpu, DATA, 4);
    putF64(cpu, DATA + 8, 10);
    cpu.eflags = eflags;
    go(cpu);
    return new DataView(cpu.readPhys(DATA + 16, 8).buffer).getFloat64(0, true);
  };
  it("moves when the condition holds", () => {
    expect(run(I.r(0xda, 0, 1), 1)).toBe(4); // FCMOVB, CF=1
    expect(run(I.r(0xda, 0, 1), 0)).toBe(10);
    expect(run(I.r(0xdb, 1, 1), 0)).toBe(4); // FCMOVNE, ZF=0
    expect(run(I.r(0xdb, 1, 1), 0x40)).toBe(10);
    expect(run(I.r(0xda, 3, 1), 4)).toBe(4); // FCMOVU, PF=1
    expect(run(I.r(0xdb, 2, 1), 0)).toBe(4); // FCMOVNBE, CF=ZF=0
  });
});
