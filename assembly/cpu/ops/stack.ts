/**
 * Stack instructions (SDM vol. 2: PUSH, POP, PUSHA/PUSHAD, POPA/POPAD, PUSHF/PUSHFD, POPF/POPFD,
 * ENTER, LEAVE): PUSH r (50+r), POP r (58+r), PUSH Iz (68), PUSH Ibs (6A), PUSH Ev (FF /6),
 * POP Ev (8F /0), PUSHA (60), POPA (61), PUSHF (9C), POPF (9D), ENTER (C8), LEAVE (C9).
 *
 * The operand size picks the width of the value, SS.B the stack pointer (ESP or SP): stack.ts.
 * Instructions writing several stack slots (PUSHA, ENTER) probe every slot before writing any, so a
 * fault changes nothing (step() restores ESP). POP ESP loads the popped value; PUSH ESP pushes the
 * value before the decrement; POP Ev with an ESP base computes the address after the increment.
 *
 * POPF follows the SDM's mode table: real mode and CPL 0 may change IOPL; IF only when
 * CPL <= IOPL; VM, VIF and VIP never change; the 32-bit form clears RF; the 16-bit form leaves the
 * upper half alone. In v86 mode PUSHF/POPF need IOPL 3 (#GP(0) otherwise), and POPF keeps IOPL.
 * CR4.VME (virtual interrupt flags for v86) is not supported: with IOPL < 3 v86 PUSHF/POPF fault.
 */
import { imm, imm2, os32, eaBase, eaOff, setEaOff, modIsReg } from "../decode";
import { readEv, writeEv, readRv, writeRv } from "../operands";
import {
  reg32, setReg32, reg16, setReg16, ESP, EBP, SR_SS, getMode, MODE_PROT, MODE_V86, getCpl,
} from "../state";
import { faulted, gp0 } from "../fault";
import { push16, push32, pop16, pop32, sp, setSp, spAdd, stack32 } from "../stack";
import { read16, read32, checkWrite, checkRead } from "../../mmu/access";
import { getEflags, setEflagsBits, rawEflags, CF, PF, AF, ZF, SF, TF, IF, DF, OF, IOPL, NT, RF, VM, AC, ID } from "../flags";
import { opcode } from "../decode";

// @ts-ignore: decorator
@inline function pushV(v: i32): void { if (os32) push32(v); else push16(v); }
// @ts-ignore: decorator
@inline function popV(): i32 { return os32 ? pop32() : pop16(); }

export function push_Rv(): void { pushV(readRv(opcode & 7)); }

/** POP r: for POP ESP/SP the popped value replaces the incremented stack pointer. */
export function pop_Rv(): void {
  const v = popV();
  if (faulted) return;
  writeRv(opcode & 7, v);
}

/** 68 PUSH Iz, 6A PUSH Ibs: the immediate was already sized/sign-extended by the decoder. */
export function push_I(): void { pushV(imm); }

export function push_Ev(): void {
  const v = readEv();
  if (faulted) return;
  pushV(v);
}

/**
 * 8F /0 POP Ev. The SDM: with ESP as a base register, the address is computed after ESP is
 * incremented, so the offset moves by the pop's increment. The write faults after the pop has
 * changed only ESP, which step() restores.
 */
export function pop_Ev(): void {
  const before = reg32(ESP);
  const v = popV();
  if (faulted) return;
  if (!modIsReg && eaBase == ESP) setEaOff(eaOff + <u32>(reg32(ESP) - before));
  writeEv(v);
}

/** 60 PUSHA/PUSHAD: EAX ECX EDX EBX (original ESP) EBP ESI EDI, every slot probed first. */
export function pusha(): void {
  const size = os32 ? 4 : 2;
  for (let i = 1; i <= 8; i++) {
    if (!checkWrite(SR_SS, spAdd(-size * i), size)) return;
  }
  const orig = reg32(ESP);
  for (let r = 0; r < 8; r++) {
    const v = r == ESP ? orig : reg32(r);
    if (os32) push32(v); else push16(v);
  }
}

