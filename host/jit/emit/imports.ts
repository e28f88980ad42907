/**
 * What a JIT module imports from the core instance ("core" namespace): handler functions, helpers
 * and flag globals, added to the binaryen module on first use; plus the core's memory ("env").
 */
import { WasmModule, I32, NONE, type X } from "./wasm.ts";

/** Core helpers: i32 parameter count, and whether they return an i32. */
const SIGS: Record<string, [number, boolean]> = {
  jitSetup: [7, false],
  jitTestCC: [1, true],
  jitKeepCF: [0, false],
  jitImulFlags: [3, false],
};

export class Imports {
  private fns = new Set<string>();
  private globals = new Set<string>();
  constructor(private readonly m: WasmModule) {}

  /** An interpreter handler: () => void. */
  handler(name: string): string {
    const internal = "h_" + name;
    if (!this.fns.has(internal)) {
      this.m.addFunctionImport(internal, "core", name, 0, NONE);
      this.fns.add(internal);
    }
    return internal;
  }
  /** A core helper with an i32 signature (SIGS: parameter count, result i32 or none). */
  fn(name: string): string {
    if (!this.fns.has(name)) {
      const sig = SIGS[name];
      if (!sig) throw new Error(`jit: unknown core helper ${name}`);
      const [n, ret] = sig;
      this.m.addFunctionImport(name, "core", name, n, ret ? I32 : NONE);
      this.fns.add(name);
    }
    return name;
  }
  /** A core i32 global (mutable), as an expression. */
  global(name: string): X {
    if (!this.globals.has(name)) {
      this.m.addGlobalImport(name, "core", name);
      this.globals.add(name);
    }
    return this.m.global.get(name);
  }
}
