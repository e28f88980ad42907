/**
 * The PV run loop: one domain on one core, ringone in Xen's place (docs/pv-design.md).
 *
 * run() executes the guest in slices and services every exit:
 *   SOFTINT 0x82 from ring 1   -> a hypercall through the table (hypercall-table.ts)
 *   SOFTINT 0x82 from ring 2/3 -> #GP((0x82 << 3) | 2) at the `int`, handled as a guest fault
 *   FAULT                      -> handleGuestFault(): the emulation handlers in order, then the
 *                                 bounce to the guest's trap table; no handler crashes the domain
 * and stops when the domain shuts down (or is crashed), blocks with nothing to wake it, or the
 * instruction limit is reached. Hooks for the next pieces of the hypervisor:
 *   - faultHandlers: emulations tried before bouncing (ptwr, forced-emulation CPUID, privileged
 *     instructions, `int n` through the trap table). TODO(page tables, traps).
 *   - bounceException: deliver an exception through the virtual IDT. TODO(traps).
 *   - beforeResume: deliver pending event upcalls after every exit. TODO(events).
 *   - hooks: SCHEDOP_yield / block / poll (hypercall-types.ts). TODO(events, backends).
 */
import * as L from "../isa/layout.ts";
import { ExitReason, X as XO } from "../isa/layout.ts";
import type { Cpu } from "../core/cpu.ts";
import { XEN_ENOSYS, xenErr } from "./abi/errno.ts";
import { HYPERCALL_VECTOR } from "./abi/hypercall-page.ts";
import { SHUTDOWN_crash, SHUTDOWN_poweroff, SHUTDOWN_reboot, SHUTDOWN_suspend, SHUTDOWN_watchdog, SHUTDOWN_soft_reset } from "./abi/sched.ts";
import { buildDomain, type BuiltDomain, type PvBuildOptions } from "./domain-builder.ts";
import type { Domain } from "./domain.ts";
import { GuestMemory, XenError } from "./guest-memory.ts";
import { HYPERCALL_DENSE, newStats, type Args, type HcResult, type HypercallContext, type HypercallHooks, type HypercallStats } from "./hypercall-table.ts";
import { reasonName } from "./hypercalls/sched.ts";
import { installMm } from "./mm/index.ts";
import { installTrapsAndEvents } from "./install-events.ts";
import { installBackends } from "./install-backends.ts";
import type { VbdOptions } from "./backends/blkback.ts";

/** An exception the guest raised (the core intercepted it). */
export interface GuestFault {
  vector: number;
  errorCode: number;
  hasError: boolean;
  /** EIP of the faulting instruction (the guest's EIP is already there). */
  eip: number;
  /** Faulting linear address for #PF. */
  cr2: number;
  /** CPL when it happened. */
  cpl: number;
}
/** Returns true when it handled the fault (the guest's state is ready to resume). */
export type FaultHandler = (m: PvMachine, f: GuestFault) => boolean;

export type PvStopReason = "shutdown" | "limit" | "blocked" | "stopped";

export interface PvRunResult {
  reason: PvStopReason;
  /** SHUTDOWN_* when reason is "shutdown". */
  shutdownReason?: number;
  /** The hypervisor crashed the domain (as opposed to the guest asking for a shutdown). */
  crashedByHypervisor: boolean;
  detail: string;
  instructions: bigint;
  exitCode: number;
}

/**
 * Process exit codes of `ringone boot` for a PV guest (documented in docs/pv-design.md):
 * 0 poweroff, 1 crash (guest-requested or the domain crashed by the hypervisor), 2 reboot,
 * 3 suspend, 4 watchdog, 5 soft_reset, 6 any other shutdown reason, 7 instruction limit,
 * 8 blocked with nothing to wake it.
 */
export const PV_EXIT = { poweroff: 0, crash: 1, reboot: 2, suspend: 3, watchdog: 4, soft_reset: 5, otherReason: 6, limit: 7, blocked: 8 } as const;

