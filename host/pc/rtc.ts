/**
 * Motorola MC146818 real-time clock and CMOS RAM (ports 0x70 index / 0x71 data, IRQ 8), written
 * from the MC146818A datasheet, running on the virtual clock with a 32.768 kHz time base.
 *
 *  - time and calendar registers 0-9 (seconds, alarm seconds, minutes, alarm minutes, hours, alarm
 *    hours, day of week 1-7 with Sunday = 1, date, month, year) and the IBM century byte 0x32, in
 *    BCD or binary (register B DM) and 12- or 24-hour format (B 24/12, PM = bit 7 of the hour);
 *  - register A: UIP (read-only), divider DV2-0 (010 = running; 11x holds the divider in reset,
 *    and the first update comes 500 ms after it is released), rate select RS3-0;
 *  - register B: SET (stops updates so the time can be written; clears UIE), PIE, AIE, UIE, SQWE,
 *    DM, 24/12, DSE (accepted, no daylight-saving adjustment);
 *  - register C: IRQF, PF, AF, UF, cleared by reading; register D: VRT = 1.
 *  - the update cycle: once per second; UIP is high from 244 us before the update cycle starts
 *    until it ends 1984 us later, and the time registers, the alarm check and UF change at its
 *    end. With the divider started at virtual time 0, update cycles end at whole virtual seconds.
 *  - periodic interrupt: PF at the rate selected by RS (RS = 3..15: 2^(RS-1) cycles of 32.768 kHz,
 *    RS = 1 and 2 the same as 8 and 9; 0 off), phase-locked to the divider chain;
 *  - alarm: AF when hours, minutes and seconds match (an alarm byte 0xC0-0xFF matches any value);
 *  - IRQ 8 is driven while IRQF is set (IRQF = PF&PIE | AF&AIE | UF&UIE).
 *  - port 0x70 bit 7 is the NMI mask on a PC: stored (`nmiMasked`); the CPU has no NMI source yet.
 *  - CMOS RAM 0x0E-0x7F: `setMemorySize()` fills the standard fields (0x15/0x16 base memory in
 *    KiB, 0x17/0x18 and 0x30/0x31 extended memory in KiB, 0x34/0x35 memory above 16 MiB in 64 KiB
 *    units, 0x14 equipment byte) and the checksum of 0x10-0x2D at 0x2E (high) / 0x2F (low).
 */
import type { PortDevice } from "./bus.ts";
import type { IrqSink } from "./irq.ts";
import { cyclesAt, timeOfCycle, type TimeSource } from "./clock.ts";

const SEC = 1_000_000_000;
const UIP_BEFORE = 244_000 + 1_984_000; // UIP rises this long before the update cycle ends
const RTC_HZ = 32768;

const bcd = (v: number) => ((Math.floor(v / 10) % 10) << 4) | (v % 10);
const unbcd = (v: number) => (v >> 4) * 10 + (v & 15);

