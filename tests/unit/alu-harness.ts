/**
 * Shared harness for the integer-instruction unit tests (arith, shifts, bits, bcd): run a code
 * snippet in flat 32-bit protected mode at 0x1000 with every exception intercepted, ending at HLT.
 */
import { Cpu, type RegName } from "../../host/core/cpu.ts";
import * as L from "../../host/isa/layout.ts";

export const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
export const ARITH = CF | PF | AF | ZF | SF | OF;
export const CODE = 0x1000;
export const DATA = 0x8000;

export interface Setup {
  regs?: Partial<Record<RegName, number>>;
  /** Initial EFLAGS (bit 1 is forced on). */
  flags?: number;
  /** Bytes to place in guest RAM: [address, bytes]. */
  mem?: [number, number[]][];
  /** Give DS this byte-granular limit (expand-up), to make memory operands fault with #GP. */
  dsLimit?: number;
}

export interface Result {
  cpu: Cpu;
  exit: number;
  /** Exception vector when exit is FAULT. */
  vector: number;
  r(name: RegName): number;
  flags: number;
  u32(addr: number): number;
  u8(addr: number): number;
}

export function exec(code: number[], setup: Setup = {}): Result {
  const cpu = Cpu.create({ memMB: 1 });
  cpu.core.setFlat32(0);
  cpu.writePhys(CODE, Uint8Array.from([...code, 0xf4]));
  for (const [a, bytes] of setup.mem ?? []) cpu.writePhys(a, Uint8Array.from(bytes));
  for (const [k, v] of Object.entries(setup.regs ?? {})) cpu.setReg(k as RegName, v as number);
  if (setup.regs?.esp === undefined) cpu.setReg("esp", 0x7000);
  cpu.eflags = setup.flags ?? 0;
  if (setup.dsLimit !== undefined) {
    const ds = L.S.SEGS + L.SEG_DS * L.SEG_SIZE;
    cpu.setState32(ds + L.SEG.LIMIT, setup.dsLimit);
    cpu.setState32(ds + L.SEG.CHECK_HI, setup.dsLimit);
    cpu.core.refresh();
  }
  cpu.eip = CODE;
  cpu.interceptExceptions(0xffffffff);
  const exit = cpu.run(100);
  const dv = () => new DataView(cpu.ram.buffer, cpu.ram.byteOffset);
  return {
    cpu, exit,
    vector: cpu.exit32(L.X.VECTOR),
    r: (n) => cpu.reg(n),
    flags: cpu.eflags,
    u32: (a) => dv().getUint32(a, true),
    u8: (a) => cpu.ram[a],
  };
}

export const HLT = L.ExitReason.HLT;
export const FAULT = L.ExitReason.FAULT;
/** Little-endian bytes of a 32-bit value. */
export const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
