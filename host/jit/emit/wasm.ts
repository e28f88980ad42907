/**
 * A small Wasm binary writer for the JIT (docs/jit.md: binaryen.js takes ~3.5 s to load, far over
 * the warm-up budget, so blocks are encoded directly; binaryen is used only to print and, on request,
 * optimise modules). The API mirrors the subset of binaryen's we use: expressions are built
 * bottom-up as token lists (bytes, plus function/global references resolved when the module is
 * emitted), so emitters read like binaryen code.
 *
 * Supported: i32 only; imports of functions, mutable globals and one memory; function exports;
 * block/loop/if/br/br_if/br_table/return/call/select; i32 loads and stores with constant offsets.
 *
 * Expressions are trees (an X may contain X's: building never copies) of bytes and tokens; the
 * structured constructs and branches are tokens, so labels resolve in one pass when the module is
 * emitted. A `lazy` token is expanded then too (code whose content is known only after the whole
 * function is built: host/jit/emit/fn.ts spills of the region-wide written registers).
 */
type Ref = { fn: string } | { glob: string } | { open: number; type: number; label: string | null } | { br: number; label: string } | { brTable: string[] } | { lazy: () => X };
/** A byte (0-255), a reference (REF + index into the module's `refs`), or a subtree. */
type Tok = number | X;
export type X = Tok[];
const REF = 256;
/** The `end` of a construct (a token of its own: it pops the label). */
const CLOSE = -1;
export type Type = number;

/** What `i32.const` and `local.get` return: their bytes, tagged so emitters can recognise them. */
type Simple = number[] & { constant?: number; local?: number };
/** The local a `local.get` expression reads, or undefined. */
export const localOf = (x: X): number | undefined => (x as Simple).local;
/** Whether `x` is an `i32.const`. */
export const isConst = (x: X): boolean => (x as Simple).constant !== undefined;
/** Whether the expression tree `x` reads one of `locals`. */
export function readsLocal(x: X, locals: number[]): boolean {
  const l = localOf(x);
  if (l !== undefined) return locals.includes(l);
  for (const t of x) if (typeof t !== "number" && readsLocal(t, locals)) return true;
  return false;
}

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

/** A growable byte buffer. */
class Bytes {
  buf = new Uint8Array(1 << 16);
  n = 0;
  push(b: number): void {
    if (this.n === this.buf.length) { const nb = new Uint8Array(this.buf.length * 2); nb.set(this.buf); this.buf = nb; }
    this.buf[this.n++] = b;
  }
  bytes(xs: ArrayLike<number>): void {
    while (this.n + xs.length > this.buf.length) { const nb = new Uint8Array(this.buf.length * 2); nb.set(this.buf); this.buf = nb; }
    if (xs instanceof Uint8Array) this.buf.set(xs, this.n); else for (let i = 0; i < xs.length; i++) this.buf[this.n + i] = xs[i];
    this.n += xs.length;
  }
  uleb(v: number): void {
    v >>>= 0;
    do { let b = v & 0x7f; v >>>= 7; if (v) b |= 0x80; this.push(b); } while (v);
  }
}

/** Scratch buffers of emitBinary, reused (fresh large buffers per module keep the GC busy). */
const OUT = new Bytes(), CODE = new Bytes(), FUNC = new Bytes();

