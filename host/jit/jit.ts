/**
 * The host half of the JIT (docs/jit.md): answers the core's EXIT_JIT requests. For the requested
 * block it discovers a region (the block and its static successors in the same page, up to
 * REGION_BLOCKS), compiles them into one Wasm module with binaryen (compiler.ts), instantiates it
 * synchronously against the core's memory and exports, puts the functions in the shared table and
 * registers them with the core (jitInstall: entry -> table slot). Keeps the statistics.
 *
 * Modes: "off" (interpreter only), "on" (blocks compiled once hot: JIT_THRESHOLD block entries),
 * "force" (every block compiled before it first runs). Env RINGONE_JIT=off|on|force.
 */
import * as L from "../isa/layout.ts";
import type { Cpu } from "../core/cpu.ts";
import { decodeBlock, effectiveAddress, type Insn } from "./decode.ts";
import { ModuleBuilder } from "./compiler.ts";
import { TierUp } from "./tier.ts";

export type JitMode = "off" | "on" | "force";
export const REGION_BLOCKS = Number(process.env.RINGONE_JIT_REGION_BLOCKS ?? 48);
/** A region stops growing at this many instructions (compile time grows with it). */
export const REGION_INSNS = Number(process.env.RINGONE_JIT_REGION_INSNS ?? 512);
const MAX_SLOTS = 1 << 16;
/** A callee whose region has at least this many blocks is not compiled again into its callers' regions. */
const BIG_CALLEE = 16;

export function jitModeFromEnv(): JitMode {
  const v = (process.env.RINGONE_JIT ?? "on").toLowerCase();
  if (v === "off" || v === "0" || v === "no") return "off";
  if (v === "force" || v === "forced" || v === "all") return "force";
  return "on";
}

export interface JitStats {
  requests: number;
  modules: number;
  blocks: number;
  insnsCustom: number;
  insnsGeneric: number;
  failed: number;
  compileMs: number;
  instantiateMs: number;
  /** Hot modules compiled again with TurboFan up front (tier.ts), and the time that took. */
  tierUps: number;
  tierUpMs: number;
  /** From the core: compiled-block runs, bails (an instruction handed to the interpreter), invalidated blocks, whole-cache flushes. */
  runs: number;
  bails: number;
  invalidations: number;
  flushes: number;
}

const BRANCH_REL = new Set(["jcc_Jb", "jcc_Jz", "jmp_Jb", "jmp_Jz", "call_Jz", "loop_Jb", "jcxz_Jb"]);

export class Jit {
  readonly stats: JitStats = { requests: 0, modules: 0, blocks: 0, insnsCustom: 0, insnsGeneric: 0, failed: 0, compileMs: 0, instantiateMs: 0, tierUps: 0, tierUpMs: 0, runs: 0, bails: 0, invalidations: 0, flushes: 0 };
  private slotBase: number;
  private nextSlot: number;
  private epoch = -1;
  /**
   * Physical addresses of entries compiled before, and pages where one was requested again (its
   * code was invalidated: self-modifying code, or code reloaded). Regions in such pages are single
   * blocks: a write anywhere in a region stops all its entries, so big regions would thrash.
   */
  private compiledAt = new Set<number>();
  private smcPages = new Set<number>();
  /** Cache entry -> size (blocks) of the region it was installed from. */
  private regionOf = new Map<number, number>();
  optimize = process.env.RINGONE_JIT_OPT === "1";
  genericOnly = process.env.RINGONE_JIT_GENERIC === "1";
  /**
   * Block entries before a block is compiled. A region costs ~0.4 ms per block to compile once the
   * compiler's own JS is warm (~1 ms cold) and an interpreted block ~0.1-0.2 us, so compiling pays
   * after a few thousand runs: at 20 the bundled demo guest (3.3 M instructions) took 208 ms with
   * the JIT against 97 ms without; at 1000, 112 ms, with the benchmarks' first units and steady
   * state unchanged (docs/jit.md).
   */
  threshold = Number(process.env.RINGONE_JIT_THRESHOLD ?? 1000);
  /** Called with every module's text when set (tests, debugging). */
  onModule?: (text: string, blocks: Insn[][]) => void;

  private readonly tier: TierUp;

  constructor(private readonly cpu: Cpu, readonly mode: JitMode, private readonly table: WebAssembly.Table) {
    this.tier = new TierUp(cpu, table, (m) => this.instantiate(m));
    let i = 1;
    while (i < table.length && table.get(i) !== null) i++;
    this.slotBase = this.nextSlot = i;
  }

