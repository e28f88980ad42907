/**
 * Exits: how an instruction asks run() to return to the host, and the mailbox it fills.
 * Reasons are ExitReason in host/isa/layout.ts (EXIT_* in gen/layout.ts).
 */
import {
  STATE, EXIT, X_REASON, X_PORT, X_SIZE, X_IS_OUT, X_VALUE, X_VECTOR, S_IO_VALID, S_IO_VALUE,
  EXIT_IO, EXIT_SOFTINT, INTERCEPT, I_SOFTINT,
} from "../gen/layout";

/** Exit requested by the current instruction (0 = none). */
export let exitReason: i32 = 0;
/** The instruction did not complete: step() rewinds EIP and ESP as for a fault. */
export let exitRewind: bool = false;

export function requestExit(reason: i32, rewind: bool): void {
  exitReason = reason;
  exitRewind = rewind;
  store<i32>(EXIT + X_REASON, reason);
}
export function clearExit(): void { exitReason = 0; exitRewind = false; }

/** OUT: performed now; the host sees the value in the mailbox. */
export function ioOut(port: i32, size: i32, value: i32): void {
  store<i32>(EXIT + X_PORT, port);
  store<i32>(EXIT + X_SIZE, size);
  store<i32>(EXIT + X_IS_OUT, 1);
  store<i32>(EXIT + X_VALUE, value);
  requestExit(EXIT_IO, false);
}

/**
 * IN: if the host has answered (IO_VALID), return its value and clear the slot; otherwise exit
 * with the request and rewind, so the instruction is replayed with the answer. Returns -1 in the
 * latter case (check exitReason).
 */
export function ioIn(port: i32, size: i32): i32 {
  if (load<i32>(STATE + S_IO_VALID)) {
    store<i32>(STATE + S_IO_VALID, 0);
    const v = load<i32>(STATE + S_IO_VALUE);
    return size == 1 ? v & 0xff : size == 2 ? v & 0xffff : v;
  }
  store<i32>(EXIT + X_PORT, port);
  store<i32>(EXIT + X_SIZE, size);
  store<i32>(EXIT + X_IS_OUT, 0);
  store<i32>(EXIT + X_VALUE, 0);
  requestExit(EXIT_IO, true);
  return -1;
}

/** INT n with a vector the host claims: exit after the instruction. */
export function softIntClaimed(vector: i32): bool {
  return (load<u8>(INTERCEPT + I_SOFTINT + (vector >> 3)) & (1 << (vector & 7))) != 0;
}
export function softIntExit(vector: i32): void {
  store<i32>(EXIT + X_VECTOR, vector);
  requestExit(EXIT_SOFTINT, false);
}
