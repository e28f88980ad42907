/**
 * A machine: one core plus the devices around it, and the loop that runs the core and services its
 * exits (port I/O, MMIO, HLT, faults, shutdown). This is the native-PC flavour; the Xen PV domain
 * builds on the same core with its own exit handling.
 *
 * The PC: dual 8259A PIC, 8254 PIT (+ port 0x61), 16550A UARTs on COM1/COM2, MC146818 RTC/CMOS,
 * 8042 keyboard controller and port 0x92 (reset, A20), local APIC (unless `apic: false`), PCI
 * configuration space with an i440FX/PIIX3, debug consoles on ports 0xE9 and 0x402.
 *
 * Time (host/pc/clock.ts): the run loop gives each run() the instructions left until the earliest
 * device deadline (capped at MAX_SLICE), services the devices, and offers the interrupt
 * controllers' vector to the core in S.IRQ_VECTOR (host/pc/irq.ts describes the protocol). A HLT
 * with interrupts enabled fast-forwards the virtual clock to the next deadline.
 */
import { Cpu, type CpuOptions } from "./core/cpu.ts";
import { ExitReason, S, X } from "./isa/layout.ts";
import { PortBus } from "./pc/bus.ts";
import { Uart16550 } from "./pc/uart.ts";
import { DebugCon } from "./pc/debugcon.ts";
import { MmioBus } from "./pc/mmio.ts";
import { VirtualClock } from "./pc/clock.ts";
import { DualPic } from "./pc/pic.ts";
import { Pit8254 } from "./pc/pit.ts";
import { Rtc146818 } from "./pc/rtc.ts";
import { Kbc8042, Port92 } from "./pc/kbc.ts";
import { LocalApic, APIC_DEFAULT_BASE } from "./pc/apic.ts";
import { PciBus } from "./pc/pci.ts";
import { IrqStats } from "./pc/irq.ts";

export type StopReason = "halted" | "shutdown" | "limit" | "stopped" | "fault" | "reset";

export interface RunResult {
  reason: StopReason;
  instructions: bigint;
  /** Human-readable explanation (e.g. the unhandled fault). */
  detail: string;
}

export interface MachineOptions extends CpuOptions {
  /** Where guest console bytes go (COM1 and ports 0xE9/0x402). Default: collected in `output`. */
  onOutput?: (byte: number) => void;
  /** Separate sink for the firmware debug port 0x402 (default: the console sink). */
  onDebugOutput?: (byte: number) => void;
  /** Local APIC present (default true); false also hides CPUID.1:EDX.APIC. */
  apic?: boolean;
  /** RTC start date (default 2024-01-01T00:00:00Z, for determinism); "host" uses the host clock. */
  rtcStart?: Date | "host";
  /** Pace virtual time to the wall clock when the guest idles (interactive use). */
  realtime?: boolean;
}

/** Longest run() slice without a device deadline: 1 ms of virtual time. */
const MAX_SLICE = 100_000;
const EXIT_NAMES = Object.fromEntries(Object.entries(ExitReason).map(([k, v]) => [v, k])) as Record<number, string>;
const CPUID_APIC_BIT = 1 << 9;

export class PcMachine {
  readonly cpu: Cpu;
  readonly bus = new PortBus();
  readonly mmio = new MmioBus();
  readonly clock: VirtualClock;
  readonly pic = new DualPic();
  readonly pit: Pit8254;
  readonly com1: Uart16550;
  readonly com2: Uart16550;
  readonly rtc: Rtc146818;
  readonly kbc: Kbc8042;
  readonly port92: Port92;
  readonly apic: LocalApic | undefined;
  readonly pci = new PciBus();
  readonly irqStats = new IrqStats();
  private readonly outBytes: number[] = [];
  private readonly romImage: Uint8Array | undefined;
  exitCounts = new Map<number, number>();
  /** The vector offered to the core before the current run(), and who offered it. */
  private posted = -1;
  private postedBy: "pic" | "apic" | "" = "";
  private resetRequested = false;
  private readonly realtime: boolean;
  private wallStart = 0;
  private virtStart = 0;