  /** Write the controls into the state block (after every core reset). */
  configure(pagesAddr: number): void {
    const c = this.cpu;
    c.setState32(L.S.JIT_MODE, this.mode === "off" ? 0 : this.mode === "on" ? 1 : 2);
    c.setState32(L.S.JIT_THRESHOLD, this.threshold);
    c.setState32(L.S.JIT_PAGES, pagesAddr);
    this.epoch = -1;
  }

  private accumulateCoreStats(): void {
    const c = this.cpu;
    this.stats.runs += c.state32(L.S.JIT_RUNS);
    this.stats.bails += c.state32(L.S.JIT_BAILS);
    this.stats.invalidations += c.state32(L.S.JIT_INVALIDATIONS);
    this.stats.flushes += c.state32(L.S.JIT_FLUSHES);
    c.setState32(L.S.JIT_RUNS, 0);
    c.setState32(L.S.JIT_BAILS, 0);
    c.setState32(L.S.JIT_INVALIDATIONS, 0);
    c.setState32(L.S.JIT_FLUSHES, 0);
  }
  /** Statistics including the core's counters. */
  snapshot(): JitStats { this.accumulateCoreStats(); return { ...this.stats, tierUps: this.tier.count, tierUpMs: this.tier.ms }; }

  /** After every core run(): our own tier-up's sample (tier.ts). */
  afterRun(): void { if (this.tier.enabled) this.tier.sample(this.cpu.state32(L.S.JIT_EPOCH)); }

  private slot(): number {
    const epoch = this.cpu.state32(L.S.JIT_EPOCH);
    if (epoch !== this.epoch) { this.epoch = epoch; this.nextSlot = this.slotBase; this.compiledAt.clear(); this.smcPages.clear(); this.regionOf.clear(); this.tier.clear(); }
    if (this.nextSlot >= this.slotBase + MAX_SLOTS) {
      this.cpu.core.jitFlushAll();
      this.epoch = this.cpu.state32(L.S.JIT_EPOCH);
      this.nextSlot = this.slotBase;
    }
    if (this.nextSlot >= this.table.length) this.table.grow(Math.max(1024, this.table.length >> 1));
    return this.nextSlot++;
  }

  /** Handle EXIT_JIT: compile the requested block (and its region). */
  onExit(): void {
    const c = this.cpu;
    this.stats.requests++;
    const phys = c.exit32(L.X.JIT_PHYS), eip = c.exit32(L.X.JIT_EIP), key = c.exit32(L.X.JIT_KEY), entry = c.exit32(L.X.JIT_ENTRY);
    this.compileRegion(phys, eip, key, entry);
  }

