/**
 * Run-loop progress visible to instruction handlers without importing run.ts (which imports the
 * dispatcher, so handlers importing it would be circular): the current instruction's start EIP
 * (REP INS/OUTS stay on it) and the instructions executed so far by this run() call (RDTSC).
 */
export let instrStart: u32 = 0;
export let runExecuted: i32 = 0;
// @ts-ignore: decorator
@inline export function setInstrStart(v: u32): void { instrStart = v; }
// @ts-ignore: decorator
@inline export function setRunExecuted(v: i32): void { runExecuted = v; }
