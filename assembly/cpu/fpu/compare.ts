/**
 * x87 comparisons and classification (SDM vol. 1, 8.1.3.2 and 8.3.6; vol. 2 FCOM FCOMP FCOMPP
 * FUCOM FUCOMP FUCOMPP FICOM FICOMP FTST FXAM FCOMI FCOMIP FUCOMI FUCOMIP). Comparisons are exact:
 * they work on the 80-bit view of both operands. FCOM-style forms set C3 C2 C0 (C1 = 0); FCOMI-style
 * forms set ZF PF CF and clear OF SF AF. Unordered: ordered forms raise IE for any NaN, unordered
 * (FUCOM*) forms only for SNaNs; with IE unmasked nothing is written and nothing popped.
 */
import { modReg, modRm, opcode } from "../decode";
import { faulted } from "../fault";
import { setArith, CF, PF, ZF } from "../flags";
import {
  IE, DE, C0, C1, C2, C3, fpuEnter, noteLast, signal, unmasked, stackFault, setCC, isEmpty, pop,
} from "./state";
import { xs, xe, xm, readX, f64ToExt, xIsNaN, xUnsupported, xIsDenormal, xIsInf, QBIT } from "./convert";
import { memOperand, memExc } from "./arith";

export const REL_GT = 0, REL_LT = 1, REL_EQ = 2, REL_UN = 3;
let cexc: i32 = 0;

/** Compare ST(0) (read into xs xe xm by the caller's readX(0)) with (bs, be, bm). */
function relation(as: i32, ae: i32, am: u64, bs: i32, be: i32, bm: u64, unorderedForm: bool): i32 {
  if (xUnsupported(ae, am) || xUnsupported(be, bm)) { cexc |= IE; return REL_UN; }
  const an = xIsNaN(ae, am), bn = xIsNaN(be, bm);
  if (an || bn) {
    const snan = (an && (am & QBIT) == 0) || (bn && (bm & QBIT) == 0);
    if (snan || !unorderedForm) cexc |= IE;
    return REL_UN;
  }
  if (xIsDenormal(ae, am) || xIsDenormal(be, bm)) cexc |= DE;
  const az = am == 0, bz = bm == 0;
  if (az && bz) return REL_EQ;
  if (as != bs) return as ? REL_LT : REL_GT;
  const ea = ae == 0 ? 1 : ae, eb = be == 0 ? 1 : be;
  let mag: i32;
  if (az) mag = -1;
  else if (bz) mag = 1;
  else if (ea != eb) mag = ea > eb ? 1 : -1;
  else mag = am == bm ? 0 : (am > bm ? 1 : -1);
  if (mag == 0) return REL_EQ;
  if (as) mag = -mag;
  return mag > 0 ? REL_GT : REL_LT;
}

/** Status-word condition codes for a relation. */
function ccOf(rel: i32): i32 {
  switch (rel) {
    case REL_LT: return C0;
    case REL_EQ: return C3;
    case REL_UN: return C3 | C2 | C0;
    default: return 0;
  }
}
function eflagsOf(rel: i32): i32 {
  switch (rel) {
    case REL_LT: return CF;
    case REL_EQ: return ZF;
    case REL_UN: return ZF | PF | CF;
    default: return 0;
  }
}

/** Finish an FCOM-style compare: write C3 C2 C0 (C1 = 0) unless IE is unmasked, then pop `pops`. */
function finishCC(rel: i32, pops: i32): void {
  if (unmasked(cexc & (IE | DE))) { signal(cexc); return; }
  setCC(ccOf(rel), C0 | C1 | C2 | C3);
  signal(cexc);
  for (let k = 0; k < pops; k++) pop();
}
/** Stack underflow in a compare: masked -> unordered. */
function underflowCC(pops: i32, eflags: bool): void {
  if (!stackFault(false)) return;
  if (eflags) setArith(ZF | PF | CF);
  else setCC(C3 | C2 | C0, C0 | C2 | C3);
  for (let k = 0; k < pops; k++) pop();
}

