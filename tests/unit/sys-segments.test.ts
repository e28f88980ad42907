/**
 * System family, part 1: segment-register loads, far transfers, call gates. Oracle: the SDM's
 * pseudo-code for MOV Sreg / JMP / CALL / RET worked out by hand for each descriptor.
 */
import { describe, expect, it } from "vitest";
import { Cpu } from "../../host/core/cpu.ts";
import * as L from "../../host/isa/layout.ts";
import { protectedCpu, segDesc, gateDesc, enterUser, CODE, GDT, KSTACK, USTACK, KCS, KDS, UCS, UDS, TSS } from "./sys-helpers.ts";

const GP = 13, NP = 11, SS = 12, UD = 6, TS = 10;
const movAx = (v: number) => [0x66, 0xb8, v & 0xff, v >> 8];

describe("segment loads", () => {
  it("MOV DS loads base, limit and rights from the GDT and sets the accessed bit", () => {
    const s = protectedCpu();
    s.gdt(0x30, segDesc(0x123000, 0xfff, 0x2, 0, { big: false })); // data RW, not accessed
    s.code(CODE, [...movAx(0x30), 0x8e, 0xd8, 0xf4]);
    expect(s.cpu.run(10)).toBe(L.ExitReason.HLT);
    const ds = s.seg(L.SEG_DS);
    expect(ds).toEqual({ sel: 0x30, base: 0x123000, limit: 0xfff, access: 0x93 });
    expect((s.r32(GDT + 0x30 + 4) >> 8) & 1).toBe(1);
  });

  it("checks MOV DS: #GP(sel) for a system descriptor, #NP(sel) when not present, null is allowed", () => {
    const s = protectedCpu();
    s.cpu.interceptExceptions(1 << GP | 1 << NP);
    s.gdt(0x30, segDesc(0, 0xffff, 0x2, 0, { present: false }));
    s.code(CODE, [...movAx(0x28), 0x8e, 0xd8]); // TSS selector
    expect(s.cpu.run(10)).toBe(L.ExitReason.FAULT);
    expect([s.exitVector(), s.exitError()]).toEqual([GP, 0x28]);
    expect(s.cpu.eip).toBe(CODE + 4);
    s.code(CODE, [...movAx(0x30), 0x8e, 0xd8]);
    s.cpu.eip = CODE;
    expect(s.cpu.run(10)).toBe(L.ExitReason.FAULT);
    expect([s.exitVector(), s.exitError()]).toEqual([NP, 0x30]);
    // Null loads, then a read through DS faults #GP(0).
    s.code(CODE, [...movAx(0), 0x8e, 0xd8, 0x8b, 0x05, 0, 0x10, 0, 0]);
    s.cpu.eip = CODE;
    expect(s.cpu.run(10)).toBe(L.ExitReason.FAULT);
    expect([s.exitVector(), s.exitError()]).toEqual([GP, 0]);
    expect(s.cpu.eip).toBe(CODE + 6);
    expect(s.seg(L.SEG_DS).sel).toBe(0);
  });

  it("checks MOV SS: null is #GP(0), RPL != CPL is #GP(sel), not present is #SS(sel)", () => {
    const s = protectedCpu();
    s.cpu.interceptExceptions(1 << GP | 1 << SS);
    const run = (sel: number) => { s.code(CODE, [...movAx(sel), 0x8e, 0xd0]); s.cpu.eip = CODE; s.cpu.run(10); return [s.exitVector(), s.exitError()]; };
    expect(run(0)).toEqual([GP, 0]);
    expect(run(KDS | 3)).toEqual([GP, KDS]);
    expect(run(UDS)).toEqual([GP, UDS & ~3]); // DPL 3 at CPL 0
    expect(run(KCS)).toEqual([GP, KCS]); // code segment
    s.gdt(0x30, segDesc(0, 0xffff, 0x2, 0, { present: false }));
    expect(run(0x30)).toEqual([SS, 0x30]);
  });

  it("MOV CS is #UD; MOV SS sets the interrupt shadow; MOV r32,Sreg zero-extends", () => {
    const s = protectedCpu();
    s.cpu.interceptExceptions(1 << UD);
    s.code(CODE, [0x8e, 0xc8]);
    expect(s.cpu.run(10)).toBe(L.ExitReason.FAULT);
    expect(s.exitVector()).toBe(UD);
    s.cpu.setReg("eax", 0xffffffff);
    s.code(CODE, [0x8c, 0xd0, ...movAx(KDS), 0x8e, 0xd0, 0xf4]); // mov eax, ss; mov ax, KDS; mov ss, ax
    s.cpu.eip = CODE;
    s.cpu.run(1);
    expect(s.cpu.reg("eax")).toBe(KDS);
    s.cpu.run(2);
    expect(s.cpu.state32(L.S.INT_SHADOW)).toBe(2);
  });

  it("real mode loads base = sel << 4; LDS reads a far pointer", () => {
    const cpu = Cpu.create({ memMB: 1 });
    // At F000:FFF0 → use a low location instead: CS base 0, IP 0x100.
    cpu.eip = 0x100;
    const s = { w: (a: number, b: number[]) => cpu.writePhys(a, Uint8Array.from(b)) };
    // mov ax, 0x1234; mov es, ax; lds si, [0x200]; hlt
    s.w(0xffff0100 - 0xffff0000 + 0xf0000, []);
    const a = new DataView(cpu.memory.buffer);
    a.setUint32(L.STATE + L.S.SEGS + L.SEG_CS * L.SEG_SIZE + L.SEG.BASE, 0, true);
    a.setUint32(L.STATE + L.S.SEGS + L.SEG_CS * L.SEG_SIZE + L.SEG.SEL, 0, true);
    s.w(0x100, [0xb8, 0x34, 0x12, 0x8e, 0xc0, 0xc5, 0x36, 0x00, 0x02, 0xf4]);
    s.w(0x200, [0x78, 0x56, 0x00, 0x20]);
    expect(cpu.run(10)).toBe(L.ExitReason.HLT);
    expect(cpu.seg(L.SEG_ES).base).toBe(0x12340);
    expect(cpu.seg(L.SEG_DS)).toMatchObject({ sel: 0x2000, base: 0x20000 });
    expect(cpu.reg("esi") & 0xffff).toBe(0x5678);
  });

  it("PUSH/POP segment registers", () => {
    const s = protectedCpu();
    // push ds; push fs; pop es; pop gs; hlt
    s.code(CODE, [0x1e, 0x0f, 0xa0, 0x07, 0x0f, 0xa9, 0xf4]);
    s.cpu.run(10);
    expect(s.r32(KSTACK - 4)).toBe(KDS);
    expect(s.seg(L.SEG_ES).sel).toBe(KDS);
    expect(s.cpu.reg("esp")).toBe(KSTACK);
  });
});

