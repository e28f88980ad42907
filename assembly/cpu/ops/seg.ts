/**
 * Segment-register instructions (SDM vol. 2: MOV, PUSH, POP, LDS/LES/LFS/LGS/LSS): MOV Sreg,Ew (8E),
 * MOV Ew,Sreg (8C), PUSH/POP of ES CS SS DS FS GS, and the far-pointer loads. The protection checks
 * are in segments.ts (loadSegment). MOV SS and POP SS inhibit interrupts (and single-step traps) for
 * one instruction: INT_SHADOW = 2 (STI uses 1, which does not delay a single-step trap).
 */
import { STATE, S_INT_SHADOW } from "../../gen/layout";
import { modReg, modRm, modIsReg, eaSeg, eaOff, os32, opcode } from "../decode";
import { readE16, writeE16 } from "../operands";
import { segSel, setReg32, setReg16, SR_ES, SR_CS, SR_SS, SR_DS, SR_FS, SR_GS } from "../state";
import { faulted, ud } from "../fault";
import { push16, push32, pop16, pop32 } from "../stack";
import { read16, read32 } from "../../mmu/access";
import { loadSegment } from "../segments";
import { writeGv } from "../operands";

/** Shadow value for MOV SS / POP SS (also suppresses a single-step trap; see run.ts). */
export const SHADOW_SS = 2, SHADOW_STI = 1;

/** 8C: MOV Ew,Sreg. A register destination with a 32-bit operand size is zero-extended. */
export function mov_EwSw(): void {
  if (modReg > 5) { ud(); return; }
  const v = segSel(modReg);
  if (modIsReg) {
    if (os32) setReg32(modRm, v); else setReg16(modRm, v);
  } else {
    writeE16(v);
  }
}

/** 8E: MOV Sreg,Ew. Loading CS is #UD. */
export function mov_SwEw(): void {
  const sr = modReg;
  if (sr == SR_CS || sr > 5) { ud(); return; }
  const v = readE16();
  if (faulted) return;
  if (!loadSegment(sr, v)) return;
  if (sr == SR_SS) store<i32>(STATE + S_INT_SHADOW, SHADOW_SS);
}

/** Segment register encoded by a one-byte push/pop opcode (06 07 0E 16 17 1E 1F) or 0F A0/A1/A8/A9. */
function sregOf(op: i32): i32 {
  if (op >= 0x100) return (op & 8) ? SR_GS : SR_FS;
  return (op >> 3) & 3; // 06/07 ES, 0E CS, 16/17 SS, 1E/1F DS
}

/** PUSH Sreg: with a 32-bit operand size the selector is zero-extended to a doubleword. */
export function push_sreg(): void {
  const v = segSel(sregOf(opcode));
  if (os32) push32(v); else push16(v);
}

export function pop_sreg(): void {
  const sr = sregOf(opcode);
  const v = os32 ? pop32() : pop16();
  if (faulted) return;
  if (!loadSegment(sr, v & 0xffff)) return;
  if (sr == SR_SS) store<i32>(STATE + S_INT_SHADOW, SHADOW_SS);
}

/** LDS/LES/LSS/LFS/LGS Gv,Mp: offset then selector from memory; the segment load checks first. */
function loadFar(sr: i32): void {
  const off = os32 ? read32(eaSeg, eaOff) : read16(eaSeg, eaOff);
  const sel = read16(eaSeg, eaOff + (os32 ? 4 : 2));
  if (faulted) return;
  if (!loadSegment(sr, sel)) return;
  writeGv(off);
}
export function lds(): void { loadFar(SR_DS); }
export function les(): void { loadFar(SR_ES); }
export function lss(): void { loadFar(SR_SS); }
export function lfs(): void { loadFar(SR_FS); }
export function lgs(): void { loadFar(SR_GS); }