/** Compare ST(0) with ST(i). */
function cmpReg(i: i32, unorderedForm: bool): i32 {
  readX(i);
  const bs = xs, be = xe, bm = xm;
  readX(0);
  return relation(xs, xe, xm, bs, be, bm, unorderedForm);
}

/** FCOM/FCOMP m32real/m64real (D8/DC /2 /3) and FICOM/FICOMP m32int/m16int (DA/DE /2 /3). */
export function fcom_mem(): void {
  if (!fpuEnter(true)) return;
  const v = memOperand();
  if (faulted) return;
  noteLast();
  cexc = memExc;
  const pops = modReg == 3 ? 1 : 0;
  if (isEmpty(0)) { underflowCC(pops, false); return; }
  f64ToExt(v);
  const bs = xs, be = xe, bm = xm;
  readX(0);
  finishCC(relation(xs, xe, xm, bs, be, bm, false), pops);
}
/** FCOM/FCOMP ST(i) (D8 D0/D8, aliases DC D0/D8 and DE D0). */
export function fcom_sti(): void {
  if (!fpuEnter(true)) return;
  noteLast();
  cexc = 0;
  const pops = modReg == 3 || opcode == 0xde ? 1 : 0;
  if (isEmpty(0) || isEmpty(modRm)) { underflowCC(pops, false); return; }
  finishCC(cmpReg(modRm, false), pops);
}
/** FCOMPP (DE D9). */
export function fcompp(): void {
  if (!fpuEnter(true)) return;
  noteLast();
  cexc = 0;
  if (isEmpty(0) || isEmpty(1)) { underflowCC(2, false); return; }
  finishCC(cmpReg(1, false), 2);
}
/** FUCOM/FUCOMP ST(i) (DD E0/E8) and FUCOMPP (DA E9). */
export function fucom(): void {
  if (!fpuEnter(true)) return;
  noteLast();
  cexc = 0;
  const pops = opcode == 0xda ? 2 : (modReg == 5 ? 1 : 0);
  const i = opcode == 0xda ? 1 : modRm;
  if (isEmpty(0) || isEmpty(i)) { underflowCC(pops, false); return; }
  finishCC(cmpReg(i, true), pops);
}
/** FCOMI/FUCOMI (DB F0/E8) and FCOMIP/FUCOMIP (DF F0/E8): ZF PF CF, OF SF AF cleared, C1 = 0. */
export function fcomi(): void {
  if (!fpuEnter(true)) return;
  noteLast();
  cexc = 0;
  const pops = opcode == 0xdf ? 1 : 0;
  if (isEmpty(0) || isEmpty(modRm)) { underflowCC(pops, true); return; }
  const rel = cmpReg(modRm, modReg == 5);
  if (unmasked(cexc & (IE | DE))) { signal(cexc); return; }
  setArith(eflagsOf(rel));
  setCC(0, C1);
  signal(cexc);
  if (pops) pop();
}
/** FTST: compare ST(0) with +0.0. */
export function ftst(): void {
  if (!fpuEnter(true)) return;
  noteLast();
  cexc = 0;
  if (isEmpty(0)) { underflowCC(0, false); return; }
  readX(0);
  finishCC(relation(xs, xe, xm, 0, 0, 0, false), 0);
}

/** FXAM: C1 = sign; C3 C2 C0 = class (unsupported 000, NaN 001, normal 010, infinity 011, zero 100, empty 101, denormal 110). */
export function fxam(): void {
  if (!fpuEnter(true)) return;
  noteLast();
  readX(0);
  let cc = xs ? C1 : 0;
  if (isEmpty(0)) cc |= C3 | C0;
  else if (xUnsupported(xe, xm)) cc |= 0;
  else if (xIsNaN(xe, xm)) cc |= C0;
  else if (xIsInf(xe, xm)) cc |= C2 | C0;
  else if (xm == 0) cc |= C3;
  else if (xe == 0) cc |= C3 | C2;
  else cc |= C2;
  setCC(cc, C0 | C1 | C2 | C3);
}
