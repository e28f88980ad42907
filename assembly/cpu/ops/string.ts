/**
 * String instructions (SDM vol. 2: MOVS, CMPS, STOS, LODS, SCAS; REP/REPE/REPNE): A4-A7, AA-AF.
 *
 * Source DS:eSI (the segment override applies to it), destination ES:eDI (never overridable).
 * The address size picks SI/DI/CX or ESI/EDI/ECX (16-bit forms wrap and keep the upper halves);
 * EFLAGS.DF picks the direction. REP (F3 or F2) repeats while eCX != 0; for CMPS/SCAS, F3 is REPE
 * (stop when ZF=0) and F2 is REPNE (stop when ZF=1). A count of 0 does nothing at all.
 *
 * Restartability: each completed iteration (or fast chunk) commits eSI/eDI/eCX at once, so a fault
 * in the middle leaves the registers describing the completed part and EIP at the instruction
 * (step() rewinds it); resuming finishes the rest. One step() runs at most REP_MAX one-element
 * iterations or REP_FAST_BYTES bytes of fast chunks (a few microseconds either way); if work
 * remains it leaves EIP at the instruction, so the run loop can stop (budget, host events,
 * interrupts) between chunks and the next step continues. Each such chunk counts as one instruction.
 *
 * Fast paths: within one page on each side, with the TLB entries valid for the access and the
 * segment checks passing for the whole chunk, REP MOVS uses memory.copy (or an element loop when
 * the destination overlaps ahead of the source in the copy direction, which must replicate like
 * the architectural element-by-element copy), REP STOS uses memory.fill or a store loop, and
 * REPE/REPNE CMPS/SCAS compare in a host-address loop. Anything else takes one ordinary iteration
 * through the checked memory helpers, which also fills the TLB for the next fast chunk.
 */
import { as32, os32, repPrefix, opcode, dataSeg, insnStart } from "../decode";
import {
  reg8, setReg8, reg16, setReg16, reg32, setReg32, EAX, ECX, ESI, EDI, SR_ES, setEip,
  segBase, segValid, segCheckLo, segCheckHi, SV_READ, SV_WRITE,
} from "../state";
import { faulted } from "../fault";
import { rawEflags, setRawEflags, DF, RF, setLazy, getZF, L_SUB } from "../flags";
import { read8, read16, read32, write8, write16, write32 } from "../../mmu/access";
import { tlbGet, readMask, writeMask, T_VALID } from "../../mmu/tlb";

/** Iterations one step() may run before it yields with EIP left at the instruction. */
const REP_MAX: u32 = 4096;
/** Bytes of fast (memory.copy / fill / host-loop) chunks one step() may run: 16 pages. */
const REP_FAST_BYTES: u32 = 65536;

// ---------------------------------------------------------------- registers and operands

// @ts-ignore: decorator
@inline function elemSize(): u32 { return (opcode & 1) == 0 ? 1 : (os32 ? 4 : 2); }
// @ts-ignore: decorator
@inline function forward(): bool { return (rawEflags() & DF) == 0; }
// @ts-ignore: decorator
@inline function sizeCode(s: u32): i32 { return s == 1 ? 0 : (s == 2 ? 1 : 2); }
// @ts-ignore: decorator
@inline function idx(r: i32): u32 { return as32 ? <u32>reg32(r) : <u32>reg16(r); }
// @ts-ignore: decorator
@inline function setIdx(r: i32, v: u32): void { if (as32) setReg32(r, v); else setReg16(r, v); }
/** Advance eSI or eDI by `n` elements in the DF direction. */
// @ts-ignore: decorator
@inline function advance(r: i32, v: u32, n: u32, s: u32, fwd: bool): void { setIdx(r, fwd ? v + n * s : v - n * s); }
// @ts-ignore: decorator
@inline function acc(s: u32): i32 { return s == 1 ? reg8(EAX) : (s == 2 ? reg16(EAX) : reg32(EAX)); }
// @ts-ignore: decorator
@inline function setAcc(s: u32, v: i32): void {
  if (s == 1) setReg8(EAX, v); else if (s == 2) setReg16(EAX, v); else setReg32(EAX, v);
}
// @ts-ignore: decorator
@inline function rd(seg: i32, off: u32, s: u32): i32 {
  return s == 1 ? read8(seg, off) : (s == 2 ? read16(seg, off) : read32(seg, off));
}
// @ts-ignore: decorator
@inline function wr(seg: i32, off: u32, v: i32, s: u32): void {
  if (s == 1) write8(seg, off, v); else if (s == 2) write16(seg, off, v); else write32(seg, off, v);
}
// @ts-ignore: decorator
@inline function hostLoad(h: usize, s: u32): u32 {
  return s == 1 ? <u32>load<u8>(h) : (s == 2 ? <u32>load<u16>(h) : load<u32>(h));
}
// @ts-ignore: decorator
@inline function hostStore(h: usize, v: u32, s: u32): void {
  if (s == 1) store<u8>(h, v); else if (s == 2) store<u16>(h, v); else store<u32>(h, v);
}
// @ts-ignore: decorator
@inline function count(): u32 { return as32 ? <u32>reg32(ECX) : <u32>reg16(ECX); }
// @ts-ignore: decorator
@inline function setCount(v: u32): void { if (as32) setReg32(ECX, v); else setReg16(ECX, v); }

