/**
 * The flag helpers custom compiled code calls when it does not know the lazy-flags kind at compile
 * time (host/jit/emit/flags.ts), and IMUL's flags. Memory accesses off the inline TLB path do not
 * call the core: they bail to the interpreter (host/jit/emit/mem.ts).
 */
import { testCC, keepCF, setEflagsBits, CF, OF } from "../cpu/flags";

export function jitTestCC(cc: i32): i32 { return testCC(cc) ? 1 : 0; }
export function jitKeepCF(): void { keepCF(); }
/** IMUL's flags (muldiv.ts imulTrunc) for Gv = a * b at size 1 (16-bit) or 2 (32-bit). */
export function jitImulFlags(a: i32, b: i32, size: i32): void {
  const over = size == 2 ? <i64>a * <i64>b != <i64>(a * b) : <i32><i16>a * <i32><i16>b != <i32><i16>(<i32><i16>a * <i32><i16>b);
  setEflagsBits(over ? CF | OF : 0, CF | OF);
}
