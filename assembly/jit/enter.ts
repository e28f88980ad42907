/**
 * Entering compiled code (docs/jit.md). At a block boundary the run loop calls jitEnter(): it maps
 * EIP to a physical address without walking (fetch cache or TLB), computes the state key the code
 * must have been specialised for, and either calls the compiled function (call_indirect into the
 * table the host fills) or counts hotness and asks the host to compile (exit JIT).
 *
 * A compiled function (an entry into a region function, host/jit/compiler.ts) takes the number of
 * instructions it may run (capped at JIT_MAX_LEFT so the result cannot overflow) and returns
 * (instructions << 4) | status:
 *   status 0  the block ran to its end (or bailed after a write invalidated code); EIP is stored
 *   status 1  its last (generic) instruction faulted or asked for an exit: the run loop finishes it
 *             as step() would, from jitInsnStart/jitEspStart (set by jitSetup)
 *   status 2  bail: the instruction at EIP has an access off the inline TLB path; the run loop runs
 *             it (and the rest of its block) in the interpreter
 * Registers, EFLAGS and the lazy-flags record are in the state block whenever it returns.
 *
 * State key: MODE bits (code/stack size, protected, v86, paging) | CPL 3 << 5 | flat << 6, where
 * flat means ES, SS and DS have base 0, full 4 GiB ranges and read/write access, | CS limit 4 GiB << 7.
 */
import {
  STATE, EXIT, S_EIP, S_EFLAGS, S_JIT_MODE, S_JIT_THRESHOLD, S_JIT_RUNS, S_JIT_LAST_SLOT, S_MMIO_COUNT, S_RAM_SIZE, RAM_BASE,
  X_JIT_PHYS, X_JIT_EIP, X_JIT_KEY, X_JIT_ENTRY, EXIT_JIT,
  JE_FN, JE_COUNT, JE_LEN, JE_ICOUNT,
} from "../gen/layout";
import { getMode, getCpl, segBase, segLimit, segCheckLo, segCheckHi, segValid, reg32, SR_CS, SR_ES, SR_SS, SR_DS, ESP } from "../cpu/state";
import { fetchTag, fetchHost, tlbGet, readMask, accUser, T_VALID, T_NX } from "../mmu/tlb";
import { translate, ACC_FETCH } from "../mmu/paging";
import { faulted, clearFault } from "../cpu/fault";
import { requestExit } from "../cpu/exits";
import { loadDecode } from "../cpu/decode";
import { setInstrStart, runExecuted, setRunExecuted } from "../cpu/progress";
import { TF } from "../cpu/flags";
import { lookup, insert, entryAddr, clearInvalidated } from "./cache";

/** Start EIP and ESP of the instruction compiled code is executing (for the run loop's rewind). */
export let jitInsnStart: u32 = 0;
export let jitEspStart: i32 = 0;
let runBase: i32 = 0;
/**
 * Set when the code at EIP can never be compiled (an instruction crossing a page, or one the core
 * rejects): the run loop checks again after interpreting that one instruction, so the rest of its
 * block (in the next page) can run compiled instead of interpreted up to the next block end.
 */
export let jitRetry: bool = false;
export function clearJitRetry(): void { jitRetry = false; }
const JIT_MAX_LEFT: i32 = 1 << 16;

export function stateKey(): u32 {
  let k = <u32>(getMode() & 0x1f);
  if (getCpl() == 3) k |= 32;
  const base = segBase(SR_ES) | segBase(SR_SS) | segBase(SR_DS);
  const lo = segCheckLo(SR_ES) | segCheckLo(SR_SS) | segCheckLo(SR_DS);
  const hi = segCheckHi(SR_ES) & segCheckHi(SR_SS) & segCheckHi(SR_DS);
  const v = segValid(SR_ES) & segValid(SR_SS) & segValid(SR_DS);
  if ((base | lo) == 0 && hi == 0xffffffff && (v & 3) == 3) k |= 64;
  if (segLimit(SR_CS) == 0xffffffff) k |= 128;
  return k;
}

