/**
 * Integer arithmetic beyond the classic ALU eight (SDM vol. 2 instruction pages): INC/DEC, TEST,
 * NOT, NEG, XADD, CMPXCHG, CMPXCHG8B, MOVZX/MOVSX, CBW/CWDE, CWD/CDQ and the carry/flag
 * instructions CLC STC CMC LAHF SAHF SALC. MUL/IMUL/DIV/IDIV are in muldiv.ts.
 * INC/DEC/NEG/TEST/XADD/CMPXCHG record lazy flags; the rest change EFLAGS bits eagerly.
 */
import { opcode, modReg, modIsReg, imm, os32, eaSeg, eaOff } from "../decode";
import {
  readE8, rmwE8, writeE8, readE16, readEv, rmwEv, writeEv, readGb, writeGb, readGv, writeGv, readRv, writeRv, vsize,
} from "../operands";
import { reg8, setReg8, reg16, setReg16, reg32, setReg32, EAX, ECX, EDX, EBX, SV_WRITE } from "../state";
import { faulted } from "../fault";
import { setLazy, keepCF, getCF, getEflags, setEflagsBits, L_INC, L_DEC, L_SUB, L_ADD, L_LOGIC, CF, PF, AF, ZF, SF } from "../flags";
import { read32, write32, checkWrite, segOk, alignOk } from "../../mmu/access";

// ---------------------------------------------------------------- INC, DEC

/** INC (dec=false) or DEC at `size` (0/1/2): CF is kept, the other five flags are recorded. */
// @ts-ignore: decorator
@inline function incdec(a: i32, dec: bool, size: i32): i32 {
  keepCF();
  const r = dec ? a - 1 : a + 1;
  setLazy(dec ? L_DEC : L_INC, size, r, a, 1);
  return r;
}
/** 40+r INC rv, 48+r DEC rv. */
export function inc_Rv(): void { const r = opcode & 7; writeRv(r, incdec(readRv(r), false, vsize())); }
export function dec_Rv(): void { const r = opcode & 7; writeRv(r, incdec(readRv(r), true, vsize())); }
/** FE /0 /1, FF /0 /1. */
export function incdec_Eb(): void {
  const a = rmwE8();
  if (faulted) return;
  writeE8(incdec(a, modReg == 1, 0));
}
export function incdec_Ev(): void {
  const a = rmwEv();
  if (faulted) return;
  writeEv(incdec(a, modReg == 1, vsize()));
}

// ---------------------------------------------------------------- TEST, NOT, NEG

// @ts-ignore: decorator
@inline function testFlags(a: i32, b: i32, size: i32): void { setLazy(L_LOGIC, size, a & b, a, b); }

export function test_EbGb(): void { const a = readE8(); if (!faulted) testFlags(a, readGb(), 0); }
export function test_EvGv(): void { const a = readEv(); if (!faulted) testFlags(a, readGv(), vsize()); }
export function test_ALIb(): void { testFlags(reg8(EAX), imm, 0); }
export function test_eAXIz(): void { testFlags(readRv(EAX), imm, vsize()); }
/** F6 /0 /1 Ib, F7 /0 /1 Iz. */
export function test_EbI(): void { const a = readE8(); if (!faulted) testFlags(a, imm, 0); }
export function test_EvI(): void { const a = readEv(); if (!faulted) testFlags(a, imm, vsize()); }

/** F6/F7 /2: no flags. */
export function not_Eb(): void { const a = rmwE8(); if (!faulted) writeE8(~a); }
export function not_Ev(): void { const a = rmwEv(); if (!faulted) writeEv(~a); }
/** F6/F7 /3: flags as 0 - a (CF = a != 0). */
export function neg_Eb(): void {
  const a = rmwE8();
  if (faulted) return;
  const r = 0 - a;
  setLazy(L_SUB, 0, r, 0, a);
  writeE8(r);
}
export function neg_Ev(): void {
  const a = rmwEv();
  if (faulted) return;
  const r = 0 - a;
  setLazy(L_SUB, vsize(), r, 0, a);
  writeEv(r);
}

// ---------------------------------------------------------------- XADD, CMPXCHG, CMPXCHG8B

