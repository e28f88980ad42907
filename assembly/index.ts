/**
 * The core's exports: the whole host-facing API. Everything else is internal.
 *
 *   reset()            put the CPU in its power-on state (real mode, CS:IP = F000:FFF0)
 *   run(budget)        execute up to `budget` instructions; returns an ExitReason (layout.ts)
 *   refresh()          re-derive cached mode state (and reload the PAE PDPTE registers from CR3)
 *                      after the host edited the state block
 *   flushTlb(global)   drop cached translations (after the host edited page tables or RAM maps)
 *   layoutChecksum()   must equal the host's layoutChecksum()
 *   cpuidNative()      the CPU's own CPUID answer for EAX into EAX..EDX (the Xen PV host filters it)
 */
import { LAYOUT_CHECKSUM, STATE, S_EFLAGS, S_CR0, S_IRQ_VECTOR, S_IDTR_LIMIT, S_GDTR_LIMIT, S_A20, S_EIP, S_CPL, S_CR3 } from "./gen/layout";
import { run as runLoop } from "./cpu/run";
import { cpuidRaw } from "./cpu/ops/msr";
import { refreshMode } from "./cpu/mode";
import { tlbFlush, tlbFlushPage, tlbUsed } from "./mmu/tlb";
import { loadPdptes, paePaging } from "./mmu/paging";
import { refreshDebug } from "./cpu/debug";
import { setSegCache, SR_CS, SR_SS, SR_DS, SR_ES, SR_FS, SR_GS, SR_LDTR, SR_TR, SV_READ, SV_WRITE, SV_USABLE } from "./cpu/state";
import { TABLE_ROWS } from "./gen/dispatch";
import { getEflags } from "./cpu/flags";
import { fpuReset } from "./cpu/fpu/state";
import { clearFault, raise, faulted, faultVector, faultError, GP, NP } from "./cpu/fault";
import { readDesc, setDesc, dLo, dHi, dAddr, dIsCode, dConforming, dDpl, dPresent, markAccessed, commitCs, cacheFromDesc, loadSegment } from "./cpu/segments";
import { writeSys8 } from "./mmu/access";
import { flushAll as jitFlushAll } from "./jit/cache";

export function eflags(): i32 { return getEflags(); }

export function layoutChecksum(): u32 { return LAYOUT_CHECKSUM; }
export function tableRows(): i32 { return TABLE_ROWS; }

export function run(budget: i32): i32 { return runLoop(budget); }

export function refresh(): void {
  tlbFlush(false);
  // The host may have written CR3/CR4/CR0 (e.g. the Xen PV hypervisor): reload the PDPTE registers.
  if (paePaging()) loadPdptes(load<u32>(STATE + S_CR3), false);
  refreshMode();
  refreshDebug();
}

export function flushTlb(keepGlobal: bool): void { tlbFlush(keepGlobal); }
export function invalidatePage(lin: u32): void { tlbFlushPage(lin); }
export function tlbEntriesUsed(): i32 { return tlbUsed(); }

/** Power-on state (SDM vol. 3, 9.1.1): real mode, CS base 0xFFFF0000, EIP 0xFFF0. */
export function reset(): void {
  jitFlushAll();
  memory.fill(STATE, 0, 0x1000);
  store<i32>(STATE + S_EFLAGS, 2);
  store<u32>(STATE + S_CR0, 0x60000010);
  store<i32>(STATE + S_IRQ_VECTOR, -1);
  store<u32>(STATE + S_IDTR_LIMIT, 0xffff);
  store<u32>(STATE + S_GDTR_LIMIT, 0xffff);
  store<i32>(STATE + S_A20, 1);
  store<u32>(STATE + S_EIP, 0xfff0);
  store<i32>(STATE + S_CPL, 0);
  const rw = SV_READ | SV_WRITE | SV_USABLE;
  // Real-mode data segments: present, writable, accessed (type 3).
  setSegCache(SR_CS, 0xf000, 0xffff0000, 0xffff, 0x9b, rw);
  setSegCache(SR_SS, 0, 0, 0xffff, 0x93, rw);
  setSegCache(SR_DS, 0, 0, 0xffff, 0x93, rw);
  setSegCache(SR_ES, 0, 0, 0xffff, 0x93, rw);
  setSegCache(SR_FS, 0, 0, 0xffff, 0x93, rw);
  setSegCache(SR_GS, 0, 0, 0xffff, 0x93, rw);
  setSegCache(SR_LDTR, 0, 0, 0xffff, 0x82, 0);
  setSegCache(SR_TR, 0, 0, 0xffff, 0x8b, 0);
  fpuReset();
  refresh();
}

