/**
 * The local APIC of a P6-class CPU (Intel SDM vol. 3, chapter 10; 82489DX-compatible register map),
 * memory-mapped at the base in IA32_APIC_BASE (S.APIC_BASE in the core's state block; 0xFEE00000
 * after reset, BSP and global enable set).
 *
 * Registers: ID (0x20), version (0x30: 0x00040011, integrated APIC, 5 LVT entries), TPR (0x80),
 * APR (0x90, reads 0), PPR (0xA0), EOI (0xB0), LDR (0xD0), DFR (0xE0), SVR (0xF0: vector, bit 8
 * software enable, bit 9 focus checking), ISR/TMR/IRR (0x100-0x270), ESR (0x280; a write latches
 * the errors seen since the last write), ICR (0x300/0x310), LVT timer (0x320), LVT performance
 * counter (0x340), LINT0 (0x350), LINT1 (0x360), LVT error (0x370), timer initial count (0x380),
 * current count (0x390), divide configuration (0x3E0).
 *
 * Interrupt acceptance: fixed interrupts set IRR; the CPU is offered the highest IRR vector whose
 * priority class (vector >> 4) exceeds the processor priority (PPR = TPR if TPR[7:4] >= ISRV[7:4],
 * else ISRV[7:4]:0); the acknowledge moves it to ISR; EOI clears the highest ISR bit. Vectors 0-15
 * are illegal (ESR "received illegal vector"; "send illegal vector" for an ICR send).
 * Timer: counts down from the initial count at the bus clock (BUS_HZ, 100 MHz = one count per
 * nominal instruction before the divider) divided by 1..128; one-shot or periodic (LVT bit 17);
 * a masked timer still counts. Writing the initial count starts it; 0 stops it.
 * ICR: fixed and lowest-priority IPIs to self (shorthand "self", "all including self", or a
 * physical/logical destination matching this APIC) set IRR; INIT/SIPI and IPIs to others are
 * dropped (one CPU). Delivery status always reads idle.
 * LINT0 as ExtINT (virtual-wire mode): the 8259's INTR is passed through, and the acknowledge is
 * the PIC's INTA. LINT0/LINT1 programmed as fixed set IRR on the rising edge of the PIC's INTR.
 * When the APIC is software-disabled (SVR bit 8 = 0) or globally disabled (APIC_BASE bit 11 = 0),
 * the PIC's INTR goes straight to the CPU, as firmware leaves it in virtual-wire mode: this keeps
 * PIC interrupts flowing for kernels that never touch the APIC. Software-disabling the APIC masks
 * every LVT entry (SDM 10.4.7.2).
 * Not modelled: NMI, SMI, INIT and ExtINT delivery modes on LINT1 and in the ICR (no NMI input on
 * the core yet), level-triggered remote IRR, thermal/perf counter interrupts, the arbitration ID.
 */
import type { MmioDevice } from "./mmio.ts";
import type { TimeSource } from "./clock.ts";
import { cyclesAt, timeOfCycle } from "./clock.ts";

export const APIC_DEFAULT_BASE = 0xfee00000;
export const BUS_HZ = 100_000_000;

const LVT_MASK = 1 << 16;
const LVT_TIMER = 0, LVT_PERF = 1, LVT_LINT0 = 2, LVT_LINT1 = 3, LVT_ERROR = 4;
const DM_FIXED = 0, DM_EXTINT = 7;

export class LocalApic implements MmioDevice {
  readonly name = "lapic";
  id = 0;
  tpr = 0;
  ldr = 0;
  dfr = 0xffffffff;
  svr = 0xff;
  readonly irr = new Uint32Array(8);
  readonly isr = new Uint32Array(8);
  readonly tmr = new Uint32Array(8);
  esr = 0;
  private esrPending = 0;
  icrLo = 0;
  icrHi = 0;
  readonly lvt = [LVT_MASK, LVT_MASK, LVT_MASK, LVT_MASK, LVT_MASK];
  initialCount = 0;
  divideConfig = 0;
  /** Bus-clock cycle at which the timer was (re)started, and whether it is counting. */
  private timerStart = 0;
  private timerRunning = false;
  /** Timer interrupts raised so far (stats/tests). */
  timerFires = 0;
  private lint0Level = false;
  /** IA32_APIC_BASE.EN (bit 11): the machine keeps it in step with the MSR. */
  globalEnable = true;

  constructor(private readonly time: TimeSource) {}

  get softwareEnabled(): boolean { return (this.svr & 0x100) !== 0; }
  get enabled(): boolean { return this.globalEnable && this.softwareEnabled; }

