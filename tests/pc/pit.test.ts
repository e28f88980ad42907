/** The 8254 against the datasheet at given virtual times: modes 0, 2, 3 (and 4), latch, read-back, port 0x61. */
import { describe, expect, it } from "vitest";
import { Pit8254, PIT_HZ } from "../../host/pc/pit.ts";
import { ManualTime, timeOfCycle } from "../../host/pc/clock.ts";
import type { IrqSink } from "../../host/pc/irq.ts";

class Lines implements IrqSink {
  level = true; rises = 0; // OUT is high at power-on
  setIrq(line: number, level: boolean) { if (line !== 0) return; if (level && !this.level) this.rises++; this.level = level; }
}

function setup() {
  const t = new ManualTime();
  const irq = new Lines();
  const pit = new Pit8254(t, irq);
  /** Move time to input clock `c` (exactly). */
  const at = (c: number) => { t.t = timeOfCycle(c, PIT_HZ); pit.update(); };
  const read16 = (ch: number) => { const lo = pit.read(0x40 + ch); return lo | (pit.read(0x40 + ch) << 8); };
  return { t, irq, pit, at, read16 };
}

describe("8254 PIT", () => {
  it("mode 0: OUT low after the count is written, high N+1 clocks later; counting down", () => {
    const { pit, at, read16 } = setup();
    at(10);
    pit.write(0x43, 1, 0x30); // ch0, LSB then MSB, mode 0
    expect(pit.out(0)).toBe(false);
    pit.write(0x40, 1, 100); pit.write(0x40, 1, 0); // N = 100 written at clock 10
    at(11); expect(read16(0)).toBe(100); // loaded on the next clock
    at(61); expect(read16(0)).toBe(50);
    at(110); expect(pit.out(0)).toBe(false); expect(read16(0)).toBe(1);
    at(111); expect(pit.out(0)).toBe(true); expect(read16(0)).toBe(0); // N+1 clocks after the write
    at(112); expect(read16(0)).toBe(0xffff); // keeps counting, wraps
  });

  it("mode 0 raises IRQ0 once at terminal count", () => {
    const { pit, at, irq } = setup();
    pit.write(0x43, 1, 0x30); pit.write(0x40, 1, 0x10); pit.write(0x40, 1, 0x00);
    expect(pit.nextDeadline()).toBe(timeOfCycle(17, PIT_HZ));
    at(16); expect(irq.rises).toBe(0);
    at(17); expect(irq.rises).toBe(1);
    at(5000); expect(irq.rises).toBe(1);
    expect(pit.nextDeadline()).toBeUndefined();
  });

  it("mode 2: period N, OUT low for one clock, one IRQ0 edge per period (18.2 Hz with N = 0)", () => {
    const { pit, at, irq, read16, t } = setup();
    pit.write(0x43, 1, 0x34); // ch0 LSB/MSB mode 2
    pit.write(0x40, 1, 0); pit.write(0x40, 1, 0); // N = 65536, written at clock 0
    at(1); expect(read16(0)).toBe(0); // 65536 reads as 0
    at(2); expect(read16(0)).toBe(65535);
    at(1 + 65534); expect(pit.out(0)).toBe(true); expect(read16(0)).toBe(2);
    at(1 + 65535); expect(pit.out(0)).toBe(false); expect(read16(0)).toBe(1); // count 1: OUT low
    at(1 + 65536); expect(pit.out(0)).toBe(true);
    expect(irq.rises).toBe(1);
    // One second of virtual time: 1193182 / 65536 = 18.2 periods.
    t.t = 1e9; pit.update();
    expect(irq.rises).toBe(1 + 1); // coalesced into one edge since the last update ...
    expect(pit.edges0).toBe(18); // ... but 18 rising edges happened
  });

  it("mode 2 with a small divisor delivers the exact interrupt count at 1 kHz", () => {
    const { pit, irq, t } = setup();
    pit.write(0x43, 1, 0x34); pit.write(0x40, 1, 1193 & 0xff); pit.write(0x40, 1, 1193 >> 8);
    let n = 0;
    while (true) {
      const d = pit.nextDeadline()!;
      if (d > 100e6) break;
      t.t = d; pit.update(); n++;
    }
    expect(n).toBe(Math.floor((cyclesIn(100e6) - 1) / 1193)); // 100 ms -> 99 or 100 periods
    expect(irq.rises).toBe(n);
  });

  it("mode 3: square wave, half the period high and half low, counting by two", () => {
    const { pit, at, read16 } = setup();
    pit.write(0x43, 1, 0xb6); // ch2 LSB/MSB mode 3
    pit.write(0x61, 1, 0x01); // gate 2 high
    at(0);
    pit.write(0x42, 1, 100); pit.write(0x42, 1, 0);
    at(1); expect(pit.out(2)).toBe(true); expect(read16(2)).toBe(100);
    at(2); expect(read16(2)).toBe(98);
    at(50); expect(pit.out(2)).toBe(true);
    at(51); expect(pit.out(2)).toBe(false);
    at(100); expect(pit.out(2)).toBe(false);
    at(101); expect(pit.out(2)).toBe(true);
    expect((pit.read(0x61) & 0x20) !== 0).toBe(true); // OUT2 on port 0x61 bit 5
  });

  it("counter latch holds the count until both bytes are read", () => {
    const { pit, at } = setup();
    pit.write(0x43, 1, 0x34); pit.write(0x40, 1, 0x00); pit.write(0x40, 1, 0x10); // N = 0x1000
    at(0x101); // count 0x1000 - 0x100 = 0xF00
    pit.write(0x43, 1, 0x00); // latch ch0
    at(0x200);
    expect(pit.read(0x40)).toBe(0x00);
    expect(pit.read(0x40)).toBe(0x0f);
    expect(pit.read(0x40) | (pit.read(0x40) << 8)).toBe(0x1000 - 0x1ff); // live again
  });

  it("read-back: status (OUT, null count, control word) then count", () => {
    const { pit, at } = setup();
    at(5);
    pit.write(0x43, 1, 0xb0); // ch2 LSB/MSB mode 0
    pit.write(0x61, 1, 0x01);
    pit.write(0x42, 1, 50); pit.write(0x42, 1, 0);
    pit.write(0x43, 1, 0xc8); // read-back count+status of ch2
    expect(pit.read(0x42)).toBe(0x40 | 0x30); // OUT low, null count, RW=3 mode 0 binary
    expect(pit.read(0x42) | (pit.read(0x42) << 8)).toBe(50);
    at(5 + 51);
    pit.write(0x43, 1, 0xe8); // status only
    expect(pit.read(0x42)).toBe(0x80 | 0x30); // OUT high, count loaded
  });

  it("LSB-only and MSB-only access, and BCD counting", () => {
    const { pit, at } = setup();
    pit.write(0x43, 1, 0x14); pit.write(0x40, 1, 200); // LSB only, mode 2
    at(11); expect(pit.read(0x40)).toBe(190);
    pit.write(0x43, 1, 0x25); pit.write(0x40, 1, 0x20); // MSB only, mode 2, BCD: N = 0x2000 BCD = 2000
    at(11 + 1 + 1); expect(pit.read(0x40)).toBe(0x19); // 1999 -> MSB 0x19
  });

  it("gate low stops channel 2 in mode 0 (the Linux calibration loop)", () => {
    const { pit, at } = setup();
    pit.write(0x61, 1, 0x00); // gate off
    pit.write(0x43, 1, 0xb0); pit.write(0x42, 1, 0xff); pit.write(0x42, 1, 0xff);
    at(1000);
    expect(pit.read(0x61) & 0x20).toBe(0);
    pit.write(0x61, 1, 0x01); // gate on at clock 1000
    at(1000 + 0xffff); expect(pit.read(0x61) & 0x20).toBe(0);
    at(1000 + 0xffff + 1); expect(pit.read(0x61) & 0x20).toBe(0x20);
  });
});

function cyclesIn(ns: number): number { return Math.floor(ns * PIT_HZ / 1e9); }
