/**
 * The JIT compiler (docs/jit.md): turns decoded blocks (decode.ts) into one binaryen module with
 * one exported function per block. Each instruction gets custom codegen when an emitter for its
 * handler exists in emit/ (and accepts the form), else the generic path (emit/generic.ts).
 */
import * as L from "../isa/layout.ts";
import type { Insn } from "./decode.ts";
import { Fn, i32 } from "./emit/fn.ts";
import { WasmModule } from "./emit/wasm.ts";
import { optimizeBinary, binaryToText } from "./text.ts";
import { Imports } from "./emit/imports.ts";
import { emitGeneric } from "./emit/generic.ts";
import { CUSTOM, type EmitContext } from "./emit/custom.ts";
import "./emit/ops.ts";
import "./emit/control.ts";

export interface CompileOptions {
  /** Run binaryen's optimiser on the module (docs/jit.md says whether it pays). */
  optimize: boolean;
  /** Every instruction through the generic path (RINGONE_JIT_GENERIC=1: isolates codegen bugs). */
  genericOnly?: boolean;
  /** State key the blocks are specialised for (assembly/jit/enter.ts stateKey). */
  key: number;
}

export interface Built {
  binary: Uint8Array;
  names: string[];
  customInsns: number;
  genericInsns: number;
}

export class ModuleBuilder {
  readonly m = new WasmModule();
  private readonly imp: Imports;
  readonly names: string[] = [];
  customInsns = 0;
  genericInsns = 0;

  constructor(private readonly opts: CompileOptions) {
    this.m.addMemoryImport("env", "memory");
    this.imp = new Imports(this.m);
  }

  addBlock(insns: Insn[]): string {
    const name = `b${this.names.length}`;
    const f = new Fn(this.m);
    const ctx: EmitContext = { f, imp: this.imp, key: this.opts.key, insns };
    let endsWithCustom = false;
    for (let k = 0; k < insns.length; k++) {
      const i = insns[k];
      const custom = CUSTOM.get(i.row.handler ?? i.row.id);
      if (custom && !(this.opts.genericOnly) && custom(ctx, i, k)) { this.customInsns++; endsWithCustom = true; continue; }
      emitGeneric(f, this.imp, i, k);
      this.genericInsns++;
      endsWithCustom = false;
    }
    // Fall-through end: custom code has not stored EIP (a custom branch ends the function itself).
    if (!ctx.ended) {
      f.spill();
      if (endsWithCustom) f.emit(f.store(L.STATE + L.S.EIP, f.c(insns[insns.length - 1].next)));
      f.emit(f.ret(f.c(insns.length << 4)));
    }
    this.m.addFunction(name, 0, i32, f.vars, f.block(f.body));
    this.m.addFunctionExport(name, name);
    this.names.push(name);
    return name;
  }

  finish(): Built {
    let binary = this.m.emitBinary();
    if (this.opts.optimize) binary = optimizeBinary(binary);
    return { binary, names: this.names, customInsns: this.customInsns, genericInsns: this.genericInsns };
  }

  /** Wasm text of the module (binaryen, loaded on first use: slow). */
  text(): string { return binaryToText(this.m.emitBinary()); }
  dispose(): void { /* nothing to free */ }
}
