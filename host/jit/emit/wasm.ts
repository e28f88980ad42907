/**
 * A small Wasm binary writer for the JIT (docs/jit.md: binaryen.js takes ~3.5 s to load, far over
 * the warm-up budget, so blocks are encoded directly; binaryen is used only to print and, on request,
 * optimise modules). The API mirrors the subset of binaryen's we use: expressions are built
 * bottom-up as token lists (bytes, plus function/global references resolved when the module is
 * emitted), so emitters read like binaryen code.
 *
 * Supported: i32 only; imports of functions, mutable globals and one memory; function exports;
 * block/loop/if/br/br_if/return/call/select; i32 loads and stores with constant offsets.
 */
type Tok = number | { fn: string } | { glob: string } | { label: string; depth0: number };
export type X = Tok[];
export type Type = number;

export const I32 = 0x7f;
export const NONE = 0x40;

function uleb(n: number, out: number[]): void {
  n >>>= 0;
  do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n);
}
function sleb(n: number, out: number[]): void {
  n |= 0;
  while (true) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) { out.push(b); return; }
    out.push(b | 0x80);
  }
}
function str(s: string, out: number[]): void { const b = Buffer.from(s, "utf8"); uleb(b.length, out); append(out, b); }
/** out.push(...xs) without the argument-count limit of spreading large arrays. */
function append(out: unknown[], xs: ArrayLike<unknown>): void { for (let i = 0; i < xs.length; i++) out.push(xs[i]); }

const bin = (op: number) => (a: X, b: X): X => [...a, ...b, op];
const un = (op: number) => (a: X): X => [...a, op];

interface FuncImport { name: string; mod: string; field: string; params: number; result: Type }
interface GlobalImport { name: string; mod: string; field: string }
interface Func { name: string; params: number; result: Type; vars: number; body: X }

export class WasmModule {
  private fimports: FuncImport[] = [];
  private gimports: GlobalImport[] = [];
  private mem?: { mod: string; field: string };
  private funcs: Func[] = [];
  private exports: { name: string; fn: string }[] = [];
  /** Label nesting for br: a stack of names, maintained by block/loop/if builders at emit time. */

  readonly i32 = {
    const: (v: number): X => { const o: number[] = [0x41]; sleb(v, o); return o; },
    add: bin(0x6a), sub: bin(0x6b), mul: bin(0x6c), and: bin(0x71), or: bin(0x72), xor: bin(0x73),
    shl: bin(0x74), shr_s: bin(0x75), shr_u: bin(0x76), rotl: bin(0x77), rotr: bin(0x78),
    eq: bin(0x46), ne: bin(0x47), lt_s: bin(0x48), lt_u: bin(0x49), gt_s: bin(0x4a), gt_u: bin(0x4b),
    le_s: bin(0x4c), le_u: bin(0x4d), ge_s: bin(0x4e), ge_u: bin(0x4f),
    eqz: un(0x45), popcnt: un(0x69), extend8_s: un(0xc0), extend16_s: un(0xc1),
    load: (offset: number, _align: number, ptr: X): X => this.memop(0x28, 2, offset, ptr),
    load8_u: (offset: number, _align: number, ptr: X): X => this.memop(0x2d, 0, offset, ptr),
    load8_s: (offset: number, _align: number, ptr: X): X => this.memop(0x2c, 0, offset, ptr),
    load16_u: (offset: number, _align: number, ptr: X): X => this.memop(0x2f, 1, offset, ptr),
    load16_s: (offset: number, _align: number, ptr: X): X => this.memop(0x2e, 1, offset, ptr),
    store: (offset: number, _align: number, ptr: X, v: X): X => this.memop(0x36, 2, offset, ptr, v),
    store8: (offset: number, _align: number, ptr: X, v: X): X => this.memop(0x3a, 0, offset, ptr, v),
    store16: (offset: number, _align: number, ptr: X, v: X): X => this.memop(0x3b, 1, offset, ptr, v),
  };
  readonly local = {
    get: (i: number, _t?: Type): X => { const o: number[] = [0x20]; uleb(i, o); return o; },
    set: (i: number, v: X): X => { const o: number[] = [0x21]; uleb(i, o); return [...v, ...o]; },
    tee: (i: number, v: X, _t?: Type): X => { const o: number[] = [0x22]; uleb(i, o); return [...v, ...o]; },
  };
  readonly global = {
    get: (name: string, _t?: Type): X => [0x23, { glob: name }],
  };

  private memop(op: number, align: number, offset: number, ptr: X, v?: X): X {
    const o: number[] = [op];
    uleb(align, o);
    uleb(offset, o);
    return v ? [...ptr, ...v, ...o] : [...ptr, ...o];
  }

  call(name: string, args: X[], _t?: Type): X { return [...args.flat(), 0x10, { fn: name }]; }
  return(v?: X): X { return [...(v ?? []), 0x0f]; }
  drop(v: X): X { return [...v, 0x1a]; }
  select(cond: X, a: X, b: X): X { return [...a, ...b, ...cond, 0x1b]; }
  nop(): X { return []; }
  /** if (cond) then [else]; `type` NONE or I32 (then both arms yield an i32). */
  if(cond: X, then: X, els?: X, type: Type = NONE): X {
    return [...cond, 0x04, type, ...then, ...(els ? [0x05, ...els] : []), 0x0b];
  }
  /** A labelled block: `br(label)` inside jumps to its end. */
  block(label: string | null, xs: X[], type: Type = NONE): X { return this.scoped(0x02, label, xs, type); }
  /** A labelled loop: `br(label)` inside jumps to its start. */
  loop(label: string, body: X, type: Type = NONE): X { return this.scoped(0x03, label, [body], type); }
  br(label: string, cond?: X): X { return [...(cond ?? []), cond ? 0x0d : 0x0c, { label, depth0: 0 }]; }

