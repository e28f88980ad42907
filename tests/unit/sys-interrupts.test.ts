/**
 * System family, part 2: interrupt delivery through the IDT, IRET in every mode, v86 mode, task
 * switches, single-step. Oracle: stack frames and error codes per SDM vol. 3 ch. 6-7 and 20.
 */
import { describe, expect, it } from "vitest";
import { Cpu } from "../../host/core/cpu.ts";
import * as L from "../../host/isa/layout.ts";
import { protectedCpu, segDesc, gateDesc, enterUser, CODE, GDT, KSTACK, USTACK, KCS, KDS, UCS, UDS, TSS, TSS_SEL } from "./sys-helpers.ts";

const GP = 13, NP = 11, DB = 1, DF = 8, TS = 10;
const movAx = (v: number) => [0x66, 0xb8, v & 0xff, v >> 8];

describe("protected-mode delivery", () => {
  it("INT n from CPL 3 through a DPL 3 interrupt gate switches to the TSS stack; IRET returns", () => {
    const s = protectedCpu();
    s.idt(0x80, gateDesc(KCS, 0x4000, 0xe, 3));
    s.code(0x4000, [0xcf]); // iret
    s.code(0x3000, [0xcd, 0x80, 0xf4]);
    enterUser(s, 0x3000, USTACK, 0x202);
    s.cpu.run(1);
    expect(s.cpl).toBe(0);
    expect(s.cpu.eip).toBe(0x4000);
    const esp = s.cpu.reg("esp");
    expect(esp).toBe(KSTACK - 20);
    expect([0, 4, 8, 12, 16].map((o) => s.r32(esp + o))).toEqual([0x3002, UCS, 0x202, USTACK, UDS]);
    expect(s.cpu.eflags & 0x200).toBe(0); // interrupt gate clears IF
    s.cpu.run(1);
    expect(s.cpl).toBe(3);
    expect(s.cpu.eip).toBe(0x3002);
    expect(s.cpu.reg("esp")).toBe(USTACK);
    expect(s.cpu.eflags & 0x200).toBe(0x200);
  });

  it("INT n through a DPL 0 gate from CPL 3 is #GP(vec*8+2); #NP(vec*8+2) when the gate is not present", () => {
    const s = protectedCpu();
    s.idt(0x80, gateDesc(KCS, 0x4000, 0xe, 0));
    s.idt(0x81, gateDesc(KCS, 0x4000, 0xe, 3, 0, false));
    s.code(0x3000, [0xcd, 0x80]);
    s.code(0x3010, [0xcd, 0x81]);
    enterUser(s, 0x3000);
    s.cpu.interceptExceptions(1 << GP | 1 << NP);
    expect(s.cpu.run(5)).toBe(L.ExitReason.FAULT);
    expect([s.exitVector(), s.exitError()]).toEqual([GP, 0x80 * 8 + 2]);
    expect(s.cpu.eip).toBe(0x3000);
    s.cpu.eip = 0x3010;
    expect(s.cpu.run(5)).toBe(L.ExitReason.FAULT);
    expect([s.exitVector(), s.exitError()]).toEqual([NP, 0x81 * 8 + 2]);
  });

  it("a host-claimed vector exits SOFTINT before any IDT lookup", () => {
    const s = protectedCpu();
    s.cpu.setState32(L.S.IDTR_LIMIT, 0); // no IDT at all
    s.cpu.claimSoftInt(0x82);
    s.code(0x3000, [0xcd, 0x82, 0xf4]);
    enterUser(s, 0x3000);
    expect(s.cpu.run(5)).toBe(L.ExitReason.SOFTINT);
    expect(s.exitVector()).toBe(0x82);
    expect(s.cpu.eip).toBe(0x3002);
  });

  it("an exception pushes its error code; a trap gate keeps IF", () => {
    const s = protectedCpu();
    s.idt(GP, gateDesc(KCS, 0x4000, 0xf, 0));
    s.code(0x4000, [0xf4]);
    s.code(CODE, [...movAx(0x28), 0x8e, 0xd8]); // mov ds, TSS selector → #GP(0x28)
    s.cpu.eflags = 0x202;
    s.cpu.run(3);
    expect(s.cpu.eip).toBe(0x4001);
    const esp = s.cpu.reg("esp");
    expect(esp).toBe(KSTACK - 16);
    // A fault-class exception pushes EFLAGS with RF=1 (SDM vol. 3, 18.3.1.1).
    expect([0, 4, 8, 12].map((o) => s.r32(esp + o))).toEqual([0x28, CODE + 4, KCS, 0x10202]);
    expect(s.cpu.eflags & 0x200).toBe(0x200);
  });

  it("a fault while delivering an external interrupt has EXT set; an IDT limit fault gives #GP(vec*8+2+1)", () => {
    const s = protectedCpu();
    s.cpu.setState32(L.S.IDTR_LIMIT, 0x30 * 8 - 1);
    s.cpu.interceptExceptions(1 << GP);
    s.code(CODE, [0x90, 0x90]);
    s.cpu.eflags = 0x202;
    s.cpu.setState32(L.S.IRQ_VECTOR, 0x30);
    expect(s.cpu.run(5)).toBe(L.ExitReason.FAULT);
    expect([s.exitVector(), s.exitError()]).toEqual([GP, 0x30 * 8 + 2 + 1]);
  });

  it("an exception with no usable handler escalates to #DF, then shuts down", () => {
    const s = protectedCpu();
    s.idt(DF, gateDesc(KCS, 0x4000, 0xe, 0));
    s.code(0x4000, [0xf4]);
    s.code(CODE, [...movAx(0x28), 0x8e, 0xd8]); // #GP, and IDT[13] is empty → #GP(13*8+2+1) → #DF
    s.cpu.run(5);
    expect(s.cpu.eip).toBe(0x4001);
    expect(s.r32(s.cpu.reg("esp"))).toBe(0); // #DF error code 0
    s.idt(DF, [0, 0]);
    s.cpu.setState32(L.S.HALTED, 0);
    s.cpu.eip = CODE;
    s.cpu.setReg("esp", KSTACK);
    expect(s.cpu.run(5)).toBe(L.ExitReason.SHUTDOWN);
  });
});

