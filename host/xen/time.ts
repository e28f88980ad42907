/**
 * Guest time for a PV domain (spec section 8): the virtual clock, vcpu_time_info, the wall clock,
 * the vCPU timers (set_timer_op, VCPUOP_*_timer) driving VIRQ_TIMER, and the idle paths of
 * SCHEDOP_block / SCHEDOP_poll.
 *
 * The virtual clock. The core's TSC is the retired-instruction count plus the TSC offset
 * (S.TSC_LO/HI, assembly/cpu/ops/msr.ts). We declare the virtual TSC to run at TSC_HZ = 1 GHz, so
 * one retired instruction is one nanosecond of guest time and system time (ns since the domain was
 * built) equals the TSC exactly: tsc_to_system_mul = 0x80000000, tsc_shift = 1 (Xen's rule for a
 * 1 GHz TSC, spec 8.1). Idling (SCHEDOP_block / poll) fast-forwards the clock by raising the TSC
 * offset, so RDTSC and vcpu_time_info stay consistent. Nothing depends on host time except the
 * wall clock's origin (wc_sec/wc_nsec at system time 0), which defaults to the host's clock at build
 * time and can be fixed for reproducible runs.
 */
import * as L from "../isa/layout.ts";
import * as X from "./abi/xen.ts";
import { off } from "./abi/struct.ts";
import { VIRQ_TIMER } from "./abi/xen.ts";
import type { Domain } from "./domain.ts";

export const TSC_HZ = 1_000_000_000;
export const TSC_KHZ = TSC_HZ / 1000;
export const TSC_TO_SYSTEM_MUL = 0x80000000;
export const TSC_SHIFT = 1;
export const MS = 1_000_000n;
/** Every PV vCPU starts with a 10 ms periodic timer (spec 8.3). */
export const DEFAULT_PERIOD_NS = 10n * MS;
/** vcpu_time_info is refreshed at least this often (virtual ns) on the way back to the guest. */
export const TIME_REFRESH_NS = 1n * MS;

const U64 = (1n << 64n) - 1n;

/** Per-domain time state (vCPU 0). */
export class TimeKeeper {
  private single: bigint | undefined;
  /** Absolute system time (ns) of the single-shot timer, or undefined. */
  get singleshot(): bigint | undefined { return this.single; }
  set singleshot(t: bigint | undefined) { this.single = t; this.recalc(); }
  /** Periodic timer period (ns; 0 = stopped) and its next deadline. */
  period: bigint = DEFAULT_PERIOD_NS;
  periodicNext: bigint;
  /** System time the vcpu_time_info was last written at. */
  private lastUpdate = -1n;
  /**
   * The hot path at every exit works in doubles (exact below 2^53 ns, 104 days of guest time):
   * the next deadline and the next vcpu_time_info refresh, as system times.
   */
  private dueNum = Infinity;
  private refreshNum = -Infinity;
  /** Wall clock at system time 0, ns since the epoch. */
  readonly wcEpochNs: bigint;
  /** Raises VIRQ_TIMER (installed by the events engine). */
  onTimer: () => void = () => {};
  /** VCPUOP_register_runstate_memory_area: guest-virtual address, or 0. */
  runstateVa = 0;

  constructor(private readonly dom: Domain, wallclockNs?: bigint) {
    this.wcEpochNs = wallclockNs ?? BigInt(Date.now()) * MS;
    this.periodicNext = this.now() + this.period;
    this.recalc();
    this.writeWallclock();
    this.updateTimeInfo(true);
  }

  // ---- the clock ----------------------------------------------------------------------------

  private get tscOffset(): bigint {
    const c = this.dom.cpu;
    return (BigInt(c.stateU32(L.S.TSC_HI)) << 32n) | BigInt(c.stateU32(L.S.TSC_LO));
  }
  private set tscOffset(v: bigint) {
    const c = this.dom.cpu;
    v &= U64;
    c.setState32(L.S.TSC_LO, Number(v & 0xffffffffn));
    c.setState32(L.S.TSC_HI, Number(v >> 32n));
  }
  /** System time now as a double (exact below 2^53): the exit path's cheap clock. */
  nowNum(): number {
    const c = this.dom.cpu;
    return c.instructionCount + c.stateU32(L.S.TSC_LO) + c.stateU32(L.S.TSC_HI) * 0x100000000;
  }
  private recalc(): void {
    const t = this.nextDeadline();
    this.dueNum = t === undefined ? Infinity : Number(t);
  }
  /**
   * The return-to-guest work (every exit): fire due timers and refresh vcpu_time_info when
   * TIME_REFRESH_NS has passed; two double compares when there is nothing to do.
   */
  onResume(): void {
    const now = this.nowNum();
    if (now >= this.dueNum) this.fireDue();
    if (now >= this.refreshNum) this.updateTimeInfo();
  }

