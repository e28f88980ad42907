/**
 * Operands for custom codegen: registers (8/16/32-bit views of the cached 32-bit locals) and guest
 * memory with the TLB fast path inline (assembly/mmu/access.ts format: entry & mask == VALID and
 * the access inside the page -> direct load/store at (entry & ~0xFFF) + (lin & 0xFFF)); anything
 * else bails: the block leaves with the state as before the instruction (the emitters commit
 * registers and flags only after their memory accesses) and the interpreter runs it (see bail).
 * Custom memory operands need the flat state key
 * (DS/ES/SS base 0, 4 GiB), so the linear address is the offset; other segments decline.
 */
import * as L from "../../isa/layout.ts";
import type { Insn, Ea } from "../decode.ts";
import { effectiveAddress } from "../decode.ts";
import { eaExpr } from "./generic.ts";
import type { EmitContext } from "./custom.ts";
import type { X } from "./fn.ts";

export const KEY_CODE32 = 1, KEY_STACK32 = 2, KEY_CPL3 = 32, KEY_FLAT = 64, KEY_CS4G = 128;
const T_VALID = 1, T_NOUSER = 2, T_READONLY = 4, T_CODE = 8;
const SIZE_BYTES = [1, 2, 4];

export function flat(ctx: EmitContext): boolean { return (ctx.key & KEY_FLAT) !== 0; }
function readMask(ctx: EmitContext) { return T_VALID | (ctx.key & KEY_CPL3 ? T_NOUSER : 0); }
function writeMask(ctx: EmitContext) { return T_VALID | T_READONLY | T_CODE | (ctx.key & KEY_CPL3 ? T_NOUSER : 0); }

/** A memory operand custom code can access inline, or null (register form, or a segment it cannot assume flat). */
export function memOperand(ctx: EmitContext, i: Insn): Ea | null {
  const ea = effectiveAddress(i);
  if (!ea || !flat(ctx) || ea.a16) return null;
  if (ea.seg !== 0 && ea.seg !== 2 && ea.seg !== 3) return null;
  return ea;
}

// ------------------------------------------------------------------ registers

/** Register `r` at size 0/1/2 (8/16/32 bits), zero-extended. */
export function getR(ctx: EmitContext, r: number, size: number): X {
  const { f, } = ctx; const m = f.m;
  if (size === 2) return f.reg(r);
  if (size === 1) return m.i32.and(f.reg(r), f.c(0xffff));
  return r < 4 ? m.i32.and(f.reg(r), f.c(0xff)) : m.i32.and(m.i32.shr_u(f.reg(r - 4), f.c(8)), f.c(0xff));
}
export function setR(ctx: EmitContext, r: number, size: number, v: X): void {
  const { f } = ctx; const m = f.m;
  if (size === 2) { f.setReg(r, v); return; }
  if (size === 1) { f.setReg(r, m.i32.or(m.i32.and(f.reg(r), f.c(0xffff0000)), m.i32.and(v, f.c(0xffff)))); return; }
  if (r < 4) f.setReg(r, m.i32.or(m.i32.and(f.reg(r), f.c(~0xff)), m.i32.and(v, f.c(0xff))));
  else f.setReg(r - 4, m.i32.or(m.i32.and(f.reg(r - 4), f.c(~0xff00)), m.i32.shl(m.i32.and(v, f.c(0xff)), f.c(8))));
}

// ------------------------------------------------------------------ memory

function hostAddr(ctx: EmitContext, e: number, lin: number): X {
  const { f } = ctx; const m = f.m;
  return m.i32.add(m.i32.and(f.get(e), f.c(~0xfff)), m.i32.and(f.get(lin), f.c(0xfff)));
}
function tlbLoad(ctx: EmitContext, lin: number): X {
  const { f } = ctx; const m = f.m;
  return m.i32.load(L.TLB, 4, m.i32.shl(m.i32.shr_u(f.get(lin), f.c(12)), f.c(2)));
}
function fastCond(ctx: EmitContext, e: number, lin: number, mask: number, size: number): X {
  const { f } = ctx; const m = f.m;
  const ok = m.i32.eq(m.i32.and(f.get(e), f.c(mask)), f.c(T_VALID));
  if (size === 0) return ok;
  return m.i32.and(ok, m.i32.le_u(m.i32.and(f.get(lin), f.c(0xfff)), f.c(0x1000 - SIZE_BYTES[size])));
}
function loadN(ctx: EmitContext, size: number, addr: X): X {
  const m = ctx.f.m;
  return size === 2 ? m.i32.load(0, 4, addr) : size === 1 ? m.i32.load16_u(0, 2, addr) : m.i32.load8_u(0, 1, addr);
}
function storeN(ctx: EmitContext, size: number, addr: X, v: X): X {
  const m = ctx.f.m;
  return size === 2 ? m.i32.store(0, 4, addr, v) : size === 1 ? m.i32.store16(0, 2, addr, v) : m.i32.store8(0, 1, addr, v);
}