describe("far transfers", () => {
  it("JMP far and CALL far/RETF at the same privilege", () => {
    const s = protectedCpu();
    s.gdt(0x30, segDesc(0x1000, 0xfffff, 0xb, 0)); // code based at 0x1000
    // call 0x30:0x2000 (linear 0x3000): there: retf; back: hlt
    s.code(CODE, [0x9a, 0x00, 0x20, 0, 0, 0x30, 0x00, 0xf4]);
    s.code(0x3000, [0xcb]);
    s.cpu.run(1);
    expect(s.cpu.eip).toBe(0x2000);
    expect(s.seg(L.SEG_CS)).toMatchObject({ sel: 0x30, base: 0x1000 });
    expect(s.r32(KSTACK - 4)).toBe(KCS);
    expect(s.r32(KSTACK - 8)).toBe(CODE + 7);
    expect(s.cpu.run(10)).toBe(L.ExitReason.HLT);
    expect(s.seg(L.SEG_CS).sel).toBe(KCS);
    expect(s.cpu.reg("esp")).toBe(KSTACK);
  });

  it("JMP far to a DPL 3 code segment from CPL 0 is #GP(sel) and changes nothing", () => {
    const s = protectedCpu();
    s.cpu.interceptExceptions(1 << GP);
    s.code(CODE, [0xea, 0, 0x30, 0, 0, 0x1b, 0]);
    expect(s.cpu.run(10)).toBe(L.ExitReason.FAULT);
    expect([s.exitVector(), s.exitError()]).toEqual([GP, 0x18]);
    expect(s.seg(L.SEG_CS).sel).toBe(KCS);
    expect(s.cpu.eip).toBe(CODE);
  });

  it("CALL through a call gate to CPL 0 switches stacks, copies parameters, RETF returns to CPL 3", () => {
    const s = protectedCpu();
    s.gdt(0x40, gateDesc(KCS, 0x4000, 0xc, 3, 2)); // 32-bit call gate, 2 dword params
    s.code(0x4000, [0xca, 0x08, 0x00]); // retf 8
    // user: mov ax,0x23; mov ds,ax; call 0x43:0; hlt(→#GP at CPL3)
    s.code(0x3000, [...movAx(UDS), 0x8e, 0xd8, 0x9a, 0, 0, 0, 0, 0x43, 0, 0xf4]);
    s.w32(USTACK - 8, 0x1111); // param 0 (top of the user stack)
    s.w32(USTACK - 4, 0x2222);
    enterUser(s, 0x3000, USTACK - 8);
    expect(s.cpl).toBe(3);
    s.cpu.run(3);
    expect(s.cpl).toBe(0);
    expect(s.cpu.eip).toBe(0x4000);
    expect(s.seg(L.SEG_SS).sel).toBe(KDS);
    const esp = s.cpu.reg("esp");
    expect(esp).toBe(KSTACK - 24);
    // Frame: EIP, CS, param0, param1, ESP, SS (low to high).
    expect([0, 4, 8, 12, 16, 20].map((o) => s.r32(esp + o))).toEqual([0x3000 + 13, UCS, 0x1111, 0x2222, USTACK - 8, UDS]);
    s.cpu.interceptExceptions(1 << GP);
    s.cpu.run(1); // retf 8
    expect(s.cpl).toBe(3);
    expect(s.cpu.eip).toBe(0x3000 + 13);
    expect(s.cpu.reg("esp")).toBe(USTACK);
    expect(s.seg(L.SEG_SS).sel).toBe(UDS);
    expect(s.seg(L.SEG_DS).sel).toBe(UDS); // DPL 3: kept
  });

  it("call gate with DPL 0 from CPL 3 is #GP(gate)", () => {
    const s = protectedCpu();
    s.gdt(0x40, gateDesc(KCS, 0x4000, 0xc, 0));
    s.code(0x3000, [0x9a, 0, 0, 0, 0, 0x43, 0]);
    enterUser(s, 0x3000);
    s.cpu.interceptExceptions(1 << GP);
    expect(s.cpu.run(5)).toBe(L.ExitReason.FAULT);
    expect([s.exitVector(), s.exitError()]).toEqual([GP, 0x40]);
    expect(s.cpl).toBe(3);
  });

  it("RETF to an outer level nulls data segments the new CPL may not use", () => {
    const s = protectedCpu();
    // Kernel frame for retf: EIP, CS=UCS, ESP, SS=UDS.
    const f = KSTACK - 16;
    s.w32(f, 0x3000); s.w32(f + 4, UCS); s.w32(f + 8, USTACK); s.w32(f + 12, UDS);
    s.cpu.setReg("esp", f);
    s.code(CODE, [0xcb]);
    s.cpu.run(1);
    expect(s.cpl).toBe(3);
    expect(s.seg(L.SEG_DS).sel).toBe(0);
    expect(s.seg(L.SEG_ES).sel).toBe(0);
    expect(s.cpu.reg("esp")).toBe(USTACK);
  });
});
