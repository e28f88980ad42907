/**
 * Pending-exception record. AssemblyScript has no unwinding, so a handler that faults records the
 * exception here and returns; every memory helper returns a dummy value once `faulted` is set and
 * handlers check it before committing anything (registers, flags, EIP). step() then rewinds EIP and
 * ESP to the instruction's start and delivers the exception (interrupts.ts), which gives precise,
 * restartable faults (SDM vol. 3, 6.5).
 */
export const DE = 0, DB = 1, NMI = 2, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8, TS = 10, NP = 11,
  SS = 12, GP = 13, PF = 14, MF = 16, AC = 17, MC = 18;

export let faulted: bool = false;
export let faultVector: i32 = 0;
export let faultError: i32 = 0;
export let faultHasError: bool = false;
/** Linear address for #PF (goes to CR2 when delivered). */
export let faultAddr: u32 = 0;
/** Set when the fault is a trap-like event after a completed instruction (INT3/INTO/INT n/#DB trap). */
export let faultIsTrap: bool = false;
/** INT n/INT3/INTO software interrupts: privilege check against the gate DPL applies. */
export let faultIsSoft: bool = false;
/** INT1 (ICEBP): a #DB trap, but a fault during its delivery reports the INT1's own EIP. */
export let faultIsIcebp: bool = false;

export function raise(vector: i32, error: i32): void {
  if (faulted) return; // keep the first fault of an instruction
  faulted = true;
  faultVector = vector;
  faultError = error & 0xffff;
  faultHasError = vector == DF || (vector >= TS && vector <= PF) || vector == AC;
  faultIsTrap = false;
  faultIsSoft = false;
  faultIsIcebp = false;
}

export function raisePF(addr: u32, error: i32): void {
  if (faulted) return;
  raise(PF, error);
  faultError = error;
  faultAddr = addr;
}

/** Software interrupt (INT n, INT3, INTO): delivered after the instruction (EIP already advanced). */
export function raiseSoft(vector: i32): void {
  if (faulted) return;
  faulted = true;
  faultVector = vector;
  faultError = 0;
  faultHasError = false;
  faultIsTrap = true;
  faultIsSoft = true;
  faultIsIcebp = false;
}

/**
 * A trap-like exception that must not rewind EIP/ESP: single-step #DB, ICEBP (INT1), and faults
 * raised after a task switch has committed (they belong to the new task). Not a software interrupt:
 * no gate-DPL check.
 */
export function raiseTrap(vector: i32, error: i32, hasError: bool): void {
  if (faulted) return;
  faulted = true;
  faultVector = vector;
  faultError = error & 0xffff;
  faultHasError = hasError;
  faultIsTrap = true;
  faultIsSoft = false;
  faultIsIcebp = false;
}

export function clearFault(): void {
  faulted = false;
  faultIsTrap = false;
  faultIsSoft = false;
  faultIsIcebp = false;
}

/** F1 (INT1/ICEBP): a #DB trap delivered as a hardware event (EXT=1, no gate-DPL check). */
export function raiseIcebp(): void {
  if (faulted) return;
  raiseTrap(DB, 0, false);
  faultIsIcebp = true;
}

// @ts-ignore: decorator
@inline export function ud(): void { raise(UD, 0); }
// @ts-ignore: decorator
@inline export function gp0(): void { raise(GP, 0); }
