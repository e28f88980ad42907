/**
 * Intel 8254 programmable interval timer (ports 0x40-0x43) and the PC's port 0x61 (gate and
 * output of channel 2, speaker data enable, refresh toggle), written from the 8254 datasheet.
 *
 * The counters are clocked at 1.193182 MHz against the virtual clock (clock.ts): nothing ticks;
 * each channel remembers when its count was written and derives the counting element, OUT and the
 * next OUT edge from elapsed input clocks. Channel 0's OUT drives IRQ 0 (rising edges), channel 2's
 * gate is port 0x61 bit 0 and its OUT is port 0x61 bit 5; channel 1 (DRAM refresh) counts but is
 * connected to nothing.
 *
 * Supported: modes 0-5 (6 and 7 alias 2 and 3), the counter latch command, the read-back command
 * (count and status latches, several channels at once), LSB / MSB / LSB-then-MSB access, BCD
 * counting, the null-count flag, gates (modes 0/2/3/4 count only while the gate is high, a rising
 * gate triggers modes 1 and 5 and reloads modes 2 and 3).
 * Timing as in the datasheet: a count written at clock edge k is loaded into the counting element
 * on the next clock (k + 1); mode 0's OUT goes high N + 1 clocks after the write; modes 2 and 3
 * have a period of N clocks. Simplification: a new count written to a running mode 2/3 counter
 * restarts it at once instead of at the end of the current period.
 */
import type { PortDevice } from "./bus.ts";
import type { IrqSink } from "./irq.ts";
import { cyclesAt, timeOfCycle, type TimeSource } from "./clock.ts";

export const PIT_HZ = 1193182;

class Channel {
  /** Power-on state: mode 3 without a count (OUT high), as firmware would leave it. */
  mode = 3;
  rw = 3; // 1 LSB, 2 MSB, 3 LSB then MSB
  bcd = false;
  /** The count register (N as written; 0 means the maximum). */
  cr = 0;
  /** Clock at which counting started (the clock after the count was written / gate triggered). */
  startClk = 0;
  /** Counting element value at startClk. */
  startCount = 0;
  /** Counting is active (a count has been loaded; for modes 1/5, a trigger has happened). */
  armed = false;
  /** Clock at which the count was written (null count until the next clock). */
  writeClk = -1;
  /** Gate input. */
  gate = true;
  /** Frozen state while the gate is low (modes 0 and 4). */
  frozen: number | null = null;
  latched: number[] = [];
  status: number | null = null;
  readHigh = false;
  writeHigh = false;
  writeLow = 0;

  modulus(): number { return this.bcd ? 10000 : 0x10000; }
  n(): number { return this.cr === 0 ? this.modulus() : this.cr; }
  control(): number { return (this.rw << 4) | (this.mode << 1) | (this.bcd ? 1 : 0); }
}

function toBcd(v: number): number {
  return (v % 10) | (Math.floor(v / 10) % 10) << 4 | (Math.floor(v / 100) % 10) << 8 | (Math.floor(v / 1000) % 10) << 12;
}
function fromBcd(v: number): number {
  return (v & 15) + ((v >> 4) & 15) * 10 + ((v >> 8) & 15) * 100 + ((v >> 12) & 15) * 1000;
}

export class Pit8254 implements PortDevice {
  readonly name = "pit";
  readonly ch = [new Channel(), new Channel(), new Channel()];
  speakerData = false;
  /** Last OUT level of channel 0 as seen by the interrupt line, and the clock it was evaluated at. */
  private irqOut = true;
  private irqClk = 0;
  /** Rising edges of channel 0's OUT seen so far (for tests and stats). */
  edges0 = 0;

  constructor(private readonly time: TimeSource, private readonly irq?: IrqSink) {}

  private clk(): number { return cyclesAt(this.time.now(), PIT_HZ); }

