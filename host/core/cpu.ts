/**
 * The host's handle on one core instance: it creates the Wasm memory (core state, TLB and guest RAM
 * in one linear memory), instantiates core.wasm, and exposes typed views over the state block and
 * the exit mailbox. Register and segment names follow the layout in host/isa/layout.ts.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as L from "../isa/layout.ts";
import { Jit, type JitMode, jitModeFromEnv } from "../jit/jit.ts";

export interface CoreExports {
  reset(): void;
  run(budget: number): number;
  refresh(): void;
  flushTlb(keepGlobal: number): void;
  invalidatePage(lin: number): void;
  setFlat32(cpl: number): void;
  layoutChecksum(): number;
  tableRows(): number;
  tlbEntriesUsed(): number;
  /** EFLAGS with the lazy arithmetic flags evaluated (no side effects). */
  eflags(): number;
  /**
   * Load a selector into segment register `sr` (L.SEG_* order) through the CPU's protected-mode
   * checks, reading the current GDT/LDT (CS: the selector's RPL becomes the CPL; TR: as LTR).
   * Returns 0, or 0x1000000 | vector << 16 | error code.
   */
  loadSelector(sr: number, sel: number): number;
  /** JIT (assembly/jit/exports.ts, docs/jit.md). */
  jitDecode(phys: number, eip: number, code32: number): number;
  jitInstall(entry: number, slot: number, len: number, icount: number, span: number): void;
  jitEntryFor(phys: number, eip: number, key: number): number;
  jitFlushAll(): void;
  jitInvalidateRange(pa: number, len: number): void;
  jitStateKey(): number;
  /** The CPU's own CPUID answer for the leaf in EAX, into EAX..EDX (no CPL or faulting checks). */
  cpuidNative(): void;
}

export interface CpuOptions {
  /** Guest RAM in MiB (default 64). */
  memMB?: number;
  /** Use the debug build (assertions on). */
  debug?: boolean;
  /** Path to a core .wasm file (default build/core.wasm next to the package). */
  wasmPath?: string;
  /** Firmware ROM image, mapped just below 4 GiB (a multiple of 4 KiB, at most 16 MiB). */
  rom?: Uint8Array;
  /** JIT mode (default: env RINGONE_JIT, else "on"). */
  jit?: JitMode;
}

export const REG_NAMES = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"] as const;
export type RegName = (typeof REG_NAMES)[number];

const moduleCache = new Map<string, WebAssembly.Module>();

export function defaultWasmPath(debug = false): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // host/core/ in the source tree, dist/ when bundled: look upwards for build/.
  for (const up of ["../..", "..", "."]) {
    const p = join(here, up, "build", debug ? "core.debug.wasm" : "core.wasm");
    try { readFileSync(p, { flag: "r" }).length; return p; } catch { /* try next */ }
  }
  throw new Error(`core.wasm not found near ${here}: run "npm run build" first`);
}

export class Cpu {
  readonly memory: WebAssembly.Memory;
  readonly core: CoreExports;
  readonly coreInstance: WebAssembly.Instance;
  readonly ramSize: number;
  /** The JIT, or undefined when it is off. */
  jit?: Jit;
  /** Where the per-page lists of compiled code live (after RAM and ROM). */
  private jitPages = 0;
  private u8!: Uint8Array;
  private i32!: Int32Array;
  /** Views over the whole linear memory (state block, mailbox, JIT records). */
  dv!: DataView;

  private constructor(memory: WebAssembly.Memory, inst: WebAssembly.Instance, ramSize: number) {
    this.memory = memory;
    this.coreInstance = inst;
    this.core = inst.exports as unknown as CoreExports;
    this.ramSize = ramSize;
    this.refreshViews();
  }

