/**
 * A machine: one core plus the devices around it, and the loop that runs the core and services its
 * exits (port I/O, HLT, faults, shutdown). This is the native-PC flavour; the Xen PV domain
 * builds on the same core with its own exit handling.
 */
import { Cpu, type CpuOptions } from "./core/cpu.ts";
import { ExitReason, X } from "./isa/layout.ts";
import { PortBus } from "./pc/bus.ts";
import { Uart16550 } from "./pc/uart.ts";
import { DebugCon } from "./pc/debugcon.ts";
import { MmioBus } from "./pc/mmio.ts";

export type StopReason = "halted" | "shutdown" | "limit" | "stopped" | "fault";

export interface RunResult {
  reason: StopReason;
  instructions: bigint;
  /** Human-readable explanation (e.g. the unhandled fault). */
  detail: string;
}

export interface MachineOptions extends CpuOptions {
  /** Where guest console bytes go (COM1 and port 0xE9). Default: collected in `output`. */
  onOutput?: (byte: number) => void;
}

export class PcMachine {
  readonly cpu: Cpu;
  readonly bus = new PortBus();
  readonly mmio = new MmioBus();
  private readonly outBytes: number[] = [];
  exitCounts = new Map<number, number>();

  constructor(opts: MachineOptions = {}) {
    this.cpu = Cpu.create(opts);
    const sink = opts.onOutput ?? ((b: number) => { this.outBytes.push(b); });
    this.bus.register(new Uart16550(0x3f8, sink), 0x3f8, 8);
    this.bus.register(new DebugCon(sink), 0xe9);
  }

  /** Console output collected so far (when no onOutput was given). */
  get output(): string { return Buffer.from(this.outBytes).toString("latin1"); }

  /**
   * Run until the guest halts with interrupts off, shuts down, or `maxInstructions` have run.
   * `until` stops early when the collected output matches.
   */
  run(maxInstructions = 1e9, until?: RegExp): RunResult {
    const cpu = this.cpu;
    const start = cpu.instructions;
    const limit = start + BigInt(Math.floor(maxInstructions));
    while (true) {
      const left = limit - cpu.instructions;
      if (left <= 0n) return { reason: "limit", instructions: cpu.instructions - start, detail: `stopped after ${maxInstructions} instructions` };
      const r = cpu.run(Number(left > 1_000_000n ? 1_000_000n : left));
      this.exitCounts.set(r, (this.exitCounts.get(r) ?? 0) + 1);
      switch (r) {
        case ExitReason.IO: {
          const port = cpu.exit32(X.PORT), size = cpu.exit32(X.SIZE);
          if (cpu.exit32(X.IS_OUT)) this.bus.write(port, size, cpu.exit32(X.VALUE));
          else cpu.answerIn(this.bus.read(port, size));
          if (until && until.test(this.output)) return { reason: "stopped", instructions: cpu.instructions - start, detail: "output matched" };
          break;
        }
        case ExitReason.MMIO: {
          const addr = cpu.exit32(X.ADDR), size = cpu.exit32(X.SIZE);
          if (cpu.exit32(X.IS_OUT)) { this.mmio.write(addr, size, cpu.exit32(X.VALUE)); cpu.answerMmio(0); }
          else cpu.answerMmio(this.mmio.read(addr, size));
          break;
        }
        case ExitReason.HLT:
          if ((cpu.eflags & 0x200) === 0) return { reason: "halted", instructions: cpu.instructions - start, detail: `HLT with interrupts disabled at eip 0x${cpu.eip.toString(16)}` };
          // No interrupt sources yet: a halt with IF=1 would wait forever.
          return { reason: "halted", instructions: cpu.instructions - start, detail: "HLT with no interrupt source" };
        case ExitReason.SHUTDOWN:
          return { reason: "shutdown", instructions: cpu.instructions - start, detail: "triple fault: the machine shut down" };
        case ExitReason.FAULT:
          return { reason: "fault", instructions: cpu.instructions - start, detail: `unhandled exception ${cpu.exit32(X.VECTOR)} at eip 0x${cpu.eip.toString(16)}` };
        case ExitReason.SOFTINT:
        case ExitReason.STOPPED:
          return { reason: "stopped", instructions: cpu.instructions - start, detail: `exit ${r}` };
        default:
          break; // BUDGET: loop
      }
    }
  }
}