describe("real mode and v86", () => {
  it("real-mode INT and IRET use the IVT and 16-bit frames", () => {
    const cpu = Cpu.create({ memMB: 1 });
    const dv = new DataView(cpu.memory.buffer);
    const cs = L.STATE + L.S.SEGS + L.SEG_CS * L.SEG_SIZE;
    dv.setUint32(cs + L.SEG.BASE, 0, true); dv.setUint32(cs + L.SEG.SEL, 0, true);
    cpu.eip = 0x100;
    cpu.setReg("esp", 0x1000);
    cpu.writePhys(0x21 * 4, Uint8Array.from([0x00, 0x02, 0x00, 0x00])); // 0000:0200
    cpu.writePhys(0x100, Uint8Array.from([0xcd, 0x21, 0xf4]));
    cpu.writePhys(0x200, Uint8Array.from([0xcf]));
    cpu.eflags = 0x202;
    cpu.run(1);
    expect(cpu.eip).toBe(0x200);
    expect(cpu.reg("esp")).toBe(0x1000 - 6);
    expect(Array.from(cpu.readPhys(0x1000 - 6, 6))).toEqual([0x02, 0x01, 0, 0, 0x02, 0x02]);
    expect(cpu.eflags & 0x200).toBe(0);
    expect(cpu.run(10)).toBe(L.ExitReason.HLT);
    expect(cpu.eip).toBe(0x103);
    expect(cpu.eflags & 0x200).toBe(0x200);
  });

  it("IRET to v86, INT n back to CPL 0 with the v86 frame, IOPL < 3 INT n is #GP(0)", () => {
    const s = protectedCpu();
    s.idt(0x21, gateDesc(KCS, 0x4000, 0xe, 3));
    s.code(0x4000, [0xf4]);
    // v86 code at 1000:0010 (linear 0x10010): int 0x21
    s.code(0x10010, [0xcd, 0x21]);
    const f = KSTACK - 36;
    [0x10, 0x1000, 0x23202, 0x0ff0, 0x2000, 0x3000, 0x4000, 0x5000, 0x6000].forEach((v, i) => s.w32(f + i * 4, v));
    s.cpu.setReg("esp", f);
    s.code(CODE, [0xcf]);
    s.cpu.run(1);
    expect(s.cpl).toBe(3);
    expect(s.cpu.eflags & 0x20000).toBe(0x20000);
    expect(s.seg(L.SEG_CS)).toMatchObject({ sel: 0x1000, base: 0x10000, limit: 0xffff });
    expect(s.seg(L.SEG_DS).base).toBe(0x40000);
    expect(s.seg(L.SEG_GS).base).toBe(0x60000);
    expect(s.cpu.reg("esp")).toBe(0x0ff0);
    s.cpu.run(1); // int 0x21 with IOPL 3
    expect(s.cpl).toBe(0);
    expect(s.cpu.eflags & 0x20000).toBe(0);
    const esp = s.cpu.reg("esp");
    expect(esp).toBe(KSTACK - 36);
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => s.r32(esp + i * 4))).toEqual([0x12, 0x1000, 0x23202, 0x0ff0, 0x2000, 0x3000, 0x4000, 0x5000, 0x6000]);
    expect(s.seg(L.SEG_DS).sel).toBe(0);
    expect(s.seg(L.SEG_GS).sel).toBe(0);
    // Back to v86 with IOPL 0: INT n faults #GP(0).
    s.w32(esp + 8, 0x20202);
    s.w32(esp, 0x10);
    s.code(0x4000, [0xcf]);
    s.cpu.eip = 0x4000;
    s.cpu.run(1);
    s.cpu.interceptExceptions(1 << GP);
    expect(s.cpu.run(1)).toBe(L.ExitReason.FAULT);
    expect([s.exitVector(), s.exitError()]).toEqual([GP, 0]);
  });
});

