/** The MC146818 against the datasheet: update cycle and UIP, BCD/binary, 12/24 h, periodic rate, alarm, CMOS fields. */
import { describe, expect, it } from "vitest";
import { Rtc146818 } from "../../host/pc/rtc.ts";
import { ManualTime } from "../../host/pc/clock.ts";

function setup(start = new Date(Date.UTC(2024, 1, 28, 23, 59, 58))) {
  const t = new ManualTime();
  let irq = false, rises = 0;
  const rtc = new Rtc146818(t, { setIrq: (_l, v) => { if (v && !irq) rises++; irq = v; } }, start);
  const rd = (i: number) => { rtc.write(0x70, 1, i); return rtc.read(0x71); };
  const wr = (i: number, v: number) => { rtc.write(0x70, 1, i); rtc.write(0x71, 1, v); };
  return { t, rtc, rd, wr, irq: () => irq, rises: () => rises };
}
const MS = 1e6;

describe("MC146818 RTC", () => {
  it("reads the start date in BCD, 24-hour mode; register D VRT", () => {
    const { rd } = setup();
    expect([rd(9), rd(8), rd(7), rd(4), rd(2), rd(0), rd(0x32)]).toEqual([0x24, 0x02, 0x28, 0x23, 0x59, 0x58, 0x20]);
    expect(rd(6)).toBe(4); // Wednesday (Sunday = 1)
    expect(rd(0x0d)).toBe(0x80);
    expect(rd(0x0a)).toBe(0x26);
  });

  it("update cycle: UIP high for 244 + 1984 us before each second; time changes at the second", () => {
    const { t, rd } = setup();
    t.t = 1000 * MS - 2229_000;
    expect(rd(0x0a) & 0x80).toBe(0);
    t.t = 1000 * MS - 2228_000;
    expect(rd(0x0a) & 0x80).toBe(0x80);
    expect(rd(0)).toBe(0x58);
    t.t = 1000 * MS;
    expect(rd(0x0a) & 0x80).toBe(0);
    expect(rd(0)).toBe(0x59);
    expect(rd(0x0c) & 0x10).toBe(0x10); // UF
    expect(rd(0x0c)).toBe(0); // cleared by the read
  });

  it("calendar carries through a leap day and the end of the year", () => {
    const { t, rd } = setup();
    t.t = 2000 * MS;
    expect([rd(8), rd(7), rd(4), rd(2), rd(0)]).toEqual([0x02, 0x29, 0x00, 0x00, 0x00]);
    const y = setup(new Date(Date.UTC(2099, 11, 31, 23, 59, 59)));
    y.t.t = 1000 * MS;
    expect([y.rd(0x32), y.rd(9), y.rd(8), y.rd(7)]).toEqual([0x21, 0x00, 0x01, 0x01]);
  });

  it("binary mode and 12-hour mode with the PM bit", () => {
    const { rd, wr } = setup(new Date(Date.UTC(2024, 0, 1, 15, 7, 9)));
    wr(0x0b, 0x06); // binary, 24 h
    expect([rd(4), rd(2), rd(0)]).toEqual([15, 7, 9]);
    wr(0x0b, 0x04); // binary, 12 h
    expect(rd(4)).toBe(0x80 | 3);
    wr(0x0b, 0x00); // BCD, 12 h
    expect(rd(4)).toBe(0x83);
    wr(0x0b, 0x82); // SET: stop updates and write the time
    wr(4, 0x12); wr(2, 0x34); wr(0, 0x56);
    wr(0x0b, 0x02);
    expect([rd(4), rd(2), rd(0)]).toEqual([0x12, 0x34, 0x56]);
  });

  it("SET halts updates", () => {
    const { t, rd, wr } = setup();
    wr(0x0b, 0x82);
    t.t = 3000 * MS;
    expect(rd(0)).toBe(0x58);
    expect(rd(0x0a) & 0x80).toBe(0); // no UIP while SET
  });

  it("periodic interrupt at the selected rate (1024 Hz and 2 Hz) on IRQ 8", () => {
    const { t, rtc, rd, wr, rises } = setup();
    wr(0x0a, 0x26); // 1024 Hz
    wr(0x0b, 0x42); // PIE
    let n = 0;
    for (;;) {
      const d = rtc.nextDeadline()!;
      if (d > 1000 * MS - 1) break;
      t.t = d; rtc.sync();
      if (rd(0x0c) & 0x40) n++;
    }
    expect(n).toBe(1023); // 1024 periods in a second; the one at exactly 1 s is the next
    expect(rises()).toBe(1023);
    wr(0x0a, 0x2f); // 2 Hz
    t.t = 1000 * MS; rd(0x0c);
    t.t = 1499 * MS; expect(rd(0x0c) & 0x40).toBe(0);
    t.t = 1500 * MS; expect(rd(0x0c) & 0xc0).toBe(0xc0); // PF and IRQF
  });

  it("alarm: AF when the time matches; 0xC0 is a wildcard", () => {
    const { t, rd, wr, irq } = setup(new Date(Date.UTC(2024, 0, 1, 10, 0, 0)));
    wr(1, 0x05); wr(3, 0xc0); wr(5, 0xc0);
    wr(0x0b, 0x22); // AIE
    t.t = 4000 * MS; expect(rd(0x0c) & 0x20).toBe(0);
    t.t = 5000 * MS; rd(0x0a);
    expect(irq()).toBe(true);
    expect(rd(0x0c) & 0xa0).toBe(0xa0);
    expect(irq()).toBe(false);
  });

  it("divider reset: the first update comes 500 ms after release", () => {
    const { t, rd, wr } = setup();
    wr(0x0a, 0x66);
    t.t = 3000 * MS;
    expect(rd(0)).toBe(0x58);
    wr(0x0a, 0x26);
    t.t = 3499 * MS; expect(rd(0)).toBe(0x58);
    t.t = 3500 * MS; expect(rd(0)).toBe(0x59);
  });

  it("CMOS memory size fields and checksum; NMI mask bit", () => {
    const { rtc, rd } = setup();
    rtc.setMemorySize(64 << 20);
    expect(rd(0x15) | rd(0x16) << 8).toBe(640);
    expect(rd(0x17) | rd(0x18) << 8).toBe(63 * 1024);
    expect(rd(0x30) | rd(0x31) << 8).toBe(63 * 1024);
    expect(rd(0x34) | rd(0x35) << 8).toBe((48 << 20) / 65536);
    let sum = 0;
    for (let i = 0x10; i <= 0x2d; i++) sum += rd(i);
    expect(rd(0x2e) << 8 | rd(0x2f)).toBe(sum);
    rtc.write(0x70, 1, 0x8f);
    expect(rtc.nmiMasked).toBe(true);
    rtc.write(0x71, 1, 0x5a);
    expect(rd(0x0f)).toBe(0x5a);
  });
});
