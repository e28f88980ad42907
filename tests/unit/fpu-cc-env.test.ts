/**
 * x87 FPU: comparison condition codes (FCOM/FUCOM/FTST, FCOMI EFLAGS), FXAM classes, FPREM/FPREM1
 * quotient bits and partial remainders, environment and save images (FNSTENV, FNSAVE, FXSAVE),
 * and #NM/#MF entry checks. Oracle: SDM vol. 1 ch. 8 figures and vol. 2 instruction pages; fmod
 * in the test for remainders.
 */
import { describe, expect, it } from "vitest";
import {
  flat, go, I, DATA, CODE, sw, cw, put, get, putF64, m80, putU16, getU16, getU32, getU64, fpu32, F, ExitReason, X, S,
} from "./fpu-helpers.ts";

const C0 = 0x100, C1 = 0x200, C2 = 0x400, C3 = 0x4000, CC = C0 | C1 | C2 | C3;
const IE = 1;
const CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;

/** Load a (ST1) and b (ST0) from m64, run `op`, return AX from FNSTSW AX and the CPU. */
function cmp(a: number, b: number, op: number[][]) {
  const cpu = flat([I.FNINIT, I.fld_m64(DATA), I.fld_m64(DATA + 8), ...op, I.FNSTSW_AX, I.HLT]);
  putF64(cpu, DATA, a);
  putF64(cpu, DATA + 8, b);
  expect(go(cpu)).toBe(ExitReason.HLT);
  return { ax: cpu.reg("eax") & 0xffff, cpu };
}

/** ST(0) as the f64 the core holds. */
function st0(cpu: ReturnType<typeof flat>): number {
  return new DataView(cpu.memory.buffer).getFloat64(0x4000 + F.ST + fpu32(cpu, F.TOP) * 8, true);
}

describe("x87 comparisons", () => {
  const FCOM_ST1 = [0xd8, 0xd1], FUCOM_ST1 = [0xdd, 0xe1], FCOMI_ST1 = [0xdb, 0xf1], FUCOMIP_ST1 = [0xdf, 0xe9];
  it("FCOM: >, <, =, unordered", () => {
    expect(cmp(1, 2, [FCOM_ST1]).ax & CC).toBe(0); // ST0=2 > ST1=1
    expect(cmp(2, 1, [FCOM_ST1]).ax & CC).toBe(C0);
    expect(cmp(-0, 0, [FCOM_ST1]).ax & CC).toBe(C3); // +0 == -0
    const un = cmp(NaN, 1, [FCOM_ST1]);
    expect(un.ax & CC).toBe(C3 | C2 | C0);
    expect(un.ax & IE).toBe(IE); // FCOM: any NaN is invalid
  });
  it("FUCOM: QNaN is unordered without IE", () => {
    const un = cmp(NaN, 1, [FUCOM_ST1]);
    expect(un.ax & CC).toBe(C3 | C2 | C0);
    expect(un.ax & IE).toBe(0);
  });
  it("FTST and FCOMP pop", () => {
    const { ax, cpu } = cmp(5, -3, [[0xd9, 0xe4], [0xd8, 0xd9] /* FCOMP ST1 */]);
    expect(ax & CC).toBe(C0); // -3 < 5
    expect(fpu32(cpu, F.TOP)).toBe(7);
  });
  it("FCOMI sets ZF PF CF and clears OF SF AF", () => {
    const f = (a: number, b: number, op: number[]) => {
      const cpu = flat([I.FNINIT, I.fld_m64(DATA), I.fld_m64(DATA + 8), op, I.HLT]);
      putF64(cpu, DATA, a);
      putF64(cpu, DATA + 8, b);
      cpu.eflags = OF | SF | AF | ZF | PF | CF;
      go(cpu);
      return { fl: cpu.eflags & (OF | SF | AF | ZF | PF | CF), cpu };
    };
    expect(f(1, 2, FCOMI_ST1).fl).toBe(0);
    expect(f(2, 1, FCOMI_ST1).fl).toBe(CF);
    expect(f(2, 2, FCOMI_ST1).fl).toBe(ZF);
    const u = f(NaN, 2, FUCOMIP_ST1);
    expect(u.fl).toBe(ZF | PF | CF);
    expect(fpu32(u.cpu, F.TOP)).toBe(7);
    expect(sw(u.cpu) & IE).toBe(0);
  });

  it("FXAM classes", () => {
    const cls = (bytes: number[] | null) => {
      const code = bytes ? [I.FNINIT, I.fld_m80(DATA), I.FXAM, I.FNSTSW_AX, I.HLT] : [I.FNINIT, I.FXAM, I.FNSTSW_AX, I.HLT];
      const cpu = flat(code);
      if (bytes) put(cpu, DATA, bytes);
      go(cpu);
      return cpu.reg("eax") & CC;
    };
    expect(cls(m80(0x3fff, 0x8000000000000000n))).toBe(C2); // +normal
    expect(cls(m80(0xbfff, 0x8000000000000000n))).toBe(C2 | C1); // -normal
    expect(cls(m80(0x7fff, 0x8000000000000000n))).toBe(C2 | C0); // infinity
    expect(cls(m80(0x7fff, 0xc000000000000000n))).toBe(C0); // NaN
    expect(cls(m80(0x0000, 0n))).toBe(C3); // zero
    expect(cls(m80(0x0000, 1n))).toBe(C3 | C2); // denormal
    expect(cls(m80(0x1234, 0x1234n))).toBe(0); // unnormal: unsupported
    expect(cls(null) & (C3 | C2 | C0)).toBe(C3 | C0); // empty
  });
});

