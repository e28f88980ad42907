/**
 * One compiled region function under construction (docs/jit.md): Wasm expressions for its blocks,
 * with guest registers cached in Wasm locals and the lazy-flags record kept in locals, both tracked
 * at compile time (valid / dirty) so that they are loaded once, spilled before anything that reads
 * the state block (generic handlers, exits, fault paths) and reloaded after anything that may write it.
 *
 * Block-boundary convention (every in-region edge, and the function entry): all eight registers are
 * valid in their locals, and those written anywhere in the region by custom code (the set `written`,
 * complete only when the function is finished) may be dirty, so spills before the block's first
 * generic call or exit store them with a `lazy` token resolved at emit time; the lazy-flags record
 * is in the four flag locals with LAZY_OP in a local too ("dyn").
 */
import * as L from "../../isa/layout.ts";
import { WasmModule, I32, localOf, isConst, type X } from "./wasm.ts";
export type { X };
export const i32 = I32;

const REGS = L.STATE + L.S.REGS;
const LAZY = [L.S.LAZY_OP, L.S.LAZY_DST, L.S.LAZY_SRC1, L.S.LAZY_SRC2].map((o) => L.STATE + o);

/**
 * Compile-time knowledge of the flags: in the state block; a lazy record in locals with a constant
 * LAZY_OP; the whole record (LAZY_OP too) in locals ("dyn", `synced` when the state block holds
 * the same record); or eagerly computed arithmetic bits (CF PF AF ZF SF OF, as the interpreter's
 * setArith) in local `l` ("arith": shifts).
 */
export type Flags = { where: "mem" } | { where: "local"; op: number } | { where: "dyn"; synced: boolean } | { where: "arith"; l: number };
const EFLAGS = L.STATE + L.S.EFLAGS;
const ARITH = 0x8d5;

export class Fn {
  vars = 0;
  readonly body: X[] = [];
  private regLocal: number[] = [];
  private regValid = new Array<boolean>(8).fill(false);
  private regDirty = new Array<boolean>(8).fill(false);
  /** Since the block's entry nothing was spilled or forgotten: the region's written registers may be dirty. */
  private entryDirty = false;
  /** Registers custom code writes anywhere in the function. */
  private readonly written = new Set<number>();
  flags: Flags = { where: "mem" };
  /** Locals of the lazy record: LAZY_OP (dyn only), result, first and second operand. */
  readonly fOp: number;
  readonly fDst: number;
  readonly fA: number;
  readonly fB: number;
  /** Eagerly computed arithmetic flag bits ("arith"). */
  readonly fBits: number;
  /** Instructions executed in this call before the current block, times 16 (the result encoding). */
  readonly n16: number;
  /** Where the shared exit tail (label "X", compiler.ts) leaves: the EIP and the result. */
  readonly exitEip: number;
  readonly exitN16: number;
  /** The instruction budget of this call, times 16 (the function's second parameter). */
  readonly left16: number;
  /** The dispatch index of the region's loop head (compiler.ts). */
  readonly blk: number;

  constructor(readonly m: WasmModule, readonly params = 0) {
    for (let r = 0; r < 8; r++) this.regLocal.push(this.local());
    this.fOp = this.local();
    this.fDst = this.local();
    this.fA = this.local();
    this.fB = this.local();
    this.fBits = this.local();
    this.n16 = this.local();
    this.exitEip = this.local();
    this.exitN16 = this.local();
    this.left16 = this.local();
    this.blk = this.local();
  }

  /** Temporaries handed out inside an instruction (beginInsn/endInsn), returned to `free` after it. */
  private free: number[] = [];
  private temps: number[] | null = null;

  /** A local: a temporary inside an instruction (reused by later ones), else permanent. */
  local(): number {
    if (!this.temps) return this.params + this.vars++;
    const l = this.free.pop() ?? this.params + this.vars++;
    this.temps.push(l);
    return l;
  }
  beginInsn(): void { this.temps = []; }
  /**
   * `x` in a temporary: `x` itself when it is a constant or reads a temporary of this instruction
   * (written once, so the value cannot change before its uses), else a new temporary holding it.
   * Fewer copies: V8's baseline tier (Liftoff) runs a region before TurboFan's code arrives, and
   * does not remove them.
   */
  tmp(x: X): X {
    const l = localOf(x);
    if (isConst(x) || (l !== undefined && this.temps?.includes(l))) return x;
    const t = this.local();
    this.emit(this.set(t, x));
    return this.get(t);
  }
  endInsn(): void { if (this.temps) this.free.push(...this.temps); this.temps = null; }
  c(v: number): X { return this.m.i32.const(v | 0); }
  load(addr: number): X { return this.m.i32.load(addr, 4, this.c(0)); }
  store(addr: number, v: X): X { return this.m.i32.store(addr, 4, this.c(0), v); }
  get(l: number): X { return this.m.local.get(l, i32); }
  set(l: number, v: X): X { return this.m.local.set(l, v); }
  tee(l: number, v: X): X { return this.m.local.tee(l, v, i32); }
  emit(...x: X[]): void { for (const e of x) this.body.push(e); }

  /** The 32-bit register `r` as an expression (loaded into its local on first use). */
  reg(r: number): X {
    if (!this.regValid[r]) {
      this.emit(this.set(this.regLocal[r], this.load(REGS + r * 4)));
      this.regValid[r] = true;
    }
    return this.get(this.regLocal[r]);
  }
  setReg(r: number, v: X): void {
    this.emit(this.set(this.regLocal[r], v));
    this.regValid[r] = true;
    this.regDirty[r] = true;
    this.written.add(r);
  }

