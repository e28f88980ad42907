/**
 * Far transfers (SDM vol. 2 JMP, CALL, RET pseudo-code; vol. 3, 5.8): JMP far (EA Ap, FF /5),
 * CALL far (9A Ap, FF /3), RET far (CB, CA Iw). Real and v86 mode load CS as base = sel << 4.
 * Protected mode handles conforming and non-conforming code segments, call gates (same privilege
 * and inner privilege with the TSS stack switch and parameter copying, 16- and 32-bit gates), TSS
 * descriptors and task gates (task.ts), and returns to an outer privilege level (stack switch back,
 * then data segment registers the new CPL may not use are nulled).
 *
 * Multi-step transfers snapshot the state block (segments.ts) and restore it on a fault.
 */
import { STATE, S_EIP, S_CPL } from "../../gen/layout";
import { imm, imm2, os32, eaSeg, eaOff } from "../decode";
import { segSel, segLimit, reg32, setReg32, getCpl, getMode, MODE_PROT, MODE_V86, SR_CS, SR_SS, ESP } from "../state";
import { faulted, faultVector, faultError, raise, clearFault, GP, NP, SS, TS } from "../fault";
import { read16, read32 } from "../../mmu/access";
import { push16, push32, pop16, pop32, sp, setSp, spAdd } from "../stack";
import { setCplMasks } from "../../mmu/tlb";
import { refreshMode } from "../mode";
import {
  readDesc, setDesc, dLo, dHi, dAddr, dDpl, dPresent, dIsCode, dConforming, dWritableData, dLimit,
  cacheFromDesc, markAccessed, commitCs, loadReal, loadV86, nullInaccessible, saveState, restoreState,
  dropSnapshot,
} from "../segments";
import { tssStack, tssSs, tssEsp, taskSwitch, TS_JMP, TS_CALL } from "../task";

const params: usize = memory.data(128, 16);

/** Real-mode or v86 CS load with the target offset checked against the CS limit. */
function realFar(sel: i32, off: u32): bool {
  if (getMode() & MODE_V86) {
    if (off > 0xffff) { raise(GP, 0); return false; }
    loadV86(SR_CS, sel);
  } else {
    if (off > segLimit(SR_CS)) { raise(GP, 0); return false; }
    loadReal(SR_CS, sel);
  }
  store<u32>(STATE + S_EIP, off);
  return true;
}

// @ts-ignore: decorator
@inline function pushv(w32: bool, v: i32): void { if (w32) push32(v); else push16(v); }

/**
 * Protected-mode JMP/CALL far to sel:off. `call` pushes the return address (operand size for code
 * segments, gate size for call gates).
 */
