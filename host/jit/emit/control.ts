/**
 * Custom codegen for near control flow and the stack (docs/jit.md): Jcc (condition straight from
 * the lazy record in locals: CMP+Jcc is one compare), JMP rel, CALL rel, JMP/CALL r/m32, RET,
 * RET imm16, PUSH r, PUSH imm, POP r. They need a 32-bit operand size, a 32-bit flat stack (state key) and a 4 GiB
 * CS limit (the target check of assembly/cpu/ops/control.ts nearJump can then never fail).
 * Branches end the block: they establish the block-boundary convention (fn.ts endBlock) and emit
 * the region's jumps (compiler.ts: inside the function when the target is a block of the region,
 * else spill, store EIP and return the instruction count).
 */
import type { Insn } from "../decode.ts";
import { CUSTOM, type EmitContext } from "./custom.ts";
import { getR, setR, memRead, memWrite, memOperand, stackEa, flat, KEY_CS4G, KEY_STACK32 } from "./mem.ts";
import { cond } from "./flags.ts";
import { EFFECT, F_ALL } from "./liveness.ts";
import type { X } from "./fn.ts";

const ESP = 4;
const branchOk = (ctx: EmitContext, i: Insn) => i.os32 && (ctx.key & KEY_CS4G) !== 0;
const stackOk = (ctx: EmitContext, i: Insn) => i.os32 && flat(ctx) && (ctx.key & KEY_STACK32) !== 0;

CUSTOM.set("jcc_Jb", jcc);
CUSTOM.set("jcc_Jz", jcc);
function jcc(ctx: EmitContext, i: Insn, k: number): boolean {
  if (!branchOk(ctx, i)) return false;
  const { f } = ctx; const m = f.m;
  const c = cond(ctx, i.opcode & 15);
  const t = f.local();
  f.emit(f.set(t, c));
  f.endBlock();
  f.emit(m.if(f.get(t), ctx.jump((i.next + i.imm) >>> 0, k)));
  f.emit(ctx.jump(i.next, k));
  ctx.ended = true;
  return true;
}

function jmp(ctx: EmitContext, i: Insn, k: number): boolean {
  if (!branchOk(ctx, i)) return false;
  ctx.f.endBlock();
  ctx.f.emit(ctx.jump((i.next + i.imm) >>> 0, k));
  ctx.ended = true;
  return true;
}
CUSTOM.set("jmp_Jb", jmp);
CUSTOM.set("jmp_Jz", jmp);

CUSTOM.set("call_Jz", (ctx, i, k) => {
  if (!branchOk(ctx, i) || !stackOk(ctx, i)) return false;
  const { f } = ctx; const m = f.m;
  memWrite(ctx, i, k, stackEa(-4), 2, f.c(i.next));
  f.setReg(ESP, m.i32.sub(f.reg(ESP), f.c(4)));
  f.endBlock();
  f.emit(ctx.jump((i.next + i.imm) >>> 0, k));
  ctx.ended = true;
  return true;
});

function ret(ctx: EmitContext, i: Insn, k: number, release: number): boolean {
  if (!branchOk(ctx, i) || !stackOk(ctx, i)) return false;
  const { f } = ctx; const m = f.m;
  const t = f.local();
  f.emit(f.set(t, memRead(ctx, i, k, stackEa(0), 2)));
  f.setReg(ESP, m.i32.add(f.reg(ESP), f.c(4 + release)));
  f.endBlock();
  f.emit(ctx.jumpDyn(t, k));
  ctx.ended = true;
  return true;
}
CUSTOM.set("ret", (ctx, i, k) => ret(ctx, i, k, 0));
CUSTOM.set("ret_Iw", (ctx, i, k) => ret(ctx, i, k, i.imm & 0xffff));

function push(ctx: EmitContext, i: Insn, k: number, v: () => X): boolean {
  if (!stackOk(ctx, i)) return false;
  const { f } = ctx; const m = f.m;
  memWrite(ctx, i, k, stackEa(-4), 2, v());
  f.setReg(ESP, m.i32.sub(f.reg(ESP), f.c(4)));
  return true;
}
CUSTOM.set("push_Rv", (ctx, i, k) => push(ctx, i, k, () => getR(ctx, i.opcode & 7, 2)));
CUSTOM.set("push_I", (ctx, i, k) => push(ctx, i, k, () => ctx.f.c(i.imm)));

CUSTOM.set("pop_Rv", (ctx, i, k) => {
  if (!stackOk(ctx, i)) return false;
  const { f } = ctx; const m = f.m;
  const t = f.local();
  f.emit(f.set(t, memRead(ctx, i, k, stackEa(0), 2)));
  f.setReg(ESP, m.i32.add(f.reg(ESP), f.c(4)));
  setR(ctx, i.opcode & 7, 2, f.get(t));
  return true;
});

EFFECT.set("jcc_Jb", () => ({ w: 0, use: F_ALL }));
EFFECT.set("jcc_Jz", () => ({ w: 0, use: F_ALL }));
EFFECT.set("jmp_Jb", () => ({ w: 0 }));
EFFECT.set("jmp_Jz", () => ({ w: 0 }));

/** JMP r/m32 and CALL r/m32 (FF /4, /2): the target is read first (it may fault), then CALL pushes. */
function indirect(ctx: EmitContext, i: Insn, k: number, call: boolean): boolean {
  if (!branchOk(ctx, i) || (call && !stackOk(ctx, i))) return false;
  const { f } = ctx; const m = f.m;
  const isReg = i.modrm >> 6 === 3;
  const ea = isReg ? null : memOperand(ctx, i);
  if (!isReg && !ea) return false;
  const t = f.local();
  f.emit(f.set(t, ea ? memRead(ctx, i, k, ea, 2) : getR(ctx, i.modrm & 7, 2)));
  if (call) {
    memWrite(ctx, i, k, stackEa(-4), 2, f.c(i.next));
    f.setReg(ESP, m.i32.sub(f.reg(ESP), f.c(4)));
  }
  f.endBlock();
  f.emit(ctx.jumpDyn(t, k));
  ctx.ended = true;
  return true;
}
CUSTOM.set("jmp_Ev", (ctx, i, k) => indirect(ctx, i, k, false));
CUSTOM.set("call_Ev", (ctx, i, k) => indirect(ctx, i, k, true));
