/**
 * The run loop: execute up to `budget` instructions and return an exit reason (host/isa/layout.ts).
 * Between instructions it takes external interrupts (IRQ_VECTOR from the host) when IF=1 and no
 * interrupt shadow is active, honours HALTED and STOP, and delivers pending exceptions.
 *
 * Debug (SDM vol. 3, 18.3; cpu/debug.ts): before an instruction, EFLAGS.RF=1 is cleared (it only
 * suppresses that instruction's breakpoints) and otherwise, while DR7 enables one, instruction
 * breakpoints are matched (a #DB fault). After a completed instruction, single-step (TF), data
 * breakpoint hits and the TSS T flag of a task switch give one #DB trap with the DR6 bits combined.
 */
import {
  STATE, EXIT, S_EIP, S_HALTED, S_INT_SHADOW, S_IRQ_VECTOR, S_STOP, S_ICOUNT_LO, S_ICOUNT_HI, S_CR2, S_EFLAGS, S_DR,
  X_REASON, X_VECTOR, X_ERROR_CODE, X_FAULT_ADDR, X_EXECUTED, X_EIP,
  EXIT_BUDGET, EXIT_HLT, EXIT_FAULT, EXIT_SHUTDOWN, EXIT_STOPPED, EXIT_MMIO, S_MMIO_COUNT, S_IO_VALID, S_JIT_MODE, S_JIT_PAGES, S_JIT_BAILS,
} from "../gen/layout";
import { reg32, setReg32, ESP, getMode, MODE_CODE32 } from "./state";
import { resetPrefixes, setOpcode, isPrefix, readPrefixes } from "./decode";
import { fetch8 } from "../mmu/fetch";
import { dispatch, BLOCK_OPS } from "../gen/dispatch";
import { jitEnter, jitInsnStart, jitEspStart, jitRetry, clearJitRetry } from "../jit/enter";
import { faulted, faultVector, faultError, faultHasError, faultAddr, faultIsTrap, faultIsSoft, faultIsIcebp, clearFault, raise, raiseTrap, GP, PF, DB } from "./fault";
import { exitReason, exitRewind, clearExit, requestExit } from "./exits";
import { deliver, EV_EXCEPTION, EV_SOFT, EV_EXTERNAL, EV_ICEBP, EV_FAULT, DELIVERED, INTERCEPTED, TRIPLE, interceptVector, interceptError } from "./interrupts";
import { refreshMode } from "./mode";
import { IF, TF, RF } from "./flags";
import { mmioInstructionDone } from "../mmu/phys";
import { slowChecks } from "../mmu/tlb";
import { execBps, execHits, trapBits, clearTrapBits, addTrapBits, setDr6, refreshDebug, DR6_BS, DR6_BT } from "./debug";
import { segBase, SR_CS } from "./state";
import { SHADOW_SS } from "./ops/seg";

/** EIP and ESP at the start of the current instruction (for rewinding on faults; see progress.ts). */
import { instrStart, setInstrStart, runExecuted, setRunExecuted } from "./progress";
export { instrStart };
let espStart: i32 = 0;
let result: i32 = 0;
/** The pending #DB is an instruction-breakpoint fault: it pushes RF as it is (0), not 1. */
let bpFault: bool = false;
/**
 * Data breakpoint hits of a MOV SS / POP SS: the #DB is held until the next instruction has
 * completed and reported with that instruction's own debug traps (SDM vol. 3, 6.8.3).
 */
let heldTrapBits: i32 = 0;

/** Look for compiled code at the next instruction boundary (after a block-ending instruction, a fault or an interrupt). */
let jitCheck: bool = false;
let jitEnabled: bool = false;
/**
 * The check at the start of run() may be in the middle of a block (where the previous call's
 * budget ran out): compiled code there runs, but the address does not count towards hotness, or
 * every offset of a hot loop would become an entry of its own.
 */
let jitAtStart: bool = false;

