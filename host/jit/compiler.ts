/**
 * The JIT compiler (docs/jit.md): turns a region (decoded blocks of one physical page, decode.ts)
 * into one Wasm module with ONE region function holding every block, plus an exported entry
 * wrapper per block. Each instruction gets custom codegen when an emitter for its handler exists in
 * emit/ (and accepts the form), else the generic path (emit/generic.ts).
 *
 * The region function `(entry, left) -> (instructions << 4) | status` is a dispatch loop:
 *
 *   loop $L
 *     block $b(N-1) ... block $b1 block $b0
 *       br_table $b0 .. $b(N-1) (blk)        ;; blk = entry on the first pass
 *     end  <code of block 0>
 *     end  <code of block 1> ...
 *
 * A jump to block j is `br $bj` when j follows the current block, `br $Sj` when a block jumps to
 * itself (its code is then wrapped in `loop $Sj`), else `blk = j; br $L`; before it, the budget
 * check: the instructions run so far plus block j's count must not exceed `left` (so run(n) still
 * executes exactly n instructions), else the function exits to j's EIP. Dynamic targets (RET,
 * indirect branches) index the same br_table past its N block entries, by byte offset in the
 * region. Jumps to addresses outside the region, ends of blocks after which compiled code must
 * return to the run loop (rows that may change the state key, interrupt or debug state) and
 * accesses off the inline TLB path (a bail: emit/mem.ts) leave through one shared tail.
 */
import * as L from "../isa/layout.ts";
import { type Insn, STATE_CHANGING } from "./decode.ts";
import { Fn, i32 } from "./emit/fn.ts";
import { WasmModule, type X } from "./emit/wasm.ts";
import { optimizeBinary, binaryToText } from "./text.ts";
import { Imports } from "./emit/imports.ts";
import { emitGeneric } from "./emit/generic.ts";
import { CUSTOM, type EmitContext } from "./emit/custom.ts";
import { KEY_CS4G } from "./emit/mem.ts";
import { liveAfter } from "./emit/liveness.ts";
import "./emit/ops.ts";
import "./emit/control.ts";
import "./emit/shift-mul.ts";
import "./emit/datamove.ts";

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
  /** Export name of each block's entry wrapper, in the order the blocks were given. */
  names: string[];
  customInsns: number;
  genericInsns: number;
}

/** Block-ending rows after which the region may continue (near branches, string instructions): EIP tells where. */
const CHAIN = new Set(["jcc_Jb", "jcc_Jz", "jmp_Jb", "jmp_Jz", "call_Jz", "call_Ev", "jmp_Ev", "ret", "ret_Iw", "loop_Jb", "jcxz_Jb", "movs", "cmps", "stos", "lods", "scas"]);

/** Whether compiled code may continue in the region after `r` (else it returns to the run loop). */
export function chainsAfter(r: Insn["row"]): boolean {
  if (STATE_CHANGING.has(r)) return false;
  return !r.block || CHAIN.has(r.handler ?? r.id);
}

const P_ENTRY = 0, P_LEFT = 1;

export class ModuleBuilder {
  readonly m = new WasmModule();
  private readonly imp: Imports;
  customInsns = 0;
  genericInsns = 0;

  constructor(private readonly opts: CompileOptions) {
    this.m.addMemoryImport("env", "memory");
    this.imp = new Imports(this.m);
  }

