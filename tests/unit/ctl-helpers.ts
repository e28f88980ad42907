/**
 * Shared helpers for the data-movement/stack/string/control tests: a flat 32-bit CPU with code at
 * 0x1000, segment-cache edits, and identity paging with chosen pages left not present.
 */
import { Cpu } from "../../host/core/cpu.ts";
import * as L from "../../host/isa/layout.ts";

export const CODE = 0x1000;
export const ALL = 0xffffffff;

export function flatCpu(code: number[], cpl = 0, at = CODE): Cpu {
  const cpu = Cpu.create({ memMB: 8 });
  cpu.core.setFlat32(cpl);
  cpu.writePhys(at, Uint8Array.from(code));
  cpu.eip = at;
  cpu.setReg("esp", 0x8000);
  return cpu;
}

/** Run until HLT (code must end with F4) and return the exit reason. */
export function runToHlt(cpu: Cpu, budget = 100000): number {
  return cpu.run(budget);
}

export function seg(cpu: Cpu, i: number, f: { base?: number; limit?: number; checkLo?: number; checkHi?: number }): void {
  const a = L.S.SEGS + i * L.SEG_SIZE;
  if (f.base !== undefined) cpu.setState32(a + L.SEG.BASE, f.base);
  if (f.limit !== undefined) {
    cpu.setState32(a + L.SEG.LIMIT, f.limit);
    cpu.setState32(a + L.SEG.CHECK_HI, f.limit);
  }
  if (f.checkLo !== undefined) cpu.setState32(a + L.SEG.CHECK_LO, f.checkLo);
  if (f.checkHi !== undefined) cpu.setState32(a + L.SEG.CHECK_HI, f.checkHi);
  cpu.core.refresh();
}

export function w32(cpu: Cpu, addr: number, v: number): void {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  cpu.writePhys(addr, b);
}
export function r32(cpu: Cpu, addr: number): number {
  return new DataView(cpu.readPhys(addr, 4).buffer).getUint32(0, true);
}
export function r16(cpu: Cpu, addr: number): number {
  return new DataView(cpu.readPhys(addr, 2).buffer).getUint16(0, true);
}

const PD = 0x100000, PT = 0x101000;
/** Identity-map the first 4 MiB with 4 KiB user/writable pages, except `absent` page numbers. */
export function identityPaging(cpu: Cpu, absent: number[] = []): void {
  w32(cpu, PD, PT | 7);
  for (let i = 0; i < 1024; i++) w32(cpu, PT + i * 4, absent.includes(i) ? 0 : (i << 12) | 7);
  cpu.setState32(L.S.CR3, PD);
  cpu.setState32(L.S.CR0, (cpu.stateU32(L.S.CR0) | 0x80000001) >>> 0);
  cpu.core.refresh();
}
export function mapPage(cpu: Cpu, page: number): void {
  w32(cpu, PT + page * 4, (page << 12) | 7);
  cpu.core.flushTlb(0);
}

export const EXC = (v: number) => 1 << v;
export { L };