function step(): void {
  setInstrStart(load<u32>(STATE + S_EIP));
  espStart = reg32(ESP);
  clearTrapBits();
  if (heldTrapBits != 0) { addTrapBits(heldTrapBits); heldTrapBits = 0; }
  const fl = load<i32>(STATE + S_EFLAGS);
  const tf = (fl & TF) != 0;
  const rf = (fl & RF) != 0;
  if (rf) store<i32>(STATE + S_EFLAGS, fl & ~RF); // RF: no instruction breakpoints for this one
  else if (execBps != 0 && instructionBreakpoint()) return;
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
    if (rf) store<i32>(STATE + S_EFLAGS, load<i32>(STATE + S_EFLAGS) | RF);
    clearFault();
  } else if (faulted) {
    if (!faultIsTrap) {
      store<u32>(STATE + S_EIP, instrStart);
      setReg32(ESP, espStart);
      if (rf) store<i32>(STATE + S_EFLAGS, load<i32>(STATE + S_EFLAGS) | RF);
    }
    takeFault();
  } else if (load<i32>(STATE + S_INT_SHADOW) == SHADOW_SS) {
    // MOV SS / POP SS: no #DB until the next instruction is done. A single step then traps after
    // that instruction anyway (TF is still set); data breakpoint hits are held for it.
    heldTrapBits = trapBits;
    clearTrapBits();
  } else if (tf || trapBits != 0) {
    // Single-step trap after the instruction (SDM vol. 3, 17.3.1.4), data breakpoint hits, the
    // T flag of a task switch: one #DB trap.
    debugTrap(tf);
  }
}

/** Instruction breakpoint at CS:EIP (before any byte is fetched): deliver the #DB fault now. */
function instructionBreakpoint(): bool {
  const hits = execHits(segBase(SR_CS) + instrStart);
  if (hits == 0) return false;
  setDr6(hits, 0);
  raise(DB, 0);
  bpFault = true;
  takeFault();
  bpFault = false;
  return true;
}

/** A #DB trap after a completed instruction (or event delivery), with the collected DR6 bits. */
function debugTrap(singleStep: bool): void {
  const bits = trapBits;
  clearTrapBits();
  setDr6(bits & 0xf, (singleStep ? DR6_BS : 0) | (bits & DR6_BT));
  raiseTrap(DB, 0, false);
  takeFault();
}

/** After delivering an event through a task gate into a TSS with T=1: its #DB trap. */
function taskTrapAfter(r: i32, vector: i32): void {
  const t = trapBits & DR6_BT;
  clearTrapBits();
  if (r == DELIVERED && t != 0 && vector != DB) { addTrapBits(t); debugTrap(false); }
}

