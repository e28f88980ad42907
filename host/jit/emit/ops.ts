/**
 * Custom codegen for the hot data families (docs/jit.md): MOV (all register/memory/immediate/moffs
 * forms), the ALU operations ADD OR AND SUB XOR CMP (ADC/SBB stay generic), TEST, INC/DEC, LEA,
 * MOVZX/MOVSX. Semantics follow assembly/cpu/ops/{alu,basic,arith,datamove}.ts exactly, including
 * the operand values recorded in the lazy-flags record. Memory operands need the flat state key
 * (mem.ts); a form the emitter cannot do returns false and takes the generic path.
 */
import type { Insn } from "../decode.ts";
import { effectiveAddress } from "../decode.ts";
import { CUSTOM, type EmitContext } from "./custom.ts";
import { getR, setR, memOperand, memRead, memRmw, memWriteBack, memWrite } from "./mem.ts";
import { setLazy, keepCF, L_ADD, L_SUB, L_LOGIC, L_INC, L_DEC } from "./flags.ts";
import { EFFECT, F_ALL, F_C, type Effect } from "./liveness.ts";
import { eaExpr } from "./generic.ts";
import type { X } from "./fn.ts";

const ALU_ADD = 0, ALU_OR = 1, ALU_AND = 4, ALU_SUB = 5, ALU_XOR = 6, ALU_CMP = 7;

export const isReg = (i: Insn) => i.modrm >= 0 && i.modrm >> 6 === 3;
export const vsize = (i: Insn) => (i.os32 ? 2 : 1);
const tmp = (ctx: EmitContext, x: X): X => ctx.f.tmp(x);

/** Operation k on a, b: [result, lazy kind], or null for ADC/SBB. */
function aluOp(ctx: EmitContext, k: number, a: X, b: X): [X, number] | null {
  const m = ctx.f.m;
  switch (k) {
    case ALU_ADD: return [m.i32.add(a, b), L_ADD];
    case ALU_OR: return [m.i32.or(a, b), L_LOGIC];
    case ALU_AND: return [m.i32.and(a, b), L_LOGIC];
    case ALU_XOR: return [m.i32.xor(a, b), L_LOGIC];
    case ALU_SUB: case ALU_CMP: return [m.i32.sub(a, b), L_SUB];
    default: return null;
  }
}

/** E op= src (E is ModRM r/m): register or read-modify-write memory. */
function aluE(ctx: EmitContext, i: Insn, k: number, kOp: number, size: number, src: () => X): boolean {
  if (kOp === 2 || kOp === 3) return false;
  const ea = isReg(i) ? null : memOperand(ctx, i);
  if (!isReg(i) && !ea) return false;
  const rm = i.modrm & 7;
  if (!ea) {
    const live = (ctx.live[k] & F_ALL) !== 0;
    if (!live && kOp === ALU_CMP) return true;
    const a = tmp(ctx, getR(ctx, rm, size)), b = tmp(ctx, src());
    const [r, kind] = aluOp(ctx, kOp, a, b)!;
    const rt = tmp(ctx, r);
    if (live) setLazy(ctx, kind, size, rt, a, b);
    if (kOp !== ALU_CMP) setR(ctx, rm, size, rt);
    return true;
  }
  if (kOp === ALU_CMP) {
    const a = tmp(ctx, memRead(ctx, i, k, ea, size)), b = tmp(ctx, src());
    setLazy(ctx, L_SUB, size, ctx.f.m.i32.sub(a, b), a, b);
    return true;
  }
  const { value, acc } = memRmw(ctx, i, k, ea, size);
  const a = tmp(ctx, value), b = tmp(ctx, src());
  const [r, kind] = aluOp(ctx, kOp, a, b)!;
  const rt = tmp(ctx, r);
  memWriteBack(ctx, acc, rt);
  setLazy(ctx, kind, size, rt, a, b);
  return true;
}

/** Read the E operand (register or memory); null = decline. Emits the read now. */
export function readE(ctx: EmitContext, i: Insn, k: number, size: number): X | null {
  if (isReg(i)) return tmp(ctx, getR(ctx, i.modrm & 7, size));
  const ea = memOperand(ctx, i);
  if (!ea) return null;
  return tmp(ctx, memRead(ctx, i, k, ea, size));
}
export function canE(ctx: EmitContext, i: Insn): boolean { return isReg(i) || memOperand(ctx, i) !== null; }

