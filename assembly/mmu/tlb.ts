/**
 * The TLB: one i32 per 4 KiB virtual page, 2^20 entries at TLB in linear memory.
 *
 *   31                        12 11      7   6    5     4     3     2     1     0
 *  +----------------------------+-------+----+-----+-----+-----+-----+-----+-----+
 *  | host address of the page   |  0    | NX | GLB | ANY | CODE| RO  | NOU | VAL |
 *  +----------------------------+-------+----+-----+-----+-----+-----+-----+-----+
 *
 * VAL   the entry is filled.             NOU  user-mode (CPL 3) accesses must take the slow path.
 * RO    writes must take the slow path (read-only for user, or the dirty bit is not yet set).
 * CODE  the page holds compiled code: writes take the slow path (JIT invalidation).
 * ANY   set in every filled entry (tlbSet adds it). The masks include it only while every data
 *       access must take the slow path: then (e & mask) == VAL fails for every entry. That is the
 *       case while a data breakpoint is enabled in DR7 or alignment checking is armed (CR0.AM,
 *       EFLAGS.AC, CPL 3): access.ts checks both in the slow path (cpu/debug.ts).
 * GLB   global page (CR4.PGE): survives CR3 writes.   NX: no instruction fetch.
 *
 * Fast path (access.ts): e = tlb[lin >>> 12]; if ((e & mask) == VAL) host = (e & ~0xFFF) | (lin & 0xFFF).
 * `readMask` and `writeMask` depend on CPL (and ANY on the debug/alignment state) and are updated
 * by setCplMasks(), which every CPL, CR0 (refreshMode), EFLAGS.AC (flags.ts setEflagsBits) and DR7
 * change calls. Pages outside guest RAM are never cached, so every access to them walks and reaches
 * the physical slow path. Instruction fetch does not use the masks.
 * A side list of filled entries makes a flush cost O(entries used) (overflow: wipe all).
 */
import { TLB, TLB_LIST, TLB_LIST_MAX, STATE, S_CR0, S_EFLAGS } from "../gen/layout";

export const T_VALID = 1, T_NOUSER = 2, T_READONLY = 4, T_CODE = 8, T_ANY = 16, T_GLOBAL = 32, T_NX = 64;

export let readMask: u32 = T_VALID;
export let writeMask: u32 = T_VALID | T_READONLY | T_CODE;
/** Fetch cache: ((page << 1) | 1) of the page in fetchHost, 0 when invalid. */
export let fetchTag: u32 = 0;
export let fetchHost: usize = 0;
let listCount: i32 = 0;
let listOverflow: bool = false;

/** ACC_USER (4) when CPL is 3: the #PF error code's U/S bit for ordinary accesses. */
export let accUser: i32 = 0;

/** Alignment checking is armed: CR0.AM, EFLAGS.AC and CPL 3 (SDM vol. 3, 6.15 #AC). */
export let acArmed: bool = false;
/** A data breakpoint is enabled in DR7 (set by cpu/debug.ts refreshDebug()). */
export let dataBpArmed: bool = false;
/** Either of the two: the slow path checks them. */
export let slowChecks: bool = false;

export function setDataBpArmed(on: bool, cpl: i32): void {
  dataBpArmed = on;
  setCplMasks(cpl);
}

export function setCplMasks(cpl: i32): void {
  const user: u32 = cpl == 3 ? T_NOUSER : 0;
  accUser = cpl == 3 ? 4 : 0;
  acArmed = cpl == 3 && (load<u32>(STATE + S_CR0) & (1 << 18)) != 0 && (load<u32>(STATE + S_EFLAGS) & (1 << 18)) != 0;
  slowChecks = acArmed || dataBpArmed;
  const any: u32 = slowChecks ? T_ANY : 0;
  readMask = T_VALID | user | any;
  writeMask = T_VALID | T_READONLY | T_CODE | user | any;
}

export function setFetchCache(page: u32, host: usize): void {
  fetchTag = (page << 1) | 1;
  fetchHost = host;
}

export function clearFetchCache(): void { fetchTag = 0; }

// @ts-ignore: decorator
@inline export function tlbGet(lin: u32): u32 { return load<u32>(TLB + ((lin >>> 12) << 2)); }

export function tlbSet(lin: u32, entry: u32): void {
  const p = TLB + ((lin >>> 12) << 2);
  if (load<u32>(p) == 0) {
    if (listCount < <i32>TLB_LIST_MAX) {
      store<u32>(TLB_LIST + (listCount << 2), lin >>> 12);
      listCount++;
    } else {
      listOverflow = true;
    }
  }
  store<u32>(p, entry | T_ANY);
}

export function tlbFlushPage(lin: u32): void {
  store<u32>(TLB + ((lin >>> 12) << 2), 0);
  fetchTag = 0;
}

/** Flush every entry, or every non-global one (CR3 write with CR4.PGE). */
export function tlbFlush(keepGlobal: bool): void {
  fetchTag = 0;
  if (listOverflow) {
    if (!keepGlobal) {
      memory.fill(TLB, 0, 4 << 20);
      listCount = 0;
      listOverflow = false;
      return;
    }
    // Rebuild the list from a full scan, keeping global entries.
    listCount = 0;
    listOverflow = false;
    for (let vpn: u32 = 0; vpn < (1 << 20); vpn++) {
      const p = TLB + (vpn << 2);
      const e = load<u32>(p);
      if (e == 0) continue;
      if ((e & T_GLOBAL) == 0) { store<u32>(p, 0); continue; }
      if (listCount < <i32>TLB_LIST_MAX) { store<u32>(TLB_LIST + (listCount << 2), vpn); listCount++; }
      else listOverflow = true;
    }
    return;
  }
  let kept = 0;
  for (let i = 0; i < listCount; i++) {
    const vpn = load<u32>(TLB_LIST + (i << 2));
    const p = TLB + (vpn << 2);
    const e = load<u32>(p);
    if (e == 0) continue;
    if (keepGlobal && (e & T_GLOBAL) != 0) {
      store<u32>(TLB_LIST + (kept << 2), vpn);
      kept++;
    } else {
      store<u32>(p, 0);
    }
  }
  listCount = kept;
}

export function tlbUsed(): i32 { return listCount; }

/**
 * A page just got compiled code (assembly/jit/cache.ts): add T_CODE to the entries that map host
 * page `host`, so guest writes through them take the slow path. Nothing else changes (a flush
 * would drop stale translations the architecture lets the guest rely on until it flushes).
 */
export function tlbMarkCode(host: u32): void {
  if (listOverflow) {
    for (let vpn: u32 = 0; vpn < (1 << 20); vpn++) {
      const p = TLB + (vpn << 2);
      const e = load<u32>(p);
      if (e != 0 && (e & ~0xfff) == host) store<u32>(p, e | T_CODE);
    }
    return;
  }
  for (let i = 0; i < listCount; i++) {
    const p = TLB + (load<u32>(TLB_LIST + (i << 2)) << 2);
    const e = load<u32>(p);
    if (e != 0 && (e & ~0xfff) == host) store<u32>(p, e | T_CODE);
  }
}
