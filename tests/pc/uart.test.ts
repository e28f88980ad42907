/** The 16550A against the datasheet: FIFO trigger levels, timeout, IIR priorities, LSR bits, loopback, IRQ gating. */
import { describe, expect, it } from "vitest";
import { Uart16550, IIR_NONE, IIR_RDA, IIR_THRE, IIR_RLS, IIR_TIMEOUT, IIR_MS } from "../../host/pc/uart.ts";
import { ManualTime } from "../../host/pc/clock.ts";

function setup() {
  const t = new ManualTime();
  const out: number[] = [];
  let irq = false;
  const u = new Uart16550(0x3f8, (b) => out.push(b), t, { setIrq: (_l, v) => { irq = v; } }, 4);
  u.write(0x3fb, 1, 0x80); u.write(0x3f8, 1, 1); u.write(0x3f9, 1, 0); u.write(0x3fb, 1, 0x03); // 115200 8N1
  const ct = u.charTimeNs();
  const step = (ns: number) => { t.advance(ns); u.update(); };
  return { t, u, out, irqLevel: () => irq, ct, step };
}
const iir = (u: Uart16550) => u.read(0x3fa);

describe("16550A UART", () => {
  it("transmits THR bytes to the sink; LSR reports THRE and TEMT", () => {
    const { u, out } = setup();
    u.write(0x3f8, 1, 0x41);
    expect(out).toEqual([0x41]);
    expect(u.read(0x3fd) & 0x60).toBe(0x60);
    expect(u.read(0x3fd) & 1).toBe(0);
  });

  it("one character time is 10 bit times at 115200 baud (8N1)", () => {
    const { ct } = setup();
    expect(ct).toBe(Math.round(10 * 1e9 / 115200));
  });

  it("receives host input at the line rate; DR in LSR; RDA interrupt with trigger level 1", () => {
    const { u, step, ct, irqLevel } = setup();
    u.write(0x3fc, 1, 0x08); // OUT2: IRQ gate open
    u.write(0x3f9, 1, 0x01); // IER: received data
    u.input([0x61, 0x62]);
    expect(u.read(0x3fd) & 1).toBe(0); // not yet: one character time
    step(ct);
    expect(u.read(0x3fd) & 1).toBe(1);
    expect(irqLevel()).toBe(true);
    expect(iir(u)).toBe(IIR_RDA);
    expect(u.read(0x3f8)).toBe(0x61);
    expect(irqLevel()).toBe(false);
    step(ct);
    expect(u.read(0x3f8)).toBe(0x62);
    expect(iir(u)).toBe(IIR_NONE);
  });

  it("FIFO trigger levels 4/8/14 and the character timeout below the trigger", () => {
    for (const [fcr, trig] of [[0x41, 4], [0x81, 8], [0xc1, 14]] as const) {
      const { u, step, ct } = setup();
      u.write(0x3fa, 1, fcr);
      u.write(0x3f9, 1, 0x01);
      expect(iir(u) & 0xc0).toBe(0xc0); // FIFOs enabled
      u.input(Array.from({ length: 16 }, (_, i) => 0x30 + i));
      step(ct * (trig - 1));
      expect(iir(u) & 0x0f).toBe(IIR_NONE);
      step(ct);
      expect(iir(u) & 0x0f).toBe(IIR_RDA);
    }
    const { u, step, ct } = setup();
    u.write(0x3fa, 1, 0x81); // trigger 8
    u.write(0x3f9, 1, 0x01);
    u.input([1, 2, 3]);
    step(ct * 3);
    expect(iir(u) & 0x0f).toBe(IIR_NONE);
    step(ct * 4 - 1);
    expect(iir(u) & 0x0f).toBe(IIR_NONE);
    step(1);
    expect(iir(u) & 0x0f).toBe(IIR_TIMEOUT); // four character times without activity
    expect(u.read(0x3f8)).toBe(1);
    expect(iir(u) & 0x0f).toBe(IIR_NONE); // reading RBR restarts the timer
  });

  it("THRE interrupt: raised when enabled, cleared by reading IIR, set again by a transmit", () => {
    const { u } = setup();
    u.write(0x3f9, 1, 0x02);
    expect(iir(u)).toBe(IIR_THRE);
    expect(iir(u)).toBe(IIR_NONE); // reading IIR cleared it
    u.write(0x3f8, 1, 0x20);
    expect(iir(u)).toBe(IIR_THRE);
  });

  it("IIR priority: line status over received data over THRE over modem status", () => {
    const { u, step, ct } = setup();
    u.write(0x3fc, 1, 0x10); // loopback
    u.write(0x3f9, 1, 0x0f);
    u.write(0x3fc, 1, 0x11); // DTR change in loopback -> DSR delta (modem status)
    u.write(0x3f8, 1, 0x55); // looped back: data ready; THRE also pending
    u.write(0x3f8, 1, 0x56); // non-FIFO mode: overrun
    step(ct);
    expect(iir(u)).toBe(IIR_RLS);
    expect(u.read(0x3fd) & 0x03).toBe(0x03); // OE | DR; reading LSR clears OE
    expect(iir(u)).toBe(IIR_RDA);
    expect(u.read(0x3f8)).toBe(0x55);
    expect(iir(u)).toBe(IIR_THRE);
    expect(iir(u)).toBe(IIR_MS);
    expect(u.read(0x3fe) & 0x22).toBe(0x22); // DSR (= DTR) and its delta
    expect(iir(u)).toBe(IIR_NONE);
  });

  it("loopback: MSR mirrors MCR; the IRQ line is disconnected; OUT2 gates it otherwise", () => {
    const { u, irqLevel } = setup();
    u.write(0x3fc, 1, 0x1f);
    expect(u.read(0x3fe) >> 4).toBe(0xf);
    u.write(0x3fc, 1, 0x13); // DTR RTS loop
    expect(u.read(0x3fe) >> 4).toBe(0x3);
    u.write(0x3f9, 1, 0x02);
    expect(irqLevel()).toBe(false);
    u.write(0x3fc, 1, 0x00);
    expect(irqLevel()).toBe(false); // OUT2 clear
    u.write(0x3fc, 1, 0x08);
    expect(irqLevel()).toBe(true);
  });

  it("the scratch register and the divisor latch", () => {
    const { u } = setup();
    u.write(0x3ff, 1, 0xa5);
    expect(u.read(0x3ff)).toBe(0xa5);
    u.write(0x3fb, 1, 0x83); u.write(0x3f8, 1, 0x0c);
    expect(u.read(0x3f8)).toBe(0x0c);
    u.write(0x3fb, 1, 0x03);
    expect(u.charTimeNs()).toBe(Math.round(10 * 12 * 1e9 / 115200)); // 9600 baud
  });
});