function protFar(sel: i32, off: u32, call: bool): void {
  const cpl = getCpl();
  const rpl = sel & 3;
  const err = sel & 0xfffc;
  if (err == 0) { raise(GP, 0); return; }
  if (!readDesc(sel)) { if (!faulted) raise(GP, err); return; }
  const retCs = segSel(SR_CS), retEip = load<u32>(STATE + S_EIP);
  if (dIsCode()) {
    if (dConforming() ? dDpl() > cpl : (rpl > cpl || dDpl() != cpl)) { raise(GP, err); return; }
    if (!dPresent()) { raise(NP, err); return; }
    if (off > dLimit()) { raise(GP, 0); return; }
    if (call) { pushv(os32, retCs); pushv(os32, retEip); if (faulted) return; }
    markAccessed();
    if (faulted) return;
    commitCs(sel, cpl);
    store<u32>(STATE + S_EIP, off);
    return;
  }
  const type = <i32>(dHi >> 8) & 0x1f;
  if (type == 1 || type == 9 || type == 5) { // available TSS or task gate
    if (dDpl() < cpl || dDpl() < rpl) { raise(GP, err); return; }
    if (!dPresent()) { raise(NP, err); return; }
    let tsel = sel;
    if (type == 5) {
      tsel = <i32>(dLo >>> 16);
      if ((tsel & 4) || !readDesc(tsel)) { if (!faulted) raise(GP, tsel & 0xfffc); return; }
      const tt = <i32>(dHi >> 8) & 0x1f;
      if (tt != 1 && tt != 9) { raise(GP, tsel & 0xfffc); return; }
      if (!dPresent()) { raise(NP, tsel & 0xfffc); return; }
    }
    taskSwitch(tsel, call ? TS_CALL : TS_JMP, 0, -1);
    return;
  }
  if (type != 4 && type != 0xc) { raise(GP, err); return; }
  // Call gate.
  if (dDpl() < cpl || dDpl() < rpl) { raise(GP, err); return; }
  if (!dPresent()) { raise(NP, err); return; }
  const gate32 = type == 0xc;
  const count = <i32>(dHi & 0x1f);
  const csel = <i32>(dLo >>> 16);
  const goff: u32 = gate32 ? (dHi & 0xffff0000) | (dLo & 0xffff) : dLo & 0xffff;
  const cerr = csel & 0xfffc;
  if (cerr == 0) { raise(GP, 0); return; }
  if (!readDesc(csel)) { if (!faulted) raise(GP, cerr); return; }
  if (!dIsCode() || dDpl() > cpl) { raise(GP, cerr); return; }
  const dpl = dDpl();
  if (!call && !dConforming() && dpl != cpl) { raise(GP, cerr); return; }
  if (!dPresent()) { raise(NP, cerr); return; }
  if (goff > dLimit()) { raise(GP, 0); return; }
  const csLo = dLo, csHi = dHi, csAddr = dAddr;
  if (call && !dConforming() && dpl < cpl) {
    // Inner privilege: new stack from the TSS, parameters copied from the caller's stack.
    if (!tssStack(dpl, 0)) return;
    const nss = tssSs, nesp = tssEsp;
    const ssErr = nss & 0xfffc;
    if (ssErr == 0) { raise(TS, 0); return; }
    if (!readDesc(nss)) { if (!faulted) raise(TS, ssErr); return; }
    if ((nss & 3) != dpl || dDpl() != dpl || !dWritableData()) { raise(TS, ssErr); return; }
    if (!dPresent()) { raise(SS, ssErr); return; }
    for (let i = 0; i < count; i++) {
      const v = gate32 ? read32(SR_SS, spAdd(i * 4)) : read16(SR_SS, spAdd(i * 2));
      store<i32>(params + i * 4, v);
    }
    if (faulted) return;
    markAccessed();
    if (faulted) return;
    const oldSs = segSel(SR_SS), oldEsp = reg32(ESP);
    cacheFromDesc(SR_SS, nss);
    store<i32>(STATE + S_CPL, dpl);
    setCplMasks(dpl);
    refreshMode();
    setReg32(ESP, nesp);
    pushv(gate32, oldSs);
    pushv(gate32, oldEsp);
    for (let i = count - 1; i >= 0; i--) pushv(gate32, load<i32>(params + i * 4));
    pushv(gate32, retCs);
    pushv(gate32, retEip);
    if (faulted) {
      if (faultVector == SS && faultError == 0) { clearFault(); raise(SS, ssErr); }
      return;
    }
  } else if (call) {
    pushv(gate32, retCs);
    pushv(gate32, retEip);
    if (faulted) return;
  }
  setDesc(csLo, csHi, csAddr);
  markAccessed();
  if (faulted) return;
  commitCs(csel, dConforming() ? getCpl() : dpl);
  store<u32>(STATE + S_EIP, goff);
}

function farTransfer(sel: i32, off: u32, call: bool): void {
  sel &= 0xffff;
  if (!os32) off &= 0xffff;
  const mode = getMode();
  if ((mode & MODE_PROT) == 0 || (mode & MODE_V86) != 0) {
    if (call) {
      const retEip = load<u32>(STATE + S_EIP);
      pushv(os32, segSel(SR_CS));
      pushv(os32, retEip);
      if (faulted) return;
    }
    realFar(sel, off);
    return;
  }
  saveState();
  protFar(sel, off, call);
  if (faulted) restoreState(); else dropSnapshot();
}

/** EA: JMP ptr16:16/32. */
export function jmp_Ap(): void { farTransfer(imm2, <u32>imm, false); }
/** 9A: CALL ptr16:16/32. */
export function call_Ap(): void { farTransfer(imm2, <u32>imm, true); }

