/**
 * Data movement and small odds (SDM vol. 2: MOV, LEA, XCHG, XLAT, BOUND, NOP, CLD, STD):
 * MOV AL/eAX <-> moffs (A0-A3), LEA Gv,M (8D), XCHG Eb,Gb / Ev,Gv (86, 87) and eAX,r (91-97),
 * XLAT (D7), BOUND Gv,Ma (62), the hint-NOP space 0F 18-0F 1F (long NOP 0F 1F /0, PREFETCHh
 * 0F 18 /0-3: all NOPs, the memory operand is decoded but never accessed), CLD (FC), STD (FD).
 *
 * moffs operands come from decode.ts fetchO (address-size offset, segment DS or the override), so
 * they go through the ordinary E-operand helpers. XCHG with memory is implicitly locked (a single
 * read-modify-write here, so nothing more to do).
 */
import { os32, as32, eaOff, opcode, dataSeg } from "../decode";
import { readE8, writeE8, rmwE8, readEv, writeEv, rmwEv, readGb, writeGb, readGv, writeGv, readRv, writeRv } from "../operands";
import { reg8, setReg8, reg16, reg32, EAX, EBX } from "../state";
import { faulted, raise, BR } from "../fault";
import { setEflagsBits, DF } from "../flags";
import { eaSeg } from "../decode";
import { read8, read16, read32 } from "../../mmu/access";

export function mov_ALOb(): void { const v = readE8(); if (!faulted) setReg8(EAX, v); }
export function mov_eAXOv(): void { const v = readEv(); if (!faulted) writeRv(EAX, v); }
export function mov_ObAL(): void { writeE8(reg8(EAX)); }
export function mov_OveAX(): void { writeEv(readRv(EAX)); }

/** LEA: the offset (already wrapped to the address size) truncated to the operand size. */
export function lea_GvM(): void { writeGv(<i32>eaOff); }

export function xchg_EbGb(): void {
  const a = rmwE8();
  if (faulted) return;
  writeE8(readGb());
  writeGb(a);
}
export function xchg_EvGv(): void {
  const a = rmwEv();
  if (faulted) return;
  writeEv(readGv());
  writeGv(a);
}
/** 91-97: XCHG eAX with the register in the opcode's low bits. */
export function xchg_eAXRv(): void {
  const r = opcode & 7;
  const a = readRv(EAX);
  writeRv(EAX, readRv(r));
  writeRv(r, a);
}

/** XLAT: AL = [seg:eBX + AL], the sum wrapped to the address size; DS unless overridden. */
export function xlat(): void {
  const off: u32 = as32 ? <u32>reg32(EBX) + <u32>reg8(EAX) : (<u32>(reg16(EBX) + reg8(EAX))) & 0xffff;
  const v = read8(dataSeg(), off);
  if (!faulted) setReg8(EAX, v);
}

/**
 * BOUND Gv, Ma: signed check of the register against the two bounds at the memory operand
 * (lower, then upper at +2/+4); #BR (a fault) when out of range. The register form is #UD (table).
 */
export function bound_GvMa(): void {
  let lo: i32, hi: i32, idx: i32;
  if (os32) {
    lo = read32(eaSeg, eaOff);
    hi = read32(eaSeg, eaOff + 4);
    idx = readGv();
  } else {
    lo = <i16>read16(eaSeg, eaOff);
    hi = <i16>read16(eaSeg, eaOff + 2);
    idx = <i16>readGv();
  }
  if (faulted) return;
  if (idx < lo || idx > hi) raise(BR, 0);
}

/** Hint NOPs (0F 18-0F 1F with ModRM): nothing is read or written. */
export function nop_Ev(): void {}

export function cld(): void { setEflagsBits(0, DF); }
export function std(): void { setEflagsBits(DF, DF); }