describe("task switches", () => {
  it("CALL to a TSS saves the old state, links back, and IRET (NT) returns", () => {
    const s = protectedCpu();
    const T2 = 0x20000;
    s.gdt(0x30, segDesc(T2, 0x67, 0x9, 0, { s: false, big: false })); // available 32-bit TSS
    s.w32(T2 + 0x1c, 0); // CR3
    s.w32(T2 + 0x20, 0x5000); // EIP
    s.w32(T2 + 0x24, 0x2); // EFLAGS
    s.w32(T2 + 0x28, 0xaaaa); // EAX
    s.w32(T2 + 0x38, 0x7000); // ESP
    [KDS, KCS, KDS, KDS, KDS, KDS].forEach((v, i) => s.w16(T2 + 0x48 + i * 4, v));
    s.code(0x5000, [0xcf]); // iret → back
    s.code(CODE, [0x9a, 0, 0, 0, 0, 0x30, 0, 0xf4]);
    s.cpu.setReg("eax", 0x1234);
    s.cpu.run(1);
    expect(s.cpu.eip).toBe(0x5000);
    expect(s.cpu.reg("eax")).toBe(0xaaaa);
    expect(s.cpu.reg("esp")).toBe(0x7000);
    expect(s.seg(L.SEG_TR).sel).toBe(0x30);
    expect(s.cpu.eflags & 0x4000).toBe(0x4000); // NT
    expect(s.cpu.stateU32(L.S.CR0) & 8).toBe(8); // TS
    expect(s.r16(T2)).toBe(TSS_SEL); // back link
    expect((s.r32(GDT + 0x30 + 4) >> 8) & 0xf).toBe(0xb); // busy
    expect(s.r32(TSS + 0x20)).toBe(CODE + 7); // saved EIP
    expect(s.r32(TSS + 0x28)).toBe(0x1234); // saved EAX
    expect(s.cpu.run(5)).toBe(L.ExitReason.HLT);
    expect(s.cpu.eip).toBe(CODE + 8);
    expect(s.cpu.reg("eax")).toBe(0x1234);
    expect(s.seg(L.SEG_TR).sel).toBe(TSS_SEL);
    expect((s.r32(GDT + 0x30 + 4) >> 8) & 0xf).toBe(0x9); // no longer busy
    expect(s.r32(T2 + 0x20)).toBe(0x5001);
  });

  it("a bad CS in the new TSS is #TS(sel) in the new task", () => {
    const s = protectedCpu();
    const T2 = 0x20000;
    s.gdt(0x30, segDesc(T2, 0x67, 0x9, 0, { s: false, big: false }));
    s.w32(T2 + 0x20, 0x5000);
    [KDS, KDS, KDS, KDS, KDS, KDS].forEach((v, i) => s.w16(T2 + 0x48 + i * 4, v)); // CS = data segment
    s.code(CODE, [0xea, 0, 0, 0, 0, 0x30, 0]);
    s.cpu.interceptExceptions(1 << TS);
    expect(s.cpu.run(5)).toBe(L.ExitReason.FAULT);
    expect([s.exitVector(), s.exitError()]).toEqual([TS, KDS]);
    expect(s.seg(L.SEG_TR).sel).toBe(0x30);
    expect(s.cpu.eip).toBe(0x5000);
  });
});