  constructor(opts: MachineOptions = {}) {
    this.cpu = Cpu.create(opts);
    this.romImage = opts.rom;
    this.realtime = opts.realtime ?? false;
    this.clock = new VirtualClock(this.cpu);
    const sink = opts.onOutput ?? ((b: number) => { this.outBytes.push(b); });
    const debugSink = opts.onDebugOutput ?? sink;
    const irq = this.pic;
    this.pit = new Pit8254(this.clock, irq);
    this.com1 = new Uart16550(0x3f8, sink, this.clock, irq, 4);
    this.com2 = new Uart16550(0x2f8, () => {}, this.clock, irq, 3);
    const start = opts.rtcStart === "host" ? new Date() : opts.rtcStart ?? new Date(Date.UTC(2024, 0, 1));
    this.rtc = new Rtc146818(this.clock, irq, start);
    this.rtc.setMemorySize(this.cpu.ramSize);
    const sys = { reset: () => { this.resetRequested = true; }, setA20: () => this.updateA20() };
    this.kbc = new Kbc8042(sys, irq);
    this.port92 = new Port92(sys);
    if (opts.apic !== false) {
      this.apic = new LocalApic(this.clock);
      this.pic.onChange = () => this.apic!.setLint0(this.pic.intr());
    }
    this.bus.register(this.pic, 0x20, 2);
    this.bus.register(this.pic, 0xa0, 2);
    this.bus.register(this.pic, 0x4d0, 2);
    this.bus.register(this.pit, 0x40, 4);
    this.bus.register(this.pit, 0x61);
    this.bus.register(this.com1, 0x3f8, 8);
    this.bus.register(this.com2, 0x2f8, 8);
    this.bus.register(this.rtc, 0x70, 2);
    this.bus.register(this.kbc, 0x60);
    this.bus.register(this.kbc, 0x64);
    this.bus.register(this.port92, 0x92);
    this.bus.register(this.pci, 0xcf8, 8);
    this.bus.register(new DebugCon(sink), 0xe9);
    this.bus.register(new DebugCon(debugSink), 0x402);
    this.bus.register({ name: "post", read: () => 0xff, write: () => {} }, 0x80); // POST code / I/O delay port
    this.powerOnCpu();
  }

  /** CPU state a PC gives after reset, beyond the core's own: APIC base MSR, CPUID policy, A20, shadow BIOS. */
  private powerOnCpu(): void {
    const cpu = this.cpu;
    cpu.setState32(S.APIC_BASE, this.apic ? APIC_DEFAULT_BASE | 0x900 : 0); // BSP | global enable
    cpu.setState32(S.CPUID_EDX_MASK, this.apic ? 0 : CPUID_APIC_BIT);
    this.apic?.reset();
    // The shadowed BIOS: the ROM's last 128 KiB also appear at 0xE0000-0xFFFFF, as RAM initialised
    // with them (so writes there change the RAM copy, as with a PC's shadow RAM set read/write).
    const rom = this.romImage;
    if (rom && cpu.ramSize >= 0x100000) {
      const n = Math.min(rom.length, 0x20000);
      cpu.ram.set(rom.subarray(rom.length - n), 0x100000 - n);
    }
    this.updateA20();
  }

  private updateA20(): void {
    const on = this.kbc.a20 || (this.port92.value & 2) !== 0;
    if ((this.cpu.state32(S.A20) !== 0) !== on) {
      this.cpu.setState32(S.A20, on ? 1 : 0);
      this.cpu.core.refresh();
    }
  }

  /** Console output collected so far (when no onOutput was given). */
  get output(): string { return Buffer.from(this.outBytes).toString("latin1"); }

  /** Host input for COM1 (stdin in the CLI). */
  input(bytes: Iterable<number>): void { this.com1.input(bytes); }

  /** Bring every device up to the current virtual time. */
  private serviceDevices(): void {
    this.pit.update();
    this.rtc.sync();
    this.com1.update();
    this.com2.update();
    this.apic?.updateTimer();
  }

