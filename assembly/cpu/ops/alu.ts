/**
 * The eight classic ALU operations (ADD OR ADC SBB AND SUB XOR CMP; SDM vol. 2) in their forms
 * Eb,Gb / Ev,Gv / Gb,Eb / Gv,Ev / AL,Ib / eAX,Iz (opcodes 00-3D) and group 1 (80, 81, 83).
 * The operation is opcode bits 3..5 (or ModRM.reg for group 1). Flags are recorded lazily.
 */
import { opcode, modReg, imm, os32 } from "../decode";
import { readE8, rmwE8, writeE8, readEv, rmwEv, writeEv, readGb, writeGb, readGv, writeGv, vsize } from "../operands";
import { reg8, setReg8, reg16, setReg16, reg32, setReg32, EAX } from "../state";
import { faulted } from "../fault";
import { setLazy, getCF, L_ADD, L_ADC1, L_SUB, L_SBB1, L_LOGIC } from "../flags";

export const ALU_ADD = 0, ALU_OR = 1, ALU_ADC = 2, ALU_SBB = 3, ALU_AND = 4, ALU_SUB = 5, ALU_XOR = 6, ALU_CMP = 7;

/** Compute `a op b` at `size` (0/1/2), record flags, return the result. */
export function alu(k: i32, a: i32, b: i32, size: i32): i32 {
  let r: i32;
  switch (k) {
    case ALU_ADD: r = a + b; setLazy(L_ADD, size, r, a, b); break;
    case ALU_OR: r = a | b; setLazy(L_LOGIC, size, r, a, b); break;
    case ALU_ADC: {
      const c = getCF();
      r = a + b + <i32>c;
      setLazy(c ? L_ADC1 : L_ADD, size, r, a, b);
      break;
    }
    case ALU_SBB: {
      const c = getCF();
      r = a - b - <i32>c;
      setLazy(c ? L_SBB1 : L_SUB, size, r, a, b);
      break;
    }
    case ALU_AND: r = a & b; setLazy(L_LOGIC, size, r, a, b); break;
    case ALU_XOR: r = a ^ b; setLazy(L_LOGIC, size, r, a, b); break;
    default: r = a - b; setLazy(L_SUB, size, r, a, b); break; // SUB, CMP
  }
  return r;
}

// @ts-ignore: decorator
@inline function kind(): i32 { return (opcode >> 3) & 7; }

export function alu_EbGb(): void {
  const k = kind();
  const a = k == ALU_CMP ? readE8() : rmwE8();
  if (faulted) return;
  const r = alu(k, a, readGb(), 0);
  if (k != ALU_CMP) writeE8(r);
}
export function alu_EvGv(): void {
  const k = kind();
  const a = k == ALU_CMP ? readEv() : rmwEv();
  if (faulted) return;
  const r = alu(k, a, readGv(), vsize());
  if (k != ALU_CMP) writeEv(r);
}
export function alu_GbEb(): void {
  const b = readE8();
  if (faulted) return;
  const k = kind();
  const r = alu(k, readGb(), b, 0);
  if (k != ALU_CMP) writeGb(r);
}
export function alu_GvEv(): void {
  const b = readEv();
  if (faulted) return;
  const k = kind();
  const r = alu(k, readGv(), b, vsize());
  if (k != ALU_CMP) writeGv(r);
}
export function alu_ALIb(): void {
  const k = kind();
  const r = alu(k, reg8(EAX), imm, 0);
  if (k != ALU_CMP) setReg8(EAX, r);
}
export function alu_eAXIz(): void {
  const k = kind();
  if (os32) {
    const r = alu(k, reg32(EAX), imm, 2);
    if (k != ALU_CMP) setReg32(EAX, r);
  } else {
    const r = alu(k, reg16(EAX), imm, 1);
    if (k != ALU_CMP) setReg16(EAX, r);
  }
}
/** Group 1: 80 /r Eb,Ib; 81 /r Ev,Iz; 83 /r Ev,Ibs (82 is an alias of 80 outside 64-bit mode). */
export function grp1_EbIb(): void {
  const k = modReg;
  const a = k == ALU_CMP ? readE8() : rmwE8();
  if (faulted) return;
  const r = alu(k, a, imm, 0);
  if (k != ALU_CMP) writeE8(r);
}
export function grp1_EvI(): void {
  const k = modReg;
  const a = k == ALU_CMP ? readEv() : rmwEv();
  if (faulted) return;
  const r = alu(k, a, imm, vsize());
  if (k != ALU_CMP) writeEv(r);
}