/** A memory access prepared for RMW: its linear address and TLB entry locals. */
export interface Access { lin: number; e: number; size: number }

function prepare(ctx: EmitContext, ea: Ea, size: number, offset = 0): Access {
  const { f } = ctx;
  const lin = f.local(), e = f.local();
  const off = offset ? f.m.i32.add(eaExpr(f, ea), f.c(offset)) : eaExpr(f, ea);
  f.emit(f.set(lin, off), f.set(e, tlbLoad(ctx, lin)));
  return { lin, e, size };
}

/**
 * The slow path of an inline access: leave the region function before the instruction, which the
 * run loop then executes in the interpreter (status 2, "bail": assembly/cpu/run.ts), with every
 * check, walk, fault and exit the interpreter makes. No helper call sits in the function: TurboFan
 * splits every value live across a call at each call site, and with a region's registers, flags
 * and counters live everywhere that made compiling a 24 KB region take 130 ms (docs/jit.md).
 * The instruction runs again from its start, so an emitter may access memory after a write only
 * where that access cannot take this path (memWriteBack after memRmw).
 */
function bail(ctx: EmitContext, i: Insn, k: number): X {
  return ctx.f.sideExit(i.eip, k, 2);
}

/** Read `size` at `ea` into a local; returns the local's value expression. */
export function memRead(ctx: EmitContext, i: Insn, k: number, ea: Ea, size: number, offset = 0): X {
  const { f } = ctx; const m = f.m;
  const a = prepare(ctx, ea, size, offset);
  const v = f.local();
  f.emit(m.if(fastCond(ctx, a.e, a.lin, readMask(ctx), size), f.set(v, loadN(ctx, size, hostAddr(ctx, a.e, a.lin))), bail(ctx, i, k)));
  return f.get(v);
}

/** Read for read-modify-write: the write is checked too, so the later memWriteBack is inline. */
export function memRmw(ctx: EmitContext, i: Insn, k: number, ea: Ea, size: number): { value: X; acc: Access } {
  const { f } = ctx; const m = f.m;
  const a = prepare(ctx, ea, size);
  const v = f.local();
  f.emit(m.if(fastCond(ctx, a.e, a.lin, writeMask(ctx), size), f.set(v, loadN(ctx, size, hostAddr(ctx, a.e, a.lin))), bail(ctx, i, k)));
  return { value: f.get(v), acc: a };
}
export function memWriteBack(ctx: EmitContext, a: Access, v: X): void {
  ctx.f.emit(storeN(ctx, a.size, hostAddr(ctx, a.e, a.lin), v));
}

/** Write `v` (size 0/1/2) at `ea` (+offset); the block leaves before the instruction when it cannot be inline. */
export function memWrite(ctx: EmitContext, i: Insn, k: number, ea: Ea, size: number, v: X, offset = 0): void {
  const { f } = ctx; const m = f.m;
  const t = f.local();
  f.emit(f.set(t, v));
  const a = prepare(ctx, ea, size, offset);
  f.emit(m.if(fastCond(ctx, a.e, a.lin, writeMask(ctx), size), storeN(ctx, size, hostAddr(ctx, a.e, a.lin), f.get(t)), bail(ctx, i, k)));
}

/** An ESP-relative stack slot as an effective address (32-bit flat stack). */
export function stackEa(offset: number): Ea {
  return { base: 4, index: -1, scale: 0, disp: offset, a16: false, seg: 2, baseEsp: true };
}
