/**
 * Protected-mode interrupt and exception delivery through the IDT: interrupt, trap and task gates,
 * privilege changes with the TSS stack switch, and v86 exits (SDM vol. 3, 6.10-6.13, 20.3; vol. 2
 * INT n pseudo-code).
 *
 * Faults raised while delivering are reported with raise() (interrupts.ts turns them into #DF or a
 * triple fault); the state block is restored from a snapshot first, so the next attempt starts from
 * the interrupted context. Error codes of faults during the delivery of an external interrupt or an
 * exception carry EXT (bit 0); for INT n/INT3/INTO they do not.
 */
import { STATE, S_IDTR_BASE, S_IDTR_LIMIT, S_EIP, S_CPL } from "../gen/layout";
import { segSel, reg32, setReg32, getCpl, SR_CS, SR_SS, SR_ES, SR_DS, SR_FS, SR_GS, ESP, segLimit } from "./state";
import { faulted, faultVector, faultError, raise, clearFault, GP, NP, SS, TS } from "./fault";
import { getEflags, setEflagsBits, IF, TF, NT, RF, VM } from "./flags";
import { push16, push32 } from "./stack";
import { readSys32 } from "../mmu/access";
import { setCplMasks } from "../mmu/tlb";
import { refreshMode } from "./mode";
import {
  readDesc, setDesc, dLo, dHi, dAddr, dDpl, dPresent, dIsCode, dConforming, dWritableData, dLimit, dType,
  cacheFromDesc, markAccessed, loadNull, commitCs, saveState, restoreState, dropSnapshot,
} from "./segments";
import { tssStack, tssSs, tssEsp, taskSwitch, TS_INT } from "./task";
import { pvGateFor, pvDirectGate } from "./pv-gate";

/** Event kinds as in interrupts.ts (EV_SOFT = INT n/INT3/INTO). */
const EV_SOFT = 1;

export function protectedDeliver(vector: i32, kind: i32, hasError: bool, error: i32): void {
  saveState();
  const ext = kind == EV_SOFT ? 0 : 1;
  deliverPM(vector, ext, kind == EV_SOFT, hasError, error);
  if (!faulted) { dropSnapshot(); return; }
  restoreState();
  // Stack faults from the push helpers carry error 0: give them the EXT bit of this event.
  const v = faultVector, e = faultError;
  if (ext != 0 && (v == TS || v == NP || v == SS || v == GP) && (e & 1) == 0) {
    clearFault();
    raise(v, e | 1);
  }
}

