/**
 * Near control flow (SDM vol. 2: CALL, JMP, RET, LOOP/LOOPcc, JCXZ/JECXZ): CALL rel (E8), CALL Ev
 * (FF /2), JMP Ev (FF /4), RET (C3), RET Iw (C2), LOOPNE/LOOPE/LOOP (E0-E2), JCXZ/JECXZ (E3).
 *
 * Every near branch computes its target, truncates it to 16 bits when the operand size is 16, and
 * checks it against the CS limit before anything is committed: a target beyond the limit raises
 * #GP(0) at the branch instruction (nearJump). LOOP and JCXZ count with CX or ECX by the ADDRESS
 * size; LOOP's decrement is committed only if the branch does not fault.
 */
import { imm, os32, as32, opcode } from "../decode";
import { readEv } from "../operands";
import { getEip, setEip, segLimit, SR_CS, reg32, setReg32, reg16, setReg16, ECX } from "../state";
import { faulted, gp0 } from "../fault";
import { getZF } from "../flags";
import { push16, push32, pop16, pop32, setSp, spAdd } from "../stack";

/** Check a near branch target against the CS limit (#GP(0)); false if it faulted. */
// @ts-ignore: decorator
@inline export function nearTargetOk(t: u32): bool {
  if (t > segLimit(SR_CS)) { gp0(); return false; }
  return true;
}

/** Jump to a near target (already truncated to the operand size), with the CS limit check. */
export function nearJump(t: u32): void {
  if (nearTargetOk(t)) setEip(t);
}

/** EIP + rel, truncated to 16 bits with a 16-bit operand size. */
// @ts-ignore: decorator
@inline function relTarget(rel: i32): u32 {
  const t = getEip() + <u32>rel;
  return os32 ? t : t & 0xffff;
}

/** Push the return address (operand size) and jump; the target is checked before the push. */
function callNear(t: u32): void {
  if (!nearTargetOk(t)) return;
  if (os32) push32(getEip()); else push16(getEip());
  if (faulted) return;
  setEip(t);
}

export function call_Jz(): void { callNear(relTarget(imm)); }

export function call_Ev(): void {
  const v = readEv();
  if (faulted) return;
  callNear(os32 ? <u32>v : <u32>(v & 0xffff));
}

export function jmp_Ev(): void {
  const v = readEv();
  if (faulted) return;
  nearJump(os32 ? <u32>v : <u32>(v & 0xffff));
}

/** RET and RET Iw: pop EIP (operand size), check it, then release imm16 bytes (stack size). */
function retNear(release: i32): void {
  const t: u32 = os32 ? <u32>pop32() : <u32>(pop16() & 0xffff);
  if (faulted) return;
  if (!nearTargetOk(t)) return; // step() restores ESP
  if (release != 0) setSp(spAdd(release));
  setEip(t);
}
export function ret(): void { retNear(0); }
export function ret_Iw(): void { retNear(imm & 0xffff); }

/** Count register by address size. */
// @ts-ignore: decorator
@inline function count(): u32 { return as32 ? <u32>reg32(ECX) : <u32>reg16(ECX); }
// @ts-ignore: decorator
@inline function setCount(v: u32): void { if (as32) setReg32(ECX, v); else setReg16(ECX, v); }

/** E0 LOOPNE, E1 LOOPE, E2 LOOP: decrement eCX (no flags); branch if eCX != 0 and the ZF condition holds. */
export function loop_Jb(): void {
  const c = (count() - 1) & (as32 ? 0xffffffff : 0xffff);
  let take = c != 0;
  if (opcode == 0xe0) take = take && !getZF();
  else if (opcode == 0xe1) take = take && getZF();
  if (take) {
    const t = relTarget(imm);
    if (!nearTargetOk(t)) return;
    setEip(t);
  }
  setCount(c);
}

/** E3 JCXZ/JECXZ: branch if CX (16-bit address size) or ECX is zero. */
export function jcxz_Jb(): void {
  if (count() == 0) nearJump(relTarget(imm));
}
