/**
 * Dead-flag elimination inside a block (docs/jit.md): a backward pass over the block finds, after
 * each instruction, which arithmetic flags may still be observed. An instruction whose flag results
 * are all overwritten before anything reads them (a later full writer, with no Jcc, generic call,
 * possible fault or exit in between) skips computing them: an INC's CF fold, a shift's or IMUL's
 * eager flags, a CMP entirely.
 *
 * Effects are registered next to the custom emitters, for the forms they always accept without a
 * memory access; anything else (memory operands, the generic path, any instruction that may fault
 * or leave) keeps every flag live before it and computes its own flags.
 */
import type { Insn } from "../decode.ts";

export const F_C = 0x1, F_P = 0x4, F_A = 0x10, F_Z = 0x40, F_S = 0x80, F_O = 0x800;
export const F_ALL = F_C | F_P | F_A | F_Z | F_S | F_O;

/** Flags an instruction writes, reads to compute them (needed only if they are live), and reads regardless. */
export interface Effect { w: number; pass?: number; use?: number }
export const EFFECT = new Map<string, (i: Insn) => Effect | null>();

/** Live flags after each instruction of a block (all live at its end). */
export function liveAfter(insns: Insn[], genericOnly: boolean): number[] {
  const out = new Array<number>(insns.length);
  let live = F_ALL;
  for (let k = insns.length - 1; k >= 0; k--) {
    const i = insns[k];
    const e = genericOnly ? null : EFFECT.get(i.row.handler ?? i.row.id)?.(i) ?? null;
    if (!e) { out[k] = live = F_ALL; continue; }
    out[k] = live;
    const needed = (live & e.w) !== 0;
    live = (live & ~e.w) | (needed ? e.pass ?? 0 : 0) | (e.use ?? 0);
  }
  return out;
}