  private flagStores(): X[] {
    const fl = this.flags;
    if (fl.where === "mem" || (fl.where === "dyn" && fl.synced)) return [];
    if (fl.where === "arith") return [this.store(LAZY[0], this.c(0)), this.store(EFLAGS, this.m.i32.or(this.m.i32.and(this.load(EFLAGS), this.c(~ARITH)), this.get(fl.l)))];
    const op = fl.where === "local" ? this.c(fl.op) : this.get(this.fOp);
    return [this.store(LAZY[0], op), this.store(LAZY[1], this.get(this.fDst)), this.store(LAZY[2], this.get(this.fA)), this.store(LAZY[3], this.get(this.fB))];
  }

  /** Stores that bring the state block up to date, without changing what is tracked (for side exits). */
  spillCode(): X[] {
    const out: X[] = [];
    for (let r = 0; r < 8; r++) if (this.regDirty[r]) out.push(this.store(REGS + r * 4, this.get(this.regLocal[r])));
    if (this.entryDirty) {
      const explicit = [...this.regDirty];
      out.push(this.m.lazy(() => [...this.written].sort().filter((r) => !explicit[r]).map((r) => this.store(REGS + r * 4, this.get(this.regLocal[r])))));
    }
    out.push(...this.flagStores());
    return out;
  }
  /**
   * Leave the function from inside a block after `count` instructions of it, with `status` and EIP
   * `eip`. When every register the region writes is valid in its local here, this is a branch to
   * the region's shared tail "X" (which stores them all and the lazy record), else the spill is
   * inline. Small code matters: V8 compiles every region function twice (Liftoff, then TurboFan).
   */
  sideExit(eip: number, count: number, status: number): X {
    const m = this.m;
    const inline = [...this.spillCode(), this.store(L.STATE + L.S.EIP, this.c(eip)), this.retN(count, status)];
    const fl = this.flags;
    if (fl.where === "mem") return inline;
    const valid = [...this.regValid];
    const fix = fl.where === "local" ? [this.set(this.fOp, this.c(fl.op))] : fl.where === "arith" ? [...this.flagStores(), this.set(this.fOp, this.c(0))] : [];
    const shared = [...fix, this.set(this.exitEip, this.c(eip)), this.set(this.exitN16, m.i32.add(this.get(this.n16), this.c((count << 4) | status))), m.br("X")];
    return m.lazy(() => ([...this.written].every((r) => valid[r]) ? shared : inline));
  }
  /** Spill everything now (the state block becomes authoritative; locals stay valid). */
  spill(): void {
    this.emit(...this.spillCode());
    this.regDirty.fill(false);
    this.entryDirty = false;
    if (this.flags.where !== "mem") this.flags = { where: "mem" };
  }
  /** Only the flags to the state block (jitTestCC / jitKeepCF read them there). */
  syncFlags(): void {
    this.emit(...this.flagStores());
    if (this.flags.where === "dyn" && !this.flags.synced) this.flags = { where: "dyn", synced: true };
    else this.flags = { where: "mem" };
  }
  /** After code that may have written the state block: forget the cached registers. */
  forget(): void {
    this.regValid.fill(false);
    this.regDirty.fill(false);
    this.entryDirty = false;
    this.flags = { where: "mem" };
  }

  /** The block-boundary convention at a block's start (see the file comment). */
  beginBlock(): void {
    this.regValid.fill(true);
    this.regDirty.fill(false);
    this.entryDirty = true;
    this.flags = { where: "dyn", synced: false };
  }
  /** Establish the block-boundary convention before leaving a block along in-region edges. */
  endBlock(): void {
    for (let r = 0; r < 8; r++) this.reg(r);
    const fl = this.flags;
    if (fl.where === "local") this.emit(this.set(this.fOp, this.c(fl.op)));
    else if (fl.where === "mem") this.emit(this.set(this.fOp, this.load(LAZY[0])), this.set(this.fDst, this.load(LAZY[1])), this.set(this.fA, this.load(LAZY[2])), this.set(this.fB, this.load(LAZY[3])));
    else if (fl.where === "arith") this.emit(...this.flagStores(), this.set(this.fOp, this.c(0))); // LAZY_OP 0: the bits are in EFLAGS
    this.flags = { where: "dyn", synced: fl.where !== "local" && (fl.where !== "dyn" || fl.synced) };
  }
  /** The shared exit at block boundaries: every register the region writes and the lazy record to the state block. */
  exitTail(): X[] {
    const out: X[] = [this.m.lazy(() => [...this.written].sort().map((r) => this.store(REGS + r * 4, this.get(this.regLocal[r]))))];
    out.push(this.store(LAZY[0], this.get(this.fOp)), this.store(LAZY[1], this.get(this.fDst)), this.store(LAZY[2], this.get(this.fA)), this.store(LAZY[3], this.get(this.fB)));
    return out;
  }
  /** Function prologue: load the registers and the lazy record (the state block is authoritative on entry). */
  prologue(): X[] {
    const out: X[] = [];
    for (let r = 0; r < 8; r++) out.push(this.set(this.regLocal[r], this.load(REGS + r * 4)));
    out.push(this.set(this.fOp, this.load(LAZY[0])), this.set(this.fDst, this.load(LAZY[1])), this.set(this.fA, this.load(LAZY[2])), this.set(this.fB, this.load(LAZY[3])));
    out.push(this.set(this.n16, this.c(0)));
    return out;
  }

  /** Return `count` more instructions than n16 with `status`. */
  retN(count: number, status = 0): X { return this.m.return(this.m.i32.add(this.get(this.n16), this.c((count << 4) | status))); }
  ret(v: X): X { return this.m.return(v); }
  block(xs: X[]): X { return xs; }
}
