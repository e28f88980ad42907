/** The dual 8259A against the datasheet: initialization, priorities, EOI forms, masking, AEOI, cascade, spurious. */
import { describe, expect, it } from "vitest";
import { DualPic } from "../../host/pc/pic.ts";

/** The PC BIOS/Linux initialization: master vectors 0x20, slave 0x28, cascade on IR2. */
function init(opts: { aeoi?: boolean; sfnm?: boolean; ltim?: boolean } = {}): DualPic {
  const p = new DualPic();
  const icw4 = 0x01 | (opts.aeoi ? 0x02 : 0) | (opts.sfnm ? 0x10 : 0);
  const icw1 = 0x11 | (opts.ltim ? 0x08 : 0);
  p.write(0x20, 1, icw1); p.write(0x21, 1, 0x20); p.write(0x21, 1, 0x04); p.write(0x21, 1, icw4);
  p.write(0xa0, 1, icw1); p.write(0xa1, 1, 0x28); p.write(0xa1, 1, 0x02); p.write(0xa1, 1, opts.aeoi ? 0x03 : 0x01);
  return p;
}
const pulse = (p: DualPic, irq: number) => { p.setIrq(irq, true); p.setIrq(irq, false); };
const readIrr = (p: DualPic, port: number) => { p.write(port, 1, 0x0a); return p.read(port); };
const readIsr = (p: DualPic, port: number) => { p.write(port, 1, 0x0b); return p.read(port); };

