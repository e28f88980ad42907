/**
 * Debug registers (SDM vol. 3, 18.2-18.3) and the alignment-check test.
 *
 * - Instruction breakpoints (DR7 RW=00): faults, checked by run.ts step() before an instruction,
 *   only while DR7 enables one (`execBps`, recomputed on DR7 writes), and not when EFLAGS.RF=1.
 * - Data breakpoints (RW=01 write, RW=11 read or write; LEN 1, 2, 4 or 8 bytes, the address aligned
 *   down to the length): while one is enabled, tlb.ts forces every data access onto the slow path
 *   (the ANY bit), which calls dataAccess(); hits are collected in `trapBits` and step() raises the
 *   #DB trap after the instruction completes. Implicit supervisor accesses (descriptor tables, TSS,
 *   IDT) and instruction fetches are not matched. RW=10 (I/O, CR4.DE) is not implemented.
 * - DR7.GD (general detect, ops/system.ts) and the TSS T flag (task.ts) set DR6.BD / DR6.BT.
 * - DR6: a breakpoint hit replaces B0-B3 with the breakpoints that matched (the SDM allows clearing
 *   them); BD, BS and BT are only ever set by the processor.
 * - Alignment check (#AC(0), SDM vol. 3, 6.15 and table 6-7): armed by CR0.AM, EFLAGS.AC and CPL 3
 *   (tlb.ts acArmed); a word access must be 2-aligned, a dword 4-aligned; checked in the slow path
 *   for CPL-3 data accesses only (never for implicit supervisor accesses).
 */
import { STATE, S_DR, S_CPL } from "../gen/layout";
import { setDataBpArmed } from "../mmu/tlb";

export const DR6_BD = 0x2000, DR6_BS = 0x4000, DR6_BT = 0x8000;
export const DR7_GD = 0x2000;
const DR6 = 24, DR7 = 28;

/** Bit n: breakpoint n is enabled (Ln or Gn) as an instruction breakpoint. */
export let execBps: i32 = 0;
/** Bit n: breakpoint n is enabled as a data breakpoint (write, or read/write). */
let dataBps: i32 = 0;
/** DR6 bits of debug traps pending after the current instruction: B0-B3 (data hits), BT. */
export let trapBits: i32 = 0;

// @ts-ignore: decorator
@inline export function clearTrapBits(): void { trapBits = 0; }
export function addTrapBits(bits: i32): void { trapBits |= bits; }

// @ts-ignore: decorator
@inline function dr(n: i32): u32 { return load<u32>(STATE + S_DR + (n << 2)); }

/** Recompute the enabled-breakpoint sets after DR7 changes (MOV DR7, task switch, host edits). */
export function refreshDebug(): void {
  const dr7 = dr(7);
  let ex = 0, da = 0;
  for (let n = 0; n < 4; n++) {
    if (((dr7 >> (n << 1)) & 3) == 0) continue;
    const rw = (dr7 >> (16 + (n << 2))) & 3;
    if (rw == 0) ex |= 1 << n;
    else if (rw != 2) da |= 1 << n;
  }
  execBps = ex;
  dataBps = da;
  setDataBpArmed(da != 0, load<i32>(STATE + S_CPL));
}

/** Breakpoint length in bytes from DR7.LENn: 00 = 1, 01 = 2, 11 = 4, 10 = 8. */
function bpLen(dr7: u32, n: i32): u32 {
  const l = (dr7 >> (18 + (n << 2))) & 3;
  return l == 0 ? 1 : (l == 1 ? 2 : (l == 3 ? 4 : 8));
}

/** The enabled instruction breakpoints whose address is `lin` (the instruction's first byte). */
export function execHits(lin: u32): i32 {
  let hits = 0;
  for (let n = 0; n < 4; n++) if ((execBps & (1 << n)) != 0 && dr(n) == lin) hits |= 1 << n;
  return hits;
}

/** Match a completed data access of `size` bytes at `lin` against the enabled data breakpoints. */
export function dataAccess(lin: u32, size: u32, write: bool): void {
  if (dataBps == 0) return;
  const dr7 = dr(7);
  for (let n = 0; n < 4; n++) {
    if ((dataBps & (1 << n)) == 0) continue;
    if (!write && ((dr7 >> (16 + (n << 2))) & 3) != 3) continue;
    const len = bpLen(dr7, n);
    const a = dr(n) & ~(len - 1);
    if (a - lin < size || lin - a < len) trapBits |= 1 << n; // the two ranges overlap
  }
}

/** Update DR6 for a debug exception: `hits` (B0-B3) replace the old B bits if any; `status` is ORed. */
export function setDr6(hits: i32, status: i32): void {
  let v = dr(6);
  if (hits != 0) v = (v & ~0xf) | hits;
  store<u32>(STATE + S_DR + (DR6 as i32), v | status);
}

/** DR7 with GD cleared (on entry to the #DB handler, SDM vol. 3, 18.2.4). */
export function clearGd(): void {
  store<u32>(STATE + S_DR + (DR7 as i32), dr(7) & ~DR7_GD);
}
