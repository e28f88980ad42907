/**
 * x87 transcendental instructions (SDM vol. 1, 8.3.10-8.3.11; vol. 2 FSIN FCOS FSINCOS FPTAN
 * FPATAN F2XM1 FYL2X FYL2XP1). Computed with the f64 library functions (AssemblyScript NativeMath),
 * so results are f64-accurate rather than the hardware's 80-bit values, and argument reduction for
 * FSIN/FCOS/FPTAN/FSINCOS uses the true pi instead of the x87's 66-bit approximation
 * (docs/fpu.md). Operands with |x| >= 2^63 set C2 and leave the stack unchanged, as on hardware.
 * PE is set for every result except the exact special cases (zero arguments and the like).
 */
import {
  IE, ZE, PE, C1, C2, fpuEnter, noteLast, signal, unmasked, stackFault, setCC, isEmpty, setST, pop, decTop,
} from "./state";
import { INDEF, aexc, clearArith, nanPick } from "./round";
import { opnd } from "./arith";

const TWO63: f64 = 9223372036854775808.0;
const LN2: f64 = 0.6931471805599453;

/** Read ST(0) for a one-operand function; returns false after handling empty/NaN/unsupported. */
let tv: f64 = 0;
function oneArg(pushes: bool): bool {
  if (isEmpty(0)) {
    if (!stackFault(false)) return false;
    setST(0, INDEF);
    if (pushes && isEmpty(-1)) { decTop(); setST(0, INDEF); }
    return false;
  }
  if (pushes && !isEmpty(-1)) {
    if (stackFault(true)) { setST(0, INDEF); decTop(); setST(0, INDEF); }
    return false;
  }
  clearArith();
  tv = opnd(0);
  if (isNaN(tv) || aexc != 0) {
    const r = isNaN(tv) ? nanPick(tv, tv) : INDEF;
    const exc = aexc;
    if (unmasked(exc & (0x3))) { signal(exc); return false; }
    setST(0, r);
    if (pushes) { decTop(); setST(0, r); }
    signal(exc);
    return false;
  }
  return true;
}
/** Range check for the trigonometric instructions: infinity -> IE; |x| >= 2^63 -> C2 = 1. */
function trigRange(pushes: bool): bool {
  if (!isFinite(tv)) {
    signal(IE);
    if (unmasked(IE)) return false;
    setST(0, INDEF);
    if (pushes) { decTop(); setST(0, INDEF); }
    setCC(0, C1 | C2);
    return false;
  }
  if (Math.abs(tv) >= TWO63) { setCC(C2, C1 | C2); return false; }
  setCC(0, C1 | C2);
  return true;
}
// @ts-ignore: decorator
@inline function inexact(exact: bool, extra: i32): void { signal((exact ? 0 : PE) | extra); }

export function fsin(): void {
  if (!fpuEnter(true)) return;
  noteLast();
  if (!oneArg(false) || !trigRange(false)) return;
  setST(0, Math.sin(tv));
  inexact(tv == 0, 0);
}
export function fcos(): void {
  if (!fpuEnter(true)) return;
  noteLast();
  if (!oneArg(false) || !trigRange(false)) return;
  setST(0, Math.cos(tv));
  inexact(tv == 0, 0);
}
/** FSINCOS: ST(0) = sin, then push cos. */
export function fsincos(): void {
  if (!fpuEnter(true)) return;
  noteLast();
  if (!oneArg(true) || !trigRange(false)) return;
  setST(0, Math.sin(tv));
  decTop();
  setST(0, Math.cos(tv));
  inexact(tv == 0, 0);
}
/** FPTAN: ST(0) = tan, then push 1.0. */
export function fptan(): void {
  if (!fpuEnter(true)) return;
  noteLast();
  if (!oneArg(true) || !trigRange(false)) return;
  setST(0, Math.tan(tv));
  decTop();
  setST(0, 1.0);
  inexact(tv == 0, 0);
}
/** F2XM1: 2^x - 1 (defined for -1 <= x <= 1; computed anyway outside). */
export function f2xm1(): void {
  if (!fpuEnter(true)) return;
  noteLast();
  if (!oneArg(false)) return;
  setCC(0, C1);
  if (tv == 0 || !isFinite(tv)) { if (tv < 0 && !isFinite(tv)) setST(0, -1.0); return; }
  setST(0, Math.expm1(tv * LN2));
  inexact(tv == 1 || tv == -1, 0);
}

/** Two-operand functions: ST(1) = f(ST(1), ST(0)), then pop. */
function twoArgs(k: i32): void {
  if (!fpuEnter(true)) return;
  noteLast();
  if (isEmpty(0) || isEmpty(1)) {
    if (!stackFault(false)) return;
    setST(1, INDEF); pop(); return;
  }
  clearArith();
  const x = opnd(0), y = opnd(1);
  let r: f64;
  let exc = 0;
  if (isNaN(x) || isNaN(y) || aexc != 0) {
    r = isNaN(x) || isNaN(y) ? nanPick(y, x) : INDEF;
    exc = aexc;
  } else if (k == 0) { // FPATAN
    r = Math.atan2(y, x);
    if (r != 0 && !(x == 0 && y == 0)) exc = PE;
  } else if (k == 1) { // FYL2X
    if (x == 0 && isFinite(y) && y != 0) { exc = ZE; r = y > 0 ? -Infinity : Infinity; }
    else {
      r = y * Math.log2(x);
      if (isNaN(r)) { exc = IE; r = INDEF; } else if (x != 1 && isFinite(r) && r != 0) exc = PE;
    }
  } else { // FYL2XP1
    r = y * (Math.log1p(x) / LN2);
    if (isNaN(r)) { exc = IE; r = INDEF; } else if (x != 0 && isFinite(r)) exc = PE;
  }
  if (unmasked(exc & (IE | ZE | 2))) { signal(exc); return; }
  setST(1, r);
  setCC(0, C1);
  signal(exc);
  pop();
}
export function fpatan(): void { twoArgs(0); }
export function fyl2x(): void { twoArgs(1); }
export function fyl2xp1(): void { twoArgs(2); }
