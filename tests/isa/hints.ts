/**
 * Per-family hints for the case generator: the ONLY per-instruction knowledge in tests/isa.
 * The table says how to encode a row; these say how to make operands that are valid or
 * interesting where the table alone cannot (implicit pointer registers, divisors that do not
 * fault, stack pointers into the data area, branch snippets...). Keyed by row id first, then by
 * handler name. Each entry has a comment saying why it exists.
 */
import type { Row } from "../../host/isa/table-types.ts";
import {
  type CaseCtx, type OracleKind, DATA, CF, getE, setE, getReg, setReg, getMem, setMem,
} from "./cases.ts";
import { edge, type Rng } from "./rng.ts";
import { X87_HINTS } from "./hints-x87.ts";

export interface Hint {
  /** Override the row's oracle (branch snippets run natively although the row says "system"). */
  oracle?: OracleKind;
  /** Row cannot be tested differentially here: the reason (listed in the summary). */
  skip?: string;
  /** MEM length in bytes (default 128). */
  memLen?: number;
  /** Offset of the memory operand in MEM. */
  eaOff?: (rng: Rng, memLen: number) => number;
  /** Registers never used as base/index (they carry implicit operands set by fix). */
  avoid?: number[];
  /** Register-form rm values to avoid (most of the time) given the case. */
  avoidRm?: (c: CaseCtx) => number[];
  /** Never let the G register double as base/index. */
  noAlias?: boolean;
  /** The memory operand is never accessed (LEA, hint NOPs): use any address. */
  anyAddress?: boolean;
  /** Operand widths to test, overriding the row's. */
  widths?: (8 | 16 | 32)[];
  /** Adjust operands before the addressing registers are assigned. */
  fix?: (c: CaseCtx) => void;
  /** Adjust after the addressing registers are assigned. */
  after?: (c: CaseCtx) => void;
  /** Build the whole code (snippets); c.prefixes/imm are ignored. */
  build?: (c: CaseCtx) => number[];
}

const CC_OPS = (c: CaseCtx) => c.row.op & 0x0f;

/** Stack pointer into the upper half of a 256-byte MEM (pushes go down, pops up). */
function stackIn(c: CaseCtx, lo = 96, hi = 200): void {
  c.regs[4] = DATA + c.rng.range(lo, hi);
}

/** BigInt helpers for the division hint. */
const big = (v: number) => BigInt(v);

/**
 * DIV/IDIV: 60% of the cases get a dividend/divisor pair whose quotient fits (no #DE), the rest
 * stay random (mostly #DE: divide error and quotient overflow are checked too); 5% INT_MIN / -1.
 */
function divFix(signed: boolean) {
  return (c: CaseCtx): void => {
    const { rng, w } = c;
    const p = rng.u32() / 4294967296;
    const W = BigInt(w);
    const dividendBits = w * 2;
    let dividend: bigint, divisor: bigint;
    if (p < 0.6) {
      do divisor = big(edge(rng, w)); while (divisor === 0n);
      if (signed) {
        if (divisor >= 1n << (W - 1n)) divisor -= 1n << W;
        const qmax = (1n << (W - 1n)) - 1n;
        let q = big(edge(rng, w));
        if (q >= 1n << (W - 1n)) q -= 1n << W;
        if (q > qmax) q = qmax;
        const ad = divisor < 0n ? -divisor : divisor;
        let r = BigInt(rng.int(Number(ad > 1000000n ? 1000000n : ad)));
        if (q * divisor < 0n || (q * divisor === 0n && rng.bool())) r = -r;
        dividend = q * divisor + r;
        if (dividend / divisor !== q) dividend = q * divisor; // keep the quotient exact
      } else {
        const q = big(edge(rng, w));
        const r = BigInt(rng.int(Number(divisor > 1000000n ? 1000000n : divisor)));
        dividend = q * divisor + r;
      }
    } else if (p < 0.65 && signed) {
      divisor = -1n;
      dividend = -(1n << (W - 1n));
    } else {
      return;
    }
    const m = (1n << BigInt(dividendBits)) - 1n;
    const dv = dividend & m;
    const dvsr = Number(divisor & ((1n << W) - 1n));
    setE(c, dvsr);
    if (w === 8) setReg(c, 0, 16, Number(dv));
    else {
      setReg(c, 0, w, Number(dv & ((1n << W) - 1n)));
      setReg(c, 2, w, Number(dv >> W));
    }
    // the divisor register may overlap the dividend registers: keep the divisor
    if (c.E!.kind === "reg") setE(c, dvsr);
  };
}

