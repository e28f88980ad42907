/**
 * x87 FPU state: the register stack, tags, the exact 80-bit shadows, the control/status words,
 * exception signalling and the entry checks every x87 instruction makes (SDM vol. 1, ch. 8;
 * vol. 3, 2.5 for CR0.EM/MP/TS/NE). Layout: F_* in host/isa/layout.ts; docs/fpu.md explains the
 * f64-plus-shadow representation.
 *
 * Registers are stored by physical number; ST(i) is physical (TOP + i) & 7. A register holds an
 * f64; when the value is not exactly an f64, XVALID bit p is set and X80[p] holds the exact 80-bit
 * pattern (the f64 is then its nearest-even approximation, used by arithmetic).
 */
import {
  FPU, F_ST, F_X80, F_XVALID, F_VALID, F_TOP, F_CW, F_SW, F_FIP, F_FCS, F_FOP, F_FDP, F_FDS, F_FERR,
} from "../../gen/layout";
import { getCr0, CR0_EM, CR0_TS, CR0_MP, CR0_NE, segSel, SR_CS } from "../state";
import { raise, NM, MF } from "../fault";
import { opcode, modrmByte, modIsReg, eaOff, eaSeg } from "../decode";
import { instrStart } from "../progress";

// Status word bits (SDM vol. 1, 8.1.3).
export const IE = 0x1, DE = 0x2, ZE = 0x4, OE = 0x8, UE = 0x10, PE = 0x20, SF = 0x40, ES = 0x80,
  C0 = 0x100, C1 = 0x200, C2 = 0x400, C3 = 0x4000, BUSY = 0x8000;
export const CC_MASK = C0 | C1 | C2 | C3;
/** Control word: exception masks are bits 0-5, RC bits 10-11. */
export const RC_NEAREST = 0, RC_DOWN = 1, RC_UP = 2, RC_CHOP = 3;

/** QNaN "real indefinite" as an f64 (80-bit: FFFF C000000000000000). */
export const INDEF_BITS: u64 = 0xfff8000000000000;

// @ts-ignore: decorator
@inline export function getCW(): i32 { return load<i32>(FPU + F_CW); }
// @ts-ignore: decorator
@inline export function getRC(): i32 { return (load<i32>(FPU + F_CW) >> 10) & 3; }
/** Status word without TOP. */
// @ts-ignore: decorator
@inline export function getSWraw(): i32 { return load<i32>(FPU + F_SW); }
// @ts-ignore: decorator
@inline export function setSWraw(v: i32): void { store<i32>(FPU + F_SW, v & 0xc7ff); }
// @ts-ignore: decorator
@inline export function getTop(): i32 { return load<i32>(FPU + F_TOP); }
// @ts-ignore: decorator
@inline export function setTop(v: i32): void { store<i32>(FPU + F_TOP, v & 7); }
/** The architectural status word (TOP in bits 11-13). */
export function getSW(): i32 { return getSWraw() | (getTop() << 11); }
/** Load an architectural status word (FLDENV/FRSTOR/FXRSTOR); ES and B are recomputed. */
export function setSW(v: i32): void {
  setTop((v >> 11) & 7);
  setSWraw(v & 0x477f);
  updateES();
}
export function setCW(v: i32): void {
  store<i32>(FPU + F_CW, (v & 0x1f3f) | 0x40);
  updateES();
}
/** ES (and B, its 387+ mirror) = any unmasked exception flag set. */
export function updateES(): void {
  let sw = getSWraw() & ~(ES | BUSY);
  if ((sw & ~getCW() & 0x3f) != 0) sw |= ES | BUSY;
  setSWraw(sw);
}
/** Replace the condition codes selected by `mask` (C0 C1 C2 C3 bits). */
// @ts-ignore: decorator
@inline export function setCC(value: i32, mask: i32): void {
  setSWraw((getSWraw() & ~mask) | (value & mask));
}

// ---------------------------------------------------------------- registers

// @ts-ignore: decorator
@inline export function phys(i: i32): i32 { return (getTop() + i) & 7; }
// @ts-ignore: decorator
@inline export function validMask(): i32 { return load<i32>(FPU + F_VALID); }
// @ts-ignore: decorator
@inline export function setValidMask(v: i32): void { store<i32>(FPU + F_VALID, v & 0xff); }
// @ts-ignore: decorator
@inline export function shadowMask(): i32 { return load<i32>(FPU + F_XVALID); }
// @ts-ignore: decorator
@inline export function setShadowMask(v: i32): void { store<i32>(FPU + F_XVALID, v & 0xff); }
// @ts-ignore: decorator
@inline export function isEmpty(i: i32): bool { return (validMask() & (1 << phys(i))) == 0; }
// @ts-ignore: decorator
@inline export function hasShadowP(p: i32): bool { return (shadowMask() & (1 << p)) != 0; }
// @ts-ignore: decorator
@inline export function regF64P(p: i32): f64 { return load<f64>(FPU + F_ST + (p << 3)); }
// @ts-ignore: decorator
@inline export function getST(i: i32): f64 { return regF64P(phys(i)); }
// @ts-ignore: decorator
@inline export function shadowMantP(p: i32): u64 { return load<u64>(FPU + F_X80 + (p << 4)); }
// @ts-ignore: decorator
@inline export function shadowSEP(p: i32): i32 { return load<u16>(FPU + F_X80 + (p << 4) + 8); }

