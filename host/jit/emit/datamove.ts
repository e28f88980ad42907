/**
 * Custom codegen for conditional moves and the small data movers compilers emit around them
 * (docs/jit.md): SETcc, CMOVcc (the condition straight from the lazy record when it is in locals,
 * flags.ts), CBW/CWDE, CWD/CDQ, XCHG (registers, and memory as a read-modify-write), LEAVE (32-bit
 * flat stack). Memory forms read before anything is committed, so a bail re-runs the instruction.
 */
import type { Insn, Ea } from "../decode.ts";
import { CUSTOM, type EmitContext } from "./custom.ts";
import { getR, setR, memRead, memRmw, memWriteBack, memOperand, memWrite, flat, KEY_STACK32 } from "./mem.ts";
import { cond } from "./flags.ts";
import { EFFECT, F_ALL } from "./liveness.ts";
import { isReg, vsize, readE, canE, reg } from "./ops.ts";

const EAX = 0, EDX = 2, ESP = 4, EBP = 5;
const USES_FLAGS = { w: 0, use: F_ALL }, NONE = { w: 0 };

/** SETcc r/m8: 1 or 0 by condition (opcode low nibble). */
CUSTOM.set("setcc_Eb", (ctx, i, k) => {
  if (!canE(ctx, i)) return false;
  const { f } = ctx;
  const v = f.tmp(cond(ctx, i.opcode & 15));
  if (isReg(i)) setR(ctx, i.modrm & 7, 0, v);
  else memWrite(ctx, i, k, memOperand(ctx, i)!, 0, v);
  return true;
});

/** CMOVcc r, r/m: a memory source is read whatever the condition (it may fault, as on hardware). */
CUSTOM.set("cmovcc_GvEv", (ctx, i, k) => {
  if (!canE(ctx, i)) return false;
  const { f } = ctx; const m = f.m;
  const size = vsize(i), g = (i.modrm >> 3) & 7;
  const src = readE(ctx, i, k, size)!;
  const c = f.tmp(cond(ctx, i.opcode & 15));
  setR(ctx, g, size, m.select(c, src, getR(ctx, g, size)));
  return true;
});
EFFECT.set("setcc_Eb", reg(USES_FLAGS));
EFFECT.set("cmovcc_GvEv", reg(USES_FLAGS));

/** CBW (AX = sign-extended AL) / CWDE (EAX = sign-extended AX). */
CUSTOM.set("cbw", (ctx, i) => {
  const m = ctx.f.m;
  if (i.os32) setR(ctx, EAX, 2, m.i32.extend16_s(getR(ctx, EAX, 2)));
  else setR(ctx, EAX, 1, m.i32.extend8_s(getR(ctx, EAX, 2)));
  return true;
});
/** CWD (DX = sign of AX) / CDQ (EDX = sign of EAX). */
CUSTOM.set("cwd", (ctx, i) => {
  const m = ctx.f.m;
  const sign = i.os32 ? m.i32.shr_s(getR(ctx, EAX, 2), ctx.f.c(31)) : m.i32.shr_s(m.i32.shl(getR(ctx, EAX, 2), ctx.f.c(16)), ctx.f.c(31));
  setR(ctx, EDX, i.os32 ? 2 : 1, sign);
  return true;
});
EFFECT.set("cbw", () => NONE);
EFFECT.set("cwd", () => NONE);

/** Swap register a and register b at `size` (both values read before either is written). */
function swap(ctx: EmitContext, a: number, b: number, size: number): void {
  const { f } = ctx;
  const va = f.tmp(getR(ctx, a, size)), vb = f.tmp(getR(ctx, b, size));
  setR(ctx, a, size, vb);
  setR(ctx, b, size, va);
}
/** XCHG r/m, r: registers swap; memory is a read-modify-write (implicitly locked: one access here). */
function xchg(ctx: EmitContext, i: Insn, k: number, size: number): boolean {
  const g = (i.modrm >> 3) & 7;
  if (isReg(i)) { swap(ctx, i.modrm & 7, g, size); return true; }
  const ea = memOperand(ctx, i);
  if (!ea) return false;
  const { value, acc } = memRmw(ctx, i, k, ea, size);
  const old = ctx.f.tmp(value);
  memWriteBack(ctx, acc, getR(ctx, g, size));
  setR(ctx, g, size, old);
  return true;
}
CUSTOM.set("xchg_EbGb", (ctx, i, k) => xchg(ctx, i, k, 0));
CUSTOM.set("xchg_EvGv", (ctx, i, k) => xchg(ctx, i, k, vsize(i)));
CUSTOM.set("xchg_eAXRv", (ctx, i) => { swap(ctx, EAX, i.opcode & 7, vsize(i)); return true; });
EFFECT.set("xchg_EbGb", reg(NONE));
EFFECT.set("xchg_EvGv", reg(NONE));
EFFECT.set("xchg_eAXRv", () => NONE);

/** LEAVE (32-bit operand size, flat 32-bit stack): ESP = EBP + 4, EBP = [EBP]. */
CUSTOM.set("leave", (ctx, i, k) => {
  if (!i.os32 || !flat(ctx) || (ctx.key & KEY_STACK32) === 0) return false;
  const { f } = ctx; const m = f.m;
  const frame: Ea = { base: EBP, index: -1, scale: 0, disp: 0, a16: false, seg: 2, baseEsp: false };
  const saved = f.tmp(memRead(ctx, i, k, frame, 2));
  f.setReg(ESP, m.i32.add(f.reg(EBP), f.c(4)));
  f.setReg(EBP, saved);
  return true;
});
