/**
 * Interrupt routing between devices and the CPU.
 *
 * Devices drive ISA IRQ lines (0-15) through an `IrqSink`: `setIrq(line, level)`. The line goes to
 * the dual 8259A (host/pc/pic.ts); the PIC's INTR output reaches the CPU either directly (no local
 * APIC, or the APIC disabled) or through the local APIC's LINT0 programmed as ExtINT (virtual-wire
 * mode). The local APIC has its own sources (its timer, self-IPIs).
 *
 * `InterruptController` is what the machine's run loop talks to between run() calls:
 *   pending()   the vector the CPU would get if it acknowledged now, or -1 (no side effects)
 *   acknowledge(vector)  the CPU took that vector (the core set S.IRQ_VECTOR back to -1): the PIC
 *               moves the IRQ from IRR to ISR, the APIC from IRR to ISR.
 * The machine writes pending() into S.IRQ_VECTOR before each run(); if the CPU did not take it
 * (IF=0) the machine withdraws it after the run() and asks again, so a stale vector never sticks.
 *
 * Everything here runs between run() calls: an interrupt is recognised at the next exit or budget
 * boundary, and the run loop's budget ends at the next timer deadline, so timers are exact. What
 * profiling would justify moving into the core: guests that take tens of thousands of interrupts
 * per second pay one run() return per interrupt plus the PIC's port exits (EOI, mask); moving the
 * 8259 IRR/ISR/IMR and EOI decode into the core (answering ports 0x20/0xA0/0x21/0xA1 without an
 * exit) and the APIC's TPR/EOI registers into the MMIO fast path would remove most of those exits.
 * Measure exits-per-interrupt with --stats before doing that.
 */
export interface IrqSink {
  setIrq(line: number, level: boolean): void;
}

export interface InterruptController {
  pending(): number;
  acknowledge(vector: number): void;
}

/** Counts IRQs delivered per ISA line (for --stats). */
export class IrqStats {
  readonly delivered = new Map<string, number>();
  count(source: string): void { this.delivered.set(source, (this.delivered.get(source) ?? 0) + 1); }
}
