/**
 * NS16550A UART (COM1 at 0x3F8/IRQ 4, COM2 at 0x2F8/IRQ 3), written from the NS16550A datasheet.
 *
 * Registers: RBR/THR, IER, IIR/FCR, LCR (DLAB), MCR, LSR, MSR, SCR, divisor latch.
 * FIFOs: 16-byte receive FIFO with trigger levels 1/4/8/14 and the character timeout (four
 * character times without FIFO activity while data sits below the trigger); FCR clears either FIFO.
 * Interrupts, by priority (IIR): receiver line status (overrun, break), received data available,
 * character timeout, THR empty, modem status; IIR bits 7:6 report FIFOs enabled. The THR-empty
 * interrupt is cleared by reading IIR when it is the reported source, or by writing THR.
 * The interrupt output reaches the PC's IRQ line only while MCR.OUT2 is set (the AT's gate).
 * Loopback (MCR bit 4): transmitted characters come back to the receiver (overrunning a full
 * FIFO), the modem outputs are disconnected and MSR reads DTR/RTS/OUT1/OUT2 as DSR/CTS/RI/DCD;
 * the interrupt output is then disconnected from the PC's IRQ line (OUT2's pin is forced inactive).
 *
 * Transmit is immediate (a byte written to THR goes to the output sink at once, so THRE and TEMT
 * are set again right away and a THR-empty interrupt follows). Receive comes from a host input
 * queue (`input()`, stdin in the CLI) at one character per character time at the programmed baud
 * rate (virtual clock); host input waits in the queue rather than overrunning the FIFO.
 */
import type { PortDevice } from "./bus.ts";
import type { IrqSink } from "./irq.ts";
import type { TimeSource } from "./clock.ts";

const IER_RDA = 1, IER_THRE = 2, IER_RLS = 4, IER_MS = 8;
const LSR_DR = 1, LSR_OE = 2, LSR_BI = 0x10, LSR_THRE = 0x20, LSR_TEMT = 0x40, LSR_FIFOERR = 0x80;
export const IIR_NONE = 1, IIR_MS = 0, IIR_THRE = 2, IIR_RDA = 4, IIR_RLS = 6, IIR_TIMEOUT = 0xc;
const TRIGGERS = [1, 4, 8, 14];

export class Uart16550 implements PortDevice {
  readonly name: string;
  ier = 0; lcr = 0; mcr = 0; scr = 0; dll = 0x0c; dlm = 0;
  fifoEnabled = false;
  trigger = 1;
  private rx: number[] = [];
  private rxErr: number[] = []; // per-character error bits (break) for LSR bit 7
  private lsrErrors = 0; // OE/PE/FE/BI latched until LSR is read
  private threPending = false; // the THR-empty interrupt condition
  private msr = 0xb0; // modem status: bits 4-7 lines (host side: CTS, DSR, DCD), bits 0-3 deltas
  /** Time of the last receive-FIFO activity (a character in or out), for the character timeout. */
  private lastRxActivity = 0;
  private pendingInput: number[] = [];
  private nextRxTime = 0;
  private irqLevel = false;

  constructor(
    readonly base: number,
    private readonly out: (byte: number) => void,
    private readonly time?: TimeSource,
    private readonly irq?: IrqSink,
    private readonly irqLine = 4,
  ) {
    this.name = `uart@${base.toString(16)}`;
  }

  private now(): number { return this.time?.now() ?? 0; }

  /** One character time (start + data + parity + stop bits) at the programmed divisor, in ns. */
  charTimeNs(): number {
    const div = (this.dlm << 8 | this.dll) || 1;
    const bits = 1 + 5 + (this.lcr & 3) + ((this.lcr & 8) ? 1 : 0) + ((this.lcr & 4) ? 2 : 1);
    return Math.round(bits * div * 1e9 / 115200);
  }

  /** Queue bytes from the host (stdin); they arrive at the line rate. */
  input(bytes: Iterable<number>): void {
    const wasEmpty = this.pendingInput.length === 0;
    for (const b of bytes) this.pendingInput.push(b & 0xff);
    if (wasEmpty) this.nextRxTime = Math.max(this.nextRxTime, this.now());
    this.update();
  }

  get inputPending(): number { return this.pendingInput.length; }

  private receive(b: number, fromLoop: boolean): void {
    const cap = this.fifoEnabled ? 16 : 1;
    if (this.rx.length >= cap) {
      if (!fromLoop) return; // host input waits (handled by the caller)
      this.lsrErrors |= LSR_OE; // overrun: the character is lost
      return;
    }
    this.rx.push(b);
    this.rxErr.push(0);
    this.lastRxActivity = this.now();
  }

  /** Move host input into the FIFO at the line rate, up to now. */
  private pump(): void {
    if (this.mcr & 0x10) return; // loopback: the receiver is disconnected from the line
    const now = this.now();
    const ct = this.charTimeNs();
    const cap = this.fifoEnabled ? 16 : 1;
    while (this.pendingInput.length && this.nextRxTime + ct <= now && this.rx.length < cap) {
      this.nextRxTime += ct;
      this.rx.push(this.pendingInput.shift()!);
      this.rxErr.push(0);
      this.lastRxActivity = this.nextRxTime;
    }
    if (this.pendingInput.length && this.nextRxTime + ct <= now) this.nextRxTime = now - ct; // FIFO full: wait
  }

