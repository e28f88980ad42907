/**
 * Segment descriptors and segment-register loads (SDM vol. 3, 3.4-3.5, 5.1-5.8; vol. 2 MOV, POP,
 * LDS/LES/LFS/LGS/LSS pseudo-code).
 *
 * Descriptor-table reads are supervisor implicit accesses (readSys32). loadSegment() performs every
 * check of a data/stack segment load in protected mode and the plain base = sel << 4 load in real
 * and v86 mode, then fills the segment cache with its valid bits (readable/writable/usable) so the
 * memory helpers in mmu/access.ts can check accesses with one compare. Code-segment loads for far
 * transfers live in ops/far.ts and use the helpers here.
 *
 * The snapshot (saveState/restoreState) lets complex transfers (far calls through gates, IRET,
 * interrupt delivery) commit state step by step and undo everything if a later step faults: it
 * copies the first 0x200 bytes of the state block (registers, EFLAGS, CPL, MODE, control registers,
 * descriptor-table registers and the segment cache).
 */
import { STATE, S_GDTR_BASE, S_GDTR_LIMIT, S_CPL } from "../gen/layout";
import {
  segBase, segLimit, segValid, segAccess, setSegCache, getMode, getCpl, MODE_PROT, MODE_V86,
  SR_CS, SR_SS, SR_LDTR, SV_READ, SV_WRITE, SV_USABLE, AR_DB, AR_G,
} from "./state";
import { faulted, raise, GP, NP, SS } from "./fault";
import { readSys32, writeSys8 } from "../mmu/access";
import { refreshMode } from "./mode";
import { setCplMasks } from "../mmu/tlb";

// ---------------------------------------------------------------- descriptors

/** The last descriptor read by readDesc(): low and high dwords and its linear address. */
export let dLo: u32 = 0;
export let dHi: u32 = 0;
export let dAddr: u32 = 0;

/**
 * Read the descriptor of `sel` from the GDT or LDT into dLo/dHi. Returns false (without raising)
 * when the selector lies outside the table or names an LDT while LDTR is null; a #PF on the table
 * is raised (check `faulted`).
 */
export function readDesc(sel: i32): bool {
  let base: u32, limit: u32;
  if (sel & 4) {
    if ((segValid(SR_LDTR) & SV_USABLE) == 0) return false;
    base = segBase(SR_LDTR);
    limit = segLimit(SR_LDTR);
  } else {
    base = load<u32>(STATE + S_GDTR_BASE);
    limit = load<u32>(STATE + S_GDTR_LIMIT);
  }
  if (<u32>((sel & 0xfff8) | 7) > limit) return false;
  dAddr = base + <u32>(sel & 0xfff8);
  dLo = <u32>readSys32(dAddr);
  dHi = <u32>readSys32(dAddr + 4);
  return !faulted;
}

/** Put a saved descriptor back as the "last read" one (after reading another in between). */
export function setDesc(lo: u32, hi: u32, addr: u32): void { dLo = lo; dHi = hi; dAddr = addr; }

// @ts-ignore: decorator
@inline export function dType(): i32 { return <i32>(dHi >> 8) & 0xf; }
/** Descriptor type including the S bit: 0x10 | type for code/data, type for system descriptors. */
// @ts-ignore: decorator
@inline export function dKind(): i32 { return <i32>(dHi >> 8) & 0x1f; }
// @ts-ignore: decorator
@inline export function dDpl(): i32 { return <i32>(dHi >> 13) & 3; }
// @ts-ignore: decorator
@inline export function dPresent(): bool { return (dHi & 0x8000) != 0; }
// @ts-ignore: decorator
@inline export function dIsCode(): bool { return (dHi & 0x1800) == 0x1800; }
// @ts-ignore: decorator
@inline export function dIsData(): bool { return (dHi & 0x1800) == 0x1000; }
// @ts-ignore: decorator
@inline export function dConforming(): bool { return (dHi & 0x1c00) == 0x1c00; }
/** Readable (code with R) or any data segment. */
// @ts-ignore: decorator
@inline export function dReadable(): bool { return (dHi & 0x1000) != 0 && ((dHi & 0x800) == 0 || (dHi & 0x200) != 0); }
// @ts-ignore: decorator
@inline export function dWritableData(): bool { return (dHi & 0x1a00) == 0x1200; }
export function dBase(): u32 { return (dLo >>> 16) | ((dHi & 0xff) << 16) | (dHi & 0xff000000); }
export function dLimit(): u32 {
  const l = (dLo & 0xffff) | (dHi & 0xf0000);
  return (dHi & 0x800000) ? (l << 12) | 0xfff : l;
}
/** Access rights as cached (descriptor high dword bits 8..23 shifted down, limit bits removed). */
// @ts-ignore: decorator
@inline export function dAr(): i32 { return <i32>(dHi >>> 8) & 0xf0ff; }

/** Set the accessed bit of the last descriptor read (a supervisor write; may #PF). */
export function markAccessed(): void {
  if (dHi & 0x100) return;
  dHi |= 0x100;
  writeSys8(dAddr + 5, <i32>(dHi >> 8) & 0xff);
}

