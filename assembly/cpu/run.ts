/**
 * The run loop: execute up to `budget` instructions and return an exit reason (host/isa/layout.ts).
 * Between instructions it takes external interrupts (IRQ_VECTOR from the host) when IF=1 and no
 * interrupt shadow is active, honours HALTED and STOP, and delivers pending exceptions.
 */
import {
  STATE, EXIT, S_EIP, S_HALTED, S_INT_SHADOW, S_IRQ_VECTOR, S_STOP, S_ICOUNT_LO, S_ICOUNT_HI, S_CR2, S_EFLAGS, S_DR,
  X_REASON, X_VECTOR, X_ERROR_CODE, X_FAULT_ADDR, X_EXECUTED, X_EIP,
  EXIT_BUDGET, EXIT_HLT, EXIT_FAULT, EXIT_SHUTDOWN, EXIT_STOPPED, EXIT_MMIO, S_MMIO_COUNT, S_JIT_MODE, S_JIT_PAGES,
} from "../gen/layout";
import { reg32, setReg32, ESP, getMode, MODE_CODE32 } from "./state";
import { resetPrefixes, setOpcode, isPrefix, readPrefixes } from "./decode";
import { fetch8 } from "../mmu/fetch";
import { dispatch, BLOCK_OPS } from "../gen/dispatch";
import { jitEnter, jitInsnStart, jitEspStart } from "../jit/enter";
import { faulted, faultVector, faultError, faultHasError, faultAddr, faultIsTrap, faultIsSoft, clearFault, raise, raiseTrap, GP, PF, DB } from "./fault";
import { exitReason, exitRewind, clearExit, requestExit } from "./exits";
import { deliver, EV_EXCEPTION, EV_SOFT, EV_EXTERNAL, INTERCEPTED, TRIPLE, interceptVector, interceptError } from "./interrupts";
import { refreshMode } from "./mode";
import { IF, TF } from "./flags";
import { mmioInstructionDone } from "../mmu/phys";

/** EIP and ESP at the start of the current instruction (for rewinding on faults; see progress.ts). */
import { instrStart, setInstrStart, runExecuted, setRunExecuted } from "./progress";
export { instrStart };
let espStart: i32 = 0;
/** Look for compiled code at the next instruction boundary (after a block-ending instruction, a fault or an interrupt). */
let jitCheck: bool = false;
let jitEnabled: bool = false;

function step(): void {
  setInstrStart(load<u32>(STATE + S_EIP));
  espStart = reg32(ESP);
  const tf = (load<i32>(STATE + S_EFLAGS) & TF) != 0;
  const code32 = (getMode() & MODE_CODE32) != 0;
  resetPrefixes(code32);
  let op = fetch8();
  // Prefixes (SDM vol. 2, 2.1.1; decode.ts readPrefixes): one compare for the common no-prefix case.
  if (isPrefix(op)) op = readPrefixes(op, code32);
  if (!faulted) {
    if (op == 0x0f) op = 0x100 | fetch8();
    setOpcode(op);
    if (!faulted) dispatch(op);
    if (jitEnabled) jitCheck = unchecked(BLOCK_OPS[op & 0x1ff]) != 0;
  }
  if (exitRewind) {
    // The instruction waits for the host (IN or MMIO): undo and replay it; a fault it may have
    // hit after the unanswered access is dropped and recurs on the replay if it is real.
    store<u32>(STATE + S_EIP, instrStart);
    setReg32(ESP, espStart);
    clearFault();
  } else if (faulted) {
    if (!faultIsTrap) {
      store<u32>(STATE + S_EIP, instrStart);
      setReg32(ESP, espStart);
    }
    takeFault();
  } else if (tf && load<i32>(STATE + S_INT_SHADOW) != 2) {
    // Single-step trap after the instruction (SDM vol. 3, 17.3.1.4); MOV SS/POP SS delay it.
    store<u32>(STATE + S_DR + 24, load<u32>(STATE + S_DR + 24) | 0x4000); // DR6.BS
    raiseTrap(DB, 0, false);
    takeFault();
  }
}

/** Deliver the pending fault, or exit to the host if it is intercepted or fatal. */
function takeFault(): void {
  jitCheck = jitEnabled;
  const v = faultVector, he = faultHasError, err = faultError, soft = faultIsSoft;
  const addr = faultAddr;
  clearFault();
  if (v == PF) store<u32>(STATE + S_CR2, addr);
  const r = deliver(v, soft ? EV_SOFT : EV_EXCEPTION, he, err);
  if (r == INTERCEPTED) reportIntercept();
  else if (r == TRIPLE) requestExit(EXIT_SHUTDOWN, false);
}