  static create(opts: CpuOptions = {}): Cpu {
    const memMB = opts.memMB ?? 64;
    if (!(memMB >= 1 && memMB <= 3072)) throw new Error(`--mem must be between 1 and 3072 MiB (got ${memMB})`);
    const ramSize = memMB * 1024 * 1024;
    const path = opts.wasmPath ?? defaultWasmPath(opts.debug);
    let mod = moduleCache.get(path);
    if (!mod) {
      mod = new WebAssembly.Module(readFileSync(path));
      moduleCache.set(path, mod);
    }
    const rom = opts.rom;
    if (rom && (rom.length % 4096 !== 0 || rom.length > 16 << 20 || rom.length === 0)) {
      throw new Error(`firmware ROM must be a non-empty multiple of 4 KiB up to 16 MiB (got ${rom.length} bytes)`);
    }
    const jitPages = Math.ceil((L.RAM_BASE + ramSize + (rom?.length ?? 0)) / 4096) * 4096;
    const pages = Math.ceil((jitPages + Math.ceil(ramSize / 4096) * 4) / 65536);
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const table = new WebAssembly.Table({ initial: 4096, element: "anyfunc" });
    const inst = new WebAssembly.Instance(mod, {
      env: {
        memory,
        table,
        abort: (_msg: number, _file: number, line: number, col: number) => {
          throw new Error(`core assertion failed at line ${line}:${col}`);
        },
      },
    });
    const core = inst.exports as unknown as CoreExports;
    if (core.layoutChecksum() >>> 0 !== L.layoutChecksum()) {
      throw new Error("core.wasm was built from a different layout.ts: run \"npm run build\"");
    }
    const cpu = new Cpu(memory, inst, ramSize);
    cpu.romSize = rom?.length ?? 0;
    const mode = opts.jit ?? jitModeFromEnv();
    if (mode !== "off") { cpu.jit = new Jit(cpu, mode, table); cpu.jitPages = jitPages; }
    if (rom) cpu.u8.set(rom, L.RAM_BASE + ramSize);
    cpu.reset();
    return cpu;
  }

  private refreshViews(): void {
    this.u8 = new Uint8Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
    this.dv = new DataView(this.memory.buffer);
  }

  /** Guest RAM as bytes (guest physical address 0 at index 0). */
  get ram(): Uint8Array { return this.u8.subarray(L.RAM_BASE, L.RAM_BASE + this.ramSize); }

  /** Bytes of firmware ROM mapped below 4 GiB. */
  romSize = 0;

  reset(): void {
    this.core.reset();
    this.i32[(L.STATE + L.S.RAM_SIZE) >> 2] = this.ramSize;
    this.i32[(L.STATE + L.S.ROM_SIZE) >> 2] = this.romSize;
    this.jit?.configure(this.jitPages);
  }

  /** Answer the pending MMIO exit: the value read (ignored for writes); the replay consumes it. */
  answerMmio(value: number): void {
    const n = this.state32(L.S.MMIO_COUNT);
    if (n >= L.MMIO_LOG_MAX) throw new Error("MMIO replay log overflow: one instruction made too many device accesses");
    const e = L.MMIO_LOG + n * 16;
    this.dv.setUint32(e, this.exit32(L.X.ADDR), true);
    this.dv.setUint32(e + 4, this.exit32(L.X.SIZE), true);
    this.dv.setUint32(e + 8, this.exit32(L.X.IS_OUT), true);
    this.dv.setUint32(e + 12, value >>> 0, true);
    this.setState32(L.S.MMIO_COUNT, n + 1);
  }

  state32(off: number): number { return this.dv.getInt32(L.STATE + off, true); }
  setState32(off: number, v: number): void { this.dv.setInt32(L.STATE + off, v | 0, true); }
  stateU32(off: number): number { return this.dv.getUint32(L.STATE + off, true); }

