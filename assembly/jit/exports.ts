/**
 * What compiled blocks import from the core (host/jit/install.ts wires them): every instruction
 * handler (the generic path), the decode-state setter, the fault/exit/invalidation flags, and the
 * host's cache controls. Re-exported by assembly/index.ts.
 */
export * from "../cpu/ops/index";
export { jitSetup, stateKey as jitStateKey } from "./enter";
export { jitDecode } from "./decode";
export { install as jitInstall, flushAll as jitFlushAll, invalidateRange as jitInvalidateRange, entryFor as jitEntryFor, jitInvalidated } from "./cache";
export { faulted } from "../cpu/fault";
export { exitReason } from "../cpu/exits";
export * from "./helpers";