/**
 * A compiled block stopped at an instruction that faulted or asked for an exit (status 1): finish
 * it as step() would, from the start EIP/ESP the block recorded (assembly/jit/enter.ts).
 */
function jitFinishFault(): void {
  if (exitRewind) {
    store<u32>(STATE + S_EIP, jitInsnStart);
    setReg32(ESP, jitEspStart);
    clearFault();
  } else if (faulted) {
    if (!faultIsTrap) {
      store<u32>(STATE + S_EIP, jitInsnStart);
      setReg32(ESP, jitEspStart);
    }
    takeFault();
  }
}

/** Exit FAULT with the exception interrupts.ts intercepted (the original one or a fault during its delivery). */
function reportIntercept(): void {
  const v = interceptVector;
  store<i32>(EXIT + X_VECTOR, v);
  store<i32>(EXIT + X_ERROR_CODE, interceptError);
  store<u32>(EXIT + X_FAULT_ADDR, v == PF ? faultAddr : 0);
  requestExit(EXIT_FAULT, false);
}

/** Execute up to `budget` instructions; returns the exit reason. */
export function run(budget: i32): i32 {
  clearExit();
  clearFault();
  refreshMode();
  setRunExecuted(0);
  jitEnabled = load<i32>(STATE + S_JIT_MODE) != 0 && load<u32>(STATE + S_JIT_PAGES) != 0;
  jitCheck = jitEnabled;
  let reason = 0;
  while (true) {
    // Between instructions: host stop requests, the interrupt shadow, external interrupts, HLT.
    if (load<i32>(STATE + S_STOP)) { store<i32>(STATE + S_STOP, 0); reason = EXIT_STOPPED; break; }
    // Budget before the shadow/IRQ step, so an interrupt shadow survives the end of a run() call.
    if (runExecuted >= budget && load<i32>(STATE + S_HALTED) == 0) { reason = EXIT_BUDGET; break; }
    if (load<i32>(STATE + S_INT_SHADOW)) {
      store<i32>(STATE + S_INT_SHADOW, 0);
    } else {
      const irq = load<i32>(STATE + S_IRQ_VECTOR);
      if (irq >= 0 && (load<i32>(STATE + S_EFLAGS) & IF) != 0) {
        store<i32>(STATE + S_IRQ_VECTOR, -1);
        jitCheck = jitEnabled;
        const r = deliver(irq, EV_EXTERNAL, false, 0);
        if (r == TRIPLE) { reason = EXIT_SHUTDOWN; break; }
        if (r == INTERCEPTED) { reportIntercept(); reason = EXIT_FAULT; break; }
      }
    }
    if (load<i32>(STATE + S_HALTED)) { reason = EXIT_HLT; break; }
    if (runExecuted >= budget) { reason = EXIT_BUDGET; break; }
    if (jitCheck) {
      // A block boundary: run compiled code if the cache has it (docs/jit.md), count hotness otherwise.
      jitCheck = false;
      const r = jitEnter(budget - runExecuted);
      if (r >= 0) {
        setRunExecuted(runExecuted + (r >>> 4));
        if ((r & 15) != 0) jitFinishFault();
        if (exitReason != 0) { reason = exitReason; break; }
        jitCheck = true;
        continue;
      }
      if (exitReason != 0) { reason = exitReason; break; } // EXIT_JIT: compile first
    }
    step();
    setRunExecuted(runExecuted + 1);
    // An instruction replayed with MMIO answers has completed (or faulted): drop the log.
    if (exitReason != EXIT_MMIO && load<i32>(STATE + S_MMIO_COUNT) != 0) mmioInstructionDone();
    if (exitReason != 0) { reason = exitReason; break; }
    // Fast inner loop while nothing needs attention between instructions: no pending interrupt
    // request and no interrupt shadow (the only between-instruction state an instruction can set
    // without exiting; STOP and IRQ_VECTOR are written by the host between run() calls).
    while (runExecuted < budget && !jitCheck && (load<i32>(STATE + S_IRQ_VECTOR) & ~load<i32>(STATE + S_INT_SHADOW)) == -1) {
      step();
      setRunExecuted(runExecuted + 1);
      if (exitReason != 0) break;
    }
    if (exitReason != 0) { reason = exitReason; break; }
  }
  const lo = load<u32>(STATE + S_ICOUNT_LO);
  const n = runExecuted;
  setRunExecuted(0);
  const nlo = lo + <u32>n;
  store<u32>(STATE + S_ICOUNT_LO, nlo);
  if (nlo < lo) store<u32>(STATE + S_ICOUNT_HI, load<u32>(STATE + S_ICOUNT_HI) + 1);
  store<i32>(EXIT + X_REASON, reason);
  store<i32>(EXIT + X_EXECUTED, n);
  store<u32>(EXIT + X_EIP, instrStart);
  return reason;
}
