/**
 * The code cache (docs/jit.md): entries keyed by (physical address, EIP, state key), found through
 * a hash of the physical address, each holding a hotness count or the table index of the compiled
 * function. Compiled entries are also linked per physical RAM page, so a write to a page that holds
 * code (TLB entries of such pages carry T_CODE, so guest writes take the slow path) invalidates
 * exactly the blocks whose bytes it touches. When the entry pool is full the whole cache is dropped
 * and JIT_EPOCH tells the host its table slots are free again.
 *
 *   entry (JE offsets): PHYS EIP KEY | FN (table index, 0 = not compiled) | COUNT (hotness, -1 = never)
 *                       LEN (bytes, u16) ICOUNT (instructions, u16) | NEXT_HASH | NEXT_PAGE (index + 1 links)
 *
 * While an entry is compiled (FN != 0) its COUNT word holds the SPAN instead: the page offsets
 * [lo, hi) (lo | hi << 16) of all the code its region function may run, so a write to any block of
 * a region stops every entry into that region.
 */
import {
  STATE, RAM_BASE, S_JIT_PAGES, S_JIT_EPOCH, S_JIT_INVALIDATIONS, S_JIT_FLUSHES, S_RAM_SIZE,
  JIT_BUCKETS, JIT_BUCKET_COUNT, JIT_ENTRIES, JIT_ENTRY_SIZE, JIT_ENTRY_MAX,
  JE_PHYS, JE_EIP, JE_KEY, JE_FN, JE_COUNT, JE_LEN, JE_ICOUNT, JE_NEXT_HASH, JE_NEXT_PAGE,
} from "../gen/layout";
import { tlbMarkCode } from "../mmu/tlb";

let entryNext: i32 = 1;
const JE_SPAN = JE_COUNT;
/** Set when an invalidation happened; compiled code checks it after writes that took the slow path (SMC bail). */
export let jitInvalidated: bool = false;
export function clearInvalidated(): void { jitInvalidated = false; }

// @ts-ignore: decorator
@inline export function entryAddr(idx: i32): usize { return <usize>(JIT_ENTRIES + <u32>idx * JIT_ENTRY_SIZE); }
// @ts-ignore: decorator
@inline function bucketAddr(phys: u32): usize {
  const h = (phys ^ (phys >>> 15)) & (JIT_BUCKET_COUNT - 1);
  return JIT_BUCKETS + (h << 2);
}
// @ts-ignore: decorator
@inline function pageHeadAddr(phys: u32): usize { return load<u32>(STATE + S_JIT_PAGES) + ((phys >>> 12) << 2); }

export function lookup(phys: u32, eip: u32, key: u32): i32 {
  let idx = load<i32>(bucketAddr(phys));
  while (idx != 0) {
    const e = entryAddr(idx);
    if (load<u32>(e + JE_PHYS) == phys && load<u32>(e + JE_EIP) == eip && load<u32>(e + JE_KEY) == key) return idx;
    idx = load<i32>(e + JE_NEXT_HASH);
  }
  return 0;
}

export function insert(phys: u32, eip: u32, key: u32): i32 {
  if (entryNext >= <i32>JIT_ENTRY_MAX) flushAll();
  const idx = entryNext++;
  const e = entryAddr(idx);
  const b = bucketAddr(phys);
  store<u32>(e + JE_PHYS, phys);
  store<u32>(e + JE_EIP, eip);
  store<u32>(e + JE_KEY, key);
  store<i32>(e + JE_FN, 0);
  store<i32>(e + JE_COUNT, 0);
  store<u32>(e + JE_LEN, 0); // LEN and ICOUNT
  store<i32>(e + JE_NEXT_HASH, load<i32>(b));
  store<i32>(e + JE_NEXT_PAGE, 0);
  store<i32>(b, idx);
  return idx;
}

/** Drop every entry (pool full, reset, or the host asked). */
export function flushAll(): void {
  const pages = load<u32>(STATE + S_JIT_PAGES);
  if (pages != 0) {
    for (let i = 1; i < entryNext; i++) {
      const e = entryAddr(i);
      if (load<i32>(e + JE_FN) != 0) store<u32>(pageHeadAddr(load<u32>(e + JE_PHYS)), 0);
    }
  }
  memory.fill(JIT_BUCKETS, 0, JIT_BUCKET_COUNT << 2);
  entryNext = 1;
  store<i32>(STATE + S_JIT_EPOCH, load<i32>(STATE + S_JIT_EPOCH) + 1);
  store<i32>(STATE + S_JIT_FLUSHES, load<i32>(STATE + S_JIT_FLUSHES) + 1);
}