/** 61 POPA/POPAD: pops EDI ESI EBP (skipped) EBX EDX ECX EAX; all reads happen before any write. */
export function popa(): void {
  const size = os32 ? 4 : 2;
  let vals: StaticArray<i32> = popaBuf;
  for (let i = 0; i < 8; i++) {
    const off = spAdd(size * i);
    unchecked(vals[i] = os32 ? read32(SR_SS, off) : read16(SR_SS, off));
    if (faulted) return;
  }
  for (let i = 0; i < 8; i++) {
    const r = 7 - i;
    if (r == ESP) continue;
    if (os32) setReg32(r, unchecked(vals[i])); else setReg16(r, unchecked(vals[i]));
  }
  setSp(spAdd(size * 8));
}
const popaBuf = new StaticArray<i32>(8);

/** True when in v86 mode with IOPL < 3 (PUSHF/POPF are IOPL-sensitive there; no VME). */
// @ts-ignore: decorator
@inline function v86Trap(): bool {
  return (getMode() & MODE_V86) != 0 && (rawEflags() & IOPL) != IOPL;
}

/** 9C PUSHF/PUSHFD: the image has VM and RF cleared. */
export function pushf(): void {
  if (v86Trap()) { gp0(); return; }
  const f = getEflags() & ~(VM | RF);
  pushV(f);
}

/** 9D POPF/POPFD (see the file header for the rules). */
export function popf(): void {
  if (v86Trap()) { gp0(); return; }
  const v = popV();
  if (faulted) return;
  const mode = getMode();
  const cur = rawEflags();
  const iopl = (cur & IOPL) >> 12;
  let mask = CF | PF | AF | ZF | SF | TF | DF | OF | NT | AC | ID;
  if ((mode & MODE_PROT) == 0) {
    mask |= IF | IOPL;
  } else if ((mode & MODE_V86) != 0) {
    mask |= IF; // IOPL is 3 here, and stays
  } else {
    const cpl = getCpl();
    if (cpl <= iopl) mask |= IF;
    if (cpl == 0) mask |= IOPL;
  }
  if (os32) {
    setEflagsBits(v & ~RF, mask | RF);
  } else {
    setEflagsBits(v, mask & 0xffff);
  }
}

/**
 * C8 ENTER Iw, Ib. Push eBP (operand size); FrameTemp = the stack pointer; for a nesting level
 * L > 0 copy L-1 frame pointers from [eBP - i*size] (eBP by stack size) and push FrameTemp; then
 * eBP = FrameTemp and the stack pointer drops by the allocation size. The level is masked to 5 bits.
 * Everything is read and probed before the first write.
 * Not modelled: the #SS check of the final stack pointer after the allocation (no memory access).
 */
export function enter(): void {
  const alloc = imm & 0xffff;
  const level = imm2 & 31;
  const size = os32 ? 4 : 2;
  const s32 = stack32();
  const bp: u32 = s32 ? <u32>reg32(EBP) : <u32>reg16(EBP);
  const slots = level == 0 ? 1 : level + 1;
  // Check every read and write first, so nothing below can fault; then copy the frame pointers
  // in the SDM's order: each [eBP - i*size] is read just before it is pushed, after eBP itself
  // was pushed, so copies that overlap the new slots see the values just written.
  for (let i = 1; i < level; i++) {
    let a: u32 = bp - <u32>(size * i);
    if (!s32) a &= 0xffff;
    if (!checkRead(SR_SS, a, size)) return;
  }
  for (let i = 1; i <= slots; i++) {
    if (!checkWrite(SR_SS, spAdd(-size * i), size)) return;
  }
  if (os32) push32(reg32(EBP)); else push16(reg16(EBP));
  const frame = sp();
  if (level > 0) {
    for (let i = 1; i < level; i++) {
      let a: u32 = bp - <u32>(size * i);
      if (!s32) a &= 0xffff;
      pushV(os32 ? read32(SR_SS, a) : read16(SR_SS, a));
    }
    pushV(<i32>frame);
  }
  if (s32) setReg32(EBP, frame); else setReg16(EBP, frame);
  setSp(spAdd(-alloc));
}

/** C9 LEAVE: stack pointer = frame pointer (stack size), then pop eBP (operand size). */
export function leave(): void {
  const s32 = stack32();
  const frame: u32 = s32 ? <u32>reg32(EBP) : <u32>reg16(EBP);
  const v = os32 ? read32(SR_SS, frame) : read16(SR_SS, frame);
  if (faulted) return;
  const size: u32 = os32 ? 4 : 2;
  setSp(s32 ? frame + size : (frame + size) & 0xffff);
  if (os32) setReg32(EBP, v); else setReg16(EBP, v);
}
