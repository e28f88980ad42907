/**
 * Operand access for decoded instructions: E (ModRM r/m: register or memory), G (ModRM reg), by
 * width. Memory operands use eaSeg:eaOff from decode.ts. rmwE* reads an operand that will be
 * written back, probing the write first so the instruction cannot fault half-way.
 */
import { modIsReg, modRm, modReg, eaSeg, eaOff, os32 } from "./decode";
import { reg8, reg16, reg32, setReg8, setReg16, setReg32 } from "./state";
import { read8, read16, read32, write8, write16, write32, rmwRead8, rmwRead16, rmwRead32 } from "../mmu/access";

export function readE8(): i32 { return modIsReg ? reg8(modRm) : read8(eaSeg, eaOff); }
export function readE16(): i32 { return modIsReg ? reg16(modRm) : read16(eaSeg, eaOff); }
export function readE32(): i32 { return modIsReg ? reg32(modRm) : read32(eaSeg, eaOff); }
export function writeE8(v: i32): void { if (modIsReg) setReg8(modRm, v); else write8(eaSeg, eaOff, v); }
export function writeE16(v: i32): void { if (modIsReg) setReg16(modRm, v); else write16(eaSeg, eaOff, v); }
export function writeE32(v: i32): void { if (modIsReg) setReg32(modRm, v); else write32(eaSeg, eaOff, v); }
export function rmwE8(): i32 { return modIsReg ? reg8(modRm) : rmwRead8(eaSeg, eaOff); }
export function rmwE16(): i32 { return modIsReg ? reg16(modRm) : rmwRead16(eaSeg, eaOff); }
export function rmwE32(): i32 { return modIsReg ? reg32(modRm) : rmwRead32(eaSeg, eaOff); }

/** Operand-size dependent forms (v = 16 or 32 bits). */
export function readEv(): i32 { return os32 ? readE32() : readE16(); }
export function writeEv(v: i32): void { if (os32) writeE32(v); else writeE16(v); }
export function rmwEv(): i32 { return os32 ? rmwE32() : rmwE16(); }
export function readGv(): i32 { return os32 ? reg32(modReg) : reg16(modReg); }
export function writeGv(v: i32): void { if (os32) setReg32(modReg, v); else setReg16(modReg, v); }
export function readGb(): i32 { return reg8(modReg); }
export function writeGb(v: i32): void { setReg8(modReg, v); }
/** Register-in-opcode forms (50+r, B8+r ...): register index from the low 3 opcode bits. */
export function readRv(r: i32): i32 { return os32 ? reg32(r) : reg16(r); }
export function writeRv(r: i32, v: i32): void { if (os32) setReg32(r, v); else setReg16(r, v); }
/** Size code for flags.ts: 1 (16-bit) or 2 (32-bit). */
// @ts-ignore: decorator
@inline export function vsize(): i32 { return os32 ? 2 : 1; }
