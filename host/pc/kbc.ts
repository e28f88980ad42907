/**
 * The Intel 8042 keyboard controller (0x60 data, 0x64 status/command) with a PS/2 keyboard that
 * answers commands but has no keys, a PS/2 mouse that answers commands and never moves, and the
 * PC's system control port A (0x92, "fast A20" bit 1 and fast reset bit 0).
 *
 * Controller commands: 0x20-0x3F read controller RAM (0x20 = command byte), 0x60-0x7F write it,
 * 0xA7/0xA8 disable/enable the aux port, 0xA9 aux port test (0x00), 0xAA self-test (0x55; sets the
 * system flag), 0xAB keyboard port test (0x00), 0xAD/0xAE disable/enable the keyboard, 0xC0 read
 * the input port, 0xD0 read the output port, 0xD1 write the output port (bit 0 = 0 resets the CPU,
 * bit 1 = A20), 0xD2/0xD3 write the keyboard/aux output buffer, 0xD4 send a byte to the aux
 * device, 0xDD/0xDF A20 off/on, 0xF0-0xFF pulse output lines low (bit 0 of the low nibble clear =
 * reset pulse, so 0xFE resets).
 * Status: OBF (bit 0), IBF always 0 (the controller is infinitely fast), system flag (bit 2),
 * A2 = last write was a command (bit 3), keyboard not inhibited (bit 4), aux OBF (bit 5).
 * The output buffer raises IRQ 1 (keyboard data, command byte bit 0) or IRQ 12 (aux data, bit 1).
 */
import type { PortDevice } from "./bus.ts";
import type { IrqSink } from "./irq.ts";

export interface SystemLines {
  /** The CPU reset line pulsed. */
  reset(): void;
  /** The A20 gate changed. */
  setA20(enabled: boolean): void;
}

export class Kbc8042 implements PortDevice {
  readonly name = "i8042";
  commandByte = 0x45; // keyboard interrupt, system flag, translation
  private outQueue: { byte: number; aux: boolean }[] = [];
  private pending: number | null = null; // controller command awaiting its data byte
  private lastWasCommand = false;
  private selfTested = false;
  outputPort = 0x03; // bit 0: reset line high (not asserted), bit 1: A20 enabled
  private kbdPendingCmd: number | null = null;
  private irqLevels = [false, false];

  constructor(private readonly sys: SystemLines, private readonly irq?: IrqSink) {}

  get a20(): boolean { return (this.outputPort & 2) !== 0; }

  private push(byte: number, aux = false): void {
    this.outQueue.push({ byte, aux });
    this.updateIrq();
  }

  private updateIrq(): void {
    const head = this.outQueue[0];
    const kbd = !!head && !head.aux && (this.commandByte & 1) !== 0;
    const aux = !!head && head.aux && (this.commandByte & 2) !== 0;
    if (kbd !== this.irqLevels[0]) { this.irqLevels[0] = kbd; this.irq?.setIrq(1, kbd); }
    if (aux !== this.irqLevels[1]) { this.irqLevels[1] = aux; this.irq?.setIrq(12, aux); }
  }

  private status(): number {
    const head = this.outQueue[0];
    return (head ? 1 : 0) | ((this.selfTested || (this.commandByte & 4)) ? 4 : 0) | (this.lastWasCommand ? 8 : 0) | 0x10 | (head?.aux ? 0x20 : 0);
  }

  private writeOutputPort(v: number): void {
    const oldA20 = this.a20;
    this.outputPort = v | 0x01; // the reset line is pulsed, not held
    if (this.a20 !== oldA20) this.sys.setA20(this.a20);
    if (!(v & 1)) this.sys.reset();
  }

