/**
 * Test helpers for the system family: build GDT/IDT/TSS structures in guest RAM and start the CPU in
 * flat 32-bit protected mode with a known layout.
 *
 *   0x0500 GDT    0x0800 IDT (256 gates)    0x2000 code    0x8000 user stack top    0x9000 kernel stack top
 *   0x10000 TSS (32-bit, I/O bitmap at +0x68, all ports denied except those a test allows)
 */
import { Cpu } from "../../host/core/cpu.ts";
import * as L from "../../host/isa/layout.ts";

export const GDT = 0x500, IDT = 0x800, CODE = 0x2000, USTACK = 0x8000, KSTACK = 0x9000, TSS = 0x10000;
export const KCS = 0x08, KDS = 0x10, UCS = 0x1b, UDS = 0x23, TSS_SEL = 0x28;

/** A code/data descriptor: type is the 4-bit type, S=1; big = D/B; limit in bytes (G chosen automatically). */
export function segDesc(base: number, limit: number, type: number, dpl: number, opts: { big?: boolean; present?: boolean; s?: boolean } = {}): [number, number] {
  const g = limit > 0xfffff;
  const l = g ? limit >>> 12 : limit;
  const s = opts.s ?? true;
  const p = opts.present ?? true;
  const lo = ((base & 0xffff) << 16) | (l & 0xffff);
  const hi = ((base >>> 16) & 0xff) | (type << 8) | ((s ? 1 : 0) << 12) | (dpl << 13) | ((p ? 1 : 0) << 15) |
    (l & 0xf0000) | ((opts.big ?? true) ? 1 << 22 : 0) | (g ? 1 << 23 : 0) | (base & 0xff000000);
  return [lo >>> 0, hi >>> 0];
}
/** A gate: type 4/C call gate, 5 task gate, 6/E interrupt gate, 7/F trap gate. */
export function gateDesc(sel: number, off: number, type: number, dpl: number, params = 0, present = true): [number, number] {
  const lo = ((sel & 0xffff) << 16) | (off & 0xffff);
  const hi = (off & 0xffff0000) | ((present ? 1 : 0) << 15) | (dpl << 13) | (type << 8) | (params & 0x1f);
  return [lo >>> 0, hi >>> 0];
}

export class Sys {
  cpu: Cpu;
  constructor(cpu: Cpu) { this.cpu = cpu; }
  w32(addr: number, v: number): void { new DataView(this.cpu.ram.buffer, this.cpu.ram.byteOffset).setUint32(addr, v >>> 0, true); }
  w16(addr: number, v: number): void { new DataView(this.cpu.ram.buffer, this.cpu.ram.byteOffset).setUint16(addr, v & 0xffff, true); }
  r32(addr: number): number { return new DataView(this.cpu.ram.buffer, this.cpu.ram.byteOffset).getUint32(addr, true); }
  r16(addr: number): number { return new DataView(this.cpu.ram.buffer, this.cpu.ram.byteOffset).getUint16(addr, true); }
  gdt(sel: number, d: [number, number]): void { this.w32(GDT + (sel & ~7), d[0]); this.w32(GDT + (sel & ~7) + 4, d[1]); }
  idt(vec: number, d: [number, number]): void { this.w32(IDT + vec * 8, d[0]); this.w32(IDT + vec * 8 + 4, d[1]); }
  code(at: number, bytes: number[]): void { this.cpu.writePhys(at, Uint8Array.from(bytes)); }
  seg(i: number) { return this.cpu.seg(i); }
  get cpl(): number { return this.cpu.state32(L.S.CPL); }
  exitVector(): number { return this.cpu.exit32(L.X.VECTOR); }
  exitError(): number { return this.cpu.exit32(L.X.ERROR_CODE); }
}

/** Flat protected mode at CPL 0 with the standard GDT, an empty IDT, TR loaded (TSS_SEL), ESP = KSTACK. */
export function protectedCpu(): Sys {
  const cpu = Cpu.create({ memMB: 4 });
  cpu.core.setFlat32(0);
  const s = new Sys(cpu);
  s.gdt(KCS, segDesc(0, 0xffffffff, 0xb, 0));
  s.gdt(KDS, segDesc(0, 0xffffffff, 0x3, 0));
  s.gdt(UCS, segDesc(0, 0xffffffff, 0xb, 3));
  s.gdt(UDS, segDesc(0, 0xffffffff, 0x3, 3));
  s.gdt(TSS_SEL, segDesc(TSS, 0x68 + 0x2000, 0xb, 0, { s: false, big: false })); // busy 32-bit TSS (loaded)
  cpu.setState32(L.S.GDTR_BASE, GDT);
  cpu.setState32(L.S.GDTR_LIMIT, 0x2ff);
  cpu.setState32(L.S.IDTR_BASE, IDT);
  cpu.setState32(L.S.IDTR_LIMIT, 0x7ff);
  // TSS: SS0:ESP0 = KDS:KSTACK, I/O map at 0x68, all ports denied.
  s.w32(TSS + 4, KSTACK);
  s.w32(TSS + 8, KDS);
  s.w16(TSS + 0x66, 0x68);
  cpu.ram.fill(0xff, TSS + 0x68, TSS + 0x68 + 0x2001);
  setCache(cpu, L.SEG_TR, TSS_SEL, TSS, 0x68 + 0x2000, 0x8b, 4);
  cpu.setReg("esp", KSTACK);
  cpu.eip = CODE;
  return s;
}

/** Write a segment cache entry directly and refresh the core's derived state. */
export function setCache(cpu: Cpu, i: number, sel: number, base: number, limit: number, access: number, valid: number): void {
  const a = L.STATE + L.S.SEGS + i * L.SEG_SIZE;
  const dv = new DataView(cpu.memory.buffer);
  dv.setUint32(a + L.SEG.SEL, sel, true);
  dv.setUint32(a + L.SEG.BASE, base >>> 0, true);
  dv.setUint32(a + L.SEG.LIMIT, limit >>> 0, true);
  dv.setUint32(a + L.SEG.ACCESS, access, true);
  dv.setUint32(a + L.SEG.CHECK_LO, 0, true);
  dv.setUint32(a + L.SEG.CHECK_HI, limit >>> 0, true);
  dv.setUint32(a + L.SEG.VALID, valid, true);
}

/** Go to CPL 3 at `eip` with user stack `esp` by executing an IRET from a prepared kernel frame. */
export function enterUser(s: Sys, eip: number, esp = USTACK, eflags = 0x202): void {
  const f = KSTACK - 20;
  s.w32(f, eip); s.w32(f + 4, UCS); s.w32(f + 8, eflags); s.w32(f + 12, esp); s.w32(f + 16, UDS);
  s.cpu.setReg("esp", f);
  s.code(0x1f00, [0xcf]); // iret
  s.cpu.eip = 0x1f00;
  s.cpu.run(1);
}