  reg(r: RegName | number): number {
    const i = typeof r === "number" ? r : REG_NAMES.indexOf(r);
    return this.dv.getUint32(L.STATE + L.S.REGS + i * 4, true);
  }
  setReg(r: RegName | number, v: number): void {
    const i = typeof r === "number" ? r : REG_NAMES.indexOf(r);
    this.dv.setUint32(L.STATE + L.S.REGS + i * 4, v >>> 0, true);
  }
  get eip(): number { return this.stateU32(L.S.EIP); }
  set eip(v: number) { this.setState32(L.S.EIP, v); }
  /** EFLAGS with the lazy arithmetic flags folded in. */
  get eflags(): number { return this.core.eflags() >>> 0; }
  set eflags(v: number) {
    this.setState32(L.S.EFLAGS, (v | 2) >>> 0);
    this.setState32(L.S.LAZY_OP, 0);
  }

  seg(i: number): { sel: number; base: number; limit: number; access: number } {
    const a = L.STATE + L.S.SEGS + i * L.SEG_SIZE;
    return {
      sel: this.dv.getUint32(a + L.SEG.SEL, true),
      base: this.dv.getUint32(a + L.SEG.BASE, true),
      limit: this.dv.getUint32(a + L.SEG.LIMIT, true),
      access: this.dv.getUint32(a + L.SEG.ACCESS, true),
    };
  }

  exit32(off: number): number { return this.dv.getUint32(L.EXIT + off, true); }

  /** Claim INT n vectors (exit SOFTINT) and exceptions (exit FAULT). */
  claimSoftInt(vector: number, on = true): void {
    const a = L.INTERCEPT + L.I.SOFTINT + (vector >> 3);
    if (on) this.u8[a] |= 1 << (vector & 7); else this.u8[a] &= ~(1 << (vector & 7));
  }
  interceptExceptions(mask: number): void { this.dv.setUint32(L.INTERCEPT + L.I.EXCEPTIONS, mask >>> 0, true); }

  /**
   * Run up to `budget` instructions. JIT exits (the core asks for a block to be compiled) are
   * served here and the run continues, so callers see the same exits as without a JIT.
   */
  run(budget: number): number {
    if (!this.jit) return this.core.run(budget);
    let left = budget, total = 0;
    while (true) {
      const r = this.core.run(left);
      this.jit.afterRun();
      const n = this.exit32(L.X.EXECUTED);
      total += n;
      left -= n;
      if (r !== L.ExitReason.JIT) {
        if (total !== n) this.dv.setInt32(L.EXIT + L.X.EXECUTED, total, true);
        return r;
      }
      this.jit.onExit();
    }
  }

  /** Answer a pending IN: the next run() replays the instruction with this value. */
  answerIn(value: number): void {
    this.setState32(L.S.IO_VALUE, value);
    this.setState32(L.S.IO_VALID, 1);
  }

  /** Retired instructions as a double (exact below 2^53): for per-exit arithmetic without BigInt. */
  get instructionCount(): number { return this.stateU32(L.S.ICOUNT_HI) * 0x100000000 + this.stateU32(L.S.ICOUNT_LO); }

  get instructions(): bigint {
    return (BigInt(this.stateU32(L.S.ICOUNT_HI)) << 32n) | BigInt(this.stateU32(L.S.ICOUNT_LO));
  }

  /** Copy bytes into guest physical memory, checking bounds. */
  writePhys(addr: number, data: Uint8Array): void {
    if (addr < 0 || addr + data.length > this.ramSize) {
      throw new Error(`write of ${data.length} bytes at 0x${addr.toString(16)} is outside guest RAM (${this.ramSize >> 20} MiB)`);
    }
    this.ram.set(data, addr);
    if (this.jit) this.core.jitInvalidateRange(addr, data.length);
  }
  /** After writing guest RAM behind the core's back (DMA, `ram` view): drop compiled code there. */
  invalidateCode(addr: number, len: number): void {
    if (this.jit) this.core.jitInvalidateRange(addr >>> 0, len >>> 0);
  }
  readPhys(addr: number, len: number): Uint8Array {
    if (addr < 0 || addr + len > this.ramSize) throw new Error(`read at 0x${addr.toString(16)} outside guest RAM`);
    return this.ram.slice(addr, addr + len);
  }
}

