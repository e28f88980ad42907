/**
 * The virtual clock: guest time advances with guest execution, deterministically.
 *
 *   ticks = retired instructions + idle ticks
 *   ns    = ticks x NS_PER_TICK   (10 ns: a nominal 100 MHz, one instruction per tick)
 *
 * The TSC the core returns for RDTSC is the retired-instruction count plus the offset in
 * S.TSC_LO/HI. When a HLT with interrupts enabled fast-forwards the clock to the next device
 * deadline, the skipped ticks are added to that offset, so TSC = ticks (+ whatever the guest wrote
 * with WRMSR): the nominal TSC frequency is TSC_HZ = 100 MHz, and guests that calibrate the TSC
 * against the PIT or the RTC measure exactly that.
 *
 * Devices keep their own state in terms of `ns` (an exact integer in a double up to 2^53 ns, about
 * 104 days) and report their next deadline; the machine runs the core for the instructions left
 * until the earliest one, so interrupts arrive at the right guest time whatever the host speed.
 *
 * "realtime" mode (interactive use) paces virtual time to the wall clock: when the guest idles
 * (HLT) and the next deadline is in the wall-clock future, the machine sleeps instead of
 * fast-forwarding; virtual time can still run behind the wall clock when the emulator is slower
 * than the nominal 100 MIPS, which guests see as a slower machine, never as lost timer ticks.
 */
import type { Cpu } from "../core/cpu.ts";
import { S } from "../isa/layout.ts";

export const NS_PER_TICK = 10;
export const TSC_HZ = 1e9 / NS_PER_TICK;

export class VirtualClock {
  /** Ticks skipped while halted (HLT fast-forward). */
  private idle = 0;
  constructor(private readonly cpu: Cpu) {}

  /** Current guest time in ticks (instructions + idle). */
  ticks(): number { return this.cpu.stateU32(S.ICOUNT_HI) * 4294967296 + this.cpu.stateU32(S.ICOUNT_LO) + this.idle; }

  /** Current guest time in nanoseconds. */
  now(): number { return this.ticks() * NS_PER_TICK; }

  /** Ticks (instructions) from now until `ns`, rounded up; 0 if already due. */
  ticksUntil(ns: number): number {
    const d = Math.ceil(ns / NS_PER_TICK) - this.ticks();
    return d > 0 ? d : 0;
  }

  /** Skip guest time forward to `ns` without executing (the CPU is halted); the TSC follows. */
  skipTo(ns: number): void {
    const n = this.ticksUntil(ns);
    if (n <= 0) return;
    this.idle += n;
    const lo = this.cpu.stateU32(S.TSC_LO), hi = this.cpu.stateU32(S.TSC_HI);
    const off = ((BigInt(hi) << 32n) | BigInt(lo)) + BigInt(n);
    this.cpu.setState32(S.TSC_LO, Number(off & 0xffffffffn));
    this.cpu.setState32(S.TSC_HI, Number((off >> 32n) & 0xffffffffn));
  }
}

/** A source of time for devices: the machine's virtual clock, or a settable one in unit tests. */
export interface TimeSource { now(): number; }

/** A manually advanced time source for device unit tests. */
export class ManualTime implements TimeSource {
  t = 0;
  now(): number { return this.t; }
  advance(ns: number): void { this.t += ns; }
}

/**
 * floor(ns * hz / 1e9), exactly. The product exceeds 2^53 after a few minutes, so whole seconds
 * are split off: cycles = s * hz + floor(r * hz / 1e9) with r < 1e9, where r * hz stays below
 * 2^53 for hz up to 9 MHz and the quotient's fraction (a multiple of 1e-9) is far above its ulp.
 * Frequencies dividing 1 GHz use an exact integer division. (Called on every exit: no BigInt.)
 */
export function cyclesAt(ns: number, hz: number): number {
  ns = Math.floor(ns);
  if (1e9 % hz === 0) return Math.floor(ns / (1e9 / hz));
  if (hz > 9e6) return Number((BigInt(ns) * BigInt(hz)) / 1_000_000_000n);
  const s = Math.floor(ns / 1e9), r = ns - s * 1e9;
  return s * hz + Math.floor((r * hz) / 1e9);
}

/** The earliest time (ns) at which `cyclesAt(t, hz) >= cycles`: ceil(cycles * 1e9 / hz). */
export function timeOfCycle(cycles: number, hz: number): number {
  if (1e9 % hz === 0) return cycles * (1e9 / hz);
  if (hz > 9e6) {
    const num = BigInt(cycles) * 1_000_000_000n, h = BigInt(hz);
    return Number((num + h - 1n) / h);
  }
  const q = Math.floor(cycles / hz), r = cycles - q * hz;
  return q * 1e9 + Math.ceil((r * 1e9) / hz);
}