/** 0F C0/C1: TEMP = SRC + DEST; SRC = DEST; DEST = TEMP (so XADD r,r leaves the sum). */
export function xadd_EbGb(): void {
  const a = rmwE8();
  if (faulted) return;
  const b = readGb();
  const r = a + b;
  setLazy(L_ADD, 0, r, a, b);
  writeGb(a);
  writeE8(r);
}
export function xadd_EvGv(): void {
  const a = rmwEv();
  if (faulted) return;
  const b = readGv();
  const r = a + b;
  setLazy(L_ADD, vsize(), r, a, b);
  writeGv(a);
  writeEv(r);
}

/**
 * 0F B0/B1: flags as CMP accumulator, DEST. Equal: DEST = SRC. Otherwise the accumulator gets
 * DEST, and a memory DEST is written back with its own value (the processor always writes).
 */
export function cmpxchg_EbGb(): void {
  const d = rmwE8();
  if (faulted) return;
  const acc = reg8(EAX);
  setLazy(L_SUB, 0, acc - d, acc, d);
  if (acc == d) writeE8(readGb());
  else {
    if (!modIsReg) writeE8(d);
    setReg8(EAX, d);
  }
}
export function cmpxchg_EvGv(): void {
  const d = rmwEv();
  if (faulted) return;
  const acc = readRv(EAX);
  setLazy(L_SUB, vsize(), acc - d, acc, d);
  if (acc == d) writeEv(readGv());
  else {
    if (!modIsReg) writeEv(d);
    writeRv(EAX, d);
  }
}

/** 0F C7 /1 m64: compare EDX:EAX with m64; equal: m64 = ECX:EBX, ZF=1; else EDX:EAX = m64, ZF=0. */
export function cmpxchg8b(): void {
  if (!segOk(eaSeg, eaOff, 8, SV_WRITE) || !alignOk(eaSeg, eaOff, 8)) return; // #GP, then #AC (8-byte operand)
  if (!checkWrite(eaSeg, eaOff, 8)) return;
  const lo = read32(eaSeg, eaOff);
  const hi = read32(eaSeg, eaOff + 4);
  if (faulted) return;
  if (lo == reg32(EAX) && hi == reg32(EDX)) {
    write32(eaSeg, eaOff, reg32(EBX));
    write32(eaSeg, eaOff + 4, reg32(ECX));
    setEflagsBits(ZF, ZF);
  } else {
    write32(eaSeg, eaOff, lo);
    write32(eaSeg, eaOff + 4, hi);
    setReg32(EAX, lo);
    setReg32(EDX, hi);
    setEflagsBits(0, ZF);
  }
}

// ---------------------------------------------------------------- MOVZX, MOVSX, CBW, CWD

export function movzx_GvEb(): void { const v = readE8(); if (!faulted) writeGv(v); }
export function movzx_GvEw(): void { const v = readE16(); if (!faulted) writeGv(v); }
export function movsx_GvEb(): void { const v = readE8(); if (!faulted) writeGv(<i8>v); }
export function movsx_GvEw(): void { const v = readE16(); if (!faulted) writeGv(<i16>v); }

/** 98: CBW (AX = sign-extended AL) or CWDE (EAX = sign-extended AX). */
export function cbw(): void {
  if (os32) setReg32(EAX, <i16>reg16(EAX));
  else setReg16(EAX, <i8>reg8(EAX));
}
/** 99: CWD (DX = sign of AX) or CDQ (EDX = sign of EAX). */
export function cwd(): void {
  if (os32) setReg32(EDX, reg32(EAX) >> 31);
  else setReg16(EDX, (<i16>reg16(EAX)) >> 15);
}

// ---------------------------------------------------------------- CLC STC CMC LAHF SAHF SALC

export function clc(): void { setEflagsBits(0, CF); }
export function stc(): void { setEflagsBits(CF, CF); }
export function cmc(): void { setEflagsBits(getCF() ? 0 : CF, CF); }
/** 9F: AH = SF:ZF:0:AF:0:PF:1:CF. */
export function lahf(): void { setReg8(4, (getEflags() & (SF | ZF | AF | PF | CF)) | 2); }
/** 9E: SF ZF AF PF CF = AH bits 7 6 4 2 0. */
export function sahf(): void { setEflagsBits(reg8(4), SF | ZF | AF | PF | CF); }
/** D6 (undocumented): AL = CF ? FF : 00; flags unchanged. */
export function salc(): void { setReg8(EAX, getCF() ? 0xff : 0); }
