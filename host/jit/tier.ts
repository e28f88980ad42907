/**
 * Our own tier-up of hot region modules (docs/jit.md). V8 runs a new module in its baseline tier
 * (Liftoff) and optimises a function (TurboFan) in the background once its budget runs out; for
 * our large region functions that takes ~50 ms of CPU, and the `calls` workload's fib region
 * reached TurboFan anywhere from its 8th unit to not within 15 (4.1 instead of 1.6 ms per unit).
 * So the host samples, after every core run() (<= 100k instructions), the table slot
 * compiled code was last entered through (S.JIT_LAST_SLOT); a module sampled TIER_SAMPLES times is
 * compiled again with TurboFan directly (V8's flags switched to no Liftoff and eager compilation
 * for that one synchronous compile, then back) and its slots are pointed at the new instance.
 * Between run() calls no frame of the old code is live, and slots are not reused before the cache
 * epoch changes, so the swap is exact. Needs V8's flags (Node); elsewhere V8's own tiering stays.
 */
import * as L from "../isa/layout.ts";
import type { Cpu } from "../core/cpu.ts";

/** Samples (run() calls ending in a module's code, ~1 ms of guest time each) before it is re-compiled. */
export const TIER_SAMPLES = Number(process.env.RINGONE_JIT_TIER_SAMPLES ?? 16);

type V8 = { setFlagsFromString(flags: string): void };
const v8: V8 | null = (globalThis as { process?: { getBuiltinModule?: (m: string) => unknown } }).process?.getBuiltinModule?.("node:v8") as V8 ?? null;

interface Region { binary: Uint8Array; slots: [number, string][]; epoch: number; samples: number }

export class TierUp {
  private bySlot = new Map<number, Region>();
  /** Modules re-compiled, and the time it took (blocking). */
  count = 0;
  ms = 0;
  readonly enabled = v8 !== null && process.env.RINGONE_JIT_TIER !== "0";

  /** `instantiate`: the same imports as the first instance of a region module (jit.ts). */
  constructor(private readonly cpu: Cpu, private readonly table: WebAssembly.Table, private readonly instantiate: (m: WebAssembly.Module) => WebAssembly.Instance) {}

  /** A region module was installed: its bytes and (slot, export name) pairs. */
  add(binary: Uint8Array, slots: [number, string][], epoch: number): void {
    if (!this.enabled || !slots.length) return;
    const r: Region = { binary, slots, epoch, samples: 0 };
    for (const [s] of slots) this.bySlot.set(s, r);
  }
  /** The cache was dropped: slots are free again. */
  clear(): void { this.bySlot.clear(); }

  /** After a core run(): count a sample for the module last entered; re-compile it once hot. */
  sample(epoch: number): void {
    const c = this.cpu;
    const slot = c.state32(L.S.JIT_LAST_SLOT);
    if (!slot) return;
    c.setState32(L.S.JIT_LAST_SLOT, 0);
    const r = this.bySlot.get(slot);
    if (!r || ++r.samples !== TIER_SAMPLES || r.epoch !== epoch) return;
    const t0 = performance.now();
    // A custom section makes the bytes differ from the first compile's, which V8's module cache would return.
    const tagged = new Uint8Array(r.binary.length + 6);
    tagged.set(r.binary);
    tagged.set([0, 4, 3, 0x74, 0x6f, 0x70], r.binary.length); // custom section "top"
    let mod: WebAssembly.Module;
    v8!.setFlagsFromString("--no-liftoff");
    v8!.setFlagsFromString("--no-wasm-lazy-compilation");
    try {
      mod = new WebAssembly.Module(tagged);
    } finally {
      v8!.setFlagsFromString("--liftoff");
      v8!.setFlagsFromString("--wasm-lazy-compilation");
    }
    const inst = this.instantiate(mod);
    for (const [s, name] of r.slots) { this.table.set(s, inst.exports[name] as Function); this.bySlot.delete(s); }
    this.count++;
    this.ms += performance.now() - t0;
  }
}
