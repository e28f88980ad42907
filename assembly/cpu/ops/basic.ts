/**
 * A first handful of data-movement and control instructions: MOV forms, NOP, HLT, JMP and Jcc.
 */
import { imm, os32 } from "../decode";
import { readE8, writeE8, readEv, writeEv, readGb, writeGb, readGv, writeGv, writeRv } from "../operands";
import { setReg8, getEip, setEip, getCpl } from "../state";
import { faulted, gp0 } from "../fault";
import { testCC } from "../flags";
import { opcode } from "../decode";
import { STATE, S_HALTED, EXIT_HLT } from "../../gen/layout";
import { requestExit } from "../exits";
import { nearJump } from "./control";

export function nop(): void {}

export function mov_EbGb(): void { writeE8(readGb()); }
export function mov_EvGv(): void { writeEv(readGv()); }
export function mov_GbEb(): void { const v = readE8(); if (!faulted) writeGb(v); }
export function mov_GvEv(): void { const v = readEv(); if (!faulted) writeGv(v); }
export function mov_EbIb(): void { writeE8(imm); }
export function mov_EvIz(): void { writeEv(imm); }
export function mov_RbIb(): void { setReg8(opcode & 7, imm); }
export function mov_RvIv(): void { writeRv(opcode & 7, imm); }

/**
 * Near relative jumps: the target wraps to 16 bits with a 16-bit operand size; a target beyond the
 * CS limit raises #GP(0) at the jump (control.ts nearJump).
 */
export function jumpRel(rel: i32): void {
  let t = getEip() + <u32>rel;
  if (!os32) t &= 0xffff;
  nearJump(t);
}
export function jmp_Jb(): void { jumpRel(imm); }
export function jmp_Jz(): void { jumpRel(imm); }
export function jcc_Jb(): void { if (testCC(opcode & 15)) jumpRel(imm); }
export function jcc_Jz(): void { if (testCC(opcode & 15)) jumpRel(imm); }

/** HLT: privileged; the CPU waits for an interrupt, so run() returns HLT to the host. */
export function hlt(): void {
  if (getCpl() != 0) { gp0(); return; }
  store<i32>(STATE + S_HALTED, 1);
  requestExit(EXIT_HLT, false);
}