const bin = (op: number) => (a: X, b: X): X => [a, b, op];
const un = (op: number) => (a: X): X => [a, op];

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
    const: (v: number): X => { const o: Simple = [0x41]; sleb(v, o); o.constant = v | 0; return o; },
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
    get: (i: number, _t?: Type): X => { const o: Simple = [0x20]; uleb(i, o); o.local = i; return o; },
    set: (i: number, v: X): X => { const o: number[] = [0x21]; uleb(i, o); return [v, o]; },
    tee: (i: number, v: X, _t?: Type): X => { const o: number[] = [0x22]; uleb(i, o); return [v, o]; },
  };
  readonly global = {
    get: (name: string, _t?: Type): X => [0x23, this.ref({ glob: name })],
  };

  private memop(op: number, align: number, offset: number, ptr: X, v?: X): X {
    const o: number[] = [op];
    uleb(align, o);
    uleb(offset, o);
    return v ? [ptr, v, o] : [ptr, o];
  }

  private refs: Ref[] = [];
  private ref(r: Ref): number { this.refs.push(r); return REF + this.refs.length - 1; }

  call(name: string, args: X[], _t?: Type): X { return [args, 0x10, this.ref({ fn: name })]; }
  return(v?: X): X { return [v ?? [], 0x0f]; }
  drop(v: X): X { return [v, 0x1a]; }
  select(cond: X, a: X, b: X): X { return [a, b, cond, 0x1b]; }
  nop(): X { return []; }
  /** if (cond) then [else]; `type` NONE or I32 (then both arms yield an i32). */
  if(cond: X, then: X, els?: X, type: Type = NONE): X {
    return [cond, this.ref({ open: 0x04, type, label: null }), then, ...(els ? [0x05, els] : []), CLOSE];
  }
  /** A labelled block: `br(label)` inside jumps to its end. */
  block(label: string | null, xs: X[], type: Type = NONE): X { return [this.ref({ open: 0x02, type, label }), xs, CLOSE]; }
  /** A labelled loop: `br(label)` inside jumps to its start. */
  loop(label: string, body: X, type: Type = NONE): X { return [this.ref({ open: 0x03, type, label }), body, CLOSE]; }
  br(label: string, cond?: X): X { return [cond ?? [], this.ref({ br: cond ? 0x0d : 0x0c, label })]; }
  /** br_table: jump to labels[index], or to `dflt` when the index is out of range. */
  brTable(labels: string[], dflt: string, index: X): X { return [index, this.ref({ brTable: [...labels, dflt] })]; }
  /** Code expanded when the module is emitted (see `lazy` above). */
  lazy(gen: () => X): X { return [this.ref({ lazy: gen })]; }

  addFunctionImport(name: string, mod: string, field: string, params: number, result: Type): void {
    this.fimports.push({ name, mod, field, params, result });
  }
  addGlobalImport(name: string, mod: string, field: string): void { this.gimports.push({ name, mod, field }); }
  addMemoryImport(mod: string, field: string): void { this.mem = { mod, field }; }
  /** A function of `params` i32 parameters (locals 0..params-1) and `vars` further i32 locals. */
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

    const out = OUT, cs = CODE, w = FUNC;
    out.n = cs.n = w.n = 0;
    out.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    const section = (id: number, body: ArrayLike<number>) => { out.push(id); out.uleb(body.length); out.bytes(body); };
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
    cs.uleb(this.funcs.length);
    for (const f of this.funcs) {
      w.n = 0;
      if (f.vars) { w.push(1); w.uleb(f.vars); w.push(I32); } else w.push(0);
      const labels: (string | null)[] = [];
      const depth = (l: string) => {
        const i = labels.lastIndexOf(l);
        if (i < 0) throw new Error(`wasm: branch to unknown label ${l}`);
        return labels.length - 1 - i;
      };
      const put = (xs: X): void => {
        for (let k = 0; k < xs.length; k++) {
          const t = xs[k];
          if (typeof t !== "number") { put(t); continue; }
          if (t < REF) { if (t >= 0) w.push(t); else { w.push(0x0b); labels.pop(); } continue; }
          const r = this.refs[t - REF];
          if ("lazy" in r) put(r.lazy());
          else if ("fn" in r) { const i = fidx.get(r.fn); if (i === undefined) throw new Error(`wasm: unknown function ${r.fn}`); w.uleb(i); }
          else if ("glob" in r) { const i = gidx.get(r.glob); if (i === undefined) throw new Error(`wasm: unknown global ${r.glob}`); w.uleb(i); }
          else if ("open" in r) { w.push(r.open); w.push(r.type); labels.push(r.label); }
          else if ("br" in r) { w.push(r.br); w.uleb(depth(r.label)); }
          else { w.push(0x0e); w.uleb(r.brTable.length - 1); for (const l of r.brTable) w.uleb(depth(l)); }
        }
      };
      put(f.body);
      w.push(0x0b);
      cs.uleb(w.n);
      cs.bytes(w.buf.subarray(0, w.n));
    }
    section(10, cs.buf.subarray(0, cs.n));
    return out.buf.slice(0, out.n);
  }
}
