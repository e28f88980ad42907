/**
 * The dual Intel 8259A programmable interrupt controller of the PC/AT (master at 0x20/0x21, slave at
 * 0xA0/0xA1 cascaded on the master's IR2), written from the 8259A datasheet:
 *
 *  - initialization: ICW1 (LTIM, SNGL, IC4), ICW2 (vector base T7-T3), ICW3 (cascade), ICW4 (uPM,
 *    AEOI, SFNM; BUF/M-S are accepted and ignored). ICW1 clears IMR and ISR, resets the edge sense
 *    latches (a line already high must go low and high again), makes IR7 the lowest priority,
 *    clears special mask mode and selects IRR for status reads; IC4 = 0 zeroes the ICW4 functions.
 *  - OCW1: the mask register. OCW2: non-specific EOI, specific EOI, rotate on non-specific EOI,
 *    rotate on specific EOI, set priority, rotate in AEOI mode set/clear. OCW3: read IRR/ISR, poll,
 *    special mask mode.
 *  - fixed priority with rotation (the `lowest` register), special mask mode, special fully nested
 *    mode on the master, automatic EOI (with optional rotation).
 *  - edge or level triggering per chip (ICW1 LTIM) or per line (the ELCR at 0x4D0/0x4D1, as on the
 *    PIIX/EISA chipsets; IRQ 0, 1, 2, 8 and 13 are always edge). A line that falls before the
 *    acknowledge loses its request (IRR follows the line low), which is why an acknowledge with no
 *    request gives the spurious vector IR7 (IRQ 7, or IRQ 15 on the slave with the master's IR2
 *    left in service).
 *  - the cascade input IR2 follows the slave's INT output as a level (the AT's wiring makes the
 *    slave's INT drop during its acknowledge, which a level model gives without INTA timing).
 */
import type { PortDevice } from "./bus.ts";
import type { InterruptController, IrqSink } from "./irq.ts";

const bit = (n: number) => 1 << n;

/** One 8259A. */
export class Pic8259 {
  irr = 0; isr = 0; imr = 0;
  /** Current input levels (for edge detection). */
  private lines = 0;
  /** Per-line level-trigger mask (ELCR); ICW1.LTIM makes every line level triggered. */
  elcr = 0;
  ltim = false;
  base = 0;
  icw3 = 0;
  aeoi = false;
  sfnm = false;
  rotateInAeoi = false;
  /** The lowest-priority IR (7 after initialization; rotation moves it). */
  lowest = 7;
  smm = false;
  readIsr = false;
  private pollNext = false;
  private initStep = 0; // 0 = operational; 2/3/4 = expecting that ICW
  private single = false;
  private ic4 = false;
  /** The master's cascade inputs (ICW3 bit per IR); for the slave, its ID. */
  constructor(readonly master: boolean) {}

  private levelMask(): number { return this.ltim ? 0xff : this.elcr; }

  /** Drive input IR `ir` to `level`. */
  setInput(ir: number, level: boolean): void {
    const b = bit(ir);
    if (level) {
      if ((this.levelMask() & b) || !(this.lines & b)) this.irr |= b;
      this.lines |= b;
    } else {
      this.irr &= ~b;
      this.lines &= ~b;
    }
  }

  private isCascade(ir: number): boolean { return this.master && !this.single && (this.icw3 & bit(ir)) !== 0; }

  /** The IR that would be acknowledged now, or -1. */
  highest(): number {
    const req = this.irr & ~this.imr;
    const inService = this.smm ? this.isr & ~this.imr : this.isr;
    for (let k = 1; k <= 8; k++) {
      const ir = (this.lowest + k) & 7;
      if (inService & bit(ir)) {
        // Special fully nested mode: a request from an in-service slave may still come through.
        if (this.sfnm && this.isCascade(ir) && (req & bit(ir))) return ir;
        return -1;
      }
      if (req & bit(ir)) return ir;
    }
    return -1;
  }

  /** The INT output. */
  int(): boolean { return this.highest() >= 0; }

  /** The acknowledge of `ir` (IRR -> ISR, or AEOI). */
  ack(ir: number): void {
    const b = bit(ir);
    this.irr &= ~b;
    if (this.levelMask() & this.lines & b) this.irr |= b; // a level input still high stays requested
    if (this.aeoi) { if (this.rotateInAeoi) this.lowest = ir; }
    else this.isr |= b;
  }

  /** The highest-priority IR in service, or -1. */
  private highestIsr(): number {
    for (let k = 1; k <= 8; k++) {
      const ir = (this.lowest + k) & 7;
      if (this.isr & bit(ir)) return ir;
    }
    return -1;
  }

