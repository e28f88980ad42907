/**
 * Helpers for the x87 tests: tiny assembler for the forms the tests use ([disp32] memory operands),
 * a flat 32-bit CPU with code at 0x1000 and data at 0x2000, and readers for the FPU state block.
 */
import { Cpu } from "../../host/core/cpu.ts";
import * as L from "../../host/isa/layout.ts";

export const CODE = 0x1000;
export const DATA = 0x2000;

/** op /reg with a [disp32] memory operand. */
export function m(op: number | number[], reg: number, addr: number): number[] {
  const ops = Array.isArray(op) ? op : [op];
  return [...ops, (reg << 3) | 5, addr & 0xff, (addr >> 8) & 0xff, (addr >> 16) & 0xff, (addr >>> 24) & 0xff];
}
export const I = {
  FNINIT: [0xdb, 0xe3], FLD1: [0xd9, 0xe8], FLDZ: [0xd9, 0xee], FLDPI: [0xd9, 0xeb], FWAIT: [0x9b],
  FXAM: [0xd9, 0xe5], FTST: [0xd9, 0xe4], FPREM: [0xd9, 0xf8], FPREM1: [0xd9, 0xf5], FNSTSW_AX: [0xdf, 0xe0],
  HLT: [0xf4], FNCLEX: [0xdb, 0xe2], FCHS: [0xd9, 0xe0], FSQRT: [0xd9, 0xfa], FRNDINT: [0xd9, 0xfc],
  FSCALE: [0xd9, 0xfd], FXTRACT: [0xd9, 0xf4], FINCSTP: [0xd9, 0xf7], FDECSTP: [0xd9, 0xf6],
  fld_m80: (a: number) => m(0xdb, 5, a), fstp_m80: (a: number) => m(0xdb, 7, a),
  fld_m64: (a: number) => m(0xdd, 0, a), fst_m64: (a: number) => m(0xdd, 2, a), fstp_m64: (a: number) => m(0xdd, 3, a),
  fld_m32: (a: number) => m(0xd9, 0, a), fstp_m32: (a: number) => m(0xd9, 3, a),
  fild_m16: (a: number) => m(0xdf, 0, a), fild_m32: (a: number) => m(0xdb, 0, a), fild_m64: (a: number) => m(0xdf, 5, a),
  fist_m16: (a: number) => m(0xdf, 2, a), fistp_m16: (a: number) => m(0xdf, 3, a),
  fist_m32: (a: number) => m(0xdb, 2, a), fistp_m32: (a: number) => m(0xdb, 3, a), fistp_m64: (a: number) => m(0xdf, 7, a),
  fldcw: (a: number) => m(0xd9, 5, a), fnstcw: (a: number) => m(0xd9, 7, a), fnstenv: (a: number) => m(0xd9, 6, a),
  fldenv: (a: number) => m(0xd9, 4, a), fnsave: (a: number) => m(0xdd, 6, a), frstor: (a: number) => m(0xdd, 4, a),
  fxsave: (a: number) => m([0x0f, 0xae], 0, a), fxrstor: (a: number) => m([0x0f, 0xae], 1, a),
  fbld: (a: number) => m(0xdf, 4, a), fbstp: (a: number) => m(0xdf, 6, a), fnstsw: (a: number) => m(0xdd, 7, a),
  fdiv_m64: (a: number) => m(0xdc, 6, a), fadd_m64: (a: number) => m(0xdc, 0, a), fcom_m64: (a: number) => m(0xdc, 2, a),
  /** ModRM register form: op, then 0xC0 | reg << 3 | i. */
  r: (op: number, reg: number, i: number) => [op, 0xc0 | (reg << 3) | i],
};

export function flat(code: number[][]): Cpu {
  const cpu = Cpu.create({ memMB: 4 });
  cpu.core.setFlat32(0);
  cpu.writePhys(CODE, Uint8Array.from(code.flat()));
  cpu.eip = CODE;
  return cpu;
}
/** Run until HLT (or another exit) and return the exit reason. */
export function go(cpu: Cpu, budget = 1000): number { return cpu.run(budget); }

export function dv(cpu: Cpu): DataView { return new DataView(cpu.memory.buffer); }
export function fpu32(cpu: Cpu, off: number): number { return dv(cpu).getUint32(L.FPU + off, true); }
export const F = L.F;
/** Architectural status word (TOP merged in). */
export function sw(cpu: Cpu): number { return (fpu32(cpu, F.SW) | (fpu32(cpu, F.TOP) << 11)) & 0xffff; }
export function cw(cpu: Cpu): number { return fpu32(cpu, F.CW) & 0xffff; }

export function put(cpu: Cpu, addr: number, bytes: number[] | Uint8Array): void { cpu.writePhys(addr, Uint8Array.from(bytes)); }
export function get(cpu: Cpu, addr: number, n: number): number[] { return [...cpu.readPhys(addr, n)]; }
export function putU64(cpu: Cpu, addr: number, v: bigint): void {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  cpu.writePhys(addr, b);
}
export function getU64(cpu: Cpu, addr: number): bigint {
  return new DataView(cpu.readPhys(addr, 8).buffer).getBigUint64(0, true);
}
export function putF64(cpu: Cpu, addr: number, v: number): void {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v, true);
  cpu.writePhys(addr, b);
}
/** An m80 image from sign|exponent and significand. */
export function m80(se: number, mant: bigint): number[] {
  const b = new Uint8Array(10);
  const d = new DataView(b.buffer);
  d.setBigUint64(0, mant, true);
  d.setUint16(8, se, true);
  return [...b];
}
export function putU16(cpu: Cpu, addr: number, v: number): void { put(cpu, addr, [v & 0xff, (v >> 8) & 0xff]); }
export function getU16(cpu: Cpu, addr: number): number { const b = cpu.readPhys(addr, 2); return b[0] | (b[1] << 8); }
export function getU32(cpu: Cpu, addr: number): number { return new DataView(cpu.readPhys(addr, 4).buffer).getUint32(0, true); }
export const { STATE, S, ExitReason, X } = L;