describe("single step", () => {
  it("TF traps after one instruction with DR6.BS; MOV SS delays the trap", () => {
    const s = protectedCpu();
    s.idt(DB, gateDesc(KCS, 0x4000, 0xe, 0));
    s.code(0x4000, [0xf4]);
    s.code(CODE, [0x90, 0x90]);
    s.cpu.eflags = 0x102;
    s.cpu.run(1);
    expect(s.cpu.eip).toBe(0x4000);
    expect(s.r32(s.cpu.reg("esp"))).toBe(CODE + 1);
    expect(s.cpu.stateU32(L.S.DR + 24) & 0x4000).toBe(0x4000);
    expect(s.cpu.eflags & 0x100).toBe(0);
    // mov ss, ax; nop → the trap comes after the nop
    const t = protectedCpu();
    t.idt(DB, gateDesc(KCS, 0x4000, 0xe, 0));
    t.code(CODE, [...movAx(KDS), 0x8e, 0xd0, 0x90, 0x90]);
    t.cpu.run(1);
    t.cpu.eflags = 0x102;
    t.cpu.run(1);
    expect(t.cpu.eip).toBe(CODE + 6);
    t.cpu.run(1);
    expect(t.cpu.eip).toBe(0x4000);
    expect(t.r32(t.cpu.reg("esp"))).toBe(CODE + 7);
  });
});

describe("faulting transfers change nothing", () => {
  it("IRET to CPL 3 with a DPL 0 stack segment is #GP(SS) with CS, CPL, ESP and flags unchanged", () => {
    const s = protectedCpu();
    const f = KSTACK - 20;
    s.w32(f, 0x3000); s.w32(f + 4, UCS); s.w32(f + 8, 0x2d7); s.w32(f + 12, USTACK); s.w32(f + 16, KDS | 3);
    s.cpu.setReg("esp", f);
    s.code(CODE, [0xcf]);
    s.cpu.eflags = 0x2;
    s.cpu.interceptExceptions(1 << GP);
    expect(s.cpu.run(5)).toBe(L.ExitReason.FAULT);
    expect([s.exitVector(), s.exitError()]).toEqual([GP, KDS]);
    expect(s.cpl).toBe(0);
    expect(s.seg(L.SEG_CS).sel).toBe(KCS);
    expect(s.seg(L.SEG_DS).sel).toBe(KDS);
    expect(s.cpu.reg("esp")).toBe(f);
    expect(s.cpu.eflags).toBe(0x2);
    expect(s.cpu.eip).toBe(CODE);
  });

  it("a 16-bit interrupt gate pushes a 16-bit frame; INT3 through a DPL 3 gate", () => {
    const s = protectedCpu();
    s.idt(3, gateDesc(KCS, 0x4000, 0x6, 3));
    s.code(0x4000, [0xf4]);
    s.code(CODE, [0xcc]);
    s.cpu.eflags = 0x202;
    s.cpu.run(2);
    expect(s.cpu.eip).toBe(0x4001);
    expect(s.cpu.reg("esp")).toBe(KSTACK - 6);
    expect([0, 2, 4].map((o) => s.r16(KSTACK - 6 + o))).toEqual([(CODE + 1) & 0xffff, KCS, 0x202]);
  });
});