function deliverPM(vector: i32, ext: i32, soft: bool, hasError: bool, error: i32): void {
  const idtErr = vector * 8 + 2 + ext;
  if (<u32>(vector * 8 + 7) > load<u32>(STATE + S_IDTR_LIMIT)) {
    // Xen PV: the system-call vector goes straight to the guest kernel (pv-gate.ts) when it can.
    if (soft && pvGateFor(vector) && pvDirectGate()) return;
    raise(GP, idtErr);
    return;
  }
  const ga = load<u32>(STATE + S_IDTR_BASE) + <u32>(vector * 8);
  const lo = <u32>readSys32(ga), hi = <u32>readSys32(ga + 4);
  if (faulted) return;
  const type = <i32>(hi >> 8) & 0x1f;
  if (type != 5 && type != 6 && type != 7 && type != 0xe && type != 0xf) { raise(GP, idtErr); return; }
  const cpl = getCpl();
  if (soft && <i32>((hi >> 13) & 3) < cpl) { raise(GP, vector * 8 + 2); return; }
  if ((hi & 0x8000) == 0) { raise(NP, idtErr); return; }
  const sel = <i32>(lo >>> 16);

  if (type == 5) { // task gate
    if ((sel & 4) || !readDesc(sel)) { if (!faulted) raise(GP, (sel & 0xfffc) | ext); return; }
    const tt = <i32>(dHi >> 8) & 0x1f;
    if (tt != 1 && tt != 9) { raise(GP, (sel & 0xfffc) | ext); return; } // must be an available TSS
    taskSwitch(sel, TS_INT, ext, hasError ? error : -1);
    return;
  }

  const gate32 = (type & 8) != 0;
  const off: u32 = gate32 ? (hi & 0xffff0000) | (lo & 0xffff) : lo & 0xffff;
  const trapGate = (type & 1) != 0;
  if ((sel & 0xfffc) == 0) { raise(GP, ext); return; }
  if (!readDesc(sel)) { if (!faulted) raise(GP, (sel & 0xfffc) | ext); return; }
  if (!dIsCode() || dDpl() > cpl) { raise(GP, (sel & 0xfffc) | ext); return; }
  if (!dPresent()) { raise(NP, (sel & 0xfffc) | ext); return; }
  const csLo = dLo, csHi = dHi, csAddr = dAddr;
  const dpl = dDpl();
  const flags = getEflags();
  const vm = (flags & VM) != 0;
  const oldCs = segSel(SR_CS);
  const oldEip = load<u32>(STATE + S_EIP);

  if (!dConforming() && dpl < cpl) {
    if (vm && dpl != 0) { raise(GP, (sel & 0xfffc) | ext); return; }
    // Inner privilege: new stack from the TSS.
    if (!tssStack(dpl, ext)) return;
    const nss = tssSs, nesp = tssEsp;
    const ssErr = (nss & 0xfffc) | ext;
    if ((nss & 0xfffc) == 0) { raise(TS, ext); return; }
    if (!readDesc(nss)) { if (!faulted) raise(TS, ssErr); return; }
    if ((nss & 3) != dpl || dDpl() != dpl || !dWritableData()) { raise(TS, ssErr); return; }
    if (!dPresent()) { raise(SS, ssErr); return; }
    if (off > dLimitOf(csLo, csHi)) { raise(GP, ext); return; }
    markAccessed();
    if (faulted) return;
    const oldSs = segSel(SR_SS), oldEsp = reg32(ESP);
    // Switch to the new stack at the new privilege level, then push the frame.
    setEflagsBits(0, VM | TF | NT | RF | (trapGate ? 0 : IF));
    cacheFromDesc(SR_SS, nss);
    store<i32>(STATE + S_CPL, dpl);
    setCplMasks(dpl);
    refreshMode();
    setReg32(ESP, nesp);
    if (vm) {
      pushv(gate32, segSel(SR_GS));
      pushv(gate32, segSel(SR_FS));
      pushv(gate32, segSel(SR_DS));
      pushv(gate32, segSel(SR_ES));
    }
    pushv(gate32, oldSs);
    pushv(gate32, oldEsp);
    pushFrame(gate32, flags, oldCs, oldEip, hasError, error);
    if (faulted) { stackFault(nss, ext); return; }
    if (vm) { loadNull(SR_GS, 0); loadNull(SR_FS, 0); loadNull(SR_DS, 0); loadNull(SR_ES, 0); }
  } else {
    if (vm) { raise(GP, (sel & 0xfffc) | ext); return; }
    if (off > dLimitOf(csLo, csHi)) { raise(GP, ext); return; }
    markAccessed();
    if (faulted) return;
    pushFrame(gate32, flags, oldCs, oldEip, hasError, error);
    if (faulted) { stackFault(0, ext); return; }
    setEflagsBits(0, VM | TF | NT | RF | (trapGate ? 0 : IF));
  }
  setDesc(csLo, csHi, csAddr);
  commitCs(sel, dConforming() ? cpl : dpl);
  store<u32>(STATE + S_EIP, off);
}

function dLimitOf(lo: u32, hi: u32): u32 {
  const l = (lo & 0xffff) | (hi & 0xf0000);
  return (hi & 0x800000) ? (l << 12) | 0xfff : l;
}

// @ts-ignore: decorator
@inline function pushv(w32: bool, v: i32): void { if (w32) push32(v); else push16(v); }

function pushFrame(w32: bool, flags: i32, cs: i32, eip: u32, hasError: bool, error: i32): void {
  pushv(w32, flags);
  pushv(w32, cs);
  pushv(w32, <i32>eip);
  if (hasError) pushv(w32, error);
}

/** A limit fault on the new stack is #SS(new SS); keep page faults as they are. */
function stackFault(ssSel: i32, ext: i32): void {
  if (faultVector == SS && faultError == 0) {
    clearFault();
    raise(SS, (ssSel & 0xfffc) | ext);
  }
}
