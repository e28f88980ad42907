/** The local APIC against SDM vol. 3 ch. 10: timer one-shot/periodic counts, delivery, EOI, TPR/PPR, self-IPI, ESR, LINT0. */
import { describe, expect, it } from "vitest";
import { LocalApic, BUS_HZ } from "../../host/pc/apic.ts";
import { ManualTime } from "../../host/pc/clock.ts";

const NS_PER_BUS = 1e9 / BUS_HZ; // 10 ns

function setup() {
  const t = new ManualTime();
  const a = new LocalApic(t);
  a.writeReg(0xf0, 0x1ff); // software enable, spurious vector 0xFF
  return { t, a };
}

describe("local APIC", () => {
  it("identification and reset state", () => {
    const t = new ManualTime();
    const a = new LocalApic(t);
    expect(a.readReg(0x30) & 0xff).toBe(0x11);
    expect((a.readReg(0x30) >> 16) & 0xff).toBe(4); // 5 LVT entries
    expect(a.readReg(0xf0)).toBe(0xff); // software disabled
    expect(a.readReg(0x350) & 0x10000).toBe(0x10000); // LVTs masked
    expect(a.readReg(0xe0) >>> 0).toBe(0xffffffff);
    expect(a.extIntPassThrough()).toBe(true); // disabled: the PIC goes straight through
  });

  it("one-shot timer: current count follows the divided bus clock, one interrupt at zero", () => {
    const { t, a } = setup();
    a.writeReg(0x3e0, 0x3); // divide by 16
    a.writeReg(0x320, 0x40); // vector 0x40, one-shot
    a.writeReg(0x380, 1000);
    t.t = 160 * NS_PER_BUS * 10; // 1600 bus cycles = 100 counts
    expect(a.readReg(0x390)).toBe(900);
    expect(a.nextDeadline()).toBe(16000 * NS_PER_BUS);
    t.t = 16000 * NS_PER_BUS - 1;
    expect(a.pending()).toBe(-1);
    t.t = 16000 * NS_PER_BUS;
    expect(a.pending()).toBe(0x40);
    expect(a.readReg(0x390)).toBe(0);
    a.acknowledge(0x40);
    expect(a.readReg(0x120)).toBe(1); // ISR: vector 64 is bit 0 of the third word (0x120)
    a.writeReg(0xb0, 0);
    t.t = 1e9;
    expect(a.pending()).toBe(-1);
    expect(a.timerFires).toBe(1);
  });

  it("periodic timer reloads; divide-by-1 encoding", () => {
    const { t, a } = setup();
    a.writeReg(0x3e0, 0xb); // divide by 1
    a.writeReg(0x320, 0x20041); // periodic, vector 0x41
    a.writeReg(0x380, 500);
    let n = 0;
    for (;;) {
      const d = a.nextDeadline()!;
      if (d > 5000 * 10 * NS_PER_BUS) break;
      t.t = d;
      const v = a.pending();
      expect(v).toBe(0x41);
      a.acknowledge(v); a.writeReg(0xb0, 0); n++;
    }
    expect(n).toBe(100); // 50000 bus cycles / 500
    t.t += 123 * NS_PER_BUS;
    expect(a.readReg(0x390)).toBe(500 - 123);
  });

  it("a masked timer counts but does not interrupt", () => {
    const { t, a } = setup();
    a.writeReg(0x3e0, 0xb);
    a.writeReg(0x320, 0x10042);
    a.writeReg(0x380, 100);
    expect(a.nextDeadline()).toBeUndefined();
    t.t = 50 * NS_PER_BUS;
    expect(a.readReg(0x390)).toBe(50);
    t.t = 200 * NS_PER_BUS;
    expect(a.pending()).toBe(-1);
    expect(a.timerFires).toBe(1);
  });

  it("priority: highest IRR first, TPR masks classes at or below it, PPR follows ISR", () => {
    const { a } = setup();
    a.accept(0x31); a.accept(0x52); a.accept(0x45);
    expect(a.pending()).toBe(0x52);
    a.acknowledge(0x52);
    expect(a.readReg(0xa0)).toBe(0x50); // PPR = ISRV class
    expect(a.pending()).toBe(-1); // 0x45 is below the in-service class
    a.writeReg(0xb0, 0); // EOI
    expect(a.pending()).toBe(0x45);
    a.writeReg(0x80, 0x45); // TPR class 4 blocks 0x45 and 0x31
    expect(a.readReg(0xa0)).toBe(0x45);
    expect(a.pending()).toBe(-1);
    a.writeReg(0x80, 0x30);
    expect(a.pending()).toBe(0x45);
  });

  it("self-IPI through the ICR; illegal vectors set ESR", () => {
    const { a } = setup();
    a.writeReg(0x300, 0x40000 | 0x66); // shorthand self, fixed
    expect(a.pending()).toBe(0x66);
    a.writeReg(0x310, 0); // destination APIC ID 0 (ours)
    a.writeReg(0x300, 0x67);
    expect(a.readReg(0x200 + 0x30) & (1 << 7)).toBe(1 << 7); // IRR bit 0x67
    a.writeReg(0x310, 0x05000000);
    a.writeReg(0x300, 0x68); // another CPU: dropped
    expect(a.readReg(0x200 + 0x30) & (1 << 8)).toBe(0);
    expect(a.readReg(0x300) & 0x1000).toBe(0); // delivery status idle
    a.writeReg(0x300, 0x40000 | 0x05); // illegal vector
    a.writeReg(0x280, 0);
    expect(a.readReg(0x280)).toBe(0x20);
  });

  it("software disable masks the LVTs and stops delivery", () => {
    const { a } = setup();
    a.writeReg(0x350, 0x700); // LINT0 ExtINT, unmasked
    expect(a.extIntPassThrough()).toBe(true);
    a.accept(0x50);
    a.writeReg(0xf0, 0xff);
    expect(a.pending()).toBe(-1);
    expect(a.readReg(0x350) & 0x10000).toBe(0x10000);
    a.writeReg(0xf0, 0x1ff);
    expect(a.extIntPassThrough()).toBe(false); // LINT0 stayed masked
  });

  it("LINT0 in fixed mode turns a rising INTR into its vector", () => {
    const { a } = setup();
    a.writeReg(0x350, 0x0053);
    a.setLint0(true);
    expect(a.pending()).toBe(0x53);
  });

  it("MMIO access: 32-bit registers at 16-byte strides", () => {
    const { a } = setup();
    a.write(0xfee00080, 4, 0x20);
    expect(a.read(0xfee00080, 4)).toBe(0x20);
    expect(a.read(0xfee00030, 4)).toBe(0x00040011);
  });
});
