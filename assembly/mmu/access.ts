/**
 * Guest memory accesses: linear (through the TLB) and segmented (limit and type checks first).
 *
 * Fast path: one TLB load, one mask-and-compare, one in-page test, then a direct load or store on
 * guest RAM in linear memory. Everything else (TLB miss, user/read-only/code pages, page-crossing
 * accesses, memory outside RAM) goes to the *Slow functions, which walk the page tables.
 * A page-crossing write translates both pages before writing anything, so a #PF on the second page
 * leaves the first untouched. On a fault, reads return 0 and writes do nothing; callers check
 * `faulted` before committing (fault.ts).
 */
import { RAM_BASE } from "../gen/layout";
import { physRead, physWrite } from "./phys";
import { jitWriteHook } from "../jit/cache";
import { faulted, raise, GP, SS, AC } from "../cpu/fault";
import { dataAccess } from "../cpu/debug";
import { segBase, segCheckLo, segCheckHi, segValid, SV_READ, SV_WRITE, SR_SS } from "../cpu/state";
import { tlbGet, readMask, writeMask, accUser, acArmed, slowChecks, T_VALID } from "./tlb";
import { translate, ramSize, ACC_WRITE, ACC_USER, ACC_IMPLICIT } from "./paging";

// ---------------------------------------------------------------- physical (outside the TLB)

export function physRead8(pa: u32): i32 { return pa < ramSize() ? <i32>load<u8>(RAM_BASE + pa) : physRead(pa, 1); }
export function physWrite8(pa: u32, v: i32): void {
  if (pa < ramSize()) { jitWriteHook(pa, 1); store<u8>(RAM_BASE + pa, v); } else physWrite(pa, 1, v);
}

// ---------------------------------------------------------------- linear, slow paths

function rd8(lin: u32, acc: i32): i32 {
  const pa = translate(lin, acc);
  if (faulted) return 0;
  return physRead8(pa);
}
function rd16(lin: u32, acc: i32): i32 {
  if ((lin & 0xfff) != 0xfff) {
    const pa = translate(lin, acc);
    return faulted ? 0 : physRead(pa, 2);
  }
  const lo = rd8(lin, acc);
  const hi = rd8(lin + 1, acc);
  return faulted ? 0 : lo | (hi << 8);
}
function rd32(lin: u32, acc: i32): i32 {
  if ((lin & 0xfff) <= 0xffc) {
    const pa = translate(lin, acc);
    if (faulted) return 0;
    return physRead(pa, 4);
  }
  const a = rd16(lin, acc);
  const b = rd16(lin + 2, acc);
  return faulted ? 0 : a | (b << 16);
}

/** Translate both ends of a write of `size` bytes; returns the first physical address. */
let secondPa: u32 = 0;
function translateWrite(lin: u32, size: i32, acc: i32): u32 {
  const pa = translate(lin, acc | ACC_WRITE);
  if (faulted) return 0;
  const end = lin + <u32>(size - 1);
  if (((end ^ lin) >>> 12) != 0) {
    secondPa = translate(end & ~0xfff, acc | ACC_WRITE);
  } else {
    secondPa = pa - (lin & 0xfff) + 0x1000; // unused
  }
  return pa;
}
function wr(lin: u32, size: i32, v: i32, acc: i32): void {
  const pa = translateWrite(lin, size, acc);
  if (faulted) return;
  const crossAt = 0x1000 - <i32>(lin & 0xfff);
  if (crossAt >= size) { physWrite(pa, size, v); return; }
  for (let i = 0; i < size; i++) {
    const b = (v >>> (i << 3)) & 0xff;
    if (i < crossAt) physWrite8(pa + <u32>i, b);
    else physWrite8(secondPa + <u32>(i - crossAt), b);
  }
}

// ---------------------------------------------------------------- slow-path entries from the fast paths
// While tlb.ts `slowChecks` is set (alignment checking armed or a data breakpoint enabled), every
// data access comes here: #AC(0) for a misaligned CPL-3 access (before translation, so it wins
// over #PF), data-breakpoint matching after a successful access (cpu/debug.ts).

