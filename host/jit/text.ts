/**
 * binaryen, used off the hot path only (docs/jit.md): Wasm text of compiled modules (tests' expect
 * snapshots, debugging) and the optional optimisation pass (RINGONE_JIT_OPT=1). binaryen.js takes
 * seconds to load, so it is imported on first use (a synchronous require of an ES module with
 * top-level await is impossible, so the first use must come after `await loadBinaryen()`).
 */
import type * as B from "binaryen";

let binaryen: typeof B.default | undefined;

export async function loadBinaryen(): Promise<typeof B.default> {
  if (!binaryen) binaryen = (await import("binaryen")).default;
  return binaryen;
}

function need(): typeof B.default {
  if (!binaryen) throw new Error("binaryen is not loaded: await loadBinaryen() first (host/jit/text.ts)");
  return binaryen;
}

export function binaryToText(bin: Uint8Array): string {
  const b = need();
  const m = b.readBinary(bin);
  m.setFeatures(b.Features.MVP | b.Features.MutableGlobals | b.Features.SignExt);
  const t = m.emitText();
  m.dispose();
  return t;
}

export function optimizeBinary(bin: Uint8Array): Uint8Array {
  const b = need();
  const m = b.readBinary(bin);
  m.setFeatures(b.Features.MVP | b.Features.MutableGlobals | b.Features.SignExt);
  b.setOptimizeLevel(2);
  b.setShrinkLevel(0);
  m.optimize();
  const out = m.emitBinary();
  m.dispose();
  return out;
}