/** Valid bits for a cache entry from access rights. */
export function validFor(ar: i32): i32 {
  if ((ar & 0x10) == 0) return SV_USABLE; // system segment (LDT, TSS)
  if (ar & 0x8) return SV_USABLE | ((ar & 2) ? SV_READ : 0); // code: never writable
  return SV_USABLE | SV_READ | ((ar & 2) ? SV_WRITE : 0);
}

/** Fill the cache of `sr` from the last descriptor read. */
export function cacheFromDesc(sr: i32, sel: i32): void {
  const ar = dAr();
  setSegCache(sr, sel, dBase(), dLimit(), ar, validFor(ar));
}

/** A null selector in a data segment register: loads, but every access through it faults. */
export function loadNull(sr: i32, sel: i32): void {
  setSegCache(sr, sel, 0, 0, 0, 0);
}

/** Real-mode load: base = sel << 4; limit and size bits are kept (as real CPUs do). */
export function loadReal(sr: i32, sel: i32): void {
  const keep = segAccess(sr) & (AR_DB | AR_G);
  setSegCache(sr, sel, (<u32>(sel & 0xffff)) << 4, segLimit(sr), (sr == SR_CS ? 0x9b : 0x93) | keep,
    SV_READ | SV_WRITE | SV_USABLE);
}

/** v86 load: base = sel << 4, limit 0xFFFF, DPL 3 read/write data attributes. */
export function loadV86(sr: i32, sel: i32): void {
  setSegCache(sr, sel, (<u32>(sel & 0xffff)) << 4, 0xffff, 0xf3, SV_READ | SV_WRITE | SV_USABLE);
}

// ---------------------------------------------------------------- data and stack segment loads

/**
 * Load ES/SS/DS/FS/GS with `sel` in the current mode, with every protection check (MOV Sreg, POP
 * Sreg, LxS). Returns false after raising a fault; nothing is changed then.
 */
export function loadSegment(sr: i32, sel: i32): bool {
  sel &= 0xffff;
  const mode = getMode();
  if ((mode & MODE_PROT) == 0) { loadReal(sr, sel); if (sr == SR_SS) refreshMode(); return true; }
  if (mode & MODE_V86) { loadV86(sr, sel); return true; }
  const cpl = getCpl();
  const rpl = sel & 3;
  const err = sel & 0xfffc;
  if (sr == SR_SS) {
    if ((sel & 0xfffc) == 0) { raise(GP, 0); return false; }
    if (!readDesc(sel)) { if (!faulted) raise(GP, err); return false; }
    if (rpl != cpl || !dWritableData() || dDpl() != cpl) { raise(GP, err); return false; }
    if (!dPresent()) { raise(SS, err); return false; }
    markAccessed();
    if (faulted) return false;
    cacheFromDesc(sr, sel);
    refreshMode();
    return true;
  }
  if ((sel & 0xfffc) == 0) { loadNull(sr, sel); return true; }
  if (!readDesc(sel)) { if (!faulted) raise(GP, err); return false; }
  if (!dReadable()) { raise(GP, err); return false; }
  if (!dConforming() && (rpl > dDpl() || cpl > dDpl())) { raise(GP, err); return false; }
  if (!dPresent()) { raise(NP, err); return false; }
  markAccessed();
  if (faulted) return false;
  cacheFromDesc(sr, sel);
  return true;
}

/**
 * After a privilege drop (RET far, IRET to an outer level): data segment registers whose DPL is
 * below the new CPL are nulled, unless they hold a conforming code segment (SDM RET, IRET).
 */
export function nullInaccessible(cpl: i32): void {
  for (let sr = 0; sr < 6; sr++) {
    if (sr == SR_CS || sr == SR_SS) continue;
    const ar = segAccess(sr);
    if ((segValid(sr) & SV_USABLE) == 0) continue;
    const conformingCode = (ar & 0x1c) == 0x1c;
    if (!conformingCode && ((ar >> 5) & 3) < cpl) loadNull(sr, 0);
  }
}

/** Load CS from the last descriptor read with RPL = cpl, and make `cpl` current. */
export function commitCs(sel: i32, cpl: i32): void {
  cacheFromDesc(SR_CS, (sel & 0xfffc) | cpl);
  store<i32>(STATE + S_CPL, cpl);
  setCplMasks(cpl);
  refreshMode();
}

// ---------------------------------------------------------------- snapshot for multi-step transfers

const SNAP_SIZE: i32 = 0x200;
const snap: usize = memory.data(0x200, 16);
/** False once a task switch has passed its commit point: faults then stay in the new task. */
export let snapLive: bool = false;

export function saveState(): void {
  memory.copy(snap, STATE, SNAP_SIZE);
  snapLive = true;
}
export function dropSnapshot(): void { snapLive = false; }
/** Undo everything since saveState() (if a task switch has not committed since). */
export function restoreState(): void {
  if (!snapLive) return;
  memory.copy(STATE, snap, SNAP_SIZE);
  snapLive = false;
  setCplMasks(getCpl());
  refreshMode();
}