/** Deliver the pending fault, or exit to the host if it is intercepted or fatal. */
function takeFault(): void {
  jitCheck = jitEnabled;
  const v = faultVector, he = faultHasError, err = faultError, soft = faultIsSoft, icebp = faultIsIcebp;
  const kind = soft ? EV_SOFT : (icebp ? EV_ICEBP : (faultIsTrap || bpFault ? EV_EXCEPTION : EV_FAULT));
  const addr = faultAddr;
  clearFault();
  clearTrapBits();
  if (v == PF) store<u32>(STATE + S_CR2, addr);
  const r = deliver(v, kind, he, err);
  if (r == INTERCEPTED) reportIntercept();
  else if (r == TRIPLE) requestExit(EXIT_SHUTDOWN, false);
  else taskTrapAfter(r, v);
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

/**
 * Compiled code does not model the debug machinery: single-step (TF), DR7 breakpoints, the
 * alignment-check / data-breakpoint slow paths and the resume flag (RF, left set by an IRET after a
 * fault: the next instruction clears it, which step() does) run in the interpreter only.
 */
// @ts-ignore: decorator
@inline function debugQuiet(): bool {
  return ((load<i32>(STATE + S_EFLAGS) & (TF | RF)) | (load<i32>(STATE + S_DR + 28) & 0xff)) == 0 && !slowChecks;
}

/** Execute up to `budget` instructions; returns the exit reason. */
export function run(budget: i32): i32 {
  clearExit();
  clearFault();
  refreshMode();
  refreshDebug();
  setRunExecuted(0);
  jitEnabled = load<i32>(STATE + S_JIT_MODE) != 0 && load<u32>(STATE + S_JIT_PAGES) != 0;
  jitCheck = jitEnabled;
  jitAtStart = true;
  clearJitRetry();
  let reason = 0;
  while (true) {
    // Between instructions: host stop requests, the interrupt shadow, external interrupts, HLT.
    if (load<i32>(STATE + S_STOP)) { store<i32>(STATE + S_STOP, 0); reason = EXIT_STOPPED; break; }
    // Budget before the shadow/IRQ step, so an interrupt shadow survives the end of a run() call.
    if (runExecuted >= budget && load<i32>(STATE + S_HALTED) == 0) { reason = EXIT_BUDGET; break; }
    // After STI / MOV SS / POP SS the next instruction runs before interrupts are recognised: that
    // one instruction is interpreted, so that the check above runs right after it (compiled code
    // would run on to the end of its block or region, past a CLI, and the interrupt would be lost).
    let shadowed = false;
    if (load<i32>(STATE + S_INT_SHADOW)) {
      store<i32>(STATE + S_INT_SHADOW, 0);
      shadowed = true;
    } else {
      const irq = load<i32>(STATE + S_IRQ_VECTOR);
      // No interrupt while an answered IN or MMIO access waits for its instruction's replay: the
      // handler's first access would otherwise consume the answer.
      if (irq >= 0 && (load<i32>(STATE + S_EFLAGS) & IF) != 0 &&
          (load<i32>(STATE + S_IO_VALID) | load<i32>(STATE + S_MMIO_COUNT)) == 0) {
        store<i32>(STATE + S_IRQ_VECTOR, -1);
        clearTrapBits();
        jitCheck = jitEnabled;
        jitAtStart = false;
        const r = deliver(irq, EV_EXTERNAL, false, 0);
        if (r == TRIPLE) { reason = EXIT_SHUTDOWN; break; }
        if (r == INTERCEPTED) { reportIntercept(); reason = EXIT_FAULT; break; }
        taskTrapAfter(r, irq);
        if (exitReason != 0) { reason = exitReason; break; }
      }
    }
    if (load<i32>(STATE + S_HALTED)) { reason = EXIT_HLT; break; }
    if (runExecuted >= budget) { reason = EXIT_BUDGET; break; }
    if (jitCheck && !shadowed && debugQuiet()) {
      // A block boundary: run compiled code if the cache has it (docs/jit.md), count hotness otherwise.
      jitCheck = false;
      clearTrapBits();
      const r = jitEnter(budget - runExecuted, !jitAtStart);
      jitAtStart = false;
      if (r >= 0) {
        setRunExecuted(runExecuted + (r >>> 4));
        const status = r & 15;
        if (status == 1) jitFinishFault();
        else if (trapBits != 0) debugTrap(false); // e.g. the T flag of a task switched to in the block
        if (exitReason != 0) { reason = exitReason; break; }
        if (status == 2) {
          // A bail: the instruction at EIP needs the interpreter (an access off the inline TLB path);
          // it and the rest of its block run here, compiled code resumes at the next block boundary.
          store<i32>(STATE + S_JIT_BAILS, load<i32>(STATE + S_JIT_BAILS) + 1);
        } else {
          jitCheck = true;
          continue;
        }
      }
      if (exitReason != 0) { reason = exitReason; break; } // EXIT_JIT: compile first
    }
    jitAtStart = false;
    step();
    setRunExecuted(runExecuted + 1);
    if (jitRetry) { clearJitRetry(); jitCheck = jitEnabled; }
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
