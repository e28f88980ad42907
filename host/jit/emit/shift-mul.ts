/**
 * Custom codegen for shifts by a constant count (SHL/SAL, SHR, SAR: C0/C1 Ib, D0/D1 by 1) and the
 * two- and three-operand IMUL (0F AF, 69, 6B), register forms for shifts and register or memory
 * sources for IMUL. Semantics follow assembly/cpu/ops/shifts.ts shiftOp and muldiv.ts imulTrunc.
 * Their flags are eager in the interpreter (setArith / setEflagsBits): shifts compute the same bits
 * into a local (fn.ts "arith" state) and IMUL asks the core (jitImulFlags), both only when the flags
 * are live (liveness.ts); rotates, counts in CL and memory destinations stay generic.
 */
import type { Insn } from "../decode.ts";
import { CUSTOM, type EmitContext } from "./custom.ts";
import { getR, setR, memOperand, memRead } from "./mem.ts";
import { EFFECT, F_ALL, F_P, F_A, F_Z, F_S } from "./liveness.ts";
import type { X } from "./fn.ts";

const SH_SHL = 4, SH_SHR = 5, SH_SAL = 6, SH_SAR = 7;
const isReg = (i: Insn) => i.modrm >= 0 && i.modrm >> 6 === 3;
const vsize = (i: Insn) => (i.os32 ? 2 : 1);
const tmp = (ctx: EmitContext, x: X): X => ctx.f.tmp(x);

/** The shift forms done here: register destination, SHL/SHR/SAL/SAR. */
const shiftable = (i: Insn) => isReg(i) && ((i.modrm >> 3) & 7) >= SH_SHL;

function shift(ctx: EmitContext, i: Insn, k: number, size: number, count: number): boolean {
  if (!shiftable(i)) return false;
  const n = count & 31;
  if (n === 0) return true; // no change, flags included
  const { f } = ctx; const m = f.m;
  const op = (i.modrm >> 3) & 7, rm = i.modrm & 7;
  const bits = 8 << size, mask = size === 2 ? -1 : (1 << bits) - 1;
  const msk = (x: X) => (size === 2 ? x : m.i32.and(x, f.c(mask)));
  const sext = (x: X) => (size === 2 ? x : size === 1 ? m.i32.extend16_s(x) : m.i32.extend8_s(x));
  const a = tmp(ctx, getR(ctx, rm, size));
  let r: X, cf: X;
  if (op === SH_SHR) {
    r = m.i32.shr_u(a, f.c(n));
    cf = m.i32.and(m.i32.shr_u(a, f.c(n - 1)), f.c(1));
  } else if (op === SH_SAR) {
    const s = tmp(ctx, sext(a));
    r = msk(m.i32.shr_s(s, f.c(n)));
    cf = m.i32.and(m.i32.shr_s(s, f.c(n - 1)), f.c(1));
  } else {
    r = msk(m.i32.shl(a, f.c(n)));
    cf = n <= bits ? m.i32.and(m.i32.shr_u(a, f.c(bits - n)), f.c(1)) : f.c(0);
  }
  const rt = tmp(ctx, r);
  if (ctx.live[k] & F_ALL) {
    const c = tmp(ctx, cf);
    const sign = m.i32.and(m.i32.shr_u(rt, f.c(bits - 1)), f.c(1));
    let fl = m.i32.or(m.i32.or(c, m.i32.shl(m.i32.eqz(rt), f.c(6))), m.i32.shl(sign, f.c(7)));
    fl = m.i32.or(fl, m.i32.shl(m.i32.eqz(m.i32.and(m.i32.popcnt(m.i32.and(rt, f.c(0xff))), f.c(1))), f.c(2)));
    if (op === SH_SHR) fl = m.i32.or(fl, m.i32.shl(m.i32.and(m.i32.shr_u(a, f.c(bits - 1)), f.c(1)), f.c(11)));
    else if (op === SH_SHL || op === SH_SAL) fl = m.i32.or(fl, m.i32.shl(m.i32.xor(sign, c), f.c(11)));
    f.emit(f.set(f.fBits, fl));
    f.flags = { where: "arith", l: f.fBits };
  }
  setR(ctx, rm, size, rt);
  return true;
}
CUSTOM.set("shift_EbIb", (ctx, i, k) => shift(ctx, i, k, 0, i.imm));
CUSTOM.set("shift_EvIb", (ctx, i, k) => shift(ctx, i, k, vsize(i), i.imm));
CUSTOM.set("shift_Eb1", (ctx, i, k) => shift(ctx, i, k, 0, 1));
CUSTOM.set("shift_Ev1", (ctx, i, k) => shift(ctx, i, k, vsize(i), 1));
const shiftEffect = (count: (i: Insn) => number) => (i: Insn) => (shiftable(i) ? { w: (count(i) & 31) === 0 ? 0 : F_ALL } : null);
EFFECT.set("shift_EbIb", shiftEffect((i) => i.imm));
EFFECT.set("shift_EvIb", shiftEffect((i) => i.imm));
EFFECT.set("shift_Eb1", shiftEffect(() => 1));
EFFECT.set("shift_Ev1", shiftEffect(() => 1));