describe("x87 FPREM / FPREM1", () => {
  it("FPREM 10 mod 3 = 1, quotient 3 -> C1 (Q0) and C3 (Q1)", () => {
    const { ax, cpu } = cmp(3, 10, [I.FPREM]);
    expect(st0(cpu)).toBe(1);
    expect(ax & CC).toBe(C1 | C3);
  });
  it("FPREM1 11 rem 3 = -1, quotient 4 -> C0 (Q2)", () => {
    const { ax, cpu } = cmp(3, 11, [I.FPREM1]);
    expect(st0(cpu)).toBe(-1);
    expect(ax & CC).toBe(C0);
  });
  it("partial remainder: C2 = 1 until done; the loop ends at the exact fmod", () => {
    const a = 1e300, b = 3.7;
    let rounds = 0;
    const cpu2 = flat([I.FNINIT, I.fld_m64(DATA), I.fld_m64(DATA + 8), I.HLT]);
    putF64(cpu2, DATA, b);
    putF64(cpu2, DATA + 8, a);
    go(cpu2);
    const loop = Uint8Array.from([...I.FPREM, ...I.HLT]);
    for (;;) {
      cpu2.writePhys(0x3000, loop);
      cpu2.eip = 0x3000;
      cpu2.setState32(S.HALTED, 0);
      go(cpu2);
      rounds++;
      if ((sw(cpu2) & C2) === 0) break;
      expect(rounds).toBeLessThan(100);
    }
    expect(rounds).toBeGreaterThan(1);
    cpu2.writePhys(0x3000, Uint8Array.from([...I.fst_m64(DATA + 16), ...I.HLT]));
    cpu2.eip = 0x3000;
    cpu2.setState32(S.HALTED, 0);
    go(cpu2);
    expect(new DataView(cpu2.readPhys(DATA + 16, 8).buffer).getFloat64(0, true)).toBe(a % b);
  });
  it("FPREM with a zero divisor is invalid (indefinite)", () => {
    const { ax, cpu } = cmp(0, 5, [I.FPREM, I.fst_m64(DATA + 16)]);
    expect(ax & IE).toBe(IE);
    expect(getU64(cpu, DATA + 16)).toBe(0xfff8000000000000n);
  });
});