/**
 * After a chunk: commit the count; if work remains, leave EIP at the instruction and set EFLAGS.RF,
 * as the SDM (vol. 3, 18.3.1.1) has an interrupt or trap between iterations push RF=1: the next
 * chunk does not re-trigger an instruction breakpoint (run.ts clears RF when it starts).
 */
// @ts-ignore: decorator
@inline function yieldRest(n: u32): void {
  setCount(n);
  if (n != 0) { setEip(insnStart); setRawEflags(rawEflags() | RF); }
}
/** REPE/REPNE termination after a CMPS/SCAS iteration. */
// @ts-ignore: decorator
@inline function repStop(): bool { return repPrefix == 0xf3 ? !getZF() : getZF(); }

// ---------------------------------------------------------------- fast-path range checks

/** Elements of size s from `lin` (inclusive) to the page edge in the copy direction. */
// @ts-ignore: decorator
@inline function pageRoom(lin: u32, s: u32, fwd: bool): u32 {
  const o = lin & 0xfff;
  if (fwd) return (0x1000 - o) / s;
  return o + s <= 0x1000 ? o / s + 1 : 0;
}

/** Would k elements from offset `off` pass the segment checks, without wrapping the address size? */
function rangeOk(seg: i32, off: u32, k: u32, s: u32, fwd: bool, need: i32): bool {
  let lo: u64, hi: u64;
  if (fwd) {
    lo = <u64>off;
    hi = <u64>off + <u64>(k * s) - 1;
  } else {
    const back = <u64>((k - 1) * s);
    if (<u64>off < back) return false;
    lo = <u64>off - back;
    hi = <u64>off + <u64>s - 1;
  }
  if (!as32 && hi > 0xffff) return false;
  return (segValid(seg) & need) == need && lo >= <u64>segCheckLo(seg) && hi <= <u64>segCheckHi(seg);
}

/** Host address of `lin` if its TLB entry passes `mask`, else 0. */
// @ts-ignore: decorator
@inline function hostOf(lin: u32, mask: u32): usize {
  const e = tlbGet(lin);
  return (e & mask) == T_VALID ? <usize>((e & ~0xfff) + (lin & 0xfff)) : 0;
}

// ---------------------------------------------------------------- MOVS

function movsOne(s: u32, fwd: bool): bool {
  const si = idx(ESI), di = idx(EDI);
  const v = rd(dataSeg(), si, s);
  if (faulted) return false;
  wr(SR_ES, di, v, s);
  if (faulted) return false;
  advance(ESI, si, 1, s, fwd);
  advance(EDI, di, 1, s, fwd);
  return true;
}

/** Host addresses of the source and destination chunk that pairChunk() found. */
let chunkSrc: usize = 0, chunkDst: usize = 0;

/**
 * The two-operand fast-path chunk of MOVS and CMPS (DS:[eSI] and ES:[eDI]): the number of elements,
 * at most `max`, for which both operands stay inside their pages, are cached in the TLB for the
 * access (`dstMask`: writeMask for MOVS, readMask for CMPS) and pass the segment checks; 0 when
 * there is no such chunk of 2 or more (the caller takes the one-element path).
 */