function acFault(lin: u32, size: i32, acc: i32): bool {
  if (acArmed && (acc & ACC_USER) != 0 && (lin & <u32>(size - 1)) != 0) { raise(AC, 0); return true; }
  return false;
}
function slowRead8(lin: u32, acc: i32): i32 {
  const v = rd8(lin, acc);
  if (slowChecks && !faulted) dataAccess(lin, 1, false);
  return v;
}
function slowRead16(lin: u32, acc: i32): i32 {
  if (slowChecks && acFault(lin, 2, acc)) return 0;
  const v = rd16(lin, acc);
  if (slowChecks && !faulted) dataAccess(lin, 2, false);
  return v;
}
function slowRead32(lin: u32, acc: i32): i32 {
  if (slowChecks && acFault(lin, 4, acc)) return 0;
  const v = rd32(lin, acc);
  if (slowChecks && !faulted) dataAccess(lin, 4, false);
  return v;
}
function slowWrite(lin: u32, size: i32, v: i32, acc: i32): void {
  if (slowChecks && acFault(lin, size, acc)) return;
  wr(lin, size, v, acc);
  if (slowChecks && !faulted) dataAccess(lin, <u32>size, true);
}

// ---------------------------------------------------------------- linear, fast paths

// @ts-ignore: decorator
@inline export function readLin8(lin: u32): i32 {
  const e = tlbGet(lin);
  if ((e & readMask) == T_VALID) return load<u8>((e & ~0xfff) + (lin & 0xfff));
  return slowRead8(lin, accUser);
}
// @ts-ignore: decorator
@inline export function readLin16(lin: u32): i32 {
  const e = tlbGet(lin);
  if ((e & readMask) == T_VALID && (lin & 0xfff) != 0xfff) return load<u16>((e & ~0xfff) + (lin & 0xfff));
  return slowRead16(lin, accUser);
}
// @ts-ignore: decorator
@inline export function readLin32(lin: u32): i32 {
  const e = tlbGet(lin);
  if ((e & readMask) == T_VALID && (lin & 0xfff) <= 0xffc) return load<i32>((e & ~0xfff) + (lin & 0xfff));
  return slowRead32(lin, accUser);
}
// @ts-ignore: decorator
@inline export function writeLin8(lin: u32, v: i32): void {
  const e = tlbGet(lin);
  if ((e & writeMask) == T_VALID) store<u8>((e & ~0xfff) + (lin & 0xfff), v);
  else slowWrite(lin, 1, v, accUser);
}
// @ts-ignore: decorator
@inline export function writeLin16(lin: u32, v: i32): void {
  const e = tlbGet(lin);
  if ((e & writeMask) == T_VALID && (lin & 0xfff) != 0xfff) store<u16>((e & ~0xfff) + (lin & 0xfff), v);
  else slowWrite(lin, 2, v, accUser);
}
// @ts-ignore: decorator
@inline export function writeLin32(lin: u32, v: i32): void {
  const e = tlbGet(lin);
  if ((e & writeMask) == T_VALID && (lin & 0xfff) <= 0xffc) store<i32>((e & ~0xfff) + (lin & 0xfff), v);
  else slowWrite(lin, 4, v, accUser);
}

/** Probe a linear range for writing (page faults raised now), so a later multi-part write cannot fault. */
export function probeWrite(lin: u32, size: i32): void {
  const e = tlbGet(lin);
  const end = lin + <u32>(size - 1);
  if ((e & writeMask) == T_VALID && ((end ^ lin) >>> 12) == 0) return;
  translateWrite(lin, size, accUser);
}
export function probeRead(lin: u32, size: i32): void {
  const e = tlbGet(lin);
  const end = lin + <u32>(size - 1);
  if ((e & readMask) == T_VALID && ((end ^ lin) >>> 12) == 0) return;
  translate(lin, accUser);
  if (!faulted && ((end ^ lin) >>> 12) != 0) translate(end, accUser);
}

// ---------------------------------------------------------------- supervisor (implicit) accesses
// Descriptor-table, TSS and IDT accesses are supervisor accesses whatever the CPL (SDM 4.6.1).

// Never alignment-checked, and not matched against data breakpoints.