/** Shift/rotate counts: edges around the operand width and the 5-bit mask. */
function shiftCount(c: CaseCtx): number {
  const { rng, w } = c;
  return rng.pick([0, 1, 1, 2, w - 1, w, w + 1, 31, 32, 33, rng.int(256), rng.int(32), rng.int(w + 1), 9, 17]) & 0xff;
}

function shiftFix(byCL: boolean) {
  return (c: CaseCtx): void => {
    const n = shiftCount(c);
    if (byCL) setReg(c, 1, 8, n); else if (c.row.imm) c.imm[0] = n;
    const masked = (byCL ? getReg(c, 1, 8) : n) & 31;
    const k = c.row.reg!;
    // SHL/SHR/SAL: CF undefined when the masked count >= the operand width (8/16 bits)
    if ((k === 4 || k === 5 || k === 6) && c.w < 32 && masked >= c.w) c.undef |= CF;
  };
}

function shdFix(byCL: boolean) {
  return (c: CaseCtx): void => {
    let n = shiftCount(c);
    // 16-bit SHLD/SHRD with a masked count > 16: result and flags undefined (row note)
    if (c.w === 16 && (n & 31) > 16) n &= 15;
    if (byCL) setReg(c, 1, 8, n); else c.imm[0] = n;
  };
}

/** String instructions: ESI/EDI in MEM, small ECX for REP, REP/REPE/REPNE prefixes. */
function stringHint(kind: "movs" | "cmps" | "stos" | "lods" | "scas"): Hint {
  return {
    memLen: 256,
    fix(c) {
      const { rng } = c;
      c.regs[6] = DATA + rng.range(72, 176);
      c.regs[7] = DATA + rng.range(72, 176);
      const rep = rng.pick(kind === "cmps" || kind === "scas" ? [0, 0xf3, 0xf2] : [0, 0xf3]);
      if (rep) {
        c.regs[1] = ((c.regs[1] & 0) | rng.pick([0, 1, 2, 3, rng.int(9)])) >>> 0;
        c.prefixes.push(rep);
        c.desc.push(rep === 0xf3 ? "rep" : "repne");
      }
      if (rng.bool(0.3)) c.prefixes.unshift(rng.pick([0x26, 0x36, 0x3e]));
      if ((kind === "cmps" || kind === "scas") && rng.bool(0.5)) {
        // make the compared data equal so REPE runs on
        const v = rng.int(256);
        for (let i = 0; i < c.mem.length; i++) c.mem[i] = rng.bool(0.9) ? v : rng.int(256);
        let a = 0;
        for (let i = 0; i < c.w / 8; i++) a = (a | (v << (8 * i))) >>> 0;
        setReg(c, 0, c.w, a);
      }
    },
  };
}

/** Jcc-style snippet: `op rel 02 ; mov al,1`: a taken branch skips the MOV and lands on the epilogue. */
function branchSnippet(prefix: (c: CaseCtx) => number[], rel32: boolean): Hint {
  return {
    oracle: "native",
    widths: [32],
    build: (c) => [...prefix(c), ...(rel32 ? [2, 0, 0, 0] : [2]), 0xb0, 0x01],
  };
}

/** LOOP/JCXZ: count edges; a 0x67 (CX) variant is run under qemu (64-bit mode has no CX form). */
function loopHint(): Hint {
  return {
    oracle: "native",
    widths: [32],
    fix(c) {
      const v = c.rng.pick([0, 1, 2, 0xffffffff, 0x10000, 0x10001, 0x1ffff, 0xffff, edge(c.rng, 32)]);
      c.regs[1] = v >>> 0;
      if (c.rng.bool(0.25)) { c.oracle = "qemu"; c.prefixes = [0x67]; c.desc.push("a16"); }
    },
    build: (c) => [...c.prefixes, c.row.op, 2, 0xb0, 0x01],
  };
}

