/**
 * Slow paths called by custom compiled code (host/jit/emit/mem.ts): the inline TLB fast path failed
 * (miss, user/read-only/code page, page crossing, segment edge), so the access goes through the
 * interpreter's segmented helpers, which check, walk, fault (faulted) or exit (MMIO) exactly as for
 * an interpreted instruction. Also the flag helpers compiled code calls when it does not know the
 * lazy-flags kind at compile time.
 */
import { read8, read16, read32, write8, write16, write32, rmwRead8, rmwRead16, rmwRead32 } from "../mmu/access";
import { testCC, keepCF, setEflagsBits, CF, OF } from "../cpu/flags";

export function jitRead8(seg: i32, off: u32): i32 { return read8(seg, off); }
export function jitRead16(seg: i32, off: u32): i32 { return read16(seg, off); }
export function jitRead32(seg: i32, off: u32): i32 { return read32(seg, off); }
export function jitWrite8(seg: i32, off: u32, v: i32): void { write8(seg, off, v); }
export function jitWrite16(seg: i32, off: u32, v: i32): void { write16(seg, off, v); }
export function jitWrite32(seg: i32, off: u32, v: i32): void { write32(seg, off, v); }
export function jitRmw8(seg: i32, off: u32): i32 { return rmwRead8(seg, off); }
export function jitRmw16(seg: i32, off: u32): i32 { return rmwRead16(seg, off); }
export function jitRmw32(seg: i32, off: u32): i32 { return rmwRead32(seg, off); }
export function jitTestCC(cc: i32): i32 { return testCC(cc) ? 1 : 0; }
export function jitKeepCF(): void { keepCF(); }
/** IMUL's flags (muldiv.ts imulTrunc) for Gv = a * b at size 1 (16-bit) or 2 (32-bit). */
export function jitImulFlags(a: i32, b: i32, size: i32): void {
  const over = size == 2 ? <i64>a * <i64>b != <i64>(a * b) : <i32><i16>a * <i32><i16>b != <i32><i16>(<i32><i16>a * <i32><i16>b);
  setEflagsBits(over ? CF | OF : 0, CF | OF);
}
