/**
 * Port I/O (SDM vol. 2 IN, OUT, INS, OUTS; vol. 1, 18.5 protection): IN E4/E5/EC/ED, OUT
 * E6/E7/EE/EF, INS 6C/6D and OUTS 6E/6F with REP. Ports are the host's (exits.ts): IN exits before
 * completing and is replayed with the host's value; OUT completes, then exits.
 *
 * Permission: in protected mode with CPL > IOPL, and always in v86 mode, every bit of the access in
 * the TSS I/O permission bitmap must be clear; a bitmap byte beyond the TSS limit (or a 16-bit TSS)
 * means denied: #GP(0). REP INS/OUTS move one element per exit: EIP stays at the instruction while
 * the count is not zero.
 */
import { STATE, S_EIP } from "../../gen/layout";
import { imm, os32, as32, opcode, dataSeg, repPrefix } from "../decode";
import { reg32, setReg32, reg16, setReg16, setReg8, segBase, segLimit, segAccess, getCpl, getMode, MODE_PROT, MODE_V86, SR_ES, SR_TR, EAX, ECX, EDX, ESI, EDI } from "../state";
import { faulted, raise, GP } from "../fault";
import { rawEflags, DF } from "../flags";
import { readSys8, read8, read16, read32, write8, write16, write32, checkWrite } from "../../mmu/access";
import { ioIn, ioOut, exitReason } from "../exits";
import { instrStart } from "../progress";

/** True when the current privilege may access `size` ports from `port`; raises #GP(0) otherwise. */
export function ioAllowed(port: i32, size: i32): bool {
  const mode = getMode();
  if ((mode & MODE_PROT) == 0) return true;
  if ((mode & MODE_V86) == 0 && getCpl() <= ((rawEflags() >> 12) & 3)) return true;
  const tr = segAccess(SR_TR) & 0x1f;
  const limit = segLimit(SR_TR);
  if ((tr != 9 && tr != 0xb) || limit < 0x67) { raise(GP, 0); return false; }
  const base = segBase(SR_TR);
  const mapOff = <u32>readSys8(base + 0x66) | (<u32>readSys8(base + 0x67) << 8);
  if (faulted) return false;
  const at = mapOff + (<u32>port >> 3);
  if (at + 1 > limit) { raise(GP, 0); return false; }
  const bits = <u32>readSys8(base + at) | (<u32>readSys8(base + at + 1) << 8);
  if (faulted) return false;
  const need: u32 = ((1 << size) - 1) << (port & 7);
  if (bits & need) { raise(GP, 0); return false; }
  return true;
}

// @ts-ignore: decorator
@inline function vbytes(): i32 { return opcode & 1 ? (os32 ? 4 : 2) : 1; }

function doIn(port: i32): void {
  const size = vbytes();
  if (!ioAllowed(port, size)) return;
  const v = ioIn(port, size);
  if (exiting()) return; // exiting to the host: replayed with its answer
  if (size == 1) setReg8(EAX, v);
  else if (size == 2) setReg16(EAX, v);
  else setReg32(EAX, v);
}
function doOut(port: i32): void {
  const size = vbytes();
  if (!ioAllowed(port, size)) return;
  const v = size == 1 ? reg32(EAX) & 0xff : size == 2 ? reg16(EAX) : reg32(EAX);
  ioOut(port, size, v);
}

export function in_Ib(): void { doIn(imm & 0xff); }
export function out_Ib(): void { doOut(imm & 0xff); }
export function in_DX(): void { doIn(reg16(EDX)); }
export function out_DX(): void { doOut(reg16(EDX)); }

// @ts-ignore: decorator
@inline function idx(r: i32): u32 { return as32 ? <u32>reg32(r) : <u32>reg16(r); }
function setIdx(r: i32, v: u32): void { if (as32) setReg32(r, v); else setReg16(r, v); }
function stepIdx(r: i32, size: i32): void { setIdx(r, idx(r) + <u32>((rawEflags() & DF) ? -size : size)); }

/** After one REP element: decrement the count and stay on the instruction while it is not zero. */
function repNext(): void {
  const c = idx(ECX) - 1;
  setIdx(ECX, c);
  if (c != 0) store<u32>(STATE + S_EIP, instrStart);
}

/** 6C/6D: INS m8/m16/m32, DX (destination ES:(E)DI, no override). */
export function ins(): void {
  const rep = repPrefixSet();
  if (rep && idx(ECX) == 0) return;
  const size = vbytes();
  const port = reg16(EDX);
  if (!ioAllowed(port, size)) return;
  const off = idx(EDI);
  if (!checkWrite(SR_ES, off, size)) return;
  const v = ioIn(port, size);
  if (exiting()) return;
  if (size == 1) write8(SR_ES, off, v); else if (size == 2) write16(SR_ES, off, v); else write32(SR_ES, off, v);
  stepIdx(EDI, size);
  if (rep) repNext();
}

/** 6E/6F: OUTS DX, m8/m16/m32 (source DS:(E)SI, segment override allowed). */
export function outs(): void {
  const rep = repPrefixSet();
  if (rep && idx(ECX) == 0) return;
  const size = vbytes();
  const port = reg16(EDX);
  if (!ioAllowed(port, size)) return;
  const seg = dataSeg(), off = idx(ESI);
  const v = size == 1 ? read8(seg, off) : size == 2 ? read16(seg, off) : read32(seg, off);
  if (faulted) return;
  stepIdx(ESI, size);
  if (rep) repNext();
  ioOut(port, size, v);
}

// @ts-ignore: decorator
@inline function repPrefixSet(): bool { return repPrefix != 0; }
// @ts-ignore: decorator
@inline function exiting(): bool { return exitReason != 0; }
