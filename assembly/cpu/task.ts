/**
 * The TSS: privileged stack pointers for inner-level transfers (SDM vol. 3, 7.2.1, 6.12.1) and the
 * hardware task switch (SDM vol. 3, 7.3) used by JMP/CALL to a TSS or task gate, interrupts through
 * task gates, and IRET with NT=1. 32-bit (types 9/B) and 16-bit (types 1/3) TSSes are supported.
 *
 * Order: check the new TSS, read all of it, save the old state into the old TSS, update busy bits,
 * NT and the back link; that is the commit point (dropSnapshot: faults from then on belong to the
 * new task and are raised with raiseTrap so step() does not rewind EIP/ESP). Then TR, CR0.TS, CR3,
 * registers, LDTR and the segment registers are loaded, with #TS(sel)/#NP/#SS for bad selectors.
 * A set T flag in the new TSS leaves a #DB trap (DR6.BT) pending for run.ts.
 */
import { STATE, S_CR0, S_CR3, S_EIP, S_DR, S_GDTR_BASE, S_CPL } from "../gen/layout";
import {
  segBase, segLimit, segSel, segAccess, reg32, setReg32, setSegCache, getCr0, SR_CS, SR_SS, SR_LDTR, SR_TR,
  CR0_TS, CR0_PG, SV_USABLE,
} from "./state";
import { faulted, raise, raiseTrap, GP, NP, SS, TS } from "./fault";
import { getEflags, setEflagsBits, NT, VM } from "./flags";
import { readSys16, readSys32, writeSys8, writeSys16, writeSys32 } from "../mmu/access";
import { tlbFlush, setCplMasks } from "../mmu/tlb";
import { loadPdptes, paePaging } from "../mmu/paging";
import { refreshDebug, addTrapBits, DR6_BT } from "./debug";
import { refreshMode } from "./mode";
import {
  readDesc, dLo, dHi, dAddr, dType, dDpl, dPresent, dIsCode, dConforming, dReadable, dWritableData,
  dLimit, cacheFromDesc, loadNull, loadV86, dropSnapshot, markAccessed,
} from "./segments";
import { push16, push32 } from "./stack";

/** Task-switch sources. */
export const TS_JMP = 0, TS_CALL = 1, TS_IRET = 2, TS_INT = 3;

/** Results of tssStack(). */
export let tssSs: i32 = 0;
export let tssEsp: u32 = 0;

// @ts-ignore: decorator
@inline function tss32(): bool { return (segAccess(SR_TR) & 8) != 0; }

/** Read SSn:ESPn for privilege level `dpl` from the current TSS; #TS(TR | ext) past its limit. */
export function tssStack(dpl: i32, ext: i32): bool {
  const base = segBase(SR_TR), limit = segLimit(SR_TR);
  if (tss32()) {
    const off = <u32>(dpl * 8 + 4);
    if (off + 5 > limit) { raise(TS, (segSel(SR_TR) & 0xfffc) | ext); return false; }
    tssEsp = <u32>readSys32(base + off);
    tssSs = readSys16(base + off + 4);
  } else {
    const off = <u32>(dpl * 4 + 2);
    if (off + 3 > limit) { raise(TS, (segSel(SR_TR) & 0xfffc) | ext); return false; }
    tssEsp = <u32>readSys16(base + off);
    tssSs = readSys16(base + off + 2);
  }
  return !faulted;
}

// Buffer for the incoming task's state: EIP EFLAGS EAX..EDI ES CS SS DS FS GS LDT CR3.
const nt: usize = memory.data(80, 16);
const N_EIP = 0, N_FLAGS = 4, N_REGS = 8, N_SEGS = 40, N_LDT = 64, N_CR3 = 68, N_T = 72;

function setBusy(gdtAddr: u32, busy: bool): void {
  const b = readSys8hi(gdtAddr);
  writeSys8(gdtAddr + 5, busy ? (b | 2) : (b & ~2));
}
function readSys8hi(gdtAddr: u32): i32 { return (readSys32(gdtAddr + 4) >> 8) & 0xff; }

/** A fault in the new task's context (after the commit point). */
function tfault(v: i32, sel: i32, ext: i32): void { raiseTrap(v, (sel & 0xfffc) | ext, true); }

