/**
 * The core's exports: the whole host-facing API. Everything else is internal.
 *
 *   reset()            put the CPU in its power-on state (real mode, CS:IP = F000:FFF0)
 *   run(budget)        execute up to `budget` instructions; returns an ExitReason (layout.ts)
 *   refresh()          re-derive cached mode state after the host edited the state block
 *   flushTlb(global)   drop cached translations (after the host edited page tables or RAM maps)
 *   layoutChecksum()   must equal the host's layoutChecksum()
 */
import { LAYOUT_CHECKSUM, STATE, S_EFLAGS, S_CR0, S_IRQ_VECTOR, S_IDTR_LIMIT, S_GDTR_LIMIT, S_A20, S_EIP, S_CPL } from "./gen/layout";
import { run as runLoop } from "./cpu/run";
import { refreshMode } from "./cpu/mode";
import { tlbFlush, tlbFlushPage, tlbUsed } from "./mmu/tlb";
import { setSegCache, SR_CS, SR_SS, SR_DS, SR_ES, SR_FS, SR_GS, SR_LDTR, SR_TR, SV_READ, SV_WRITE, SV_USABLE } from "./cpu/state";
import { TABLE_ROWS } from "./gen/dispatch";
import { getEflags } from "./cpu/flags";
import { fpuReset } from "./cpu/fpu/state";
import { flushAll as jitFlushAll } from "./jit/cache";

export function eflags(): i32 { return getEflags(); }

export function layoutChecksum(): u32 { return LAYOUT_CHECKSUM; }
export function tableRows(): i32 { return TABLE_ROWS; }

export function run(budget: i32): i32 { return runLoop(budget); }

export function refresh(): void {
  tlbFlush(false);
  refreshMode();
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

export * from "./jit/exports";