  private keyboard(v: number): void {
    if (this.kbdPendingCmd !== null) { // the data byte of a keyboard command (LEDs, rate, scan set)
      const cmd = this.kbdPendingCmd;
      this.kbdPendingCmd = null;
      if (cmd === 0xf0 && v === 0) { this.push(0xfa); this.push(0x02); return; }
      this.push(0xfa);
      return;
    }
    switch (v) {
      case 0xff: this.push(0xfa); this.push(0xaa); break; // reset, self-test passed
      case 0xf2: this.push(0xfa); this.push(0xab); this.push(0x83); break; // identify: MF2
      case 0xee: this.push(0xee); break; // echo
      case 0xed: case 0xf3: case 0xf0: this.kbdPendingCmd = v; this.push(0xfa); break;
      default: this.push(0xfa); break; // enable, disable, defaults, ...
    }
  }

  private mouseCmd: number | null = null;
  private mouse(v: number): void {
    if (this.mouseCmd !== null) { this.mouseCmd = null; this.push(0xfa, true); return; }
    switch (v) {
      case 0xff: this.push(0xfa, true); this.push(0xaa, true); this.push(0x00, true); break;
      case 0xf2: this.push(0xfa, true); this.push(0x00, true); break; // device ID: standard mouse
      case 0xe9: this.push(0xfa, true); this.push(0x00, true); this.push(0x02, true); this.push(0x64, true); break; // status
      case 0xe8: case 0xf3: this.mouseCmd = v; this.push(0xfa, true); break;
      default: this.push(0xfa, true);
    }
  }

  read(port: number): number {
    if (port === 0x64) return this.status();
    const head = this.outQueue.shift();
    this.updateIrq();
    return head ? head.byte : 0;
  }

  write(port: number, _size: number, value: number): void {
    const v = value & 0xff;
    if (port === 0x60) {
      this.lastWasCommand = false;
      const cmd = this.pending;
      this.pending = null;
      if (cmd === null) { this.keyboard(v); return; }
      if (cmd >= 0x60 && cmd <= 0x7f) {
        if (cmd === 0x60) { this.commandByte = v; this.updateIrq(); }
        return;
      }
      switch (cmd) {
        case 0xd1: this.writeOutputPort(v); break;
        case 0xd2: this.push(v); break;
        case 0xd3: this.push(v, true); break;
        case 0xd4: this.mouse(v); break;
      }
      return;
    }
    // 0x64: controller command
    this.lastWasCommand = true;
    if (v >= 0x20 && v <= 0x3f) { this.push(v === 0x20 ? this.commandByte : 0); return; }
    if ((v >= 0x60 && v <= 0x7f) || v === 0xd1 || v === 0xd2 || v === 0xd3 || v === 0xd4) { this.pending = v; return; }
    switch (v) {
      case 0xa7: this.commandByte |= 0x20; break;
      case 0xa8: this.commandByte &= ~0x20; break;
      case 0xa9: this.push(0x00); break;
      case 0xaa: this.selfTested = true; this.commandByte |= 4; this.push(0x55); break;
      case 0xab: this.push(0x00); break;
      case 0xad: this.commandByte |= 0x10; break;
      case 0xae: this.commandByte &= ~0x10; break;
      case 0xc0: this.push(0xbf); break; // input port: keyboard not inhibited, 512K+ RAM, colour
      case 0xd0: this.push(this.outputPort | (this.outQueue.length ? 0x10 : 0)); break;
      case 0xdd: this.writeOutputPort(this.outputPort & ~2); break;
      case 0xdf: this.writeOutputPort(this.outputPort | 2); break;
      default:
        if (v >= 0xf0 && !(v & 1)) this.sys.reset(); // pulse output bit 0 (reset)
    }
  }
}

/**
 * System control port A (0x92): bit 0 fast reset (on a 0 -> 1 write), bit 1 A20 gate. The
 * effective A20 gate is this bit OR the 8042 output port's bit 1 (the machine combines them).
 */
export class Port92 implements PortDevice {
  readonly name = "port92";
  value = 0x02;
  constructor(private readonly sys: SystemLines) {}
  read(): number { return this.value; }
  write(_port: number, _size: number, v: number): void {
    const old = this.value;
    this.value = v & 0x03;
    if ((old ^ v) & 2) this.sys.setA20((v & 2) !== 0);
    if (!(old & 1) && (v & 1)) { this.value &= ~1; this.sys.reset(); }
  }
}