/** Write an f64 result to physical register p (marks it valid, drops the shadow). */
export function setRegP(p: i32, v: f64): void {
  store<f64>(FPU + F_ST + (p << 3), v);
  setValidMask(validMask() | (1 << p));
  setShadowMask(shadowMask() & ~(1 << p));
}
/** Write an f64 approximation plus an exact 80-bit shadow to physical register p. */
export function setRegShadowP(p: i32, approx: f64, se: i32, mant: u64): void {
  store<f64>(FPU + F_ST + (p << 3), approx);
  store<u64>(FPU + F_X80 + (p << 4), mant);
  store<u16>(FPU + F_X80 + (p << 4) + 8, <u16>se);
  setValidMask(validMask() | (1 << p));
  setShadowMask(shadowMask() | (1 << p));
}
// @ts-ignore: decorator
@inline export function setST(i: i32, v: f64): void { setRegP(phys(i), v); }
/** Copy register src to register dst (both physical), keeping the shadow: FLD ST(i), FST ST(i), FXCH. */
export function copyRegP(dst: i32, src: i32): void {
  const v = regF64P(src);
  if (hasShadowP(src)) setRegShadowP(dst, v, shadowSEP(src), shadowMantP(src));
  else setRegP(dst, v);
}
export function freeP(p: i32): void {
  setValidMask(validMask() & ~(1 << p));
}
/** Pop: tag ST(0) empty and increment TOP. */
export function pop(): void {
  freeP(phys(0));
  setTop(getTop() + 1);
}
/** Decrement TOP (the caller writes ST(0) next). */
// @ts-ignore: decorator
@inline export function decTop(): void { setTop(getTop() - 1); }

// ---------------------------------------------------------------- exceptions

/** Exception flags raised by the current instruction, committed by signal(). */
export function signal(flags: i32): void {
  if (flags == 0) return;
  setSWraw(getSWraw() | (flags & 0x7f));
  updateES();
  if ((getSWraw() & ES) != 0 && (getCr0() & CR0_NE) == 0) store<i32>(FPU + F_FERR, 1);
}
/** True when any of `flags` is unmasked in the control word. */
// @ts-ignore: decorator
@inline export function unmasked(flags: i32): bool { return (flags & ~getCW() & 0x3f) != 0; }

/**
 * Stack fault (IE with SF; C1 = 1 for overflow, 0 for underflow). Returns true when IE is masked,
 * i.e. the instruction goes on with the QNaN indefinite as its value.
 */
export function stackFault(overflow: bool): bool {
  setCC(overflow ? C1 : 0, C1);
  signal(IE | SF);
  return !unmasked(IE);
}

/**
 * Entry check for every x87 instruction (SDM vol. 3, table 2-2; vol. 1, 8.7): #NM when CR0.EM or
 * CR0.TS is set; then, for waiting instructions, #MF when an unmasked exception is pending and
 * CR0.NE=1. With NE=0 the pending exception is only reported on FERR (docs/fpu.md) and the
 * instruction runs. Returns false when the instruction must not run.
 */
export function fpuEnter(waiting: bool): bool {
  const cr0 = getCr0();
  if ((cr0 & (CR0_EM | CR0_TS)) != 0) { raise(NM, 0); return false; }
  if (waiting && (getSWraw() & ES) != 0 && (cr0 & CR0_NE) != 0) { raise(MF, 0); return false; }
  return true;
}
/** FWAIT: #NM only when MP and TS are both set; then the pending-exception check. */
export function fwaitEnter(): bool {
  const cr0 = getCr0();
  if ((cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS)) { raise(NM, 0); return false; }
  if ((getSWraw() & ES) != 0 && (cr0 & CR0_NE) != 0) { raise(MF, 0); return false; }
  return true;
}

/**
 * Record the last instruction and operand pointers (FIP/FCS/FOP, FDP/FDS for memory forms).
 * Called by non-control instructions once their memory operand has been read or probed.
 */
export function noteLast(): void {
  store<u32>(FPU + F_FIP, instrStart);
  store<i32>(FPU + F_FCS, segSel(SR_CS));
  store<i32>(FPU + F_FOP, ((opcode & 7) << 8) | modrmByte);
  if (!modIsReg) {
    store<u32>(FPU + F_FDP, eaOff);
    store<i32>(FPU + F_FDS, segSel(eaSeg));
  }
}

/** FNINIT state: CW 037F, SW 0, all registers empty, pointers cleared (SDM FINIT). */
export function fpuInit(): void {
  store<i32>(FPU + F_CW, 0x37f);
  store<i32>(FPU + F_SW, 0);
  store<i32>(FPU + F_TOP, 0);
  setValidMask(0);
  setShadowMask(0);
  store<i32>(FPU + F_FIP, 0);
  store<i32>(FPU + F_FCS, 0);
  store<i32>(FPU + F_FOP, 0);
  store<i32>(FPU + F_FDP, 0);
  store<i32>(FPU + F_FDS, 0);
  store<i32>(FPU + F_FERR, 0);
}

/** Power-on state (SDM vol. 3, table 9-1): CW 0040, SW 0, tag word 5555 (all registers +0.0). */
export function fpuReset(): void {
  memory.fill(FPU, 0, 512);
  store<i32>(FPU + F_CW, 0x40);
  setValidMask(0xff);
}
