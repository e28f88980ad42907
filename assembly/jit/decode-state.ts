/**
 * The JIT decoder's result slot: the instruction-table row index the decode-only dispatcher
 * (gen/dispatch.ts jitDecodeOp, generated from the same rows as the executing one) found, or -1 for
 * an encoding that raises #UD. Separate from decode.ts so the generated file can import it.
 */
export let jitRow: i32 = -1;
// @ts-ignore: decorator
@inline export function setJitRow(v: i32): void { jitRow = v; }