  /** Counting element and OUT of channel `c` at input clock `t`. */
  private stateAt(c: Channel, t: number): { count: number; out: boolean } {
    const N = c.n(), M = c.modulus();
    if (!c.armed) {
      // Mode 0 after the control word: OUT low; other modes: OUT high. Count undefined: show CR.
      return { count: c.frozen ?? (c.cr & 0xffff), out: c.mode !== 0 };
    }
    if (c.frozen !== null) return { count: c.frozen, out: this.frozenOut(c) };
    const e = t - c.startClk; // clocks since the counting element was loaded
    if (e < 0) return { count: c.startCount, out: c.mode !== 0 && c.mode !== 1 };
    switch (c.mode) {
      case 0: {
        const count = (((c.startCount - e) % M) + M) % M;
        return { count, out: e >= (c.startCount === 0 ? M : c.startCount) };
      }
      case 1: {
        const count = (((c.startCount - e) % M) + M) % M;
        return { count, out: e >= N };
      }
      case 2: {
        const p = e % N;
        return { count: N - p, out: N === 1 ? true : p !== N - 1 };
      }
      case 3: {
        const p = e % N, high = Math.ceil(N / 2);
        if (p < high) return { count: (N - 2 * p) & ~1 || N, out: true };
        return { count: (N - 2 * (p - high)) & ~1 || N, out: false };
      }
      case 4: case 5: {
        const count = (((c.startCount - e) % M) + M) % M;
        const tc = c.startCount === 0 ? M : c.startCount;
        return { count, out: e !== tc };
      }
      default: return { count: 0, out: true };
    }
  }

  private frozenOut(c: Channel): boolean { return c.mode === 0 ? false : true; }

  count(i: number): number { return this.stateAt(this.ch[i], this.clk()).count; }
  out(i: number): boolean { return this.stateAt(this.ch[i], this.clk()).out; }

  /** The next input clock after `t` at which OUT of channel 0 rises, or undefined. */
  private nextRise(c: Channel, t: number): number | undefined {
    if (!c.armed || c.frozen !== null) return undefined;
    const N = c.n();
    const e = t - c.startClk;
    switch (c.mode) {
      case 0: case 1: {
        const tc = c.mode === 0 ? (c.startCount === 0 ? c.modulus() : c.startCount) : N;
        return e < tc ? c.startClk + tc : undefined;
      }
      case 2: case 3: {
        if (e < 0) return c.startClk + N;
        return c.startClk + (Math.floor(e / N) + 1) * N;
      }
      case 4: case 5: {
        const tc = c.startCount === 0 ? c.modulus() : c.startCount;
        return e < tc + 1 ? c.startClk + tc + 1 : undefined;
      }
      default: return undefined;
    }
  }

  /** The virtual time (ns) of channel 0's next rising edge, for the machine's run budget. */
  nextDeadline(): number | undefined {
    const r = this.nextRise(this.ch[0], this.irqClk);
    return r === undefined ? undefined : timeOfCycle(r, PIT_HZ);
  }

  /** Bring IRQ 0 up to date: every rising edge of channel 0's OUT since the last call raises it. */
  update(): void {
    const now = this.clk();
    const c = this.ch[0];
    let rose = false;
    // Edges between the last evaluation and now (coalesced: the PIC latches one request).
    let t = this.irqClk;
    for (let guard = 0; guard < 4; guard++) {
      const r = this.nextRise(c, t);
      if (r === undefined || r > now) break;
      rose = true;
      this.edges0 += 1;
      t = r;
      if (c.mode === 2 || c.mode === 3) { this.edges0 += Math.floor((now - r) / c.n()); break; }
    }
    this.irqClk = now;
    const out = this.stateAt(c, now).out;
    if (rose) { this.irq?.setIrq(0, false); this.irq?.setIrq(0, true); if (!out) this.irq?.setIrq(0, false); }
    else if (out !== this.irqOut) this.irq?.setIrq(0, out);
    this.irqOut = out;
  }

  private load(i: number, value: number): void {
    const c = this.ch[i];
    this.update();
    c.cr = c.bcd ? fromBcd(value) : value;
    const now = this.clk();
    c.writeClk = now;
    c.frozen = null;
    if (c.mode === 1 || c.mode === 5) {
      // Hardware-triggered modes wait for a gate edge; the count is only stored.
      c.startCount = c.n() & 0xffff;
      return;
    }
    c.armed = true;
    c.startClk = now + 1;
    c.startCount = c.cr === 0 ? 0 : c.cr;
    if (!c.gate && (c.mode === 0 || c.mode === 4)) c.frozen = c.startCount;
    if (i === 0) this.update();
  }

