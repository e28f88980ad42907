/**
 * Registry of custom emitters, by interpreter handler name. An emitter returns false to decline a
 * form (the generic path then handles it). Families register themselves from their own files.
 */
import type { Insn } from "../decode.ts";
import type { Fn } from "./fn.ts";
import type { Imports } from "./imports.ts";

export interface EmitContext {
  f: Fn;
  imp: Imports;
  /** The state key (assembly/jit/enter.ts): bit 0 code32, bit 1 stack32, bit 5 CPL 3, bit 6 flat. */
  key: number;
  insns: Insn[];
  /** Set by an emitter that ended the function (a branch: EIP stored, returned). */
  ended?: boolean;
}
export type Emitter = (ctx: EmitContext, i: Insn, k: number) => boolean;

export const CUSTOM = new Map<string, Emitter>();