export function readSys8(lin: u32): i32 { return rd8(lin, ACC_IMPLICIT); }
export function readSys16(lin: u32): i32 { return rd16(lin, ACC_IMPLICIT); }
export function readSys32(lin: u32): i32 { return rd32(lin, ACC_IMPLICIT); }
export function writeSys8(lin: u32, v: i32): void { wr(lin, 1, v, ACC_IMPLICIT); }
export function writeSys16(lin: u32, v: i32): void { wr(lin, 2, v, ACC_IMPLICIT); }
export function writeSys32(lin: u32, v: i32): void { wr(lin, 4, v, ACC_IMPLICIT); }

// ---------------------------------------------------------------- segmented

/**
 * Segment checks (SDM vol. 3, 5.3): the offset range [off, off+size-1] must lie in
 * [CHECK_LO, CHECK_HI] and the segment must allow the access. #SS(0) for SS, else #GP(0).
 */
// @ts-ignore: decorator
@inline export function segOk(seg: i32, off: u32, size: u32, need: i32): bool {
  if ((segValid(seg) & need) == need && off >= segCheckLo(seg) && <u64>off + <u64>(size - 1) <= <u64>segCheckHi(seg)) return true;
  raise(seg == SR_SS ? SS : GP, 0);
  return false;
}

// @ts-ignore: decorator
@inline export function read8(seg: i32, off: u32): i32 { return segOk(seg, off, 1, SV_READ) ? readLin8(segBase(seg) + off) : 0; }
// @ts-ignore: decorator
@inline export function read16(seg: i32, off: u32): i32 { return segOk(seg, off, 2, SV_READ) ? readLin16(segBase(seg) + off) : 0; }
// @ts-ignore: decorator
@inline export function read32(seg: i32, off: u32): i32 { return segOk(seg, off, 4, SV_READ) ? readLin32(segBase(seg) + off) : 0; }
// @ts-ignore: decorator
@inline export function write8(seg: i32, off: u32, v: i32): void { if (segOk(seg, off, 1, SV_WRITE)) writeLin8(segBase(seg) + off, v); }
// @ts-ignore: decorator
@inline export function write16(seg: i32, off: u32, v: i32): void { if (segOk(seg, off, 2, SV_WRITE)) writeLin16(segBase(seg) + off, v); }
// @ts-ignore: decorator
@inline export function write32(seg: i32, off: u32, v: i32): void { if (segOk(seg, off, 4, SV_WRITE)) writeLin32(segBase(seg) + off, v); }

/**
 * Read-modify-write: check the segment for writing and probe the page for writing before reading,
 * so the later write cannot fault (an instruction either completes or changes nothing).
 */
export function rmwRead8(seg: i32, off: u32): i32 {
  if (!segOk(seg, off, 1, SV_READ | SV_WRITE)) return 0;
  const lin = segBase(seg) + off;
  probeWrite(lin, 1);
  return faulted ? 0 : readLin8(lin);
}
export function rmwRead16(seg: i32, off: u32): i32 {
  if (!segOk(seg, off, 2, SV_READ | SV_WRITE)) return 0;
  const lin = segBase(seg) + off;
  probeWrite(lin, 2);
  return faulted ? 0 : readLin16(lin);
}
export function rmwRead32(seg: i32, off: u32): i32 {
  if (!segOk(seg, off, 4, SV_READ | SV_WRITE)) return 0;
  const lin = segBase(seg) + off;
  probeWrite(lin, 4);
  return faulted ? 0 : readLin32(lin);
}
/**
 * Alignment check for an operand wider than one access (m64 of CMPXCHG8B: 8 bytes, SDM table 6-7),
 * which the per-access check in the slow path would only see as two dwords. Raises #AC(0).
 */
export function alignOk(seg: i32, off: u32, size: i32): bool {
  if (acArmed && ((segBase(seg) + off) & <u32>(size - 1)) != 0) { raise(AC, 0); return false; }
  return true;
}
/** Check that a write of `size` bytes at seg:off would succeed (segment and paging), raising if not. */
export function checkWrite(seg: i32, off: u32, size: i32): bool {
  if (!segOk(seg, off, <u32>size, SV_WRITE)) return false;
  probeWrite(segBase(seg) + off, size);
  return !faulted;
}
export function checkRead(seg: i32, off: u32, size: i32): bool {
  if (!segOk(seg, off, <u32>size, SV_READ)) return false;
  probeRead(segBase(seg) + off, size);
  return !faulted;
}
