/**
 * Exception and interrupt delivery (SDM vol. 3, ch. 6; vol. 1, 6.5 for real mode).
 * deliver() is the single entry for exceptions, software interrupts and external interrupts.
 * Exceptions whose vector is in the host's intercept bitmap are not delivered: run() exits with
 * FAULT instead (PV mode intercepts everything, as Xen sees every trap).
 *
 * Double and triple faults: a fault raised while delivering a contributory fault or #PF becomes
 * #DF (SDM table 6-5); a fault while delivering #DF shuts the machine down.
 */
import { STATE, S_IDTR_BASE, S_IDTR_LIMIT, S_EIP, S_HALTED, S_CR2, INTERCEPT, I_EXCEPTIONS } from "../gen/layout";
import { getMode, MODE_PROT, setSegReal, SR_CS, segSel } from "./state";
import { faulted, raise, clearFault, GP, DF, DE, TS, NP, SS, PF, DB } from "./fault";
import { clearGd } from "./debug";
import { getEflags, setEflagsBits, IF, TF, AC, RF } from "./flags";
import { push16 } from "./stack";
import { readLin16 } from "../mmu/access";
import { protectedDeliver } from "./protect-int";
import { instrStart } from "./progress";
import { pvPageFaultOn, pvPageFault } from "./pv-gate";

/**
 * Event kinds. EV_FAULT is a fault-class exception: the EFLAGS image it pushes (or saves in the TSS)
 * has RF=1 (SDM vol. 3, 18.3.1.1); EV_EXCEPTION is a trap, or the instruction-breakpoint #DB, which
 * push RF as it is. EV_ICEBP (INT1) is delivered as an exception (EXT=1, no gate-DPL check) but,
 * like INT n, a fault during its delivery reports the EIP of the INT1 instruction itself.
 */
export const EV_EXCEPTION = 0, EV_SOFT = 1, EV_EXTERNAL = 2, EV_ICEBP = 3, EV_FAULT = 4;

/** Outcome for run(): 0 delivered, 1 intercepted (exit FAULT), 2 triple fault (exit SHUTDOWN). */
export const DELIVERED = 0, INTERCEPTED = 1, TRIPLE = 2;

export function intercepted(vector: i32): bool {
  return vector < 32 && (load<u32>(INTERCEPT + I_EXCEPTIONS) & (1 << vector)) != 0;
}

function contributory(v: i32): bool { return v == DE || (v >= TS && v <= GP); }

/**
 * Deliver `vector`. For exceptions, EIP must already point at the faulting instruction (faults) or
 * after it (traps). Returns DELIVERED, INTERCEPTED or TRIPLE.
 */
/** The exception that was intercepted (it may differ from the one being delivered, e.g. #DF). */
export let interceptVector: i32 = 0;
export let interceptError: i32 = 0;

export function deliver(vector: i32, kind: i32, hasError: bool, error: i32): i32 {
  // Xen PV: a ring-3 #PF goes straight to the guest kernel's handler when it can (pv-gate.ts).
  if (vector == PF && kind == EV_FAULT && pvPageFaultOn() && pvPageFault(error)) return DELIVERED;
  if ((kind == EV_EXCEPTION || kind == EV_FAULT || kind == EV_ICEBP) && intercepted(vector)) {
    interceptVector = vector; interceptError = hasError ? error : 0;
    return INTERCEPTED;
  }
  store<i32>(STATE + S_HALTED, 0);
  const rf0 = getEflags() & RF; // restored if the event is not delivered (intercept, shutdown)
  let v = vector, he = hasError, err = error;
  for (let attempt = 0; attempt < 3; attempt++) {
    clearFault();
    if (v == DB) clearGd(); // entering the #DB handler clears DR7.GD (SDM vol. 3, 18.2.4)
    if (kind == EV_FAULT) setEflagsBits(RF, RF);
    deliverOnce(v, kind, he, err);
    if (!faulted) return DELIVERED;
    // A fault while delivering INT n/INT3/INTO/INT1 belongs to that instruction: report its own EIP.
    if (kind == EV_SOFT || kind == EV_ICEBP) store<u32>(STATE + S_EIP, instrStart);
    // A fault while delivering: benign combinations deliver the new fault; serious ones escalate.
    const nv = faultVectorNow();
    if (v == DF) { setEflagsBits(rf0, RF); return TRIPLE; }
    if ((contributory(v) && contributory(nv)) || (v == PF && (contributory(nv) || nv == PF))) {
      v = DF; he = true; err = 0;
    } else {
      v = nv; he = faultHasErrorNow(); err = faultErrorNow();
      if (v == PF) store<u32>(STATE + S_CR2, faultAddr); // a #PF during delivery reports its own address
    }
    kind = EV_FAULT;
    if (intercepted(v)) {
      clearFault();
      setEflagsBits(rf0, RF);
      interceptVector = v; interceptError = he ? err : 0;
      return INTERCEPTED;
    }
  }
  setEflagsBits(rf0, RF);
  return TRIPLE;
}

import { faultVector, faultHasError, faultError, faultAddr } from "./fault";
function faultVectorNow(): i32 { return faultVector; }
function faultHasErrorNow(): bool { return faultHasError; }
function faultErrorNow(): i32 { return faultError; }

function deliverOnce(vector: i32, kind: i32, hasError: bool, error: i32): void {
  if (getMode() & MODE_PROT) { protectedDeliver(vector, kind, hasError, error); return; }
  // Real mode: IVT entry of 4 bytes at IDTR.base + vector * 4 (SDM vol. 3, 20.1.4).
  const base = load<u32>(STATE + S_IDTR_BASE);
  const limit = load<u32>(STATE + S_IDTR_LIMIT);
  if (<u32>(vector * 4 + 3) > limit) { raise(GP, vector * 8 + 2); return; }
  const ip = readLin16(base + vector * 4);
  const cs = readLin16(base + vector * 4 + 2);
  if (faulted) return;
  const flags = getEflags();
  push16(flags);
  push16(segSel(SR_CS));
  push16(load<i32>(STATE + S_EIP));
  if (faulted) return;
  setEflagsBits(0, IF | TF | AC | RF);
  setSegReal(SR_CS, cs);
  store<u32>(STATE + S_EIP, ip);
}
