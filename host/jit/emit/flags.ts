/**
 * Flags in compiled code (assembly/cpu/flags.ts contract): ALU emitters record the same lazy
 * record as the interpreter, but in locals with LAZY_OP known at compile time, so a following
 * Jcc/SETcc/CMOVcc evaluates its condition directly from the operands (CMP+Jcc becomes one Wasm
 * compare). With the record in the state block (after a generic instruction) or in locals with an
 * unknown LAZY_OP (at a block's start, fn.ts) the condition is asked from the core (jitTestCC).
 */
import * as L from "../../isa/layout.ts";
import type { EmitContext } from "./custom.ts";
import type { X } from "./fn.ts";
import { readsLocal } from "./wasm.ts";

export const L_ADD = 1, L_ADC1 = 2, L_SUB = 3, L_SBB1 = 4, L_LOGIC = 5, L_INC = 6, L_DEC = 7;
const MASK = [0xff, 0xffff, 0xffffffff | 0];
const SIGN = [0x80, 0x8000, 0x80000000 | 0];

/** Record a lazy result in locals (the interpreter's setLazy). */
export function setLazy(ctx: EmitContext, kind: number, size: number, r: X, a: X, b: X): void {
  const { f } = ctx;
  const record = [f.fOp, f.fDst, f.fA, f.fB];
  if (![r, a, b].some((x) => readsLocal(x, record))) {
    f.emit(f.set(f.fDst, r), f.set(f.fA, f.tmp(a)), f.set(f.fB, f.tmp(b)));
  } else {
    // Evaluate all three before assigning (they read the old record).
    const tr = f.local(), ta = f.local(), tb = f.local();
    f.emit(f.set(ta, a), f.set(tb, b), f.set(tr, r));
    f.emit(f.set(f.fDst, f.get(tr)), f.set(f.fA, f.get(ta)), f.set(f.fB, f.get(tb)));
  }
  f.flags = { where: "local", op: (kind << 2) | size };
}

/** Condition `cc` (0-15, as in Jcc) as an i32 0/1 expression. */
export function cond(ctx: EmitContext, cc: number): X {
  const { f, imp } = ctx; const m = f.m;
  if (f.flags.where === "arith") return condArith(ctx, cc, f.flags.l);
  if (f.flags.where !== "local") { f.syncFlags(); return m.call(imp.fn("jitTestCC"), [f.c(cc)]); }
  const op = f.flags.op, kind = op >> 2, size = op & 3;
  const mask = MASK[size], sb = SIGN[size];
  const d = () => f.get(f.fDst), a = () => f.get(f.fA), b = () => f.get(f.fB);
  const msk = (x: X) => (size === 2 ? x : m.i32.and(x, f.c(mask)));
  const sext = (x: X) => (size === 2 ? x : size === 1 ? m.i32.extend16_s(x) : m.i32.extend8_s(x));
  const nz = (x: X) => m.i32.ne(x, f.c(0));
  const zf = () => m.i32.eqz(msk(d()));
  const sf = () => nz(m.i32.and(d(), f.c(sb)));
  const pf = () => m.i32.eqz(m.i32.and(m.i32.popcnt(m.i32.and(d(), f.c(0xff))), f.c(1)));
  const eflCF = () => m.i32.and(f.load(L.STATE + L.S.EFLAGS), f.c(1));
  let cf: () => X, of: () => X;
  switch (kind) {
    case L_ADD: cf = () => m.i32.lt_u(msk(d()), msk(a())); of = () => nz(m.i32.and(m.i32.and(m.i32.xor(a(), d()), m.i32.xor(b(), d())), f.c(sb))); break;
    case L_ADC1: cf = () => m.i32.le_u(msk(d()), msk(a())); of = () => nz(m.i32.and(m.i32.and(m.i32.xor(a(), d()), m.i32.xor(b(), d())), f.c(sb))); break;
    case L_SUB: cf = () => m.i32.lt_u(msk(a()), msk(b())); of = () => nz(m.i32.and(m.i32.and(m.i32.xor(a(), b()), m.i32.xor(a(), d())), f.c(sb))); break;
    case L_SBB1: cf = () => m.i32.le_u(msk(a()), msk(b())); of = () => nz(m.i32.and(m.i32.and(m.i32.xor(a(), b()), m.i32.xor(a(), d())), f.c(sb))); break;
    case L_LOGIC: cf = () => f.c(0); of = () => f.c(0); break;
    case L_INC: cf = eflCF; of = () => nz(m.i32.and(m.i32.and(m.i32.xor(a(), d()), m.i32.xor(b(), d())), f.c(sb))); break;
    default: cf = eflCF; of = () => nz(m.i32.and(m.i32.and(m.i32.xor(a(), b()), m.i32.xor(a(), d())), f.c(sb))); break; // DEC
  }
  let r: X;
  const sub = kind === L_SUB;
  switch (cc >> 1) {
    case 0: r = of(); break;
    case 1: r = cf(); break;
    case 2: r = zf(); break;
    case 3: r = sub ? m.i32.le_u(msk(a()), msk(b())) : m.i32.or(cf(), zf()); break;
    case 4: r = sf(); break;
    case 5: r = pf(); break;
    case 6: r = sub ? m.i32.lt_s(sext(a()), sext(b())) : kind === L_LOGIC ? sf() : m.i32.ne(sf(), of()); break;
    default: r = sub ? m.i32.le_s(sext(a()), sext(b())) : kind === L_LOGIC ? m.i32.or(zf(), sf()) : m.i32.or(zf(), m.i32.ne(sf(), of())); break;
  }
  return cc & 1 ? m.i32.eqz(r) : r;
}

/** Condition `cc` from eagerly computed EFLAGS bits in local `l`. */
function condArith(ctx: EmitContext, cc: number, l: number): X {
  const { f } = ctx; const m = f.m;
  const bit = (b: number) => m.i32.and(m.i32.shr_u(f.get(l), f.c(b)), f.c(1));
  const of = () => bit(11), cf = () => bit(0), zf = () => bit(6), sf = () => bit(7);
  let r: X;
  switch (cc >> 1) {
    case 0: r = of(); break;
    case 1: r = cf(); break;
    case 2: r = zf(); break;
    case 3: r = m.i32.ne(m.i32.and(f.get(l), f.c(0x41)), f.c(0)); break;
    case 4: r = sf(); break;
    case 5: r = bit(2); break;
    case 6: r = m.i32.ne(sf(), of()); break;
    default: r = m.i32.or(zf(), m.i32.ne(sf(), of())); break;
  }
  return cc & 1 ? m.i32.eqz(r) : r;
}

/** INC/DEC keep CF: fold the current CF into EFLAGS (the interpreter's keepCF). */
export function keepCF(ctx: EmitContext): void {
  const { f, imp } = ctx; const m = f.m;
  const efl = L.STATE + L.S.EFLAGS;
  if (f.flags.where === "arith") { f.emit(f.store(efl, m.i32.or(m.i32.and(f.load(efl), f.c(~1)), m.i32.and(f.get(f.flags.l), f.c(1))))); return; }
  if (f.flags.where !== "local") { f.syncFlags(); f.emit(m.call(imp.fn("jitKeepCF"), [])); return; }
  const kind = f.flags.op >> 2;
  if (kind === L_INC || kind === L_DEC) return; // CF already folded
  const cf = cond(ctx, 2);
  f.emit(f.store(efl, m.i32.or(m.i32.and(f.load(efl), f.c(~1)), cf)));
}
