/**
 * One compiled function under construction (docs/jit.md): binaryen expressions for a block, with
 * guest registers cached in Wasm locals and the lazy-flags record kept in locals, both tracked at
 * compile time (valid / dirty) so that they are loaded once, spilled before anything that reads the
 * state block (generic handlers, exits, fault paths) and reloaded after anything that may write it.
 */
import * as L from "../../isa/layout.ts";
import { WasmModule, I32, NONE, type X } from "./wasm.ts";
export type { X };
export const i32 = I32;

const REGS = L.STATE + L.S.REGS;

/** Compile-time knowledge of the flags: in the state block, or a lazy record in locals with a constant LAZY_OP. */
export type Flags = { where: "mem" } | { where: "local"; op: number };

export class Fn {
  vars = 0;
  readonly body: X[] = [];
  private regLocal: number[] = [];
  private regValid = new Array<boolean>(8).fill(false);
  private regDirty = new Array<boolean>(8).fill(false);
  flags: Flags = { where: "mem" };
  /** Locals of the lazy record: result, first and second operand. */
  readonly fDst: number;
  readonly fA: number;
  readonly fB: number;

  constructor(readonly m: WasmModule) {
    for (let r = 0; r < 8; r++) this.regLocal.push(this.local());
    this.fDst = this.local();
    this.fA = this.local();
    this.fB = this.local();
  }

  local(): number { return this.vars++; }
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
  }

  /** Stores that bring the state block up to date, without changing what is tracked (for side exits). */
  spillCode(): X[] {
    const out: X[] = [];
    for (let r = 0; r < 8; r++) if (this.regDirty[r]) out.push(this.store(REGS + r * 4, this.get(this.regLocal[r])));
    if (this.flags.where === "local") {
      out.push(this.store(L.STATE + L.S.LAZY_OP, this.c(this.flags.op)));
      out.push(this.store(L.STATE + L.S.LAZY_DST, this.get(this.fDst)));
      out.push(this.store(L.STATE + L.S.LAZY_SRC1, this.get(this.fA)));
      out.push(this.store(L.STATE + L.S.LAZY_SRC2, this.get(this.fB)));
    }
    return out;
  }
  /** Spill everything now (the state block becomes authoritative; locals stay valid). */
  spill(): void {
    this.emit(...this.spillCode());
    this.regDirty.fill(false);
    if (this.flags.where === "local") this.flags = { where: "mem" };
  }
  /** After code that may have written the state block: forget the cached registers. */
  forget(): void {
    this.regValid.fill(false);
    this.regDirty.fill(false);
    this.flags = { where: "mem" };
  }

  ret(v: X): X { return this.m.return(v); }
  block(xs: X[]): X { return xs.flat(); }
}