describe("x87 environment and save images", () => {
  it("FNSAVE (32-bit protected format): CW/SW/TW at 0/4/8, pointers, ST0 at 28; then FNINIT state", () => {
    const code = [I.FNINIT, I.FLD1, I.fld_m80(DATA), I.fnsave(DATA + 0x100), I.HLT];
    const cpu = flat(code);
    put(cpu, DATA, m80(0x4000, 0xc90fdaa22168c235n));
    go(cpu);
    const img = DATA + 0x100;
    expect(getU32(cpu, img + 0)).toBe(0xffff037f);
    expect(getU32(cpu, img + 4)).toBe((0xffff0000 | (6 << 11)) >>> 0); // TOP = 6
    // Tag word by physical register: 6 and 7 valid (00), the rest empty (11).
    expect(getU32(cpu, img + 8)).toBe(0xffff0fff);
    const fldAt = CODE + code.slice(0, 2).flat().length;
    expect(getU32(cpu, img + 12)).toBe(fldAt); // FIP: the FLD m80
    expect(getU32(cpu, img + 16)).toBe(0x08 | (((0xdb & 7) << 8 | 0x2d) << 16)); // FCS | FOP << 16
    expect(getU32(cpu, img + 20)).toBe(DATA); // FDP
    expect(getU32(cpu, img + 24) & 0xffff).toBe(0x10); // FDS
    expect(get(cpu, img + 28, 10)).toEqual(m80(0x4000, 0xc90fdaa22168c235n)); // ST0
    expect(get(cpu, img + 38, 10)).toEqual(m80(0x3fff, 0x8000000000000000n)); // ST1
    expect(cw(cpu)).toBe(0x37f);
    expect(fpu32(cpu, F.VALID)).toBe(0);
    expect(sw(cpu)).toBe(0);
  });

  it("FNSTENV 16-bit (0x66) protected format is 14 bytes; FNSTENV masks all exceptions", () => {
    const cpu = flat([I.FNINIT, I.fldcw(DATA + 40), I.FLDZ, [0x66, ...I.fnstenv(DATA + 0x100)], I.HLT]);
    putU16(cpu, DATA + 40, 0x0360);
    put(cpu, DATA + 0x100 + 14, [0xaa, 0xaa]);
    go(cpu);
    const img = DATA + 0x100;
    expect(getU16(cpu, img + 0)).toBe(0x0360);
    expect(getU16(cpu, img + 2)).toBe(7 << 11);
    expect(getU16(cpu, img + 4)).toBe(0x7fff); // ST(0) = phys 7 holds zero (01)
    expect(getU16(cpu, img + 8)).toBe(0x08); // FCS
    expect(getU16(cpu, img + 14)).toBe(0xaaaa); // untouched after 14 bytes
    expect(cw(cpu)).toBe(0x037f);
  });

  it("FNSTENV 32-bit protected format: FIP at 12, FDP at 20; FLDENV reloads CW and SW", () => {
    const cpu = flat([I.FNINIT, I.fld_m64(DATA), I.fnstenv(DATA + 0x100), I.FNINIT, I.fldenv(DATA + 0x100), I.HLT]);
    go(cpu);
    const img = DATA + 0x100;
    expect(getU32(cpu, img + 12)).toBe(CODE + 2);
    expect(getU32(cpu, img + 20)).toBe(DATA);
    expect(cw(cpu)).toBe(0x037f);
    expect(fpu32(cpu, F.TOP)).toBe(7);
    expect(fpu32(cpu, F.VALID)).toBe(0x80);
  });

  it("FXSAVE image: FCW FSW, abridged tag, FOP, FIP, MXCSR defaults, ST0 at 32; FXRSTOR restores", () => {
    const cpu = flat([
      I.FNINIT, I.FLD1, I.fld_m80(DATA), I.fxsave(DATA + 0x200), I.FNINIT, I.fxrstor(DATA + 0x200),
      I.fstp_m80(DATA + 0x20), I.HLT,
    ]);
    put(cpu, DATA, m80(0x3fff, 0x8000000000000001n));
    go(cpu);
    const img = DATA + 0x200;
    expect(getU16(cpu, img + 0)).toBe(0x037f);
    expect(getU16(cpu, img + 2)).toBe(6 << 11);
    expect(get(cpu, img + 4, 1)[0]).toBe(0xc0); // physical 6 and 7 valid
    expect(getU16(cpu, img + 6)).toBe(((0xdb & 7) << 8) | 0x2d);
    expect(getU32(cpu, img + 8)).toBe(CODE + 4); // FLD m80 after FNINIT, FLD1
    expect(getU32(cpu, img + 24)).toBe(0x1f80);
    expect(get(cpu, img + 32, 10)).toEqual(m80(0x3fff, 0x8000000000000001n));
    expect(get(cpu, img + 48, 10)).toEqual(m80(0x3fff, 0x8000000000000000n));
    expect(get(cpu, DATA + 0x20, 10)).toEqual(m80(0x3fff, 0x8000000000000001n));
    expect(fpu32(cpu, F.TOP)).toBe(7);
  });

  it("FXSAVE to a misaligned address is #GP(0) and writes nothing", () => {
    const cpu = flat([I.FNINIT, I.fxsave(DATA + 0x208), I.HLT]);
    cpu.interceptExceptions(1 << 13);
    expect(go(cpu)).toBe(ExitReason.FAULT);
    expect(cpu.exit32(X.VECTOR)).toBe(13);
    expect(getU16(cpu, DATA + 0x208)).toBe(0);
  });
});

