/**
 * Registry of custom emitters, by interpreter handler name. An emitter returns false to decline a
 * form (the generic path then handles it). Families register themselves from their own files.
 */
import type { Insn } from "../decode.ts";
import type { Fn } from "./fn.ts";
import type { Imports } from "./imports.ts";
import type { X } from "./wasm.ts";

export interface EmitContext {
  f: Fn;
  imp: Imports;
  /** The state key (assembly/jit/enter.ts): bit 0 code32, bit 1 stack32, bit 5 CPL 3, bit 6 flat. */
  key: number;
  insns: Insn[];
  /** Flags still observable after each instruction (liveness.ts): an emitter skips flag results outside it. */
  live: number[];
  /** Set by an emitter that ended the block (a branch: it emitted its jumps). */
  ended?: boolean;
  /**
   * Code that leaves the block after instruction k for constant EIP `target`: a jump inside the
   * region function when the target is one of its blocks and fits the budget, else spill, store
   * EIP and return. Call `f.endBlock()` first (compiler.ts).
   */
  jump(target: number, k: number): X;
  /** The same for an EIP held in local `t` (RET, indirect branches), compared with the region's blocks. */
  jumpDyn(t: number, k: number): X;
}
export type Emitter = (ctx: EmitContext, i: Insn, k: number) => boolean;

export const CUSTOM = new Map<string, Emitter>();
