/**
 * Stack helpers: pushes and pops through SS with the stack-size attribute (SS.B: ESP, else SP).
 * A push checks the write before changing ESP; callers that push several values and may fault on a
 * later one rely on step() restoring ESP on a fault.
 */
import { getMode, MODE_STACK32, reg32, setReg32, ESP, SR_SS } from "./state";
import { read16, read32, write16, write32 } from "../mmu/access";
import { faulted } from "./fault";

// @ts-ignore: decorator
@inline export function stack32(): bool { return (getMode() & MODE_STACK32) != 0; }

/** Current stack offset (ESP or SP). */
// @ts-ignore: decorator
@inline export function sp(): u32 { return stack32() ? <u32>reg32(ESP) : <u32>(reg32(ESP) & 0xffff); }

export function setSp(v: u32): void {
  if (stack32()) setReg32(ESP, v);
  else setReg32(ESP, (reg32(ESP) & 0xffff0000) | (v & 0xffff));
}

/** Offset `delta` bytes from the stack pointer, wrapped to the stack size. */
// @ts-ignore: decorator
@inline export function spAdd(delta: i32): u32 { return stack32() ? sp() + delta : (sp() + delta) & 0xffff; }

export function push16(v: i32): void {
  const a = spAdd(-2);
  write16(SR_SS, a, v);
  if (!faulted) setSp(a);
}
export function push32(v: i32): void {
  const a = spAdd(-4);
  write32(SR_SS, a, v);
  if (!faulted) setSp(a);
}
export function pop16(): i32 {
  const v = read16(SR_SS, sp());
  if (!faulted) setSp(spAdd(2));
  return v;
}
export function pop32(): i32 {
  const v = read32(SR_SS, sp());
  if (!faulted) setSp(spAdd(4));
  return v;
}
/** Read the stack at sp+delta without popping. */
export function peek16(delta: i32): i32 { return read16(SR_SS, spAdd(delta)); }
export function peek32(delta: i32): i32 { return read32(SR_SS, spAdd(delta)); }