/** FF /5 and FF /3 with a memory operand m16:16/32. */
function farMem(call: bool): void {
  const off = os32 ? read32(eaSeg, eaOff) : read16(eaSeg, eaOff);
  const sel = read16(eaSeg, eaOff + (os32 ? 4 : 2));
  if (faulted) return;
  farTransfer(sel, <u32>off, call);
}
export function jmp_Mp(): void { farMem(false); }
export function call_Mp(): void { farMem(true); }

/** RET far (CB) and RET far imm16 (CA Iw). */
function retFar(adj: i32): void {
  const eip: u32 = os32 ? <u32>pop32() : <u32>pop16();
  const sel = (os32 ? pop32() : pop16()) & 0xffff;
  if (faulted) return;
  const mode = getMode();
  if ((mode & MODE_PROT) == 0 || (mode & MODE_V86) != 0) {
    if (!realFar(sel, eip)) return;
    setSp(spAdd(adj));
    return;
  }
  saveState();
  protRet(sel, eip, adj);
  if (faulted) restoreState(); else dropSnapshot();
}

/**
 * The CS checks of a far return to protected mode (RET far and IRET, SDM vol. 2): a non-null
 * selector to a present code segment, RPL >= CPL, DPL == RPL (non-conforming) or DPL <= RPL
 * (conforming). The descriptor stays in dLo/dHi/dAddr; false after raising the fault.
 */
export function checkReturnCs(sel: i32, cpl: i32): bool {
  const rpl = sel & 3, err = sel & 0xfffc;
  if (err == 0) { raise(GP, 0); return false; }
  if (!readDesc(sel)) { if (!faulted) raise(GP, err); return false; }
  if (rpl < cpl || !dIsCode() || (dConforming() ? dDpl() > rpl : dDpl() != rpl)) { raise(GP, err); return false; }
  if (!dPresent()) { raise(NP, err); return false; }
  return true;
}

/**
 * The SS checks of a return to an outer privilege level: a non-null selector with RPL == the new
 * CPL to a present writable data segment of that DPL; #GP(sel), or #SS(sel) when not present.
 */
export function checkOuterSs(nss: i32, rpl: i32): bool {
  const err = nss & 0xfffc;
  if (err == 0) { raise(GP, 0); return false; }
  if (!readDesc(nss)) { if (!faulted) raise(GP, err); return false; }
  if ((nss & 3) != rpl || dDpl() != rpl || !dWritableData()) { raise(GP, err); return false; }
  if (!dPresent()) { raise(SS, err); return false; }
  return true;
}

function protRet(sel: i32, eip: u32, adj: i32): void {
  const cpl = getCpl();
  const rpl = sel & 3;
  if (!checkReturnCs(sel, cpl)) return;
  const csLo = dLo, csHi = dHi, csAddr = dAddr;
  if (rpl > cpl) {
    // Return to an outer level: skip the parameters, pop the caller's SS:ESP.
    setSp(spAdd(adj));
    const nesp = os32 ? pop32() : pop16();
    const nss = (os32 ? pop32() : pop16()) & 0xffff;
    if (faulted) return;
    if (!checkOuterSs(nss, rpl)) return;
    if (eip > dLimitOf(csLo, csHi)) { raise(GP, 0); return; }
    markAccessed();
    if (faulted) return;
    cacheFromDesc(SR_SS, nss);
    setDesc(csLo, csHi, csAddr);
    markAccessed();
    if (faulted) return;
    commitCs(sel, rpl);
    if (os32) setReg32(ESP, nesp); else setSp(<u32>nesp & 0xffff);
    setSp(spAdd(adj));
    nullInaccessible(rpl);
  } else {
    if (eip > dLimit()) { raise(GP, 0); return; }
    markAccessed();
    if (faulted) return;
    commitCs(sel, cpl);
    setSp(spAdd(adj));
  }
  store<u32>(STATE + S_EIP, eip);
}

function dLimitOf(lo: u32, hi: u32): u32 {
  const l = (lo & 0xffff) | (hi & 0xf0000);
  return (hi & 0x800000) ? (l << 12) | 0xfff : l;
}

export function retf(): void { retFar(0); }
export function retf_Iw(): void { retFar(imm & 0xffff); }