/** G op= E. */
function aluG(ctx: EmitContext, i: Insn, k: number, kOp: number, size: number): boolean {
  if (kOp === 2 || kOp === 3 || !canE(ctx, i)) return false;
  const b = readE(ctx, i, k, size)!;
  const reg = (i.modrm >> 3) & 7;
  const a = tmp(ctx, getR(ctx, reg, size));
  const [r, kind] = aluOp(ctx, kOp, a, b)!;
  const rt = tmp(ctx, r);
  if (ctx.live[k] & F_ALL) setLazy(ctx, kind, size, rt, a, b);
  if (kOp !== ALU_CMP) setR(ctx, reg, size, rt);
  return true;
}

const kindOf = (i: Insn) => (i.opcode >> 3) & 7;
const G = (ctx: EmitContext, i: Insn, size: number) => () => getR(ctx, (i.modrm >> 3) & 7, size);
const I = (ctx: EmitContext, i: Insn) => () => ctx.f.c(i.imm);

CUSTOM.set("alu_EbGb", (ctx, i, k) => aluE(ctx, i, k, kindOf(i), 0, G(ctx, i, 0)));
CUSTOM.set("alu_EvGv", (ctx, i, k) => aluE(ctx, i, k, kindOf(i), vsize(i), G(ctx, i, vsize(i))));
CUSTOM.set("alu_GbEb", (ctx, i, k) => aluG(ctx, i, k, kindOf(i), 0));
CUSTOM.set("alu_GvEv", (ctx, i, k) => aluG(ctx, i, k, kindOf(i), vsize(i)));
CUSTOM.set("grp1_EbIb", (ctx, i, k) => aluE(ctx, i, k, (i.modrm >> 3) & 7, 0, I(ctx, i)));
CUSTOM.set("grp1_EvI", (ctx, i, k) => aluE(ctx, i, k, (i.modrm >> 3) & 7, vsize(i), I(ctx, i)));
/** AL,Ib and eAX,Iz: the E operand is register 0. */
const acc = (i: Insn): Insn => ({ ...i, modrm: 0xc0 });
CUSTOM.set("alu_ALIb", (ctx, i, k) => aluE(ctx, acc(i), k, kindOf(i), 0, I(ctx, i)));
CUSTOM.set("alu_eAXIz", (ctx, i, k) => aluE(ctx, acc(i), k, kindOf(i), vsize(i), I(ctx, i)));

// ------------------------------------------------------------------ TEST

function test(ctx: EmitContext, i: Insn, k: number, size: number, src: (() => X) | null): boolean {
  if (!canE(ctx, i)) return false;
  if (isReg(i) && !(ctx.live[k] & F_ALL)) return true;
  const a = readE(ctx, i, k, size)!;
  const b = tmp(ctx, src ? src() : getR(ctx, (i.modrm >> 3) & 7, size));
  setLazy(ctx, L_LOGIC, size, ctx.f.m.i32.and(a, b), a, b);
  return true;
}
CUSTOM.set("test_EbGb", (ctx, i, k) => test(ctx, i, k, 0, null));
CUSTOM.set("test_EvGv", (ctx, i, k) => test(ctx, i, k, vsize(i), null));
CUSTOM.set("test_EbI", (ctx, i, k) => test(ctx, i, k, 0, I(ctx, i)));
CUSTOM.set("test_EvI", (ctx, i, k) => test(ctx, i, k, vsize(i), I(ctx, i)));
CUSTOM.set("test_ALIb", (ctx, i, k) => test(ctx, acc(i), k, 0, I(ctx, i)));
CUSTOM.set("test_eAXIz", (ctx, i, k) => test(ctx, acc(i), k, vsize(i), I(ctx, i)));

// ------------------------------------------------------------------ MOV