  reset(): void {
    this.tpr = 0; this.ldr = 0; this.dfr = 0xffffffff; this.svr = 0xff;
    this.irr.fill(0); this.isr.fill(0); this.tmr.fill(0);
    this.esr = 0; this.esrPending = 0; this.icrLo = 0; this.icrHi = 0;
    this.lvt.fill(LVT_MASK);
    this.initialCount = 0; this.divideConfig = 0; this.timerRunning = false;
  }

  private divisor(): number {
    const v = ((this.divideConfig >> 1) & 4) | (this.divideConfig & 3);
    return v === 7 ? 1 : 2 << v;
  }

  private busNow(): number { return cyclesAt(this.time.now(), BUS_HZ); }

  private static highest(bits: Uint32Array): number {
    for (let w = 7; w >= 0; w--) if (bits[w]) return w * 32 + 31 - Math.clz32(bits[w]);
    return -1;
  }
  private static set(bits: Uint32Array, v: number): void { bits[v >> 5] |= 1 << (v & 31); }
  private static clear(bits: Uint32Array, v: number): void { bits[v >> 5] &= ~(1 << (v & 31)); }
  static test(bits: Uint32Array, v: number): boolean { return (bits[v >> 5] & (1 << (v & 31))) !== 0; }

  ppr(): number {
    const isrv = Math.max(LocalApic.highest(this.isr), 0);
    return (this.tpr & 0xf0) >= (isrv & 0xf0) ? this.tpr & 0xff : isrv & 0xf0;
  }

  /** Accept a fixed interrupt. */
  accept(vector: number): void {
    vector &= 0xff;
    if (vector < 16) { this.esrPending |= 0x40; this.raiseError(); return; } // received illegal vector
    LocalApic.set(this.irr, vector);
  }

  private raiseError(): void {
    const e = this.lvt[LVT_ERROR];
    if (!(e & LVT_MASK) && this.enabled) {
      const v = e & 0xff;
      if (v >= 16) LocalApic.set(this.irr, v);
    }
  }

  /** The vector to offer the CPU, or -1 (no side effects). */
  pending(): number {
    if (!this.enabled) return -1;
    this.updateTimer();
    const v = LocalApic.highest(this.irr);
    if (v < 0 || (v & 0xf0) <= (this.ppr() & 0xf0)) return -1;
    return v;
  }

  acknowledge(vector: number): void {
    LocalApic.clear(this.irr, vector);
    LocalApic.set(this.isr, vector);
  }

  eoi(): void {
    const v = LocalApic.highest(this.isr);
    if (v >= 0) { LocalApic.clear(this.isr, v); LocalApic.clear(this.tmr, v); }
  }

  /** Whether the PIC's INTR reaches the CPU as an ExtINT (virtual wire through LINT0, or APIC off). */
  extIntPassThrough(): boolean {
    if (!this.enabled) return true;
    const l = this.lvt[LVT_LINT0];
    return !(l & LVT_MASK) && ((l >> 8) & 7) === DM_EXTINT;
  }

  /** The PIC's INTR level as seen on LINT0 (fixed delivery mode: rising edge sets IRR). */
  setLint0(level: boolean): void {
    const rising = level && !this.lint0Level;
    this.lint0Level = level;
    const l = this.lvt[LVT_LINT0];
    if (rising && this.enabled && !(l & LVT_MASK) && ((l >> 8) & 7) === DM_FIXED) this.accept(l & 0xff);
  }

  // ---- timer

  private timerPeriodCycles(): number { return this.initialCount * this.divisor(); }

  /** Fire every expiry up to now. */
  updateTimer(): void {
    if (!this.timerRunning) return;
    const now = this.busNow();
    const period = this.timerPeriodCycles();
    const elapsed = now - this.timerStart;
    if (elapsed < period) return;
    const periodic = (this.lvt[LVT_TIMER] & (1 << 17)) !== 0;
    const fire = () => {
      this.timerFires++;
      const l = this.lvt[LVT_TIMER];
      if (!(l & LVT_MASK) && this.enabled) this.accept(l & 0xff);
    };
    if (periodic) {
      const n = Math.floor(elapsed / period);
      this.timerStart += n * period;
      fire(); // IRR latches one request however many periods passed
      this.timerFires += n - 1;
    } else {
      this.timerRunning = false;
      fire();
    }
  }

  currentCount(): number {
    this.updateTimer();
    if (!this.timerRunning) return 0;
    const elapsed = this.busNow() - this.timerStart;
    return this.initialCount - Math.floor(elapsed / this.divisor());
  }

  nextDeadline(): number | undefined {
    if (!this.timerRunning || !this.enabled || (this.lvt[LVT_TIMER] & LVT_MASK)) return undefined;
    return timeOfCycle(this.timerStart + this.timerPeriodCycles(), BUS_HZ);
  }

  // ---- ICR