function daysInMonth(month: number, year: number): number {
  if (month === 2) return (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 29 : 28;
  return [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

export class Rtc146818 implements PortDevice {
  readonly name = "rtc";
  readonly cmos = new Uint8Array(128);
  index = 0;
  nmiMasked = false;
  // Time kept in binary: seconds .. year (4-digit).
  sec = 0; min = 0; hour = 0; dow = 1; day = 1; month = 1; year = 2000;
  regA = 0x26; regB = 0x02; regC = 0;
  /** Virtual time at which the next update cycle ends. */
  private nextUpdate = SEC;
  /** Virtual time from which the periodic interrupt's phase counts (the divider's start). */
  private dividerStart = 0;
  private lastPeriodic = 0;
  private irqLevel = false;

  constructor(private readonly time: TimeSource, private readonly irq?: IrqSink, start: Date = new Date(Date.UTC(2024, 0, 1))) {
    this.setTime(start);
    this.cmos[0x0d] = 0x80;
  }

  setTime(d: Date): void {
    this.sec = d.getUTCSeconds(); this.min = d.getUTCMinutes(); this.hour = d.getUTCHours();
    this.dow = d.getUTCDay() + 1; this.day = d.getUTCDate(); this.month = d.getUTCMonth() + 1; this.year = d.getUTCFullYear();
  }

  /** The standard CMOS fields for a PC with `ramBytes` of memory, and the checksum. */
  setMemorySize(ramBytes: number): void {
    const c = this.cmos;
    c[0x10] = 0; // no floppy drives
    c[0x12] = 0; // no hard disks
    c[0x14] = 0x02; // equipment: math coprocessor present, VGA/EGA display, no floppy
    c[0x15] = 0x80; c[0x16] = 0x02; // 640 KiB base memory
    const ext = Math.min(0xffff, Math.max(0, (ramBytes - 0x100000) >> 10));
    c[0x17] = ext & 0xff; c[0x18] = ext >> 8;
    c[0x30] = ext & 0xff; c[0x31] = ext >> 8;
    const above16 = Math.min(0xffff, Math.max(0, Math.floor((ramBytes - 0x1000000) / 65536)));
    c[0x34] = above16 & 0xff; c[0x35] = above16 >> 8;
    c[0x5b] = 0; c[0x5c] = 0; c[0x5d] = 0; // memory above 4 GiB (the QEMU convention): none
    c[0x5f] = 0; // number of CPUs - 1 (the QEMU convention)
    this.updateChecksum();
  }

  updateChecksum(): void {
    let sum = 0;
    for (let i = 0x10; i <= 0x2d; i++) sum += this.cmos[i];
    this.cmos[0x2e] = (sum >> 8) & 0xff;
    this.cmos[0x2f] = sum & 0xff;
  }

  private running(): boolean { return (this.regA & 0x70) === 0x20; }

  private periodCycles(): number {
    const rs = this.regA & 15;
    if (rs === 0) return 0;
    return rs <= 2 ? 1 << (rs + 6) : 1 << (rs - 1);
  }

  private tick(): void {
    // One second, with the calendar carries.
    if (++this.sec < 60) return;
    this.sec = 0;
    if (++this.min < 60) return;
    this.min = 0;
    if (++this.hour < 24) return;
    this.hour = 0;
    this.dow = this.dow % 7 + 1;
    if (++this.day <= daysInMonth(this.month, this.year)) return;
    this.day = 1;
    if (++this.month <= 12) return;
    this.month = 1;
    this.year++;
  }

  private alarmMatches(): boolean {
    const m = (alarm: number, v: number) => (alarm & 0xc0) === 0xc0 || alarm === v;
    return m(this.cmos[1], this.encode(this.sec)) && m(this.cmos[3], this.encode(this.min)) && m(this.cmos[5], this.readHour());
  }

  /** Advance updates and the periodic flag up to now. */
  sync(): void {
    const now = this.time.now();
    if (this.running()) {
      while (this.nextUpdate <= now) {
        if (!(this.regB & 0x80)) {
          this.tick();
          this.regC |= 0x10; // UF
          if (this.alarmMatches()) this.regC |= 0x20; // AF
        }
        this.nextUpdate += SEC;
      }
      const p = this.periodCycles();
      if (p) {
        const k = Math.floor(cyclesAt(now - this.dividerStart, RTC_HZ) / p);
        if (k > this.lastPeriodic) { this.regC |= 0x40; this.lastPeriodic = k; }
      }
    }
    this.updateIrq();
  }

  private updateIrq(): void {
    const irqf = (this.regC & this.regB & 0x70) !== 0;
    if (irqf) this.regC |= 0x80; else this.regC &= 0x7f;
    if (irqf !== this.irqLevel) { this.irqLevel = irqf; this.irq?.setIrq(8, irqf); }
  }

  /** Next time an interrupt source can fire (only the enabled ones matter: flags are computed lazily). */
  nextDeadline(): number | undefined {
    if (!this.running()) return undefined;
    let d: number | undefined;
    if (this.regB & 0x30) d = this.nextUpdate; // UIE or AIE
    const p = this.periodCycles();
    if (p && (this.regB & 0x40)) {
      const t = this.dividerStart + timeOfCycle((this.lastPeriodic + 1) * p, RTC_HZ);
      if (d === undefined || t < d) d = t;
    }
    return d;
  }

  private encode(v: number): number { return (this.regB & 4) ? v : bcd(v); }
  private decode(v: number): number { return (this.regB & 4) ? v : unbcd(v); }
  private readHour(): number {
    if (this.regB & 2) return this.encode(this.hour);
    const h = this.hour % 12 || 12;
    return this.encode(h) | (this.hour >= 12 ? 0x80 : 0);
  }

  private uip(): boolean {
    if (!this.running() || (this.regB & 0x80)) return false;
    const now = this.time.now();
    return now >= this.nextUpdate - UIP_BEFORE && now < this.nextUpdate;
  }

  readReg(i: number): number {
    this.sync();
    switch (i) {
      case 0: return this.encode(this.sec);
      case 2: return this.encode(this.min);
      case 4: return this.readHour();
      case 6: return this.encode(this.dow);
      case 7: return this.encode(this.day);
      case 8: return this.encode(this.month);
      case 9: return this.encode(this.year % 100);
      case 0x32: return this.encode(Math.floor(this.year / 100));
      case 0x0a: return this.regA | (this.uip() ? 0x80 : 0);
      case 0x0b: return this.regB;
      case 0x0c: { const v = this.regC; this.regC = 0; this.updateIrq(); return v; }
      case 0x0d: return 0x80;
      default: return this.cmos[i];
    }
  }

  writeReg(i: number, v: number): void {
    this.sync();
    v &= 0xff;
    switch (i) {
      case 0: this.sec = this.decode(v & 0x7f) % 60; break;
      case 2: this.min = this.decode(v & 0x7f) % 60; break;
      case 4: {
        if (this.regB & 2) this.hour = this.decode(v & 0x3f) % 24;
        else { const h = this.decode(v & 0x7f) % 12; this.hour = h + ((v & 0x80) ? 12 : 0); }
        break;
      }
      case 6: this.dow = this.decode(v) || 1; break;
      case 7: this.day = this.decode(v) || 1; break;
      case 8: this.month = this.decode(v) || 1; break;
      case 9: this.year = Math.floor(this.year / 100) * 100 + (this.decode(v) % 100); break;
      case 0x32: this.year = this.decode(v) * 100 + (this.year % 100); this.cmos[i] = v; break;
      case 0x0a: {
        const wasRunning = this.running();
        this.regA = v & 0x7f;
        const now = this.time.now();
        if (!wasRunning && this.running()) {
          // Divider released from reset: the first update comes 500 ms later.
          this.dividerStart = now;
          this.nextUpdate = now + SEC / 2;
          this.lastPeriodic = 0;
        } else {
          const p = this.periodCycles();
          this.lastPeriodic = p ? Math.floor(cyclesAt(now - this.dividerStart, RTC_HZ) / p) : 0;
        }
        break;
      }
      case 0x0b: {
        if (v & 0x80) v &= ~0x10; // SET clears UIE
        const wasPie = this.regB & 0x40;
        this.regB = v;
        if (!wasPie && (v & 0x40)) {
          const p = this.periodCycles();
          if (p) this.lastPeriodic = Math.floor(cyclesAt(this.time.now() - this.dividerStart, RTC_HZ) / p);
        }
        break;
      }
      case 0x0c: case 0x0d: break; // read-only
      default: this.cmos[i] = v;
    }
    if (i <= 9) this.cmos[i] = v; // keep the alarm bytes (1, 3, 5) in RAM form
    this.updateIrq();
  }

  read(port: number): number {
    if (port === 0x70) return this.index | (this.nmiMasked ? 0x80 : 0);
    return this.readReg(this.index);
  }

  write(port: number, _size: number, value: number): void {
    if (port === 0x70) { this.index = value & 0x7f; this.nmiMasked = (value & 0x80) !== 0; return; }
    this.writeReg(this.index, value);
  }
}