/** Load flat 32-bit protected-mode segments (as after a multiboot or Xen domain build). */
export function setFlat32(cpl: i32): void {
  const rw = SV_READ | SV_WRITE | SV_USABLE;
  const dpl = cpl << 5;
  setSegCache(SR_CS, 0x08 | cpl, 0, 0xffffffff, 0xc09b | dpl, SV_READ | SV_USABLE);
  setSegCache(SR_SS, 0x10 | cpl, 0, 0xffffffff, 0xc093 | dpl, rw);
  setSegCache(SR_DS, 0x10 | cpl, 0, 0xffffffff, 0xc093 | dpl, rw);
  setSegCache(SR_ES, 0x10 | cpl, 0, 0xffffffff, 0xc093 | dpl, rw);
  setSegCache(SR_FS, 0x10 | cpl, 0, 0xffffffff, 0xc093 | dpl, rw);
  setSegCache(SR_GS, 0x10 | cpl, 0, 0xffffffff, 0xc093 | dpl, rw);
  store<u32>(STATE + S_CR0, load<u32>(STATE + S_CR0) | 1);
  store<i32>(STATE + S_CPL, cpl);
  refresh();
}

/**
 * Load a selector into segment register `sr` (SR_* order: ES CS SS DS FS GS LDTR TR) the way the
 * CPU's protected-mode loads do, reading the descriptor from the current GDT/LDT (so the cache
 * matches the table): data/stack registers with every MOV Sreg check at the current CPL; CS as a
 * privilege-changing transfer to RPL = the selector's RPL (non-conforming code, DPL == RPL), which
 * becomes the CPL; LDTR as LLDT; TR as LTR (the TSS is marked busy). Used by hosts that set up an
 * initial state (the Xen PV domain builder). Returns 0, or 0x1000000 | vector << 16 | error code
 * for the fault the load raised (nothing is loaded then).
 */
export function loadSelector(sr: i32, sel: i32): i32 {
  clearFault();
  sel &= 0xffff;
  if (sr == SR_CS) {
    const rpl = sel & 3;
    if ((sel & 0xfffc) == 0) raise(GP, 0);
    else if (!readDesc(sel)) { if (!faulted) raise(GP, sel & 0xfffc); }
    else if (!dIsCode() || dConforming() || dDpl() != rpl) raise(GP, sel & 0xfffc);
    else if (!dPresent()) raise(NP, sel & 0xfffc);
    else { markAccessed(); if (!faulted) commitCs(sel, rpl); }
  } else if (sr == SR_LDTR || sr == SR_TR) {
    if ((sel & 0xfffc) == 0) {
      if (sr == SR_TR) raise(GP, 0); else setSegCache(SR_LDTR, sel, 0, 0, 0, 0);
    } else if ((sel & 4) || !readDesc(sel)) { if (!faulted) raise(GP, sel & 0xfffc); }
    else {
      const t = <i32>(dHi >> 8) & 0x1f;
      if (sr == SR_LDTR ? t != 2 : (t != 1 && t != 9)) raise(GP, sel & 0xfffc);
      else if (!dPresent()) raise(NP, sel & 0xfffc);
      else if (sr == SR_TR) {
        setDesc(dLo, dHi | 0x200, dAddr);
        writeSys8(dAddr + 5, <i32>(dHi >> 8) & 0xff);
        if (!faulted) cacheFromDesc(SR_TR, sel);
      } else cacheFromDesc(SR_LDTR, sel);
    }
  } else if (sr >= 0 && sr < 6) {
    loadSegment(sr, sel);
  } else raise(GP, 0);
  if (!faulted) return 0;
  const r = 0x1000000 | ((faultVector & 0xff) << 16) | (faultError & 0xffff);
  clearFault();
  return r;
}
export * from "./jit/exports";

/** The CPU's own CPUID for the leaf in EAX, written to EAX..EDX (no CPL or faulting checks). */
export function cpuidNative(): void { cpuidRaw(); }