/** IMUL Gv = a * b (truncated); CF=OF=overflow from the core when the flags are live (it keeps SF ZF AF PF). */
function imul(ctx: EmitContext, i: Insn, k: number, three: boolean): boolean {
  const { f, imp } = ctx; const m = f.m;
  const size = vsize(i), reg = (i.modrm >> 3) & 7;
  let e: X;
  if (isReg(i)) e = tmp(ctx, getR(ctx, i.modrm & 7, size));
  else {
    const ea = memOperand(ctx, i);
    if (!ea) return false;
    e = tmp(ctx, memRead(ctx, i, k, ea, size));
  }
  const a = three ? e : tmp(ctx, getR(ctx, reg, size));
  const b = three ? f.c(i.imm) : e;
  const r = size === 2 ? m.i32.mul(a, b) : m.i32.mul(m.i32.extend16_s(a), m.i32.extend16_s(b));
  const rt = tmp(ctx, r);
  if (ctx.live[k] & F_ALL) {
    f.syncFlags();
    f.emit(m.call(imp.fn("jitImulFlags"), [a, b, f.c(size)]));
    f.flags = { where: "mem" };
  }
  setR(ctx, reg, size, rt);
  return true;
}
CUSTOM.set("imul_GvEv", (ctx, i, k) => imul(ctx, i, k, false));
CUSTOM.set("imul_GvEvI", (ctx, i, k) => imul(ctx, i, k, true));
const IMUL = { w: F_ALL, pass: F_P | F_A | F_Z | F_S };
EFFECT.set("imul_GvEv", (i) => (isReg(i) ? IMUL : null));
EFFECT.set("imul_GvEvI", (i) => (isReg(i) ? IMUL : null));

/** Shifts by CL with dead flags (a masked count of 0 leaves the operand: the formulas below give that). */
function shiftCL(ctx: EmitContext, i: Insn, k: number, size: number): boolean {
  if (!shiftable(i) || (ctx.live[k] & F_ALL)) return false;
  const { f } = ctx; const m = f.m;
  const op = (i.modrm >> 3) & 7, rm = i.modrm & 7;
  const mask = size === 2 ? -1 : (1 << (8 << size)) - 1;
  const msk = (x: X) => (size === 2 ? x : m.i32.and(x, f.c(mask)));
  const sext = (x: X) => (size === 2 ? x : size === 1 ? m.i32.extend16_s(x) : m.i32.extend8_s(x));
  const n = tmp(ctx, m.i32.and(f.reg(1), f.c(31)));
  const a = tmp(ctx, getR(ctx, rm, size));
  const r = op === SH_SHR ? m.i32.shr_u(a, n) : op === SH_SAR ? msk(m.i32.shr_s(sext(a), n)) : msk(m.i32.shl(a, n));
  setR(ctx, rm, size, tmp(ctx, r));
  return true;
}
CUSTOM.set("shift_EbCL", (ctx, i, k) => shiftCL(ctx, i, k, 0));
CUSTOM.set("shift_EvCL", (ctx, i, k) => shiftCL(ctx, i, k, vsize(i)));
/** A count of 0 keeps the flags: they pass through, so live flags make the emitter decline (generic). */
const CL_EFFECT = (i: Insn) => (shiftable(i) ? { w: F_ALL, pass: F_ALL } : null);
EFFECT.set("shift_EbCL", CL_EFFECT);
EFFECT.set("shift_EvCL", CL_EFFECT);