  private nextDeadline(): number | undefined {
    let d: number | undefined;
    for (const t of [this.pit.nextDeadline(), this.rtc.nextDeadline(), this.com1.nextDeadline(), this.com2.nextDeadline(), this.apic?.nextDeadline()]) {
      if (t !== undefined && (d === undefined || t < d)) d = t;
    }
    return d;
  }

  private apicActive(): boolean {
    if (!this.apic) return false;
    const base = this.cpu.stateU32(S.APIC_BASE);
    this.apic.globalEnable = (base & 0x800) !== 0;
    return this.apic.enabled;
  }

  /** The vector the interrupt controllers would deliver now, or -1. */
  private pendingVector(): { vector: number; by: "pic" | "apic" | "" } {
    if (this.apicActive()) {
      const v = this.apic!.pending();
      if (v >= 0) return { vector: v, by: "apic" };
      if (!this.apic!.extIntPassThrough()) return { vector: -1, by: "" };
    }
    if (this.pic.intr()) return { vector: this.pic.pending(), by: "pic" };
    return { vector: -1, by: "" };
  }

  private post(): void {
    const p = this.pendingVector();
    this.posted = p.vector;
    this.postedBy = p.by;
    this.cpu.setState32(S.IRQ_VECTOR, p.vector);
  }

  /** After run(): the core took the posted vector (acknowledge it) or did not (withdraw it). */
  private settle(): void {
    if (this.posted < 0) return;
    if (this.cpu.state32(S.IRQ_VECTOR) === -1) {
      if (this.postedBy === "apic") { this.apic!.acknowledge(this.posted); this.irqStats.count(`apic vector 0x${this.posted.toString(16)}`); }
      else {
        const v = this.pic.inta();
        const irq = this.pic.irqOfVector(v);
        this.irqStats.count(irq >= 0 ? `IRQ${irq}` : `vector 0x${v.toString(16)}`);
      }
    } else this.cpu.setState32(S.IRQ_VECTOR, -1);
    this.posted = -1;
    this.postedBy = "";
  }

  private doReset(): boolean {
    this.resetRequested = false;
    if (!this.romImage) return false;
    this.cpu.reset();
    this.powerOnCpu();
    return true;
  }

  /**
   * Run until the guest halts with interrupts off (or idles with no interrupt source), shuts
   * down, or `maxInstructions` have run. `until` stops early when the collected output matches.
   */
  run(maxInstructions = 1e9, until?: RegExp): RunResult {
    for (;;) {
      const r = this.slice(maxInstructions, until, Infinity);
      if (r !== "wait") return r;
    }
  }

  /**
   * The same loop for interactive use: yields to the event loop (stdin) between slices of about
   * 20 ms of host time, and when the guest idles with nothing scheduled, waits for input.
   */
  async runAsync(maxInstructions = 1e9, until?: RegExp, inputOpen: () => boolean = () => false): Promise<RunResult> {
    const start = this.cpu.instructions;
    this.wallStart = performance.now();
    this.virtStart = this.clock.now();
    for (;;) {
      const left = Number(BigInt(Math.floor(maxInstructions)) - (this.cpu.instructions - start));
      const r = this.slice(left, until, performance.now() + 20, inputOpen());
      if (r !== "wait") {
        if (r.reason === "halted" && inputOpen() && (this.cpu.eflags & 0x200)) { await sleep(10); continue; }
        return { ...r, instructions: this.cpu.instructions - start };
      }
      await sleep(this.waitMs);
    }
  }

  private waitMs = 0;
  private lastOutLen = 0;