/**
 * Switch to the task whose TSS descriptor (selector `sel`) is in dLo/dHi; the caller has checked the
 * type (available, or busy for IRET) and privilege. `errCode` >= 0 is pushed on the new stack
 * (exceptions through task gates).
 */
export function taskSwitch(sel: i32, src: i32, ext: i32, errCode: i32): void {
  const newLo = dLo, newHi = dHi, newAddr = dAddr;
  const err = (sel & 0xfffc) | ext;
  if (!dPresent()) { raise(NP, err); return; }
  const new32 = (dType() & 8) != 0;
  const newBase = (newLo >>> 16) | ((newHi & 0xff) << 16) | (newHi & 0xff000000);
  const newLimit = dLimit();
  const minLimit: u32 = new32 ? 0x67 : 0x2b;
  if (newLimit < minLimit) { raise(TS, err); return; }

  // Read the whole incoming state first (page faults here leave everything unchanged).
  if (new32) {
    store<u32>(nt + N_CR3, readSys32(newBase + 0x1c));
    store<u32>(nt + N_EIP, readSys32(newBase + 0x20));
    store<u32>(nt + N_FLAGS, readSys32(newBase + 0x24));
    for (let i = 0; i < 8; i++) store<u32>(nt + N_REGS + i * 4, readSys32(newBase + 0x28 + i * 4));
    for (let i = 0; i < 6; i++) store<u32>(nt + N_SEGS + i * 4, readSys16(newBase + 0x48 + i * 4));
    store<u32>(nt + N_LDT, readSys16(newBase + 0x60));
    store<u32>(nt + N_T, readSys16(newBase + 0x64) & 1); // T (debug trap) flag
  } else {
    store<u32>(nt + N_T, 0);
    store<u32>(nt + N_CR3, load<u32>(STATE + S_CR3));
    store<u32>(nt + N_EIP, readSys16(newBase + 0x0e));
    store<u32>(nt + N_FLAGS, (getEflags() & 0xffff0000) | readSys16(newBase + 0x10));
    for (let i = 0; i < 8; i++) store<u32>(nt + N_REGS + i * 4, (reg32(i) & 0xffff0000) | readSys16(newBase + 0x12 + i * 2));
    for (let i = 0; i < 4; i++) store<u32>(nt + N_SEGS + i * 4, readSys16(newBase + 0x22 + i * 2));
    store<u32>(nt + N_SEGS + 16, 0);
    store<u32>(nt + N_SEGS + 20, 0);
    store<u32>(nt + N_LDT, readSys16(newBase + 0x2a));
  }
  if (faulted) return;

  // Save the outgoing task.
  const oldBase = segBase(SR_TR);
  const oldSel = segSel(SR_TR);
  let flags = getEflags();
  if (src == TS_IRET) flags &= ~NT;
  const eip = load<u32>(STATE + S_EIP);
  if (tss32()) {
    writeSys32(oldBase + 0x20, eip);
    writeSys32(oldBase + 0x24, flags);
    for (let i = 0; i < 8; i++) writeSys32(oldBase + 0x28 + i * 4, reg32(i));
    for (let i = 0; i < 6; i++) writeSys16(oldBase + 0x48 + i * 4, segSel(i));
  } else {
    writeSys16(oldBase + 0x0e, eip);
    writeSys16(oldBase + 0x10, flags);
    for (let i = 0; i < 8; i++) writeSys16(oldBase + 0x12 + i * 2, reg32(i));
    for (let i = 0; i < 4; i++) writeSys16(oldBase + 0x22 + i * 2, segSel(i));
  }
  if (faulted) return;
  const gdt = load<u32>(STATE + S_GDTR_BASE);
  if (src == TS_JMP || src == TS_IRET) setBusy(gdt + <u32>(oldSel & 0xfff8), false);
  let nflags = load<u32>(nt + N_FLAGS);
  if (src == TS_CALL || src == TS_INT) {
    nflags |= NT;
    writeSys16(newBase, oldSel);
  }
  if (src != TS_IRET) setBusy(newAddr, true);
  if (faulted) return;

  // Commit point: from here on, the new task owns every fault.
  dropSnapshot();
  const trHi = src != TS_IRET ? newHi | 0x200 : newHi;
  setSegCache(SR_TR, sel, newBase, newLimit, <i32>(trHi >>> 8) & 0xf0ff, SV_USABLE);
  store<u32>(STATE + S_CR0, getCr0() | CR0_TS);
  if (new32 && (getCr0() & CR0_PG)) {
    store<u32>(STATE + S_CR3, load<u32>(nt + N_CR3));
    tlbFlush(true);
    // PAE: the new CR3's PDPTEs are loaded; a reserved bit is #GP(0) in the new task (SDM 4.4.1).
    if (paePaging() && !loadPdptes(load<u32>(nt + N_CR3), true)) { raiseTrap(GP, 0, true); return; }
  }
  // DR7: the local breakpoint enables (L0-L3, LE) are task-local.
  store<u32>(STATE + S_DR + 28, load<u32>(STATE + S_DR + 28) & ~0x155);
  refreshDebug();
  store<u32>(STATE + S_EIP, load<u32>(nt + N_EIP));
  setEflagsBits(<i32>nflags, 0x3f7fd5);
  for (let i = 0; i < 8; i++) setReg32(i, load<i32>(nt + N_REGS + i * 4));
  // Selectors first (unusable until checked), then LDTR, then the descriptor loads.
  for (let i = 0; i < 6; i++) setSegCache(i, load<i32>(nt + N_SEGS + i * 4), 0, 0, 0, 0);
  loadLdtTask(load<i32>(nt + N_LDT), ext);
  if (faulted) return;
  if (nflags & VM) {
    for (let i = 0; i < 6; i++) loadV86(i, load<i32>(nt + N_SEGS + i * 4));
    refreshMode();
  } else {
    loadTaskSegs(ext);
    if (faulted) return;
  }
  if (errCode >= 0) {
    if (new32) push32(errCode); else push16(errCode);
    if (faulted) return;
  }
  if (load<u32>(STATE + S_EIP) > segLimit(SR_CS)) { tfault(GP, 0, ext); return; }
  // T flag: a #DB trap (DR6.BT) before the new task's first instruction (SDM vol. 3, 7.2.1, 18.3.1.5).
  if (load<u32>(nt + N_T) != 0) addTrapBits(DR6_BT);
}