function pairChunk(s: u32, fwd: bool, max: u32, dstMask: u32, dstNeed: i32): u32 {
  const src = dataSeg();
  const si = idx(ESI), di = idx(EDI);
  const sl = segBase(src) + si, dl = segBase(SR_ES) + di;
  let k = pageRoom(sl, s, fwd);
  const k2 = pageRoom(dl, s, fwd);
  if (k2 < k) k = k2;
  if (max < k) k = max;
  if (k < 2) return 0;
  chunkSrc = hostOf(sl, readMask);
  chunkDst = hostOf(dl, dstMask);
  if (chunkSrc == 0 || chunkDst == 0) return 0;
  if (!rangeOk(src, si, k, s, fwd, SV_READ) || !rangeOk(SR_ES, di, k, s, fwd, dstNeed)) return 0;
  return k;
}

function movsFast(s: u32, fwd: bool, max: u32): u32 {
  const k = pairChunk(s, fwd, max, writeMask, SV_WRITE);
  if (k == 0) return 0;
  const hs = chunkSrc, hd = chunkDst;
  const si = idx(ESI), di = idx(EDI);
  const bytes = <usize>(k * s);
  if (fwd) {
    if (hd > hs && hd < hs + bytes) {
      // The destination runs ahead of the source: later elements read earlier writes.
      for (let i: usize = 0; i < bytes; i += s) hostStore(hd + i, hostLoad(hs + i, s), s);
    } else {
      memory.copy(hd, hs, bytes);
    }
  } else {
    const back = bytes - s;
    if (hd < hs && hs - hd < bytes) {
      for (let i: usize = 0; i < bytes; i += s) hostStore(hd - i, hostLoad(hs - i, s), s);
    } else {
      memory.copy(hd - back, hs - back, bytes);
    }
  }
  advance(ESI, si, k, s, fwd);
  advance(EDI, di, k, s, fwd);
  return k;
}

/**
 * The REP driver of MOVS, STOS, SCAS and CMPS: page-sized fast chunks where `fast` can take them,
 * single elements through `one` otherwise; REPE/REPNE termination for the compare forms; at most
 * REP_MAX single elements or REP_FAST_BYTES bytes of chunks per step, after which the instruction
 * yields (yieldRest) and resumes next step.
 */
function repRun(fast: (s: u32, fwd: bool, max: u32) => u32, one: (s: u32, fwd: bool) => bool, compares: bool): void {
  const s = elemSize(), fwd = forward();
  if (repPrefix == 0) { one(s, fwd); return; }
  let n = count();
  let slow = REP_MAX, fastLeft = REP_FAST_BYTES / s;
  while (n != 0) {
    let k = fast(s, fwd, n < fastLeft ? n : fastLeft);
    if (k == 0) {
      if (!one(s, fwd)) { setCount(n); return; }
      k = 1;
      slow--;
    } else {
      fastLeft -= k;
    }
    n -= k;
    if (compares && repStop()) { setCount(n); return; }
    if (slow == 0 || fastLeft == 0) break;
  }
  yieldRest(n);
}

/** A4 MOVSB, A5 MOVSW/MOVSD. */
export function movs(): void { repRun(movsFast, movsOne, false); }

// ---------------------------------------------------------------- STOS

function stosOne(s: u32, fwd: bool): bool {
  const di = idx(EDI);
  wr(SR_ES, di, acc(s), s);
  if (faulted) return false;
  advance(EDI, di, 1, s, fwd);
  return true;
}

function stosFast(s: u32, fwd: bool, max: u32): u32 {
  const di = idx(EDI);
  const dl = segBase(SR_ES) + di;
  let k = pageRoom(dl, s, fwd);
  if (max < k) k = max;
  if (k < 2) return 0;
  const hd = hostOf(dl, writeMask);
  if (hd == 0 || !rangeOk(SR_ES, di, k, s, fwd, SV_WRITE)) return 0;
  const bytes = <usize>(k * s);
  const lo = fwd ? hd : hd - (bytes - s);
  const v = <u32>acc(s);
  const b = v & 0xff;
  if (s == 1 || (s == 2 && v == b * 0x101) || (s == 4 && v == b * 0x01010101)) {
    memory.fill(lo, <u8>b, bytes);
  } else {
    for (let i: usize = 0; i < bytes; i += s) hostStore(lo + i, v, s);
  }
  advance(EDI, di, k, s, fwd);
  return k;
}