/**
 * Run compiled code at EIP if there is some: returns its result, or -1 (nothing ran; maybe exit JIT
 * requested). `count`: a block boundary, where hotness is counted (else only compiled code runs,
 * except in forced mode).
 */
export function jitEnter(left: i32, count: bool): i32 {
  const mode = load<i32>(STATE + S_JIT_MODE);
  if (mode == 0) return -1;
  if (mode == 2) count = true; // forced: every address is compiled before it runs
  if ((load<i32>(STATE + S_EFLAGS) & TF) != 0 || load<i32>(STATE + S_MMIO_COUNT) != 0) return -1;
  const eip = load<u32>(STATE + S_EIP);
  const lin = segBase(SR_CS) + eip;
  let pa: u32;
  if ((((lin >>> 12) << 1) | 1) == fetchTag) {
    pa = <u32>(fetchHost - RAM_BASE);
  } else {
    const e = tlbGet(lin);
    if ((e & (readMask | T_NX)) == T_VALID) {
      pa = <u32>((e & ~0xfff) - RAM_BASE);
    } else {
      // The walk the instruction fetch would do next anyway (same A-bit side effects); a fault is
      // left for the interpreter to raise.
      if (eip > segLimit(SR_CS)) return -1;
      const p = translate(lin, ACC_FETCH | accUser);
      if (faulted) { clearFault(); return -1; }
      pa = p & ~0xfff;
    }
  }
  if (pa >= load<u32>(STATE + S_RAM_SIZE)) return -1;
  const phys = pa + (lin & 0xfff);
  const key = stateKey();
  let idx = lookup(phys, eip, key);
  if (idx == 0) {
    if (!count) return -1;
    idx = insert(phys, eip, key);
    if (idx == 0) return -1;
  }
  const e = entryAddr(idx);
  const fn = load<i32>(e + JE_FN);
  if (fn != 0) {
    if (<i32>load<u16>(e + JE_ICOUNT) > left) return -1;
    if (<u64>eip + <u64>load<u16>(e + JE_LEN) - 1 > <u64>segLimit(SR_CS)) return -1;
    clearInvalidated();
    store<i32>(STATE + S_JIT_RUNS, load<i32>(STATE + S_JIT_RUNS) + 1);
    store<i32>(STATE + S_JIT_LAST_SLOT, fn);
    runBase = runExecuted;
    const r = call_indirect<i32>(<u32>fn, left < JIT_MAX_LEFT ? left : JIT_MAX_LEFT);
    setRunExecuted(runBase);
    return r;
  }
  let c = load<i32>(e + JE_COUNT);
  if (c < 0) { jitRetry = true; return -1; }
  if (!count) return -1;
  c++;
  store<i32>(e + JE_COUNT, c);
  if (mode == 2 || c >= load<i32>(STATE + S_JIT_THRESHOLD)) {
    store<u32>(EXIT + X_JIT_PHYS, phys);
    store<u32>(EXIT + X_JIT_EIP, eip);
    store<u32>(EXIT + X_JIT_KEY, key);
    store<i32>(EXIT + X_JIT_ENTRY, idx);
    requestExit(EXIT_JIT, false);
  }
  return -1;
}

/**
 * Compiled code's generic path, before calling an interpreter handler: the decode state the
 * handler reads, EIP = the next instruction, and the rewind point. `packed`:
 *   bits 0-8 opcode (0x100 | byte for 0F), 9-16 ModRM byte, 17 os32, 18 as32, 19-21 segment
 *   override (7 = none), 22-23 REP (0, 1 = F3, 2 = F2), 24 LOCK, 25 the EA base is ESP,
 *   26 ModRM names a register, 27-29 the effective address's segment.
 * `k` is the instruction's index in the block (RDTSC sees the same count as in the interpreter).
 */
export function jitSetup(packed: i32, ea: u32, i1: i32, i2: i32, start: u32, next: u32, k: i32): void {
  loadDecode(packed, ea, i1, i2, start);
  setInstrStart(start);
  jitInsnStart = start;
  jitEspStart = reg32(ESP);
  store<u32>(STATE + S_EIP, next);
  setRunExecuted(runBase + k);
}