describe("8259A", () => {
  it("initialization clears the mask and sets the vector base", () => {
    const p = init();
    expect(p.read(0x21)).toBe(0);
    p.write(0x21, 1, 0xfb);
    expect(p.read(0x21)).toBe(0xfb);
    p.setIrq(1, true);
    expect(p.intr()).toBe(false); // masked
    p.write(0x21, 1, 0xf9);
    expect(p.intr()).toBe(true);
    expect(p.inta()).toBe(0x21);
  });

  it("fixed priority: lower IRQ number first, higher interrupts nest, lower wait for EOI", () => {
    const p = init();
    p.setIrq(3, true); p.setIrq(1, true);
    expect(p.inta()).toBe(0x21);
    expect(readIsr(p, 0x20)).toBe(0x02);
    expect(p.intr()).toBe(false); // IRQ3 is lower priority than the in-service IRQ1
    p.setIrq(0, true);
    expect(p.inta()).toBe(0x20); // IRQ0 nests over IRQ1
    expect(readIsr(p, 0x20)).toBe(0x03);
    p.write(0x20, 1, 0x20); // non-specific EOI clears the highest in service (IRQ0)
    expect(readIsr(p, 0x20)).toBe(0x02);
    expect(p.intr()).toBe(false);
    p.write(0x20, 1, 0x20);
    expect(p.inta()).toBe(0x23);
  });

  it("specific EOI clears the named level only", () => {
    const p = init();
    p.setIrq(5, true); expect(p.inta()).toBe(0x25);
    p.setIrq(4, true); expect(p.inta()).toBe(0x24);
    p.write(0x20, 1, 0x65); // specific EOI IR5
    expect(readIsr(p, 0x20)).toBe(0x10);
  });

  it("IRR follows edges; a line that falls before INTA gives the spurious IRQ7 vector", () => {
    const p = init();
    p.setIrq(6, true);
    expect(readIrr(p, 0x20)).toBe(0x40);
    p.setIrq(6, false);
    expect(readIrr(p, 0x20)).toBe(0);
    expect(p.inta()).toBe(0x27); // spurious
    expect(readIsr(p, 0x20)).toBe(0); // nothing in service
    // Edge triggered: a line held high requests once.
    p.setIrq(6, true);
    expect(p.inta()).toBe(0x26);
    p.write(0x20, 1, 0x20);
    expect(p.intr()).toBe(false);
  });

  it("level-triggered lines (ELCR) request again while high", () => {
    const p = init();
    p.write(0x4d1, 1, 0x0e); // IRQ 9-11 level
    expect(p.read(0x4d1)).toBe(0x0e);
    p.write(0x4d0, 1, 0xff);
    expect(p.read(0x4d0)).toBe(0xf8); // IRQ 0-2 always edge
    p.setIrq(10, true);
    expect(p.inta()).toBe(0x2a);
    p.write(0xa0, 1, 0x20); p.write(0x20, 1, 0x20);
    expect(p.intr()).toBe(true); // still high: requested again
    p.setIrq(10, false);
    expect(p.intr()).toBe(false);
  });

  it("cascade: slave IRQs come through master IR2 and need two EOIs", () => {
    const p = init();
    pulse(p, 12); p.setIrq(12, true);
    expect(p.pending()).toBe(0x2c);
    expect(p.inta()).toBe(0x2c);
    expect(readIsr(p, 0x20)).toBe(0x04);
    expect(readIsr(p, 0xa0)).toBe(0x10);
    p.setIrq(3, true);
    expect(p.intr()).toBe(false); // IRQ3 is below the cascade (IR2) in priority
    p.write(0xa0, 1, 0x20);
    expect(p.intr()).toBe(false);
    p.write(0x20, 1, 0x20);
    expect(p.inta()).toBe(0x23);
  });

  it("spurious IRQ15: the slave loses its request; master IR2 stays in service", () => {
    const p = init();
    p.setIrq(9, true);
    expect(p.intr()).toBe(true);
    // The slave's request disappears between the master's INT and the slave's INTA cycle: emulate by
    // masking on the slave only after the master has recognised IR2.
    p.write(0xa1, 1, 0x02);
    p.master.setInput(2, true); // the master still sees its latched cascade request
    expect(p.inta()).toBe(0x2f);
    expect(readIsr(p, 0x20)).toBe(0x04);
    expect(readIsr(p, 0xa0)).toBe(0x00);
  });

  it("auto-EOI leaves nothing in service", () => {
    const p = init({ aeoi: true });
    p.setIrq(4, true);
    expect(p.inta()).toBe(0x24);
    expect(readIsr(p, 0x20)).toBe(0);
    p.setIrq(5, true);
    expect(p.inta()).toBe(0x25); // no EOI needed
  });

  it("rotation: rotate on non-specific EOI makes the serviced level the lowest", () => {
    const p = init();
    p.setIrq(0, true); p.setIrq(1, true);
    expect(p.inta()).toBe(0x20);
    p.write(0x20, 1, 0xa0); // rotate on non-specific EOI: IR0 becomes lowest
    p.setIrq(0, false); p.setIrq(0, true);
    expect(p.inta()).toBe(0x21); // IR1 now beats IR0
    p.write(0x20, 1, 0xa0); // IR1 lowest: order 2..7,0,1
    expect(p.inta()).toBe(0x20);
    p.write(0x20, 1, 0xc4); // set priority: IR4 lowest
    expect(p.master.lowest).toBe(4);
  });

  it("special mask mode lets lower levels in while a masked level is in service", () => {
    const p = init();
    p.setIrq(1, true);
    expect(p.inta()).toBe(0x21);
    p.setIrq(5, true);
    expect(p.intr()).toBe(false);
    p.write(0x21, 1, 0x02); // mask IR1 ...
    p.write(0x20, 1, 0x68); // ... and enter special mask mode
    expect(p.inta()).toBe(0x25);
  });

  it("special fully nested mode lets a higher slave request through an in-service cascade", () => {
    const p = init({ sfnm: true });
    p.setIrq(12, true);
    expect(p.inta()).toBe(0x2c);
    p.setIrq(9, true);
    expect(p.intr()).toBe(true);
    expect(p.inta()).toBe(0x29);
    const q = init();
    q.setIrq(12, true); q.inta(); q.setIrq(9, true);
    expect(q.intr()).toBe(false); // without SFNM the master blocks it
  });

  it("poll command: the next read returns the level and acknowledges it", () => {
    const p = init();
    p.setIrq(3, true);
    p.write(0x20, 1, 0x0c);
    expect(p.read(0x20)).toBe(0x83);
    expect(readIsr(p, 0x20)).toBe(0x08);
    p.write(0x20, 1, 0x0c);
    expect(p.read(0x20)).toBe(0x00);
  });
});
