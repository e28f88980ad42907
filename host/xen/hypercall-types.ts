/**
 * Types shared by the hypercall table, the dispatcher and every hypercall family (kept apart from
 * hypercall-table.ts so handler modules never import the table: no import cycles).
 */
import type { Domain, Vcpu } from "./domain.ts";
import type { GuestMemory } from "./guest-memory.ts";

/** The five argument registers (EBX, ECX, EDX, ESI, EDI) as unsigned 32-bit values, plus EBP. */
export type Args = readonly number[];

/** Re-issue the hypercall with new arguments (Xen's continuation: EIP back on `int 0x82`). */
export interface Continuation { kind: "continue"; args: number[] }
/** The handler set the guest's registers itself (iret): EAX must not be written. */
export interface NoReturn { kind: "noreturn" }
export type HcResult = number | Continuation | NoReturn;
export const NO_RETURN: NoReturn = { kind: "noreturn" };
export function continuation(args: number[]): Continuation { return { kind: "continue", args }; }

/** What a handler works with. */
export interface HypercallContext {
  readonly dom: Domain;
  readonly vcpu: Vcpu;
  readonly mem: GuestMemory;
  /** True while executing an entry of a multicall batch. */
  readonly inMulticall: boolean;
  /** Dispatch another hypercall through the same table (multicall entries). */
  call(nr: number, args: Args, inMulticall: boolean): HcResult;
  /** Hooks other subsystems install (events: block/poll; backends: yield). */
  readonly hooks: HypercallHooks;
  readonly stats: HypercallStats;
}

export interface HypercallHooks {
  /**
   * SCHEDOP_yield: service backends (console, xenstore, block) before the guest runs again.
   * TODO(backends): install one when PV devices exist.
   */
  onYield?: () => void;
  /**
   * SCHEDOP_block after the mask was cleared and no upcall is pending: sleep until an event.
   * Returns true when the vCPU will be woken by an event source. TODO(events): the events engineer
   * installs this; without it the run stops with "blocked" (no event source can ever wake it).
   */
  block?: () => boolean;
  /**
   * SCHEDOP_poll with no listed port pending and no deliverable upcall: wait for one of `ports` or
   * the absolute `timeoutNs` (0n = none). Returns true when it will be woken. TODO(events).
   */
  poll?: (ports: number[], timeoutNs: bigint) => boolean;
  /** Per-port pending test for SCHEDOP_poll (TODO(events): shared_info evtchn_pending). */
  portPending?: (port: number) => boolean;
}

/** Hypercall numbers below this are counted in a dense array (the table's numbers all are). */
export const HC_DENSE = 64;

/**
 * Per-number call counts (a dense array: counting is on the hot path), multicall batch sizes and
 * continuations. `calls` is a name -> count view built on demand (reports and tests).
 */
export class HypercallStats {
  readonly byNr = new Float64Array(HC_DENSE);
  private readonly sparse = new Map<number, number>();
  /** Multicall batch sizes (entries executed per multicall invocation) -> count. */
  readonly batchSizes = new Map<number, number>();
  continuations = 0;
  constructor(private readonly nameOf: (nr: number) => string) {}
  count(nr: number): void {
    if (nr < HC_DENSE) this.byNr[nr]++;
    else this.sparse.set(nr, (this.sparse.get(nr) ?? 0) + 1);
  }
  /** Calls of hypercall `nr` so far. */
  of(nr: number): number { return nr < HC_DENSE ? this.byNr[nr] : this.sparse.get(nr) ?? 0; }
  get calls(): Map<string, number> {
    const m = new Map<string, number>();
    this.byNr.forEach((n, nr) => { if (n) m.set(this.nameOf(nr), n); });
    for (const [nr, n] of this.sparse) m.set(this.nameOf(nr), n);
    return m;
  }
}

export type HypercallHandler = (hc: HypercallContext, a: Args) => HcResult;