  private slice(maxInstructions: number, until: RegExp | undefined, wallUntil: number, waitForInput = false): RunResult | "wait" {
    const cpu = this.cpu;
    const icount = () => cpu.stateU32(S.ICOUNT_HI) * 4294967296 + cpu.stateU32(S.ICOUNT_LO);
    const start = icount();
    const limit = start + Math.floor(Math.max(0, maxInstructions));
    const done = (reason: StopReason, detail: string): RunResult => ({ reason, instructions: BigInt(icount() - start), detail });
    let iter = 0;
    for (;;) {
      if (this.resetRequested) {
        if (!this.doReset()) return done("reset", "the guest reset the machine");
      }
      const left = limit - icount();
      if (left <= 0) return done("limit", `stopped after ${maxInstructions} instructions`);
      if ((++iter & 255) === 0 && performance.now() > wallUntil) { this.waitMs = 0; return "wait"; }
      this.serviceDevices();
      const deadline = this.nextDeadline();
      let budget = Math.min(left, MAX_SLICE);
      if (deadline !== undefined) budget = Math.max(1, Math.min(budget, this.clock.ticksUntil(deadline)));
      // (The core takes no offered interrupt before replaying an answered IN or MMIO access.)
      this.post();
      const r = cpu.run(budget);
      this.settle();
      this.exitCounts.set(r, (this.exitCounts.get(r) ?? 0) + 1);
      switch (r) {
        case ExitReason.IO: {
          const port = cpu.exit32(X.PORT), size = cpu.exit32(X.SIZE);
          if (cpu.exit32(X.IS_OUT)) {
            this.bus.write(port, size, cpu.exit32(X.VALUE));
            if (until && this.outBytes.length !== this.lastOutLen) {
              this.lastOutLen = this.outBytes.length;
              if (until.test(this.output)) return done("stopped", "output matched");
            }
          } else cpu.answerIn(this.bus.read(port, size));
          break;
        }
        case ExitReason.MMIO: {
          const addr = cpu.exit32(X.ADDR), size = cpu.exit32(X.SIZE);
          const apic = this.apic && this.apicActiveBase(addr) ? this.apic : undefined;
          if (cpu.exit32(X.IS_OUT)) { (apic ?? this.mmio).write(addr, size, cpu.exit32(X.VALUE)); cpu.answerMmio(0); }
          else cpu.answerMmio((apic ?? this.mmio).read(addr, size));
          break;
        }
        case ExitReason.HLT: {
          if ((cpu.eflags & 0x200) === 0) return done("halted", `HLT with interrupts disabled at eip 0x${cpu.eip.toString(16)}`);
          this.serviceDevices();
          if (this.pendingVector().vector >= 0) break; // the next run() delivers it
          const d = this.nextDeadline();
          if (d === undefined) {
            if (waitForInput) { this.waitMs = 10; return "wait"; }
            return done("halted", "HLT with interrupts enabled and no interrupt source scheduled");
          }
          if (this.realtime) {
            const wallVirt = this.virtStart + (performance.now() - this.wallStart) * 1e6;
            if (wallVirt < d) {
              this.clock.skipTo(Math.max(this.clock.now(), Math.floor(wallVirt)));
              this.waitMs = Math.min(10, (d - wallVirt) / 1e6);
              return "wait";
            }
          }
          this.clock.skipTo(d);
          break;
        }
        case ExitReason.SHUTDOWN:
          return done("shutdown", "triple fault: the machine shut down");
        case ExitReason.FAULT:
          return done("fault", `unhandled exception ${cpu.exit32(X.VECTOR)} at eip 0x${cpu.eip.toString(16)}`);
        case ExitReason.STOPPED:
          if (this.resetRequested) break;
          return done("stopped", `exit ${r}`);
        case ExitReason.SOFTINT:
          return done("stopped", `exit ${r}`);
        default:
          break; // BUDGET: loop
      }
    }
  }

  private apicActiveBase(addr: number): boolean {
    const base = this.cpu.stateU32(S.APIC_BASE);
    return (base & 0x800) !== 0 && ((addr & ~0xfff) >>> 0) === ((base & 0xfffff000) >>> 0);
  }

  /** A summary for --stats. */
  statsText(): string {
    const exits = [...this.exitCounts].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${EXIT_NAMES[r] ?? r}=${n}`).join(" ");
    const irqs = [...this.irqStats.delivered].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}=${n}`).join(" ");
    return `exits: ${exits || "none"}\ninterrupts delivered: ${irqs || "none"}\nvirtual time: ${(this.clock.now() / 1e9).toFixed(6)} s`;
  }
}

function sleep(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, Math.max(0, ms))); }