  private scoped(op: number, label: string | null, xs: X[], type: Type): X {
    const inner = xs.flat();
    // Resolve branches to this label now: depth = number of enclosing structured ops between.
    const out: X = [op, type];
    for (let i = 0; i < inner.length; i++) {
      const t = inner[i];
      if (typeof t === "number") {
        // Track nesting by structure opcodes; immediates never collide because constants are
        // encoded after 0x41 etc. and we skip immediates below.
        out.push(t);
        continue;
      }
      if ("label" in t && t.label === label) {
        const o: number[] = [];
        uleb(t.depth0 + depthAt(inner, i), o);
        out.push(...o);
        continue;
      }
      out.push(t);
    }
    out.push(0x0b);
    return out;
  }

  addFunctionImport(name: string, mod: string, field: string, params: number, result: Type): void {
    this.fimports.push({ name, mod, field, params, result });
  }
  addGlobalImport(name: string, mod: string, field: string): void { this.gimports.push({ name, mod, field }); }
  addMemoryImport(mod: string, field: string): void { this.mem = { mod, field }; }
  addFunction(name: string, params: number, result: Type, vars: number, body: X): void {
    this.funcs.push({ name, params, result, vars, body });
  }
  addFunctionExport(fn: string, name: string): void { this.exports.push({ name, fn }); }

  emitBinary(): Uint8Array {
    const types: string[] = [];
    const typeOf = (params: number, result: Type) => {
      const k = `${params}:${result}`;
      let i = types.indexOf(k);
      if (i < 0) { types.push(k); i = types.length - 1; }
      return i;
    };
    const fidx = new Map<string, number>();
    this.fimports.forEach((f, i) => fidx.set(f.name, i));
    this.funcs.forEach((f, i) => fidx.set(f.name, this.fimports.length + i));
    const gidx = new Map<string, number>();
    this.gimports.forEach((g, i) => gidx.set(g.name, i));
    const fimpTypes = this.fimports.map((f) => typeOf(f.params, f.result));
    const funcTypes = this.funcs.map((f) => typeOf(f.params, f.result));

    const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const section = (id: number, body: number[]) => { out.push(id); uleb(body.length, out); append(out, body); };
    // types
    const ts: number[] = [];
    uleb(types.length, ts);
    for (const k of types) {
      const [p, r] = k.split(":").map(Number);
      ts.push(0x60);
      uleb(p, ts);
      for (let i = 0; i < p; i++) ts.push(I32);
      if (r === NONE) ts.push(0); else { ts.push(1, r); }
    }
    section(1, ts);
    // imports
    const im: number[] = [];
    uleb(this.fimports.length + this.gimports.length + (this.mem ? 1 : 0), im);
    this.fimports.forEach((f, i) => { str(f.mod, im); str(f.field, im); im.push(0x00); uleb(fimpTypes[i], im); });
    for (const g of this.gimports) { str(g.mod, im); str(g.field, im); im.push(0x03, I32, 0x01); }
    if (this.mem) { str(this.mem.mod, im); str(this.mem.field, im); im.push(0x02, 0x00, 0x00); }
    section(2, im);
    // functions
    const fs: number[] = [];
    uleb(this.funcs.length, fs);
    for (const t of funcTypes) uleb(t, fs);
    section(3, fs);
    // exports
    const ex: number[] = [];
    uleb(this.exports.length, ex);
    for (const e of this.exports) { str(e.name, ex); ex.push(0x00); uleb(fidx.get(e.fn)!, ex); }
    section(7, ex);
    // code
    const cs: number[] = [];
    uleb(this.funcs.length, cs);
    for (const f of this.funcs) {
      const b: number[] = [];
      if (f.vars) { b.push(1); uleb(f.vars, b); b.push(I32); } else b.push(0);
      for (const t of f.body) {
        if (typeof t === "number") b.push(t);
        else if ("fn" in t) { const i = fidx.get(t.fn); if (i === undefined) throw new Error(`wasm: unknown function ${t.fn}`); uleb(i, b); }
        else if ("glob" in t) { const i = gidx.get(t.glob); if (i === undefined) throw new Error(`wasm: unknown global ${t.glob}`); uleb(i, b); }
        else throw new Error(`wasm: branch to unknown label ${t.label}`);
      }
      b.push(0x0b);
      uleb(b.length, cs);
      append(cs, b);
    }
    section(10, cs);
    return new Uint8Array(out);
  }
}

/**
 * Structured-nesting depth of token `at` inside `inner` (which is a block body). Walks the tokens
 * decoding instruction immediates so that constant bytes are not mistaken for opcodes.
 */
function depthAt(inner: X, at: number): number {
  let depth = 0;
  let i = 0;
  const skipLeb = () => { while (typeof inner[i] === "number" && ((inner[i] as number) & 0x80)) i++; i++; };
  while (i < at) {
    const t = inner[i];
    if (typeof t !== "number") { i++; continue; }
    i++;
    switch (t) {
      case 0x02: case 0x03: case 0x04: depth++; i++; break; // block type
      case 0x0b: depth--; break;
      case 0x0c: case 0x0d: if (typeof inner[i] === "number") skipLeb(); else i++; break; // label: token or resolved leb
      case 0x10: break; // fn token follows
      case 0x20: case 0x21: case 0x22: skipLeb(); break;
      case 0x23: break; // glob token follows
      case 0x41: skipLeb(); break;
      case 0x28: case 0x29: case 0x2c: case 0x2d: case 0x2e: case 0x2f: case 0x36: case 0x3a: case 0x3b: skipLeb(); skipLeb(); break;
      default: break;
    }
  }
  return depth;
}