  private sendIpi(): void {
    const lo = this.icrLo;
    const vector = lo & 0xff, mode = (lo >> 8) & 7, logical = (lo & 0x800) !== 0, shorthand = (lo >> 18) & 3;
    const dest = this.icrHi >>> 24;
    let self = false;
    if (shorthand === 1 || shorthand === 2) self = true;
    else if (shorthand === 0) {
      if (logical) {
        const flat = (this.dfr >>> 28) === 0xf;
        const mine = this.ldr >>> 24;
        self = flat ? (dest & mine) !== 0 : ((dest >> 4) === (mine >> 4) && (dest & mine & 0xf) !== 0);
      } else self = dest === this.id || dest === 0xff;
    }
    if (!self) return;
    if (mode === 0 || mode === 1) { // fixed, lowest priority
      if (vector < 16) { this.esrPending |= 0x20; this.raiseError(); return; } // send illegal vector
      this.accept(vector);
    }
  }

  // ---- MMIO

  read(addr: number, size: number): number {
    const off = addr & 0xfff;
    const reg = off & 0xff0;
    const v = this.readReg(reg) >>> 0;
    const shift = (off & 3) * 8;
    const r = v >>> shift;
    return size === 4 ? r >>> 0 : r & ((1 << (size * 8)) - 1);
  }

  readReg(reg: number): number {
    switch (reg) {
      case 0x20: return this.id << 24;
      case 0x30: return 0x00040011;
      case 0x80: return this.tpr;
      case 0x90: return 0;
      case 0xa0: return this.ppr();
      case 0xb0: return 0;
      case 0xd0: return this.ldr;
      case 0xe0: return this.dfr;
      case 0xf0: return this.svr;
      case 0x280: return this.esr;
      case 0x300: return this.icrLo & ~(1 << 12);
      case 0x310: return this.icrHi;
      case 0x320: return this.lvt[LVT_TIMER];
      case 0x340: return this.lvt[LVT_PERF];
      case 0x350: return this.lvt[LVT_LINT0];
      case 0x360: return this.lvt[LVT_LINT1];
      case 0x370: return this.lvt[LVT_ERROR];
      case 0x380: return this.initialCount;
      case 0x390: return this.currentCount();
      case 0x3e0: return this.divideConfig;
    }
    if (reg >= 0x100 && reg < 0x180) { this.updateTimer(); return this.isr[(reg - 0x100) >> 4]; }
    if (reg >= 0x180 && reg < 0x200) return this.tmr[(reg - 0x180) >> 4];
    if (reg >= 0x200 && reg < 0x280) { this.updateTimer(); return this.irr[(reg - 0x200) >> 4]; }
    return 0;
  }

  write(addr: number, _size: number, value: number): void {
    const off = addr & 0xfff;
    if (off & 0xf) return; // registers are 32-bit at 16-byte alignment
    this.writeReg(off, value >>> 0);
  }

  writeReg(reg: number, v: number): void {
    this.updateTimer();
    switch (reg) {
      case 0x20: this.id = v >>> 24; break;
      case 0x80: this.tpr = v & 0xff; break;
      case 0xb0: this.eoi(); break;
      case 0xd0: this.ldr = v & 0xff000000; break;
      case 0xe0: this.dfr = (v | 0x0fffffff) >>> 0; break;
      case 0xf0: {
        this.svr = v & 0x3ff;
        if (!this.softwareEnabled) for (let i = 0; i < this.lvt.length; i++) this.lvt[i] |= LVT_MASK;
        break;
      }
      case 0x280: this.esr = this.esrPending; this.esrPending = 0; break;
      case 0x300: this.icrLo = v & 0x000cdfff; this.sendIpi(); break;
      case 0x310: this.icrHi = v & 0xff000000; break;
      case 0x320: this.setLvt(LVT_TIMER, v & 0x300ff); break;
      case 0x340: this.setLvt(LVT_PERF, v & 0x107ff); break;
      case 0x350: this.setLvt(LVT_LINT0, v & 0x1a7ff); break;
      case 0x360: this.setLvt(LVT_LINT1, v & 0x1a7ff); break;
      case 0x370: this.setLvt(LVT_ERROR, v & 0x100ff); break;
      case 0x380:
        this.initialCount = v;
        this.timerStart = this.busNow();
        this.timerRunning = v !== 0;
        break;
      case 0x3e0: {
        // Keep the current count continuous across a divider change.
        const cur = this.timerRunning ? this.currentCount() : 0;
        const oldDiv = this.divisor();
        this.divideConfig = v & 0xb;
        if (this.timerRunning) this.timerStart = this.busNow() - (this.initialCount - cur) * this.divisor() + 0 * oldDiv;
        break;
      }
      default: break; // read-only or reserved
    }
  }

  private setLvt(i: number, v: number): void {
    if (!this.softwareEnabled) v |= LVT_MASK;
    this.lvt[i] = v;
  }
}