  /** The guest's TSC now (at an exit: retired instructions + offset). */
  tsc(): bigint { return (this.dom.cpu.instructions + this.tscOffset) & U64; }
  /** System time now, ns (== TSC at 1 GHz). */
  now(): bigint { return this.tsc(); }
  /** Idle: move the clock forward to `t` (never backwards). */
  advanceTo(t: bigint): void {
    const n = this.now();
    if (t > n) this.tscOffset = this.tscOffset + (t - n);
  }

  // ---- shared_info ----------------------------------------------------------------------------

  /** vcpu_time_info of vCPU 0 with the seqlock protocol (version odd while writing). */
  updateTimeInfo(force = false): void {
    const now = this.now();
    if (!force && this.lastUpdate >= 0n && now - this.lastUpdate < TIME_REFRESH_NS) return;
    this.lastUpdate = now;
    this.refreshNum = Number(now + TIME_REFRESH_NS);
    const d = this.dom;
    const base = d.vcpu.vcpuInfoMa + off(X.vcpu_info, "time");
    const T = X.vcpu_time_info.fields;
    const ver = d.read32(base + T.version.offset);
    d.write32(base + T.version.offset, (ver | 1) >>> 0 === ver ? ver + 2 : ver + 1); // odd
    d.dv.setBigUint64(base + T.tsc_timestamp.offset, this.tsc(), true);
    d.dv.setBigUint64(base + T.system_time.offset, now, true);
    d.write32(base + T.tsc_to_system_mul.offset, TSC_TO_SYSTEM_MUL);
    d.mem[base + T.tsc_shift.offset] = TSC_SHIFT & 0xff;
    d.mem[base + T.flags.offset] = X.XEN_PVCLOCK_TSC_STABLE_BIT;
    d.write32(base + T.version.offset, (d.read32(base + T.version.offset) + 1) >>> 0); // even
    this.writeRunstate();
  }

  /** wc_version / wc_sec / wc_nsec / arch.wc_sec_hi (the wall clock at system time 0). */
  writeWallclock(): void {
    const d = this.dom, si = d.sharedInfoMa, F = X.shared_info.fields;
    const sec = this.wcEpochNs / 1_000_000_000n, nsec = this.wcEpochNs % 1_000_000_000n;
    const ver = d.read32(si + F.wc_version.offset);
    const odd = (ver & 1) ? ver + 2 : ver + 1;
    d.write32(si + F.wc_version.offset, odd);
    d.write32(si + F.wc_sec.offset, Number(sec & 0xffffffffn));
    d.write32(si + F["arch.wc_sec_hi"].offset, Number(sec >> 32n));
    d.write32(si + F.wc_nsec.offset, Number(nsec));
    d.write32(si + F.wc_version.offset, odd + 1);
  }

  /** Runstate area (if registered): always "running" when the guest can look at it. */
  runstateWriter?: (va: number, now: bigint) => void;
  private writeRunstate(): void {
    if (this.runstateVa && this.runstateWriter) this.runstateWriter(this.runstateVa, this.now());
  }

  // ---- timers ---------------------------------------------------------------------------------

  /** set_timer_op / VCPUOP_set_singleshot_timer semantics for an absolute s64 time (spec 8.3). */
  setSingleshot(timeout: bigint): void {
    if (timeout === 0n) { this.singleshot = undefined; return; }
    const now = this.now();
    const signed = BigInt.asIntN(64, timeout);
    const offset = signed - now;
    if (signed < 0n || (offset > 0n && (offset >> 50n) !== 0n)) this.singleshot = now + 100n * MS;
    else this.singleshot = timeout;
  }
  setPeriodic(period: bigint): void {
    this.period = period;
    this.periodicNext = period ? this.now() + period : 0n;
    this.recalc();
  }

  /** Earliest pending deadline, or undefined when no timer is armed. */
  nextDeadline(): bigint | undefined {
    let t = this.single;
    if (this.period && (t === undefined || this.periodicNext < t)) t = this.periodicNext;
    return t;
  }

  /** Fire every timer whose deadline has passed (each raises VIRQ_TIMER once). Returns how many fired. */
  fireDue(): number {
    const now = this.now();
    let n = 0;
    if (this.single !== undefined && this.single <= now) { this.single = undefined; n++; }
    if (this.period && this.periodicNext <= now) {
      n++;
      // Re-arm from the missed deadline; when far behind, skip whole periods (as Xen does).
      this.periodicNext += this.period;
      if (this.periodicNext <= now) this.periodicNext = now + this.period;
    }
    this.recalc();
    if (n) { this.updateTimeInfo(true); for (let i = 0; i < n; i++) this.onTimer(); }
    return n;
  }

  /** Instructions the guest may run before the next deadline (at least 1). */
  instructionsToDeadline(): number | undefined {
    if (this.dueNum === Infinity) return undefined;
    const d = this.dueNum - this.nowNum();
    return d <= 0 ? 1 : d > 0x7fffffff ? 0x7fffffff : Math.ceil(d);
  }
}

export { VIRQ_TIMER };
