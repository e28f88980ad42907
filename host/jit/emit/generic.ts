/**
 * The generic path (docs/jit.md): any instruction without custom codegen calls the interpreter's own
 * handler. Registers and flags are spilled, the decode state the handler reads is loaded with one
 * call (core jitSetup: prefixes, ModRM, effective address computed here from the live registers,
 * immediates, EIP of this and the next instruction), the handler runs, and the block leaves with
 * status 1 if it faulted or asked for an exit, or with status 0 after it invalidated compiled code.
 */
import { type Insn, type Ea, effectiveAddress } from "../decode.ts";
import { Fn, type X } from "./fn.ts";
import type { Imports } from "./imports.ts";

/** The effective offset of `ea` from the (cached) registers, wrapped to the address size. */
export function eaExpr(f: Fn, ea: Ea): X {
  const m = f.m;
  let e: X | null = null;
  const add = (x: X) => { e = e === null ? x : m.i32.add(e, x); };
  if (ea.base >= 0) add(ea.a16 ? m.i32.and(f.reg(ea.base), f.c(0xffff)) : f.reg(ea.base));
  if (ea.index >= 0) {
    const x = ea.a16 ? m.i32.and(f.reg(ea.index), f.c(0xffff)) : f.reg(ea.index);
    add(ea.scale ? m.i32.shl(x, f.c(ea.scale)) : x);
  }
  if (ea.disp !== 0 || e === null) add(f.c(ea.disp));
  return ea.a16 ? m.i32.and(e!, f.c(0xffff)) : e!;
}

/** The packed decode word of core jitSetup (assembly/jit/enter.ts). */
export function packDecode(i: Insn, ea: Ea | null): number {
  const modrm = i.modrm >= 0 ? i.modrm : 0;
  const isReg = i.modrm >= 0 && (i.modrm >> 6) === 3;
  const rep = i.rep === 0xf3 ? 1 : i.rep === 0xf2 ? 2 : 0;
  return (i.opcode & 0x1ff) | (modrm << 9) | (i.os32 ? 1 << 17 : 0) | (i.as32 ? 1 << 18 : 0) |
    ((i.seg >= 0 ? i.seg : 7) << 19) | (rep << 22) | (i.lock ? 1 << 24 : 0) | (ea?.baseEsp ? 1 << 25 : 0) |
    (isReg ? 1 << 26 : 0) | ((ea ? ea.seg : 3) << 27);
}

export function emitGeneric(f: Fn, imp: Imports, i: Insn, k: number): void {
  const m = f.m;
  const ea = effectiveAddress(i);
  let eaX: X = f.c(0);
  if (ea) {
    const t = f.local();
    f.emit(f.set(t, eaExpr(f, ea)));
    eaX = f.get(t);
  }
  f.spill();
  const handler = imp.handler(i.row.handler ?? i.row.id);
  f.emit(m.call(imp.fn("jitSetup"), [f.c(packDecode(i, ea)), eaX, f.c(i.imm), f.c(i.imm2), f.c(i.eip), f.c(i.next), m.i32.add(m.i32.shr_u(f.get(f.n16), f.c(4)), f.c(k))], 0));
  f.emit(m.call(handler, [], 0));
  f.forget();
  f.emit(m.if(m.i32.or(imp.global("faulted"), imp.global("exitReason")), f.retN(k + 1, 1)));
  f.emit(m.if(imp.global("jitInvalidated"), f.retN(k + 1)));
}