describe("x87 entry checks", () => {
  it("#NM when CR0.TS = 1; FWAIT only faults with MP and TS", () => {
    const cpu = flat([I.FWAIT, I.FLD1, I.HLT]);
    cpu.setState32(S.CR0, cpu.state32(S.CR0) | 8);
    cpu.interceptExceptions(1 << 7);
    expect(go(cpu)).toBe(ExitReason.FAULT);
    expect(cpu.exit32(X.VECTOR)).toBe(7);
    expect(cpu.eip).toBe(CODE + 1); // FWAIT passed (MP = 0), FLD1 faulted

    const cpu2 = flat([I.FWAIT, I.HLT]);
    cpu2.setState32(S.CR0, cpu2.state32(S.CR0) | 8 | 2);
    cpu2.interceptExceptions(1 << 7);
    expect(go(cpu2)).toBe(ExitReason.FAULT);
    expect(cpu2.eip).toBe(CODE);
  });
  it("#NM when CR0.EM = 1 (and nothing changes)", () => {
    const cpu = flat([I.FNINIT, I.HLT]);
    cpu.setState32(S.CR0, cpu.state32(S.CR0) | 4);
    cpu.interceptExceptions(1 << 7);
    expect(go(cpu)).toBe(ExitReason.FAULT);
    expect(cw(cpu)).toBe(0x40); // power-on control word kept
  });
  it("a store that faults changes nothing (FSTP m64 to an unmapped segment offset)", () => {
    const cpu = flat([I.FNINIT, I.FLD1, I.fstp_m64(0xfffffffc), I.HLT]);
    cpu.interceptExceptions(0xffffffff);
    const r = go(cpu);
    expect(r).toBe(ExitReason.FAULT);
    expect(fpu32(cpu, F.TOP)).toBe(7); // no pop
    expect(fpu32(cpu, F.VALID)).toBe(0x80);
  });
  it("with CR0.NE = 0 a pending exception sets FERR and FWAIT runs on", () => {
    const cpu = flat([I.FNINIT, I.fldcw(DATA + 40), I.FLDZ, I.FLDZ, I.r(0xd8, 6, 1), I.FWAIT, I.HLT]);
    putU16(cpu, DATA + 40, 0x037e);
    expect(go(cpu)).toBe(ExitReason.HLT);
    expect(fpu32(cpu, F.FERR)).toBe(1);
  });
});

describe("x87 transcendentals (f64 library results)", () => {
  const d = (cpu: ReturnType<typeof flat>, a: number) => new DataView(cpu.readPhys(a, 8).buffer).getFloat64(0, true);
  it("FSINCOS leaves cos in ST0 and sin in ST1; FPTAN pushes 1", () => {
    const cpu = flat([
      I.FNINIT, I.fld_m64(DATA), [0xd9, 0xfb], I.fstp_m64(DATA + 16), I.fstp_m64(DATA + 24),
      I.fld_m64(DATA), [0xd9, 0xf2], I.fstp_m64(DATA + 32), I.fstp_m64(DATA + 40), I.HLT,
    ]);
    putF64(cpu, DATA, 0.5);
    go(cpu);
    expect(d(cpu, DATA + 16)).toBe(Math.cos(0.5));
    expect(d(cpu, DATA + 24)).toBe(Math.sin(0.5));
    expect(d(cpu, DATA + 32)).toBe(1);
    expect(d(cpu, DATA + 40)).toBe(Math.tan(0.5));
    expect(fpu32(cpu, F.VALID)).toBe(0);
  });
  it("FYL2X: 3 * log2(8) = 9; FPATAN(1, 1) = pi/4; FSIN of 2^63 sets C2", () => {
    const cpu = flat([
      I.FNINIT, I.fld_m64(DATA), I.fld_m64(DATA + 8), [0xd9, 0xf1], I.fstp_m64(DATA + 16),
      I.FLD1, I.FLD1, [0xd9, 0xf3], I.fstp_m64(DATA + 24),
      I.fld_m64(DATA + 32), [0xd9, 0xfe], I.FNSTSW_AX, I.fstp_m64(DATA + 40), I.HLT,
    ]);
    putF64(cpu, DATA, 3);
    putF64(cpu, DATA + 8, 8);
    putF64(cpu, DATA + 32, 2 ** 63);
    go(cpu);
    expect(d(cpu, DATA + 16)).toBe(9);
    expect(d(cpu, DATA + 24)).toBe(Math.PI / 4);
    expect(cpu.reg("eax") & C2).toBe(C2);
    expect(d(cpu, DATA + 40)).toBe(2 ** 63);
  });
});