export function exitCodeForShutdown(reason: number): number {
  switch (reason) {
    case SHUTDOWN_poweroff: return PV_EXIT.poweroff;
    case SHUTDOWN_crash: return PV_EXIT.crash;
    case SHUTDOWN_reboot: return PV_EXIT.reboot;
    case SHUTDOWN_suspend: return PV_EXIT.suspend;
    case SHUTDOWN_watchdog: return PV_EXIT.watchdog;
    case SHUTDOWN_soft_reset: return PV_EXIT.soft_reset;
    default: return PV_EXIT.otherReason;
  }
}

const VECTOR_NAMES = ["#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "15", "#MF", "#AC", "#MC", "#XM"];
const HAS_ERROR = new Set([8, 10, 11, 12, 13, 14, 17]);
/** EBX, ECX, EDX, ESI, EDI, EBP as register numbers (encoding order EAX ECX EDX EBX ESP EBP ESI EDI). */
const ARG_REGS = [3, 1, 2, 6, 7, 5] as const;
const EAX = 0;
const DEBUG_CLOBBER = 0xdeadbeef;

export interface PvMachineOptions extends PvBuildOptions {
  /** Instructions per run() slice of the core (default 1,000,000). */
  slice?: number;
  /** PV disks (blkback), xvda first. */
  disks?: VbdOptions[];
}

export class PvMachine {
  readonly cpu: Cpu;
  readonly domain: Domain;
  readonly built: BuiltDomain;
  readonly mem: GuestMemory;
  readonly stats: HypercallStats = newStats();
  readonly hooks: HypercallHooks = {};
  /** Core exits by ExitReason (dense: counted at every exit). */
  private readonly exitsByReason = new Float64Array(16);
  get exitCounts(): Map<number, number> {
    const m = new Map<number, number>();
    this.exitsByReason.forEach((n, r) => { if (n) m.set(r, n); });
    return m;
  }
  /** Emulations tried, in order, before bouncing a fault to the guest. */
  readonly faultHandlers: FaultHandler[] = [];
  /** Deliver an exception through the guest's trap table (TODO(traps)); false = not delivered. */
  bounceException?: (m: PvMachine, f: GuestFault) => boolean;
  /** Runs after every exit before the guest resumes (TODO(events): pending upcalls). */
  beforeResume?: (m: PvMachine) => void;
  /** SOFTINT exits of other claimed vectors (INT3 / INTO as traps, traps.ts); true = handled. */
  onSoftInt?: (m: PvMachine, vector: number, eipAfter: number, cpl: number) => boolean;
  /** Instructions until the next timer deadline (the slice is cut there), or undefined. */
  sliceLimit?: () => number | undefined;
  private readonly slice: number;

  constructor(image: Uint8Array, opts: PvMachineOptions) {
    this.built = buildDomain(image, opts);
    this.cpu = this.built.cpu;
    this.domain = this.built.domain;
    this.mem = new GuestMemory(this.domain);
    this.ctxTop = this.makeContext(false);
    this.ctxMc = this.makeContext(true);
    this.slice = opts.slice ?? 1_000_000;
    this.cpu.claimSoftInt(HYPERCALL_VECTOR);
    this.cpu.interceptExceptions(0xffffffff);
    installMm(this); // page-table types of the initial tables; ptwr and lazy-LDT fault handlers
    installTrapsAndEvents(this);
    installBackends(this, { disks: opts.disks }); // xenstore and console rings (ports 1 and 2 of start_info), PV disks
  }

  get output(): string { return this.domain.output; }

  // ---- hypercalls -------------------------------------------------------------------------------------

  /** Run hypercall `nr` with `args` (a direct call or a multicall entry); Xen errors become results. */
  hypercall(nr: number, args: Args, inMulticall: boolean): HcResult {
    nr >>>= 0;
    this.stats.count(nr);
    const handler = nr < HYPERCALL_DENSE.length ? HYPERCALL_DENSE[nr]?.handler : undefined;
    if (!handler) return xenErr(XEN_ENOSYS);
    const ctx = inMulticall ? this.ctxMc : this.ctxTop;
    try {
      return handler(ctx, args);
    } catch (e) {
      if (e instanceof XenError) return xenErr(e.errno);
      throw e;
    }
  }

  // Two contexts made once (hypercalls are the hot exit: no allocation per call).
  private readonly ctxTop: HypercallContext;
  private readonly ctxMc: HypercallContext;
  private makeContext(inMulticall: boolean): HypercallContext {
    return {
      dom: this.domain, vcpu: this.domain.vcpu, mem: this.mem, inMulticall,
      call: (n, a, inMc) => this.hypercall(n, a, inMc), hooks: this.hooks, stats: this.stats,
    };
  }

  /** The argument registers of a direct hypercall (one array, refilled at every call). */
  private readonly args: number[] = [0, 0, 0, 0, 0, 0];

  /** The SOFTINT 0x82 exit from ring 1: registers in, result out. */
  private serviceHypercall(): void {
    const cpu = this.cpu;
    const nr = cpu.reg(EAX);
    const args = this.args;
    for (let i = 0; i < 6; i++) args[i] = cpu.reg(ARG_REGS[i]);
    const r = this.hypercall(nr, args, false);
    if (typeof r === "number") {
      cpu.setReg(EAX, r >>> 0);
      if (this.domain.xenDebug) {
        const arity = (nr < HYPERCALL_DENSE.length ? HYPERCALL_DENSE[nr]?.arity : 0) ?? 0;
        for (let i = 0; i < arity; i++) cpu.setReg(ARG_REGS[i], DEBUG_CLOBBER);
      }
    } else if (r.kind === "continue") {
      // Re-execute `int 0x82` with the remaining work (Xen's hypercall continuation).
      this.stats.continuations++;
      cpu.eip = cpu.exit32(XO.EIP);
      cpu.setReg(EAX, nr);
      r.args.forEach((v, i) => cpu.setReg(ARG_REGS[i], v >>> 0));
    }
  }

  // ---- faults -----------------------------------------------------------------------------------------

  /**
   * An exception raised by the guest: emulations first, then the bounce through the trap table;
   * with no handler the domain crashes with a diagnostic naming vector, error code, EIP and CR2.
   */
  handleGuestFault(f: GuestFault): void {
    for (const h of this.faultHandlers) if (h(this, f)) return;
    const t = this.domain.vcpu.trapTable[f.vector];
    if (t && (t.cs & ~3) !== 0) {
      if (this.bounceException?.(this, f)) return;
      this.domain.crash(`${describeFault(f)}: the guest has a handler (${t.cs.toString(16)}:${t.address.toString(16)}) but exception bouncing is not implemented yet`);
      return;
    }
    this.domain.crash(`${describeFault(f)} with no trap handler registered`);
  }

  // ---- the run loop -----------------------------------------------------------------------------------

  run(maxInstructions = 5e9): PvRunResult {
    const cpu = this.cpu, dom = this.domain;
    const start = cpu.instructionCount;
    const limit = start + Math.floor(maxInstructions);
    const done = (reason: PvStopReason, detail: string, exitCode: number, shutdownReason?: number): PvRunResult =>
      ({ reason, detail, exitCode, shutdownReason, crashedByHypervisor: !!dom.shutdown?.byHypervisor, instructions: BigInt(cpu.instructionCount - start) });
    while (true) {
      if (dom.shutdown) {
        const s = dom.shutdown;
        const detail = s.byHypervisor ? `domain crashed: ${s.detail}` : s.detail || `shutdown (${reasonName(s.reason)})`;
        return done("shutdown", detail, exitCodeForShutdown(s.reason), s.reason);
      }
      if (dom.blocked) return done("blocked", `vCPU 0 blocked forever: ${dom.blocked}`, PV_EXIT.blocked);
      const left = limit - cpu.instructionCount;
      if (left <= 0) return done("limit", `stopped after ${maxInstructions} instructions`, PV_EXIT.limit);
      let budget = left > this.slice ? this.slice : left;
      const toDeadline = this.sliceLimit?.();
      if (toDeadline !== undefined && toDeadline < budget) budget = Math.max(1, toDeadline);
      const r = cpu.run(budget);
      this.exitsByReason[r & 15]++;
      switch (r) {
        case ExitReason.BUDGET:
          break;
        case ExitReason.SOFTINT: {
          const vector = cpu.exit32(XO.VECTOR);
          const cpl = cpu.state32(L.S.CPL);
          if (vector === HYPERCALL_VECTOR && cpl === 1) this.serviceHypercall();
          else if (vector !== HYPERCALL_VECTOR && this.onSoftInt?.(this, vector, cpu.eip, cpl)) { /* delivered */ }
          else {
            // Xen's gate for 0x82 has DPL 1: from ring 2/3 (or any other claimed vector) it is #GP.
            const eip = cpu.exit32(XO.EIP);
            cpu.eip = eip;
            this.handleGuestFault({ vector: 13, errorCode: (vector << 3) | 2, hasError: true, eip, cr2: 0, cpl });
          }
          break;
        }
        case ExitReason.FAULT: {
          const vector = cpu.exit32(XO.VECTOR);
          this.handleGuestFault({
            vector, errorCode: cpu.exit32(XO.ERROR_CODE), hasError: HAS_ERROR.has(vector), eip: cpu.eip,
            cr2: cpu.exit32(XO.FAULT_ADDR), cpl: cpu.state32(L.S.CPL),
          });
          break;
        }
        case ExitReason.STOPPED:
          return done("stopped", "stopped by the host", PV_EXIT.limit);
        default:
          // HLT, port I/O, MMIO and triple faults cannot happen in ring 1/3 with the PV setup
          // (privileged instructions #GP, no I/O permission, no MMIO mappings, no IDT).
          dom.crash(`unexpected core exit ${r} at EIP 0x${cpu.eip.toString(16)}`);
      }
      if (!dom.shutdown && !dom.blocked) this.beforeResume?.(this);
    }
  }

  /** `--stats` report lines. */
  statsReport(): string[] {
    const lines: string[] = [];
    const calls = [...this.stats.calls.entries()].sort((a, b) => b[1] - a[1]);
    lines.push(`hypercalls: ${calls.reduce((n, [, c]) => n + c, 0)} (${calls.map(([n, c]) => `${n} ${c}`).join(", ") || "none"})`);
    if (this.stats.batchSizes.size) {
      const b = [...this.stats.batchSizes.entries()].sort((a, c) => a[0] - c[0]);
      lines.push(`multicall batch sizes: ${b.map(([size, n]) => `${size}x${n}`).join(", ")}`);
    }
    if (this.stats.continuations) lines.push(`hypercall continuations: ${this.stats.continuations}`);
    const names = Object.fromEntries(Object.entries(ExitReason).map(([k, v]) => [v, k]));
    lines.push(`core exits: ${[...this.exitCounts.entries()].map(([r, n]) => `${names[r] ?? r} ${n}`).join(", ")}`);
    return lines;
  }
}

export function describeFault(f: GuestFault): string {
  const name = VECTOR_NAMES[f.vector] ?? `vector ${f.vector}`;
  const hex = (n: number, w = 8) => "0x" + (n >>> 0).toString(16).padStart(w, "0");
  return `unhandled exception ${name} (vector ${f.vector}) error code ${f.hasError ? hex(f.errorCode, 4) : "none"} at EIP ${hex(f.eip)} (ring ${f.cpl}) CR2 ${hex(f.cr2)}`;
}