/**
 * The host compiled entry `idx` into table slot `fn` (0: it could not; the entry is never
 * requested again until the cache is dropped). The block covers `len` bytes, `icount` instructions;
 * `span` is the region's code range in the page (SPAN above).
 */
export function install(idx: i32, fn: i32, len: i32, icount: i32, span: i32): void {
  const e = entryAddr(idx);
  if (fn == 0) { store<i32>(e + JE_COUNT, -1); return; }
  const linked = load<i32>(e + JE_FN) != 0;
  store<i32>(e + JE_FN, fn);
  store<u16>(e + JE_LEN, <u16>len);
  store<u16>(e + JE_ICOUNT, <u16>icount);
  store<i32>(e + JE_SPAN, span);
  if (linked) return;
  const h = pageHeadAddr(load<u32>(e + JE_PHYS));
  const first = load<i32>(h) == 0;
  store<i32>(e + JE_NEXT_PAGE, load<i32>(h));
  store<i32>(h, idx);
  // A new code page: TLB entries filled before lack T_CODE, so guest writes would skip invalidation.
  if (first) tlbMarkCode(RAM_BASE + (load<u32>(e + JE_PHYS) & ~0xfff));
}

/** T_CODE (tlb.ts) for a TLB fill of physical page `pa` when it holds compiled code. */
// @ts-ignore: decorator
@inline export function codeBit(pa: u32): u32 {
  const pages = load<u32>(STATE + S_JIT_PAGES);
  return pages != 0 && load<i32>(pages + ((pa >>> 12) << 2)) != 0 ? 8 : 0;
}

/** A write of `size` bytes at RAM physical address `pa` (one page): invalidate the compiled code it touches. */
// @ts-ignore: decorator
@inline export function jitWriteHook(pa: u32, size: i32): void {
  const pages = load<u32>(STATE + S_JIT_PAGES);
  if (pages != 0 && load<i32>(pages + ((pa >>> 12) << 2)) != 0) invalidate(pa, size);
}

export function invalidate(pa: u32, size: i32): void {
  const h = pageHeadAddr(pa);
  const end = pa + <u32>size;
  let prev: usize = 0;
  let idx = load<i32>(h);
  while (idx != 0) {
    const e = entryAddr(idx);
    const next = load<i32>(e + JE_NEXT_PAGE);
    const span = load<u32>(e + JE_SPAN);
    const page = load<u32>(e + JE_PHYS) & ~0xfff;
    if (page + (span & 0xffff) < end && page + (span >>> 16) > pa) {
      store<i32>(e + JE_FN, 0);
      store<i32>(e + JE_COUNT, 0);
      store<i32>(e + JE_NEXT_PAGE, 0);
      if (prev == 0) store<i32>(h, next); else store<i32>(prev + JE_NEXT_PAGE, next);
      jitInvalidated = true;
      store<i32>(STATE + S_JIT_INVALIDATIONS, load<i32>(STATE + S_JIT_INVALIDATIONS) + 1);
    } else {
      prev = e;
    }
    idx = next;
  }
}

/** Host writes (Cpu.writePhys, device DMA): invalidate code in [pa, pa + len). */
export function invalidateRange(pa: u32, len: u32): void {
  if (load<u32>(STATE + S_JIT_PAGES) == 0) return;
  const ram = load<u32>(STATE + S_RAM_SIZE);
  let p = pa;
  const end = pa + len;
  while (p < end && p < ram) {
    const pageEnd = (p & ~0xfff) + 0x1000;
    const n = (end < pageEnd ? end : pageEnd) - p;
    jitWriteHook(p, <i32>n);
    p += n;
  }
}

/** The entry for (phys, eip, key), created if absent (the host adds a region's other blocks). */
export function entryFor(phys: u32, eip: u32, key: u32): i32 {
  const idx = lookup(phys, eip, key);
  return idx != 0 ? idx : insert(phys, eip, key);
}