function loadLdtTask(ldt: i32, ext: i32): void {
  if ((ldt & 0xfffc) == 0) { setSegCache(SR_LDTR, ldt, 0, 0, 0, 0); return; }
  if ((ldt & 4) || !readDesc(ldt)) { if (!faulted) tfault(TS, ldt, ext); return; }
  if ((dHi & 0x1f00) != 0x200 || !dPresent()) { tfault(TS, ldt, ext); return; }
  cacheFromDesc(SR_LDTR, ldt);
}

function loadTaskSegs(ext: i32): void {
  const cs = load<i32>(nt + N_SEGS + 4);
  const rpl = cs & 3;
  if ((cs & 0xfffc) == 0 || !readDesc(cs)) { if (!faulted) tfault(TS, cs, ext); return; }
  if (!dIsCode() || (dConforming() ? dDpl() > rpl : dDpl() != rpl)) { tfault(TS, cs, ext); return; }
  if (!dPresent()) { tfault(NP, cs, ext); return; }
  markAccessed();
  cacheFromDesc(SR_CS, cs);
  store<i32>(STATE + S_CPL, rpl);
  setCplMasks(rpl);
  const ss = load<i32>(nt + N_SEGS + 8);
  if ((ss & 0xfffc) == 0 || !readDesc(ss)) { if (!faulted) tfault(TS, ss, ext); return; }
  if ((ss & 3) != rpl || dDpl() != rpl || !dWritableData()) { tfault(TS, ss, ext); return; }
  if (!dPresent()) { tfault(SS, ss, ext); return; }
  markAccessed();
  cacheFromDesc(SR_SS, ss);
  refreshMode();
  for (let sr = 0; sr < 6; sr++) {
    if (sr == SR_CS || sr == SR_SS) continue;
    const s = load<i32>(nt + N_SEGS + sr * 4);
    if ((s & 0xfffc) == 0) { loadNull(sr, s); continue; }
    if (!readDesc(s)) { if (!faulted) tfault(TS, s, ext); return; }
    if (!dReadable() || (!dConforming() && (dDpl() < rpl || dDpl() < (s & 3)))) { tfault(TS, s, ext); return; }
    if (!dPresent()) { tfault(NP, s, ext); return; }
    markAccessed();
    cacheFromDesc(sr, s);
  }
}
