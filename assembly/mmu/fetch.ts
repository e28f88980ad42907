/**
 * Instruction fetch from CS:EIP. A one-page fetch cache (tlb.ts fetchTag/fetchHost) makes the common
 * case a tag compare plus a CS limit compare; crossing into a new page re-translates with the
 * instruction-fetch access kind (NX and user checks, SDM 4.6). Each byte is limit-checked (#GP(0)).
 */
import { STATE, S_EIP } from "../gen/layout";
import { segBase, segLimit, SR_CS } from "../cpu/state";
import { raise, faulted, GP } from "../cpu/fault";
import { fetchTag, fetchHost, setFetchCache, accUser } from "./tlb";
import { translate, ramSize, ACC_FETCH } from "./paging";
import { RAM_BASE } from "../gen/layout";
import { romPageHost } from "./phys";

function fetchSlow(lin: u32, eip: u32): i32 {
  if (eip > segLimit(SR_CS)) { raise(GP, 0); return 0; }
  const pa = translate(lin, ACC_FETCH | accUser);
  if (faulted) return 0;
  if (pa >= ramSize()) {
    const rom = romPageHost(pa);
    if (rom == 0) return 0xff; // fetching from MMIO or unmapped space: open bus
    setFetchCache(lin >>> 12, rom);
    return load<u8>(fetchHost + (lin & 0xfff));
  }
  setFetchCache(lin >>> 12, RAM_BASE + (pa & ~0xfff));
  return load<u8>(fetchHost + (lin & 0xfff));
}

// @ts-ignore: decorator
@inline export function fetch8(): i32 {
  const eip = load<u32>(STATE + S_EIP);
  const lin = segBase(SR_CS) + eip;
  store<u32>(STATE + S_EIP, eip + 1);
  if ((((lin >>> 12) << 1) | 1) == fetchTag && eip <= segLimit(SR_CS)) return load<u8>(fetchHost + (lin & 0xfff));
  return fetchMiss(lin, eip);
}

/** Set while the JIT's decoder reads a block: leaving the block's page (or the CS limit) is an error, not a walk. */
export let jitDecoding: bool = false;
export function setJitDecoding(v: bool): void { jitDecoding = v; }

function fetchMiss(lin: u32, eip: u32): i32 {
  if (faulted) return 0;
  if (jitDecoding) { raise(GP, 0); return 0; }
  return fetchSlow(lin, eip);
}

/** Multi-byte fetches: one load when the bytes lie in the cached page and inside the CS limit. */
export function fetch16(): i32 {
  const eip = load<u32>(STATE + S_EIP);
  const lin = segBase(SR_CS) + eip;
  if ((((lin >>> 12) << 1) | 1) == fetchTag && (lin & 0xfff) <= 0xffe && eip < segLimit(SR_CS)) {
    store<u32>(STATE + S_EIP, eip + 2);
    return load<u16>(fetchHost + (lin & 0xfff));
  }
  const lo = fetch8();
  return lo | (fetch8() << 8);
}

export function fetch32(): i32 {
  const eip = load<u32>(STATE + S_EIP);
  const lin = segBase(SR_CS) + eip;
  if ((((lin >>> 12) << 1) | 1) == fetchTag && (lin & 0xfff) <= 0xffc && <u64>eip + 3 <= <u64>segLimit(SR_CS)) {
    store<u32>(STATE + S_EIP, eip + 4);
    return load<i32>(fetchHost + (lin & 0xfff));
  }
  const lo = fetch16();
  return lo | (fetch16() << 16);
}