const STACK: Hint = { memLen: 256, avoid: [4], fix: (c) => stackIn(c) };

/**
 * FXSAVE image fields that cannot match: FIP/FCS/FDP/FDS (addresses of the runner's code slots),
 * MXCSR_MASK (the host's vs the P6 model's), and (for a plain FXSAVE after FNINIT) the ST and XMM
 * register contents, which FNINIT does not clear and the runner does not reset.
 */
const FX_PTRS: [number, number][] = [[8, 16], [28, 4]];

/** A random f64-representable value as an 80-bit extended (8-byte mantissa, 2-byte sign+exp). */
function ext80(rng: Rng): number[] {
  const out = new Array<number>(10).fill(0);
  if (rng.bool(0.1)) { out[9] = rng.bool() ? 0x80 : 0; return out; } // +-0
  const e = rng.pick([1023, 1023 + rng.range(-60, 60), rng.range(1, 2046)]);
  const e80 = e - 1023 + 16383;
  const hi = 0x80000000 | (rng.u32() & 0x7ffff800) | (rng.u32() & 0x7ff);
  const lo = (rng.u32() & ~0x7ff) >>> 0;
  for (let i = 0; i < 4; i++) { out[i] = (lo >>> (8 * i)) & 0xff; out[4 + i] = (hi >>> (8 * i)) & 0xff; }
  out[8] = e80 & 0xff;
  out[9] = ((e80 >> 8) & 0x7f) | (rng.bool() ? 0x80 : 0);
  return out;
}

/** An edge-weighted f64 as 8 little-endian bytes. */
function f64Bytes(rng: Rng): number[] {
  const v = rng.pick([0, -0, 1, -1, 0.5, 3, 10, 1e-300, 1e300, 2 ** 52 + 1, rng.range(-1000, 1000),
    (rng.u32() / 2 ** 32 - 0.5) * 2 ** rng.range(-40, 40), (rng.u32() - 2 ** 31) * 2 ** rng.range(-60, 30)]);
  const b = new Uint8Array(new Float64Array([v]).buffer);
  return Array.from(b);
}
function f32Bytes(rng: Rng): number[] {
  const v = rng.pick([0, 1, -1, 0.5, 3, rng.range(-1000, 1000), (rng.u32() / 2 ** 32 - 0.5) * 2 ** rng.range(-20, 20)]);
  return Array.from(new Uint8Array(new Float32Array([v]).buffer));
}

/**
 * x87 memory-operand arithmetic and compares as a snippet (the runner protocol has no x87 state):
 *   fldcw [ebx]          ; FCW 027F (or RC down/up/chop): PC 53 bits, all exceptions masked
 *   fld qword [ebx+8]    ; ST0 = an f64
 *   <row> [ebx+10h]      ; the row's opcode and digit, operand type from the opcode
 *   fstp qword [ebx+20h] ; the result as f64
 *   fnstsw [ebx+28h]     ; the status word (C0-C3, exception flags, TOP)
 * With PC=53 bits the host rounds like f64, which is what ringone computes in.
 */
const X87_MEM: Hint = {
  memLen: 64, avoid: [3], widths: [32],
  fix(c) {
    const { rng } = c;
    c.mem.fill(0);
    c.mem.set([0x7f, 0x02 | (rng.bool(0.5) ? rng.int(4) << 2 : 0)], 0); // RC: half nearest, half random
    c.mem.set(f64Bytes(rng), 8);
    const op = c.row.op;
    const iv = edge(rng, op === 0xda ? 32 : 16);
    const src = op === 0xd8 ? f32Bytes(rng) : op === 0xdc ? f64Bytes(rng)
      : [0, 1, 2, 3].slice(0, op === 0xda ? 4 : 2).map((i) => (iv >>> (8 * i)) & 0xff);
    c.mem.set(src, 0x10);
    c.regs[3] = DATA;
  },
  build: (c) => [0xd9, 0x2b, 0xdd, 0x43, 0x08, c.row.op, 0x43 | (c.row.reg! << 3), 0x10, 0xdd, 0x5b, 0x20, 0xdd, 0x7b, 0x28],
};