/** AA STOSB, AB STOSW/STOSD. */
export function stos(): void { repRun(stosFast, stosOne, false); }

// ---------------------------------------------------------------- LODS

function lodsOne(s: u32, fwd: bool): bool {
  const si = idx(ESI);
  const v = rd(dataSeg(), si, s);
  if (faulted) return false;
  setAcc(s, v);
  advance(ESI, si, 1, s, fwd);
  return true;
}

/** AC LODSB, AD LODSW/LODSD (REP LODS is legal and rare: no fast path). */
export function lods(): void {
  const s = elemSize(), fwd = forward();
  if (repPrefix == 0) { lodsOne(s, fwd); return; }
  let n = count();
  let budget = REP_MAX;
  while (n != 0) {
    if (!lodsOne(s, fwd)) { setCount(n); return; }
    n--;
    if (--budget == 0) break;
  }
  yieldRest(n);
}

// ---------------------------------------------------------------- SCAS

function scasOne(s: u32, fwd: bool): bool {
  const di = idx(EDI);
  const b = rd(SR_ES, di, s);
  if (faulted) return false;
  const a = acc(s);
  setLazy(L_SUB, sizeCode(s), a - b, a, b);
  advance(EDI, di, 1, s, fwd);
  return true;
}

/** Compare within one page on host addresses; stops after the first element meeting the REP condition. */
function scasFast(s: u32, fwd: bool, max: u32): u32 {
  const di = idx(EDI);
  const dl = segBase(SR_ES) + di;
  let k = pageRoom(dl, s, fwd);
  if (max < k) k = max;
  if (k < 2) return 0;
  const hd = hostOf(dl, readMask);
  if (hd == 0 || !rangeOk(SR_ES, di, k, s, fwd, SV_READ)) return 0;
  const a = <u32>acc(s);
  const ne = repPrefix == 0xf2;
  let h = hd;
  let i: u32 = 0, b: u32 = 0;
  while (i < k) {
    b = hostLoad(h, s);
    i++;
    h = fwd ? h + s : h - s;
    if ((b == a) == ne) break;
  }
  setLazy(L_SUB, sizeCode(s), <i32>(a - b), <i32>a, <i32>b);
  advance(EDI, di, i, s, fwd);
  return i;
}

/** AE SCASB, AF SCASW/SCASD: compare eAX with ES:[eDI]. */
export function scas(): void { repRun(scasFast, scasOne, true); }

// ---------------------------------------------------------------- CMPS

function cmpsOne(s: u32, fwd: bool): bool {
  const si = idx(ESI), di = idx(EDI);
  const a = rd(dataSeg(), si, s);
  if (faulted) return false;
  const b = rd(SR_ES, di, s);
  if (faulted) return false;
  setLazy(L_SUB, sizeCode(s), a - b, a, b);
  advance(ESI, si, 1, s, fwd);
  advance(EDI, di, 1, s, fwd);
  return true;
}

function cmpsFast(s: u32, fwd: bool, max: u32): u32 {
  const k = pairChunk(s, fwd, max, readMask, SV_READ);
  if (k == 0) return 0;
  const hs = chunkSrc, hd = chunkDst;
  const si = idx(ESI), di = idx(EDI);
  const ne = repPrefix == 0xf2;
  let i: u32 = 0, a: u32 = 0, b: u32 = 0;
  let off: usize = 0;
  while (i < k) {
    a = hostLoad(fwd ? hs + off : hs - off, s);
    b = hostLoad(fwd ? hd + off : hd - off, s);
    i++;
    off += s;
    if ((a == b) == ne) break;
  }
  setLazy(L_SUB, sizeCode(s), <i32>(a - b), <i32>a, <i32>b);
  advance(ESI, si, i, s, fwd);
  advance(EDI, di, i, s, fwd);
  return i;
}

/** A6 CMPSB, A7 CMPSW/CMPSD: compare DS:[eSI] with ES:[eDI] (flags of source - destination). */
export function cmps(): void { repRun(cmpsFast, cmpsOne, true); }
