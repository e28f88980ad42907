/**
 * Block discovery for the JIT: decodes instructions with the core's own decoder (core export
 * jitDecode, assembly/jit/decode.ts, which fills the JD record) and looks the rows up in THE
 * instruction table. A block stays inside one physical page and ends after a row marked `block`, after
 * a row that may change the state the code is specialised for (segment loads, system, I/O and
 * interrupt rows: see `endsBlock`), before an encoding the core rejects (#UD, bad LOCK, crossing the
 * page), or at MAX_INSNS.
 */
import * as L from "../isa/layout.ts";
import { TABLE } from "../isa/x86-table.ts";
import type { Row } from "../isa/table-types.ts";
import { SEGMENT_ROWS, FAR_ROWS } from "../isa/rows/segments.ts";
import { INTERRUPT_ROWS } from "../isa/rows/interrupts.ts";
import { IO_ROWS } from "../isa/rows/io.ts";
import { SYSTEM_ROWS } from "../isa/rows/system.ts";
import type { Cpu } from "../core/cpu.ts";

export const MAX_INSNS = 64;

export interface Insn {
  row: Row;
  rowIndex: number;
  /** Physical address and EIP of the first byte; EIP of the next instruction. */
  phys: number;
  eip: number;
  next: number;
  len: number;
  opcode: number;
  /** ModRM byte, or -1. */
  modrm: number;
  /** SIB byte, or -1. */
  sib: number;
  /** Displacement (for moffs rows: the offset). */
  disp: number;
  imm: number;
  imm2: number;
  os32: boolean;
  as32: boolean;
  /** Segment override (0-5) or -1. */
  seg: number;
  /** 0, 0xF3 or 0xF2. */
  rep: number;
  lock: boolean;
}

/** Rows after which compiled code returns to the run loop although they are not marked `block`. */
export const STATE_CHANGING = new Set<Row>([...SEGMENT_ROWS, ...FAR_ROWS, ...INTERRUPT_ROWS, ...IO_ROWS, ...SYSTEM_ROWS]);
export function endsBlock(r: Row): boolean { return !!r.block || STATE_CHANGING.has(r); }

export function decodeOne(cpu: Cpu, phys: number, eip: number, code32: boolean): Insn | null {
  const core = cpu.core;
  const len = core.jitDecode(phys, eip, code32 ? 1 : 0);
  const d = (off: number) => cpu.dv.getInt32(L.JIT_DECODE + off, true);
  const rowIndex = d(L.JD.ROW);
  if (rowIndex < 0 || len <= 0) return null;
  if ((phys & 0xfff) + len > 0x1000) return null;
  return {
    row: TABLE[rowIndex], rowIndex, phys, eip, next: (eip + len) >>> 0, len,
    opcode: d(L.JD.OPCODE), modrm: d(L.JD.HAS_MODRM) ? d(L.JD.MODRM) : -1, sib: d(L.JD.SIB), disp: d(L.JD.DISP),
    imm: d(L.JD.IMM), imm2: d(L.JD.IMM2), os32: d(L.JD.OS32) !== 0, as32: d(L.JD.AS32) !== 0, seg: d(L.JD.SEG),
    rep: d(L.JD.REP), lock: d(L.JD.LOCK) !== 0,
  };
}

export function decodeBlock(cpu: Cpu, phys: number, eip: number, key: number): Insn[] {
  const code32 = (key & 1) !== 0;
  const out: Insn[] = [];
  let p = phys, e = eip;
  while (out.length < MAX_INSNS) {
    const i = decodeOne(cpu, p, e, code32);
    if (!i) break;
    out.push(i);
    if (endsBlock(i.row)) break;
    p += i.len;
    e = i.next;
    if ((p & 0xfff) === 0) break;
  }
  return out;
}

/** Memory-operand description: registers and displacement of the effective address, its segment. */
export interface Ea {
  base: number; // register or -1
  index: number; // register or -1
  scale: number;
  disp: number;
  /** 16-bit addressing: base/index are 16-bit registers and the sum wraps at 64 KiB. */
  a16: boolean;
  seg: number;
  /** The base register is ESP (POP Ev adjusts the offset). */
  baseEsp: boolean;
}

/** The effective address of a ModRM memory operand or a moffs row; null for register forms and rows without one. */
export function effectiveAddress(i: Insn): Ea | null {
  const SR_DS = 3, SR_SS = 2;
  if (i.row.imm === "O") return { base: -1, index: -1, scale: 0, disp: i.disp | 0, a16: false, seg: i.seg >= 0 ? i.seg : SR_DS, baseEsp: false };
  if (i.modrm < 0) return null;
  const mod = i.modrm >> 6, rm = i.modrm & 7;
  if (mod === 3) return null;
  let seg = SR_DS;
  let ea: Ea;
  if (i.as32) {
    ea = { base: -1, index: -1, scale: 0, disp: i.disp | 0, a16: false, seg, baseEsp: false };
    if (rm === 4) {
      const base = i.sib & 7, index = (i.sib >> 3) & 7, scale = i.sib >> 6;
      if (index !== 4) { ea.index = index; ea.scale = scale; }
      if (!(base === 5 && mod === 0)) {
        ea.base = base;
        if (base === 4 || base === 5) seg = SR_SS;
      }
    } else if (!(rm === 5 && mod === 0)) {
      ea.base = rm;
      if (rm === 5) seg = SR_SS;
    }
  } else {
    const BX = 3, BP = 5, SI = 6, DI = 7;
    const pairs: [number, number][] = [[BX, SI], [BX, DI], [BP, SI], [BP, DI], [SI, -1], [DI, -1], [BP, -1], [BX, -1]];
    let [b, x] = pairs[rm];
    if (rm === 6 && mod === 0) b = -1;
    if (b === BP) seg = SR_SS;
    ea = { base: b, index: x, scale: 0, disp: i.disp | 0, a16: true, seg, baseEsp: false };
  }
  ea.baseEsp = !ea.a16 && ea.base === 4;
  ea.seg = i.seg >= 0 ? i.seg : seg;
  return ea;
}