  setGate(i: number, level: boolean): void {
    const c = this.ch[i];
    if (c.gate === level) return;
    if (i === 0) this.update();
    const now = this.clk();
    if (!level) {
      if (c.armed && (c.mode === 0 || c.mode === 4)) c.frozen = this.stateAt(c, now).count;
      else if (c.armed && (c.mode === 2 || c.mode === 3)) c.frozen = this.stateAt(c, now).count; // OUT forced high
    } else {
      if (c.frozen !== null && (c.mode === 0 || c.mode === 4)) {
        // resume counting from the frozen value
        c.startCount = c.frozen;
        c.startClk = now + 1;
        c.frozen = null;
      } else if (c.mode === 2 || c.mode === 3 || c.mode === 1 || c.mode === 5) {
        if (c.writeClk >= 0) { c.armed = true; c.frozen = null; c.startClk = now + 1; c.startCount = c.n() % c.modulus(); }
      }
    }
    c.gate = level;
    if (i === 0) this.update();
  }

  private latchCount(c: Channel, i: number): void {
    if (c.latched.length) return; // a second latch before reading is ignored
    let v = this.stateAt(c, this.clk()).count & 0xffff;
    if (c.bcd) v = toBcd(v % 10000);
    if (c.rw === 1) c.latched = [v & 0xff];
    else if (c.rw === 2) c.latched = [v >> 8];
    else c.latched = [v & 0xff, v >> 8];
    void i;
  }

  private statusByte(c: Channel): number {
    const now = this.clk();
    const out = this.stateAt(c, now).out;
    const nullCount = c.writeClk >= 0 && now <= c.writeClk;
    return (out ? 0x80 : 0) | (nullCount ? 0x40 : 0) | c.control();
  }

  read(port: number): number {
    if (port === 0x61) {
      const refresh = Math.floor(this.time.now() / 15085) & 1; // 15.085 us refresh request toggle
      return (this.ch[2].gate ? 1 : 0) | (this.speakerData ? 2 : 0) | (refresh ? 0x10 : 0) | (this.out(2) ? 0x20 : 0);
    }
    const i = port - 0x40;
    if (i === 3) return 0xff; // the control register is write-only
    const c = this.ch[i];
    if (c.status !== null) { const s = c.status; c.status = null; return s; }
    if (c.latched.length) return c.latched.shift()!;
    let v = this.stateAt(c, this.clk()).count & 0xffff;
    if (c.bcd) v = toBcd(v % 10000);
    switch (c.rw) {
      case 1: return v & 0xff;
      case 2: return v >> 8;
      default: {
        const hi = c.readHigh;
        c.readHigh = !hi;
        return hi ? v >> 8 : v & 0xff;
      }
    }
  }

  write(port: number, _size: number, value: number): void {
    value &= 0xff;
    if (port === 0x61) {
      this.speakerData = (value & 2) !== 0;
      this.setGate(2, (value & 1) !== 0);
      return;
    }
    const i = port - 0x40;
    if (i === 3) {
      const sc = value >> 6;
      if (sc === 3) { // read-back
        for (let k = 0; k < 3; k++) {
          if (!(value & (2 << k))) continue;
          const c = this.ch[k];
          if (!(value & 0x20)) this.latchCount(c, k);
          if (!(value & 0x10) && c.status === null) c.status = this.statusByte(c);
        }
        return;
      }
      const c = this.ch[sc];
      const rw = (value >> 4) & 3;
      if (rw === 0) { this.latchCount(c, sc); return; }
      if (sc === 0) this.update();
      c.rw = rw;
      c.mode = (value >> 1) & 7;
      if (c.mode > 5) c.mode -= 4;
      c.bcd = (value & 1) !== 0;
      c.armed = false;
      c.frozen = null;
      c.writeClk = -1;
      c.latched = [];
      c.status = null;
      c.readHigh = false;
      c.writeHigh = false;
      if (sc === 0) { this.update(); }
      return;
    }
    const c = this.ch[i];
    switch (c.rw) {
      case 1: this.load(i, value); break;
      case 2: this.load(i, value << 8); break;
      default:
        if (!c.writeHigh) { c.writeLow = value; c.writeHigh = true; }
        else { c.writeHigh = false; this.load(i, c.writeLow | (value << 8)); }
    }
  }
}