function movToE(ctx: EmitContext, i: Insn, k: number, size: number, src: () => X): boolean {
  if (!canE(ctx, i)) return false;
  const v = tmp(ctx, src());
  if (isReg(i)) { setR(ctx, i.modrm & 7, size, v); return true; }
  const ea = memOperand(ctx, i)!;
  memWrite(ctx, i, k, ea, size, v);
  return true;
}
function movToG(ctx: EmitContext, i: Insn, k: number, size: number, dst: number, srcSize = size, sign = false): boolean {
  if (!canE(ctx, i)) return false;
  let v = readE(ctx, i, k, srcSize)!;
  if (sign) v = srcSize === 0 ? ctx.f.m.i32.extend8_s(v) : ctx.f.m.i32.extend16_s(v);
  setR(ctx, dst, size, v);
  return true;
}
CUSTOM.set("mov_EbGb", (ctx, i, k) => movToE(ctx, i, k, 0, G(ctx, i, 0)));
CUSTOM.set("mov_EvGv", (ctx, i, k) => movToE(ctx, i, k, vsize(i), G(ctx, i, vsize(i))));
CUSTOM.set("mov_GbEb", (ctx, i, k) => movToG(ctx, i, k, 0, (i.modrm >> 3) & 7));
CUSTOM.set("mov_GvEv", (ctx, i, k) => movToG(ctx, i, k, vsize(i), (i.modrm >> 3) & 7));
CUSTOM.set("mov_EbIb", (ctx, i, k) => movToE(ctx, i, k, 0, I(ctx, i)));
CUSTOM.set("mov_EvIz", (ctx, i, k) => movToE(ctx, i, k, vsize(i), I(ctx, i)));
CUSTOM.set("mov_RbIb", (ctx, i) => { setR(ctx, i.opcode & 7, 0, ctx.f.c(i.imm)); return true; });
CUSTOM.set("mov_RvIv", (ctx, i) => { setR(ctx, i.opcode & 7, vsize(i), ctx.f.c(i.imm)); return true; });
CUSTOM.set("movzx_GvEb", (ctx, i, k) => movToG(ctx, i, k, vsize(i), (i.modrm >> 3) & 7, 0));
CUSTOM.set("movzx_GvEw", (ctx, i, k) => movToG(ctx, i, k, vsize(i), (i.modrm >> 3) & 7, 1));
CUSTOM.set("movsx_GvEb", (ctx, i, k) => movToG(ctx, i, k, vsize(i), (i.modrm >> 3) & 7, 0, true));
CUSTOM.set("movsx_GvEw", (ctx, i, k) => movToG(ctx, i, k, vsize(i), (i.modrm >> 3) & 7, 1, true));

/** moffs forms (A0-A3): the "E" operand is the moffs memory operand. */
function moffs(ctx: EmitContext, i: Insn, k: number, size: number, load: boolean): boolean {
  const ea = memOperand(ctx, i);
  if (!ea) return false;
  if (load) { setR(ctx, 0, size, memRead(ctx, i, k, ea, size)); return true; }
  memWrite(ctx, i, k, ea, size, getR(ctx, 0, size));
  return true;
}
CUSTOM.set("mov_ALOb", (ctx, i, k) => moffs(ctx, i, k, 0, true));
CUSTOM.set("mov_eAXOv", (ctx, i, k) => moffs(ctx, i, k, vsize(i), true));
CUSTOM.set("mov_ObAL", (ctx, i, k) => moffs(ctx, i, k, 0, false));
CUSTOM.set("mov_OveAX", (ctx, i, k) => moffs(ctx, i, k, vsize(i), false));

// ------------------------------------------------------------------ LEA, INC/DEC

CUSTOM.set("lea_GvM", (ctx, i) => {
  const ea = effectiveAddress(i);
  if (!ea) return false;
  setR(ctx, (i.modrm >> 3) & 7, vsize(i), tmp(ctx, eaExpr(ctx.f, ea)));
  return true;
});

function incdec(ctx: EmitContext, i: Insn, k: number, size: number, reg: number, dec: boolean): boolean {
  const m = ctx.f.m;
  const kind = dec ? L_DEC : L_INC;
  const op = (a: X) => (dec ? m.i32.sub(a, ctx.f.c(1)) : m.i32.add(a, ctx.f.c(1)));
  if (reg >= 0) {
    const live = (ctx.live[k] & F_ALL) !== 0;
    if (live) keepCF(ctx);
    const a = tmp(ctx, getR(ctx, reg, size));
    const r = tmp(ctx, op(a));
    if (live) setLazy(ctx, kind, size, r, a, ctx.f.c(1));
    setR(ctx, reg, size, r);
    return true;
  }
  const ea = memOperand(ctx, i);
  if (!ea) return false;
  const { value, acc } = memRmw(ctx, i, k, ea, size);
  const a = tmp(ctx, value);
  const r = tmp(ctx, op(a));
  memWriteBack(ctx, acc, r);
  keepCF(ctx);
  setLazy(ctx, kind, size, r, a, ctx.f.c(1));
  return true;
}
CUSTOM.set("inc_Rv", (ctx, i, k) => incdec(ctx, i, k, vsize(i), i.opcode & 7, false));
CUSTOM.set("dec_Rv", (ctx, i, k) => incdec(ctx, i, k, vsize(i), i.opcode & 7, true));
CUSTOM.set("incdec_Ev", (ctx, i, k) => incdec(ctx, i, k, vsize(i), isReg(i) ? i.modrm & 7 : -1, ((i.modrm >> 3) & 7) === 1));
CUSTOM.set("incdec_Eb", (ctx, i, k) => incdec(ctx, i, k, 0, isReg(i) ? i.modrm & 7 : -1, ((i.modrm >> 3) & 7) === 1));

