/**
 * A 16550 UART on COM1 (0x3F8-0x3FF), transmit side: bytes written to THR appear on the output at
 * once, so LSR always reports THR empty and transmitter idle. Register file kept for IER/LCR/MCR/
 * SCR and the divisor latch. (FIFOs, receive and interrupts come with the PC platform work.)
 */
import type { PortDevice } from "./bus.ts";

export class Uart16550 implements PortDevice {
  readonly name = "uart";
  private ier = 0; private lcr = 0; private mcr = 0; private scr = 0; private dll = 1; private dlm = 0;
  constructor(private readonly base: number, private readonly out: (byte: number) => void) {}
  read(port: number): number {
    const dlab = (this.lcr & 0x80) !== 0;
    switch (port - this.base) {
      case 0: return dlab ? this.dll : 0;
      case 1: return dlab ? this.dlm : this.ier;
      case 2: return 0x01; // IIR: no interrupt pending
      case 3: return this.lcr;
      case 4: return this.mcr;
      case 5: return 0x60; // LSR: THR empty, transmitter empty
      case 6: return 0xb0; // MSR: CTS DSR DCD
      default: return this.scr;
    }
  }
  write(port: number, _size: number, value: number): void {
    const v = value & 0xff, dlab = (this.lcr & 0x80) !== 0;
    switch (port - this.base) {
      case 0: if (dlab) this.dll = v; else this.out(v); break;
      case 1: if (dlab) this.dlm = v; else this.ier = v & 0x0f; break;
      case 3: this.lcr = v; break;
      case 4: this.mcr = v; break;
      case 7: this.scr = v; break;
    }
  }
}