export const HINTS: Record<string, Hint> = {
  /* ---- the other x87 rows: register, load/store, conversion and control snippets (hints-x87.ts) */
  ...X87_HINTS,
  /* ---- x87 memory arithmetic/compare rows: snippet (see X87_MEM) */
  farith_mem: X87_MEM,
  fcom_mem: X87_MEM,

  /* ---- FXSAVE: 512-byte image, 16-byte aligned (10% misaligned: #GP) */
  fxsave: {
    memLen: 560,
    eaOff: (rng) => (rng.bool(0.9) ? 16 * rng.int(3) : rng.range(1, 40)),
    after(c) {
      const off = (c.E as { off: number }).off;
      c.memIgnore = [...FX_PTRS, [32, 128], [160, 352]].map(([o, l]) => [off + o, l]);
    },
  },
  /* ---- FXRSTOR: a valid random image (f64-representable registers, MXCSR without DAZ), then
     FXSAVE it again at +0x200 so the restored state is visible: `fxrstor [ebx]; fxsave [ebx+200h]` */
  fxrstor: {
    memLen: 0x400, oracle: "native", widths: [32], avoid: [3],
    fix(c) {
      const { rng } = c;
      const m = c.mem;
      m.fill(0);
      const put = (o: number, bytes: number[]) => bytes.forEach((b, i) => (m[o + i] = b));
      const fcw = (rng.u32() & 0x0f3f) | 0x40;
      put(0, [fcw & 0xff, fcw >> 8]);
      const fsw = rng.u32() & 0x7f00; // TOP and C0-C3; no exception bits
      put(2, [fsw & 0xff, fsw >> 8]);
      m[4] = rng.int(256);
      let mx = (rng.u32() & 0xffbf) >>> 0;
      if (rng.bool(0.05)) mx = (mx | (0x40000 << rng.int(14))) >>> 0; // reserved bit: #GP (bits 16-17: host DAZ/MM)
      put(24, [mx & 0xff, (mx >> 8) & 0xff, (mx >> 16) & 0xff, mx >>> 24]);
      for (let i = 0; i < 8; i++) put(32 + 16 * i, ext80(rng));
      for (let i = 160; i < 288; i++) m[i] = rng.int(256);
      c.regs[3] = DATA;
      // ringone models no SSE state (MXCSR reads 1F80, XMM images are zero): compare x87 only
      c.memIgnore = [...FX_PTRS, [24, 4], [160, 352]].map(([o, l]) => [0x200 + o, l] as [number, number]);
    },
    build: () => [0x0f, 0xae, 0x0b, 0x0f, 0xae, 0x83, 0x00, 0x02, 0x00, 0x00],
  },

  /* ---- division: non-faulting divisors (the table cannot say which operand values are valid) */
  div_Eb: { fix: divFix(false), avoid: [0], avoidRm: () => [0, 4] },
  div_Ev: { fix: divFix(false), avoid: [0, 2], avoidRm: () => [0, 2] },
  idiv_Eb: { fix: divFix(true), avoid: [0], avoidRm: () => [0, 4] },
  idiv_Ev: { fix: divFix(true), avoid: [0, 2], avoidRm: () => [0, 2] },

  /* ---- shifts: counts around the width, conditionally undefined CF (row notes) */
  shift_EbIb: { fix: shiftFix(false) },
  shift_EvIb: { fix: shiftFix(false) },
  shift_EbCL: { fix: shiftFix(true), avoid: [1] },
  shift_EvCL: { fix: shiftFix(true), avoid: [1] },
  shld_EvGvIb: { fix: shdFix(false) },
  shrd_EvGvIb: { fix: shdFix(false) },
  // CL carries the count: keep ECX out of the addressing
  shld_EvGvCL: { fix: shdFix(true), avoid: [1], noAlias: true },
  shrd_EvGvCL: { fix: shdFix(true), avoid: [1], noAlias: true },

  /* ---- bit tests: with a memory operand the Gv bit offset also moves the address: keep it near */
  bt_EvGv: {
    noAlias: true,
    eaOff: (rng) => rng.range(48, 72),
    fix(c) {
      if (c.E!.kind === "mem") setReg(c, c.G!, c.w, c.rng.range(-190, 190) >>> 0);
    },
  },

  /* ---- compare-exchange: make the compare succeed half of the time */
  cmpxchg_EbGb: { avoid: [0], fix: (c) => { if (c.rng.bool()) setReg(c, 0, 8, getE(c)); } },
  cmpxchg_EvGv: { avoid: [0], fix: (c) => { if (c.rng.bool()) setReg(c, 0, c.w, getE(c)); } },
  cmpxchg8b: {
    avoid: [0, 1, 2, 3],
    fix(c) {
      const off = (c.E as { off: number }).off;
      if (c.rng.bool()) { c.regs[0] = getMem(c, off, 32); c.regs[2] = getMem(c, off + 4, 32); }
    },
  },

  /* ---- BOUND: a bounds pair at the operand and an index around it */
  bound_GvMa: {
    noAlias: true,
    fix(c) {
      const { rng, w } = c;
      const off = (c.E as { off: number }).off;
      const lo = edge(rng, w);
      const hi = rng.bool(0.7) ? (lo + rng.int(300)) >>> 0 : edge(rng, w);
      setMem(c, off, w, lo);
      setMem(c, off + w / 8, w, hi);
      setReg(c, c.G!, w, rng.pick([lo - 1, lo, lo + 1, hi - 1, hi, hi + 1, edge(rng, w)]) >>> 0);
    },
  },

  /* ---- XLAT: EBX points at a 256-byte table in MEM */
  xlat: { memLen: 320, fix: (c) => { c.regs[3] = DATA + c.rng.int(64); } },

  /* ---- LEA and hint NOPs never access memory: any address (exercises the EA arithmetic) */
  lea_GvM: { anyAddress: true },
  nop_Ev: { anyAddress: true },

  /* ---- stack (qemu-i386: 32-bit stack): ESP into the data area */
  push_Rv: STACK,
  pop_Rv: STACK,
  push_I: STACK,
  push_Ev: STACK,
  pop_Ev: STACK,
  pusha: STACK,
  popa: STACK,
  pushf: STACK,
  push_sreg: STACK,
  // POPF: only arithmetic flags and DF in the popped image (TF/AC/IF/IOPL are system state)
  popf: {
    memLen: 256, avoid: [4],
    fix(c) {
      stackIn(c);
      const off = c.regs[4] - DATA;
      setMem(c, off, c.w, ((c.rng.u32() & 0xcd5) | (c.w === 32 ? 0x202 : 0x202)) >>> 0);
    },
  },
  // ENTER: a frame pointer in MEM for the nesting-level copies, levels mostly small
  enter: {
    memLen: 256, avoid: [4, 5],
    fix(c) {
      c.regs[4] = DATA + c.rng.range(200, 240);
      c.regs[5] = DATA + c.rng.range(130, 230);
      c.imm[1] = c.rng.pick([0, 1, 2, 3, c.rng.int(8), c.rng.int(32), c.rng.int(256)]);
    },
  },
  // LEAVE: EBP (the new stack pointer) in MEM
  leave: { memLen: 256, fix: (c) => { c.regs[5] = DATA + c.rng.range(64, 200); } },

  /* ---- strings */
  movs: stringHint("movs"),
  cmps: stringHint("cmps"),
  stos: stringHint("stos"),
  lods: stringHint("lods"),
  scas: stringHint("scas"),

  /* ---- near branches as snippets (row oracle is "system"; these forms are checkable natively) */
  jcc_Jb: branchSnippet((c) => [0x70 | CC_OPS(c)], false),
  jcc_Jz: branchSnippet((c) => [0x0f, 0x80 | CC_OPS(c)], true),
  jmp_Jb: branchSnippet(() => [0xeb], false),
  jmp_Jz: branchSnippet(() => [0xe9], true),
  loop_Jb: loopHint(),
  jcxz_Jb: loopHint(),
};


export function hintFor(row: Row): Hint | undefined {
  return HINTS[row.id] ?? HINTS[row.handler ?? row.id];
}