  compileRegion(phys: number, eip: number, key: number, entry: number): void {
    const c = this.cpu;
    const t0 = performance.now();
    const epoch0 = c.state32(L.S.JIT_EPOCH);
    const page = phys >>> 12;
    if (this.compiledAt.has(phys)) this.smcPages.add(page);
    const limit = this.smcPages.has(page) ? 1 : REGION_BLOCKS;
    const todo: [number, number, number][] = [[phys, eip, entry]];
    const seen = new Set<number>([eip]);
    // Blocks already compiled (by an earlier region) are compiled again as part of this one, so its
    // loops stay inside the function, but keep their entries.
    const blocks: { insns: Insn[]; entry: number; install: boolean }[] = [];
    let total = 0;
    while (todo.length && blocks.length < limit && total < REGION_INSNS) {
      const [p, e, idx] = todo.shift()!;
      const insns = decodeBlock(c, p, e, key);
      if (!insns.length) { if (idx === entry) c.core.jitInstall(idx, 0, 0, 0, 0); continue; }
      const compiled = this.isCompiled(idx);
      blocks.push({ insns, entry: idx, install: idx === entry || !compiled });
      total += insns.length;
      const last = insns[insns.length - 1];
      const callee = (last.row.handler ?? last.row.id) === "call_Jz" ? (last.next + last.imm) >>> 0 : -1;
      for (const t of this.successors(insns, p - e)) {
        const tp = p + ((t - e) | 0);
        if (seen.has(t) || tp >>> 12 !== page || tp < 0) continue;
        seen.add(t);
        const idx = c.core.jitEntryFor(tp, t, key);
        // A call into a function that already runs in a big region of its own exits to it rather
        // than compiling it once more: a second copy costs its compile and V8's optimising compile
        // again, and a long callee amortises the trip through the run loop.
        if (t === callee && (this.regionOf.get(idx) ?? 0) >= BIG_CALLEE && this.isCompiled(idx)) continue;
        todo.push([tp, t, idx]);
      }
    }
    if (!blocks.length) { this.stats.failed++; return; }
    const b = new ModuleBuilder({ optimize: this.optimize, key, genericOnly: this.genericOnly });
    const names = b.build(blocks.map((x) => x.insns));
    if (this.onModule) this.onModule(b.text(), blocks.map((x) => x.insns));
    const built = b.finish(names);
    b.dispose();
    const t1 = performance.now();
    const inst = this.instantiate(new WebAssembly.Module(built.binary as Uint8Array<ArrayBuffer>));
    const t2 = performance.now();
    this.stats.compileMs += t1 - t0;
    this.stats.instantiateMs += t2 - t1;
    this.stats.modules++;
    this.stats.insnsCustom += built.customInsns;
    this.stats.insnsGeneric += built.genericInsns;
    if (c.state32(L.S.JIT_EPOCH) !== epoch0) return; // the cache was dropped meanwhile: entries are stale
    // Every entry of the region is invalidated by a write anywhere in the bytes of its blocks (the
    // function may run any of them).
    let lo = 0x1000, hi = 0;
    for (const bl of blocks) {
      const last = bl.insns[bl.insns.length - 1];
      lo = Math.min(lo, bl.insns[0].phys & 0xfff);
      hi = Math.max(hi, (last.phys & 0xfff) + last.len);
    }
    const slots: [number, string][] = [];
    blocks.forEach((bl, n) => {
      if (!bl.install) return;
      const s = this.slot();
      if (c.state32(L.S.JIT_EPOCH) !== epoch0) return;
      this.table.set(s, inst.exports[built.names[n]] as Function);
      slots.push([s, built.names[n]]);
      const last = bl.insns[bl.insns.length - 1];
      const len = last.phys + last.len - bl.insns[0].phys;
      c.core.jitInstall(bl.entry, s, len, bl.insns.length, lo | (hi << 16));
      this.regionOf.set(bl.entry, blocks.length);
      this.compiledAt.add(bl.insns[0].phys);
      this.stats.blocks++;
    });
    this.tier.add(built.binary, slots, epoch0); // (stale after a flush: tier.ts checks the epoch)
  }

  /** A region module's instance: the core's exports and memory. */
  private instantiate(m: WebAssembly.Module): WebAssembly.Instance {
    return new WebAssembly.Instance(m, { core: this.cpu.coreInstance.exports, env: { memory: this.cpu.memory } });
  }

  private isCompiled(idx: number): boolean { return this.cpu.dv.getInt32(L.JIT_ENTRIES + idx * L.JIT_ENTRY_SIZE + L.JE.FN, true) !== 0; }

  /**
   * Static successors of a block: branch targets and the fall-through; for an indirect JMP through a
   * table in the block's own page (`jmp [table + reg*4]`, a compiled switch), the table's entries
   * that point into the page (a guess: the region function compares the real target at run time).
   * `delta` = physical minus linear address in this page.
   */
  private successors(insns: Insn[], delta: number): number[] {
    const last = insns[insns.length - 1];
    const h = last.row.handler ?? last.row.id;
    const out: number[] = [];
    if (BRANCH_REL.has(h)) {
      const t = (last.next + last.imm) >>> 0;
      out.push(last.os32 ? t : t & 0xffff);
      if (h !== "jmp_Jb" && h !== "jmp_Jz") out.push(last.next);
    } else if (h === "jmp_Ev") {
      const ea = effectiveAddress(last);
      const table = ea && ea.base < 0 && ea.index >= 0 && ea.scale === 2 && !ea.a16 ? ea.disp >>> 0 : -1;
      if (table >= 0 && table >>> 12 === last.eip >>> 12) {
        const dv = this.cpu.dv;
        for (let a = table; a + 4 <= ((table >>> 12) + 1) * 4096 && out.length < 64; a += 4) {
          const t = dv.getUint32(L.RAM_BASE + a + delta, true);
          if (t >>> 12 !== last.eip >>> 12) break;
          out.push(t);
        }
      }
    } else if (!last.row.block && !(insns.length && h === "hlt")) {
      out.push(last.next);
    }
    return out;
  }
}