  /** Compile the region's blocks (each a non-empty instruction list) into the region function and its entries. */
  build(blocks: Insn[][]): string[] {
    const m = this.m;
    const f = new Fn(m, 2);
    const order = blocks.map((_, n) => n).sort((a, b) => blocks[a][0].eip - blocks[b][0].eip);
    const pos = new Map<number, number>(); // EIP -> position in `order`
    order.forEach((n, p) => { if (!pos.has(blocks[n][0].eip)) pos.set(blocks[n][0].eip, p); });
    const inRegion = (this.opts.key & KEY_CS4G) !== 0;
    const dynEip = f.local();
    const { exitEip, exitN16, left16, blk } = f;
    const codes: X[] = [];
    let here = 0;
    const selfLoop = new Set<number>(); // blocks that jump to themselves

    // Exits at block boundaries (after f.endBlock()) share one tail, which stores the region's
    // written registers and the lazy record and returns (see the function body below).
    const exit = (target: X, count: number): X => f.block([f.set(exitEip, target), f.set(exitN16, m.i32.add(f.get(f.n16), f.c(count << 4))), m.br("X")]);
    const jumpTo = (p: number, k: number): X => {
      const count = k + 1, insns = blocks[order[p]];
      const check = m.if(m.i32.gt_s(m.i32.add(f.get(f.n16), f.c((count + insns.length) << 4)), f.get(left16)), exit(f.c(insns[0].eip), count));
      // Forward: out of the enclosing blocks; to itself: the block's own loop; else the dispatch loop.
      if (p === here) selfLoop.add(p);
      const go = p > here ? m.br(`b${p}`) : p === here ? m.br(`S${p}`) : f.block([f.set(blk, f.c(p)), m.br("L")]);
      return f.block([check, f.set(f.n16, m.i32.add(f.get(f.n16), f.c(count << 4))), go]);
    };
    const jump = (target: number, k: number): X => {
      const p = inRegion ? pos.get(target) : undefined;
      return p === undefined ? exit(f.c(target), k + 1) : jumpTo(p, k);
    };
    // Dynamic targets (RET, indirect branches, generic near branches) go through the same
    // br_table at the loop head: its entries after the N blocks map every offset from the region's
    // lowest EIP to its highest to the block starting there or to "D" (not a block: exit). The
    // budget check uses the largest block of the region.
    const maxCount = Math.max(...blocks.map((b) => b.length));
    const eips = [...pos.keys()].sort((a, b) => a - b);
    const minEip = eips[0], range = eips[eips.length - 1] - minEip + 1;
    const jumpDyn = (t: number, k: number): X => {
      const count = k + 1;
      if (!inRegion) return exit(f.get(t), count);
      const check = m.if(m.i32.gt_s(m.i32.add(f.get(f.n16), f.c((count + maxCount) << 4)), f.get(left16)), exit(f.get(t), count));
      const off = m.i32.sub(f.tee(dynEip, f.get(t)), f.c(minEip));
      const idx = m.select(m.i32.lt_u(f.get(blk), f.c(range)), m.i32.add(f.get(blk), f.c(order.length)), f.c(-1)); // -1: past every entry ("D")
      return f.block([check, f.set(f.n16, m.i32.add(f.get(f.n16), f.c(count << 4))), f.set(blk, off), f.set(blk, idx), m.br("L")]);
    };

    for (let p = 0; p < order.length; p++) {
      here = p;
      const insns = blocks[order[p]];
      const ctx: EmitContext = { f, imp: this.imp, key: this.opts.key, insns, live: liveAfter(insns, !!this.opts.genericOnly), jump, jumpDyn };
      f.beginBlock();
      let lastCustom = false;
      for (let k = 0; k < insns.length; k++) {
        const i = insns[k];
        const custom = CUSTOM.get(i.row.handler ?? i.row.id);
        f.beginInsn();
        if (custom && !this.opts.genericOnly && custom(ctx, i, k)) { this.customInsns++; lastCustom = true; f.endInsn(); continue; }
        emitGeneric(f, this.imp, i, k);
        this.genericInsns++;
        lastCustom = false;
        f.endInsn();
      }
      f.beginInsn();
      if (!ctx.ended) {
        const last = insns[insns.length - 1], k = insns.length - 1;
        if (!chainsAfter(last.row)) {
          // Back to the run loop (a generic handler stored EIP; custom code has not).
          f.spill();
          if (lastCustom) f.emit(f.store(L.STATE + L.S.EIP, f.c(last.next)));
          f.emit(f.retN(insns.length));
        } else if (last.row.block) {
          // A generic near branch or string instruction: its handler stored the next EIP.
          const t = f.local();
          f.emit(f.set(t, f.load(L.STATE + L.S.EIP)));
          f.endBlock();
          f.emit(jumpDyn(t, k));
        } else {
          f.endBlock();
          f.emit(jump(last.next, k));
        }
      }
      f.endInsn();
      const code = f.body.splice(0);
      codes.push(selfLoop.has(p) ? m.loop(`S${p}`, code) : code);
    }

    // The loop head's dispatch. A dynamic target not in the region leaves with the instructions already counted.
    const byOffset: string[] = [];
    for (let o = 0; inRegion && o < range; o++) { const p = pos.get(minEip + o); byOffset.push(p === undefined ? "D" : `b${p}`); }
    const dispatch = m.block("D", [m.brTable([...order.map((_, p) => `b${p}`), ...byOffset], "D", f.get(blk))]);
    let inner: X = [dispatch, exit(f.get(dynEip), 0)];
    for (let p = 0; p < order.length; p++) inner = [m.block(`b${p}`, [inner]), codes[p]];
    const body: X[] = [
      ...f.prologue(),
      f.set(blk, f.get(P_ENTRY)),
      f.set(left16, m.i32.shl(f.get(P_LEFT), f.c(4))),
      m.block("X", [m.loop("L", inner), [0x00]]), // unreachable after the loop: every block branches or returns
      f.exitTail(),
      f.store(L.STATE + L.S.EIP, f.get(exitEip)),
      f.ret(f.get(exitN16)),
    ];
    m.addFunction("region", 2, i32, f.vars, f.block(body));
    const names: string[] = [];
    blocks.forEach((_, n) => {
      const name = `e${n}`;
      const p = order.indexOf(n);
      m.addFunction(name, 1, i32, 0, m.call("region", [f.c(p), m.local.get(0)]));
      m.addFunctionExport(name, name);
      names.push(name);
    });
    return names;
  }

  finish(names: string[]): Built {
    let binary = this.m.emitBinary();
    if (this.opts.optimize) binary = optimizeBinary(binary);
    return { binary, names, customInsns: this.customInsns, genericInsns: this.genericInsns };
  }

  /** Wasm text of the module (binaryen, loaded on first use: slow). */
  text(): string { return binaryToText(this.m.emitBinary()); }
  dispose(): void { /* nothing to free */ }
}