  private timeoutDue(now: number): boolean {
    return this.fifoEnabled && this.rx.length > 0 && this.rx.length < this.trigger && now >= this.lastRxActivity + 4 * this.charTimeNs();
  }

  /** The interrupt identification (IIR bits 3:0) of the highest-priority pending source. */
  private identify(): number {
    const now = this.now();
    if ((this.ier & IER_RLS) && (this.lsrErrors & (LSR_OE | LSR_BI | 0x0c))) return IIR_RLS;
    if (this.ier & IER_RDA) {
      if (this.rx.length >= (this.fifoEnabled ? this.trigger : 1)) return IIR_RDA;
      if (this.timeoutDue(now)) return IIR_TIMEOUT;
    }
    if ((this.ier & IER_THRE) && this.threPending) return IIR_THRE;
    if ((this.ier & IER_MS) && (this.msr & 0x0f)) return IIR_MS;
    return IIR_NONE;
  }

  /** Next virtual time at which something changes on its own (a character arrives, a timeout). */
  nextDeadline(): number | undefined {
    let d: number | undefined;
    const cap = this.fifoEnabled ? 16 : 1;
    if (this.pendingInput.length && this.rx.length < cap && !(this.mcr & 0x10)) d = this.nextRxTime + this.charTimeNs();
    if (this.fifoEnabled && (this.ier & IER_RDA) && this.rx.length > 0 && this.rx.length < this.trigger) {
      const t = this.lastRxActivity + 4 * this.charTimeNs();
      if (t > this.now() && (d === undefined || t < d)) d = t;
    }
    return d;
  }

  /** Re-evaluate the interrupt output (and pull in host input up to now). */
  update(): void {
    this.pump();
    const loop = (this.mcr & 0x10) !== 0;
    const level = !loop && (this.mcr & 0x08) !== 0 && this.identify() !== IIR_NONE;
    if (level !== this.irqLevel) { this.irqLevel = level; this.irq?.setIrq(this.irqLine, level); }
  }

  private lsr(): number {
    let v = this.lsrErrors | LSR_THRE | LSR_TEMT;
    if (this.rx.length) v |= LSR_DR;
    if (this.rxErr.some((e) => e !== 0)) v |= LSR_FIFOERR;
    return v;
  }

  private setModemLines(lines: number): void {
    const old = this.msr >> 4;
    let delta = 0;
    if ((old ^ lines) & 1) delta |= 1; // DCTS
    if ((old ^ lines) & 2) delta |= 2; // DDSR
    if ((old & 4) && !(lines & 4)) delta |= 4; // TERI: RI trailing edge
    if ((old ^ lines) & 8) delta |= 8; // DDCD
    this.msr = (lines << 4) | (this.msr & 0x0f) | delta;
  }

  private loopLines(): number {
    // In loopback: CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2.
    const m = this.mcr;
    return ((m & 2) ? 1 : 0) | ((m & 1) ? 2 : 0) | ((m & 4) ? 4 : 0) | ((m & 8) ? 8 : 0);
  }

  read(port: number): number {
    this.pump();
    const dlab = (this.lcr & 0x80) !== 0;
    let v: number;
    switch (port - this.base) {
      case 0:
        if (dlab) { v = this.dll; break; }
        v = this.rx.length ? this.rx.shift()! : 0;
        if (this.rxErr.length) this.rxErr.shift();
        this.lastRxActivity = this.now();
        break;
      case 1: v = dlab ? this.dlm : this.ier; break;
      case 2: {
        const id = this.identify();
        v = id | (this.fifoEnabled ? 0xc0 : 0);
        if (id === IIR_THRE) this.threPending = false;
        break;
      }
      case 3: v = this.lcr; break;
      case 4: v = this.mcr; break;
      case 5: v = this.lsr(); this.lsrErrors = 0; break;
      case 6: {
        if (this.mcr & 0x10) this.setModemLines(this.loopLines());
        v = this.msr;
        this.msr &= 0xf0;
        break;
      }
      default: v = this.scr;
    }
    this.update();
    return v;
  }

  write(port: number, _size: number, value: number): void {
    this.pump();
    const v = value & 0xff, dlab = (this.lcr & 0x80) !== 0;
    switch (port - this.base) {
      case 0:
        if (dlab) { this.dll = v; break; }
        if (this.mcr & 0x10) this.receive(v, true);
        else this.out(v);
        this.threPending = true; // transmitted at once: THR empty again
        break;
      case 1:
        if (dlab) { this.dlm = v; break; }
        // Enabling the THRE interrupt with THR empty raises it.
        if ((v & IER_THRE) && !(this.ier & IER_THRE)) this.threPending = true;
        this.ier = v & 0x0f;
        break;
      case 2: {
        const en = (v & 1) !== 0;
        if (en !== this.fifoEnabled) { this.rx = []; this.rxErr = []; }
        this.fifoEnabled = en;
        if (en) {
          if (v & 2) { this.rx = []; this.rxErr = []; }
          this.trigger = TRIGGERS[v >> 6];
        }
        break;
      }
      case 3: this.lcr = v; break;
      case 4: {
        this.mcr = v & 0x1f;
        if (this.mcr & 0x10) this.setModemLines(this.loopLines());
        else this.setModemLines(0x0b); // the host side: CTS, DSR, DCD asserted
        break;
      }
      case 7: this.scr = v; break;
      default: break; // LSR, MSR: writes ignored (factory test)
    }
    this.update();
  }
}