  /** Port write; `odd` is A0. Returns the poll flag handling to the pair. */
  write(odd: boolean, v: number): void {
    v &= 0xff;
    if (!odd) {
      if (v & 0x10) { // ICW1
        this.ltim = (v & 0x08) !== 0;
        this.single = (v & 0x02) !== 0;
        this.ic4 = (v & 0x01) !== 0;
        this.imr = 0; this.isr = 0; this.irr = 0;
        this.lowest = 7; this.smm = false; this.readIsr = false; this.pollNext = false;
        this.icw3 = this.master ? 0 : 7;
        if (!this.ic4) { this.aeoi = false; this.sfnm = false; }
        this.rotateInAeoi = false;
        this.initStep = 2;
        return;
      }
      if (v & 0x08) { // OCW3
        if (v & 0x04) this.pollNext = true;
        if (v & 0x02) this.readIsr = (v & 0x01) !== 0;
        if (v & 0x40) this.smm = (v & 0x20) !== 0;
        return;
      }
      // OCW2
      const cmd = v >> 5, l = v & 7;
      switch (cmd) {
        case 1: case 5: { // non-specific EOI (5: and rotate)
          const ir = this.highestIsr();
          if (ir >= 0) { this.isr &= ~bit(ir); if (cmd === 5) this.lowest = ir; }
          break;
        }
        case 3: this.isr &= ~bit(l); break; // specific EOI
        case 7: this.isr &= ~bit(l); this.lowest = l; break; // rotate on specific EOI
        case 6: this.lowest = l; break; // set priority
        case 4: this.rotateInAeoi = true; break;
        case 0: this.rotateInAeoi = false; break;
        default: break; // 2: no operation
      }
      return;
    }
    switch (this.initStep) {
      case 2:
        this.base = v & 0xf8;
        this.initStep = this.single ? (this.ic4 ? 4 : 0) : 3;
        return;
      case 3:
        this.icw3 = this.master ? v : v & 7;
        this.initStep = this.ic4 ? 4 : 0;
        return;
      case 4:
        this.aeoi = (v & 0x02) !== 0;
        this.sfnm = (v & 0x10) !== 0;
        this.initStep = 0;
        return;
      default:
        this.imr = v; // OCW1
    }
  }

  /** Port read (status); a pending poll command is handled by the pair. */
  read(odd: boolean): number {
    if (odd) return this.imr;
    return this.readIsr ? this.isr : this.irr;
  }

  takePoll(): boolean { const p = this.pollNext; this.pollNext = false; return p; }
}

/** The AT pair: master + slave on IR2, ports 0x20/0x21, 0xA0/0xA1 and the ELCR at 0x4D0/0x4D1. */
export class DualPic implements PortDevice, IrqSink, InterruptController {
  readonly name = "pic";
  readonly master = new Pic8259(true);
  readonly slave = new Pic8259(false);
  /** Called when the INT output may have changed (the machine re-evaluates pending()). */
  onChange: () => void = () => {};

  private sync(): void {
    this.master.setInput(2, this.slave.int());
    this.onChange();
  }

  setIrq(line: number, level: boolean): void {
    if (line === 2) line = 9; // the AT bus's IRQ2 pin is wired to the slave's IR1
    if (line < 8) this.master.setInput(line, level);
    else this.slave.setInput(line - 8, level);
    this.sync();
  }

  /** The INTR output to the CPU (or to the local APIC's LINT0). */
  intr(): boolean { return this.master.int(); }

  /** What an acknowledge would return now, without performing it. */
  pending(): number {
    const ir = this.master.highest();
    if (ir < 0) return -1;
    if (ir === 2 && (this.master.icw3 & 4)) {
      const s = this.slave.highest();
      return s < 0 ? this.slave.base | 7 : this.slave.base | s;
    }
    return this.master.base | ir;
  }

  /** The INTA cycle: returns the vector and moves the request into service. */
  inta(): number {
    const ir = this.master.highest();
    let vector: number;
    if (ir < 0) vector = this.master.base | 7; // spurious IRQ 7: nothing goes in service
    else {
      this.master.ack(ir);
      if (ir === 2 && (this.master.icw3 & 4)) {
        const s = this.slave.highest();
        if (s < 0) vector = this.slave.base | 7; // spurious IRQ 15 (master IR2 stays in service)
        else { this.slave.ack(s); vector = this.slave.base | s; }
      } else vector = this.master.base | ir;
    }
    this.sync();
    return vector;
  }

  acknowledge(vector: number): void {
    const v = this.inta();
    if (v !== vector) throw new Error(`PIC acknowledge mismatch: posted vector ${vector}, INTA gave ${v}`);
  }

  /** Lines currently asserted in IRR (for stats): the ISA IRQ number an acknowledged vector came from. */
  irqOfVector(vector: number): number {
    if ((vector & 0xf8) === this.master.base && vector - this.master.base !== 2) return vector - this.master.base;
    if ((vector & 0xf8) === this.slave.base) return 8 + (vector - this.slave.base);
    return -1;
  }

  private poll(chip: Pic8259): number {
    const ir = chip.highest();
    if (ir < 0) return 0;
    chip.ack(ir); // (a poll of the master that finds IR2 reports 2; the slave is polled separately)
    this.sync();
    return 0x80 | ir;
  }

  read(port: number): number {
    if (port === 0x4d0) return this.master.elcr;
    if (port === 0x4d1) return this.slave.elcr;
    const chip = port >= 0xa0 ? this.slave : this.master;
    const odd = (port & 1) !== 0;
    if (!odd && chip.takePoll()) return this.poll(chip);
    return chip.read(odd);
  }

  write(port: number, _size: number, value: number): void {
    if (port === 0x4d0) { this.master.elcr = value & 0xf8; this.sync(); return; }
    if (port === 0x4d1) { this.slave.elcr = value & 0xde; this.sync(); return; }
    const chip = port >= 0xa0 ? this.slave : this.master;
    chip.write((port & 1) !== 0, value);
    this.sync();
  }
}