// ------------------------------------------------------------------ flag effects (liveness.ts)

const ALU: Effect = { w: F_ALL }, NONE: Effect = { w: 0 }, INCDEC: Effect = { w: F_ALL, pass: F_C };
/** Register forms only: a memory operand may fault, which keeps every flag live. */
export const reg = (e: Effect) => (i: Insn) => (isReg(i) ? e : null);
const aluReg = (kOp: (i: Insn) => number, acc = false) => (i: Insn) => ((acc || isReg(i)) && kOp(i) !== 2 && kOp(i) !== 3 ? ALU : null);
EFFECT.set("alu_EbGb", aluReg(kindOf));
EFFECT.set("alu_EvGv", aluReg(kindOf));
EFFECT.set("alu_GbEb", aluReg(kindOf));
EFFECT.set("alu_GvEv", aluReg(kindOf));
EFFECT.set("alu_ALIb", aluReg(kindOf, true));
EFFECT.set("alu_eAXIz", aluReg(kindOf, true));
EFFECT.set("grp1_EbIb", aluReg((i) => (i.modrm >> 3) & 7));
EFFECT.set("grp1_EvI", aluReg((i) => (i.modrm >> 3) & 7));
for (const h of ["test_EbGb", "test_EvGv", "test_EbI", "test_EvI"]) EFFECT.set(h, reg(ALU));
EFFECT.set("test_ALIb", () => ALU);
EFFECT.set("test_eAXIz", () => ALU);
for (const h of ["mov_EbGb", "mov_EvGv", "mov_GbEb", "mov_GvEv", "mov_EbIb", "mov_EvIz", "movzx_GvEb", "movzx_GvEw", "movsx_GvEb", "movsx_GvEw"]) EFFECT.set(h, reg(NONE));
EFFECT.set("mov_RbIb", () => NONE);
EFFECT.set("mov_RvIv", () => NONE);
EFFECT.set("lea_GvM", () => NONE);
EFFECT.set("inc_Rv", () => INCDEC);
EFFECT.set("dec_Rv", () => INCDEC);
EFFECT.set("incdec_Ev", reg(INCDEC));
EFFECT.set("incdec_Eb", reg(INCDEC));

// ------------------------------------------------------------------ NOT, NEG (register forms), NOP

function notneg(ctx: EmitContext, i: Insn, k: number, size: number, neg: boolean): boolean {
  if (!isReg(i)) return false;
  const m = ctx.f.m, rm = i.modrm & 7;
  const a = tmp(ctx, getR(ctx, rm, size));
  const r = tmp(ctx, neg ? m.i32.sub(ctx.f.c(0), a) : m.i32.xor(a, ctx.f.c(-1)));
  if (neg && ctx.live[k] & F_ALL) setLazy(ctx, L_SUB, size, r, ctx.f.c(0), a);
  setR(ctx, rm, size, r);
  return true;
}
CUSTOM.set("not_Eb", (ctx, i, k) => notneg(ctx, i, k, 0, false));
CUSTOM.set("not_Ev", (ctx, i, k) => notneg(ctx, i, k, vsize(i), false));
CUSTOM.set("neg_Eb", (ctx, i, k) => notneg(ctx, i, k, 0, true));
CUSTOM.set("neg_Ev", (ctx, i, k) => notneg(ctx, i, k, vsize(i), true));
EFFECT.set("not_Eb", reg(NONE));
EFFECT.set("not_Ev", reg(NONE));
EFFECT.set("neg_Eb", reg(ALU));
EFFECT.set("neg_Ev", reg(ALU));
/** NOP, PAUSE, the fences, and the multi-byte NOP (0F 1F /0, no memory access). */
CUSTOM.set("nop", () => true);
CUSTOM.set("nop_Ev", () => true);
EFFECT.set("nop", () => NONE);
EFFECT.set("nop_Ev", () => NONE);
