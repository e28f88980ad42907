/**
 * Stack instructions: PUSH/POP (registers, ESP, immediates, memory with an ESP base), PUSHA/POPA,
 * PUSHF/POPF privilege rules, ENTER (levels 0, 1, 2, masking), LEAVE, 16-bit stacks.
 * Oracle: architectural values worked out by hand from the SDM instruction pages.
 */
import { describe, expect, it } from "vitest";
import { flatCpu, seg, EXC, L, r32, r16, w32, CODE } from "./ctl-helpers.ts";

const HLT = 0xf4;
const IF = 0x200, IOPL = 0x3000, AC = 0x40000, RF = 0x10000, VM = 0x20000;

describe("PUSH and POP", () => {
  it("push/pop registers; push esp pushes the old value; pop esp loads the popped value", () => {
    // push eax; push esp; pop ebx; pop ecx; push 0x1234 (68); pop esp
    const cpu = flatCpu([0x50, 0x54, 0x5b, 0x59, 0x68, 0x00, 0x70, 0x00, 0x00, 0x5c, HLT]);
    cpu.setReg("eax", 0xcafe);
    cpu.run(100);
    expect(cpu.reg("ebx")).toBe(0x7ffc);
    expect(cpu.reg("ecx")).toBe(0xcafe);
    expect(cpu.reg("esp")).toBe(0x7000);
  });

  it("push Ibs sign-extends; 66 push pushes a word", () => {
    const cpu = flatCpu([0x6a, 0xfe, 0x66, 0x6a, 0x80, 0x66, 0x68, 0x34, 0x12, HLT]);
    cpu.run(100);
    expect(cpu.reg("esp")).toBe(0x8000 - 8);
    expect(r32(cpu, 0x7ffc)).toBe(0xfffffffe);
    expect(r16(cpu, 0x7ffa)).toBe(0xff80);
    expect(r16(cpu, 0x7ff8)).toBe(0x1234);
  });

  it("push [mem] (FF /6) and pop to a register via 8F C0", () => {
    const cpu = flatCpu([0xff, 0x35, 0x00, 0x20, 0x00, 0x00, 0x8f, 0xc2, HLT]);
    w32(cpu, 0x2000, 0xdeadbeef);
    cpu.run(100);
    expect(cpu.reg("edx")).toBe(0xdeadbeef);
    expect(cpu.reg("esp")).toBe(0x8000);
  });

  it("pop [esp+4] uses ESP after the increment", () => {
    // push 0x11; push 0x22; push 0x33; pop dword [esp+4]
    const cpu = flatCpu([0x6a, 0x11, 0x6a, 0x22, 0x6a, 0x33, 0x8f, 0x44, 0x24, 0x04, HLT]);
    cpu.run(100);
    expect(cpu.reg("esp")).toBe(0x7ff8);
    // after the pop ESP = 0x7ff8; [esp+4] = 0x7ffc, which held 0x11
    expect(r32(cpu, 0x7ffc)).toBe(0x33);
    expect(r32(cpu, 0x7ff8)).toBe(0x22);
  });

  it("pop [esp] (no displacement) also uses the incremented ESP", () => {
    const cpu = flatCpu([0x6a, 0x11, 0x6a, 0x22, 0x8f, 0x04, 0x24, HLT]);
    cpu.run(100);
    expect(cpu.reg("esp")).toBe(0x7ffc);
    expect(r32(cpu, 0x7ffc)).toBe(0x22);
  });

  it("a faulting pop to memory changes neither ESP nor memory", () => {
    const cpu = flatCpu([0x8f, 0x05, 0x00, 0x00, 0x90, 0x00, HLT]); // pop [0x900000]
    seg(cpu, L.SEG_DS, { limit: 0xfffff });
    cpu.interceptExceptions(EXC(13));
    expect(cpu.run(100)).toBe(L.ExitReason.FAULT);
    expect(cpu.exit32(L.X.VECTOR)).toBe(13);
    expect(cpu.reg("esp")).toBe(0x8000);
    expect(cpu.eip).toBe(CODE);
  });

  it("16-bit stack (SS.B=0) wraps SP and keeps the upper half of ESP", () => {
    const cpu = flatCpu([0x50, 0x5b, HLT]);
    const a = L.S.SEGS + L.SEG_SS * L.SEG_SIZE;
    cpu.setState32(a + L.SEG.ACCESS, cpu.state32(a + L.SEG.ACCESS) & ~0x4000);
    seg(cpu, L.SEG_SS, { limit: 0xffff });
    cpu.setReg("esp", 0x12340000);
    cpu.setReg("eax", 0x55667788);
    cpu.run(1);
    expect(cpu.reg("esp")).toBe(0x1234fffc);
    expect(r32(cpu, 0xfffc)).toBe(0x55667788);
    cpu.run(100);
    expect(cpu.reg("esp")).toBe(0x12340000);
    expect(cpu.reg("ebx")).toBe(0x55667788);
  });
});

describe("PUSHA and POPA", () => {
  it("pushad stores the original ESP; popad skips it", () => {
    const cpu = flatCpu([0x60, 0x31, 0xc0, 0x31, 0xdb, 0x31, 0xed, 0x61, HLT]);
    const vals = [0x10, 0x11, 0x12, 0x13, 0x8000, 0x15, 0x16, 0x17];
    vals.forEach((v, i) => cpu.setReg(i, v));
    cpu.run(1);
    expect(cpu.reg("esp")).toBe(0x8000 - 32);
    for (let i = 0; i < 8; i++) expect(r32(cpu, 0x8000 - 4 - 4 * i)).toBe(vals[i]);
    w32(cpu, 0x8000 - 20, 0x99999); // the saved ESP slot is ignored by popad
    cpu.run(100);
    vals.forEach((v, i) => expect(cpu.reg(i)).toBe(v));
  });

  it("66 pusha pushes words", () => {
    const cpu = flatCpu([0x66, 0x60, HLT]);
    cpu.setReg("eax", 0xaaaa1111); cpu.setReg("edi", 0xbbbb2222);
    cpu.run(100);
    expect(cpu.reg("esp")).toBe(0x8000 - 16);
    expect(r16(cpu, 0x7ffe)).toBe(0x1111);
    expect(r16(cpu, 0x7ff6)).toBe(0x8000);
    expect(r16(cpu, 0x7ff0)).toBe(0x2222);
  });

  it("a pushad that would cross the stack limit writes nothing", () => {
    const cpu = flatCpu([0x60, HLT]);
    seg(cpu, L.SEG_SS, { checkLo: 0x7ff0, checkHi: 0xffffffff });
    cpu.interceptExceptions(EXC(12));
    cpu.setReg("eax", 0x1234);
    expect(cpu.run(100)).toBe(L.ExitReason.FAULT);
    expect(cpu.exit32(L.X.VECTOR)).toBe(12);
    expect(r32(cpu, 0x7ffc)).toBe(0);
    expect(cpu.reg("esp")).toBe(0x8000);
  });
});

describe("PUSHF and POPF", () => {
  it("pushfd clears VM and RF in the image", () => {
    const cpu = flatCpu([0x9c, HLT]);
    cpu.eflags = 0x2 | RF | 0x1 | AC;
    cpu.run(100);
    expect(r32(cpu, 0x7ffc)).toBe(0x2 | 0x1 | AC);
  });

  it("at CPL 3 with IOPL 0, popfd changes neither IF nor IOPL but changes the rest", () => {
    const cpu = flatCpu([0x68, 0xd5, 0x38, 0x04, 0x00, 0x9d, HLT], 3); // push 0x438d5 (CPAZS OF, IOPL 3, AC, IF=0)
    cpu.eflags = 0x2 | IF;
    cpu.run(100);
    expect(cpu.eflags).toBe(0x2 | IF | 0x8d5 | AC);
  });

  it("at CPL 3 with IOPL 3, popfd changes IF but not IOPL", () => {
    const cpu = flatCpu([0x6a, 0x02, 0x9d, HLT], 3);
    cpu.eflags = 0x2 | IF | IOPL;
    cpu.run(100);
    expect(cpu.eflags).toBe(0x2 | IOPL);
  });

  it("at CPL 0 popfd changes IOPL and IF, clears RF, never sets VM", () => {
    const cpu = flatCpu([0x68, 0x02, 0x32, 0x03, 0x00, 0x9d, HLT]); // push 0x33202: IF IOPL3 RF VM
    cpu.eflags = 0x2 | RF;
    cpu.run(100);
    expect(cpu.eflags).toBe(0x2 | IF | IOPL);
  });

  it("16-bit popf leaves the upper half", () => {
    const cpu = flatCpu([0x66, 0x6a, 0x01, 0x66, 0x9d, HLT]);
    cpu.eflags = 0x2 | AC | IF | 0x800;
    cpu.run(100);
    expect(cpu.eflags).toBe(0x2 | AC | 0x1);
  });

  it("in v86 mode with IOPL < 3 pushf raises #GP(0)", () => {
    const cpu = flatCpu([0x9c, HLT]);
    cpu.eflags = 0x2 | VM;
    cpu.core.refresh();
    cpu.interceptExceptions(EXC(13));
    expect(cpu.run(100)).toBe(L.ExitReason.FAULT);
    expect(cpu.exit32(L.X.VECTOR)).toBe(13);
    expect(cpu.exit32(L.X.ERROR_CODE)).toBe(0);
    expect(cpu.reg("esp")).toBe(0x8000);
  });

  it("in real mode popf changes IOPL and IF", () => {
    const cpu = flatCpu([0x6a, 0x00, 0x66, 0x9d, HLT]); // 32-bit code bytes, but run as real mode below
    cpu.reset();
    // real mode: CS base 0, IP 0x1000; push 0x3200 (word); popf
    cpu.writePhys(0x1000, Uint8Array.from([0x68, 0x00, 0x32, 0x9d, HLT]));
    const a = L.S.SEGS + L.SEG_CS * L.SEG_SIZE;
    cpu.setState32(a + L.SEG.BASE, 0);
    cpu.eip = 0x1000;
    cpu.setReg("esp", 0x8000);
    cpu.run(100);
    expect(cpu.eflags).toBe(0x2 | IF | IOPL);
  });
});

describe("ENTER and LEAVE", () => {
  it("enter 16, 0 then leave", () => {
    const cpu = flatCpu([0xc8, 0x10, 0x00, 0x00, HLT, 0xc9, HLT]);
    cpu.setReg("ebp", 0x9999);
    cpu.run(100);
    expect(cpu.reg("ebp")).toBe(0x7ffc);
    expect(cpu.reg("esp")).toBe(0x7ffc - 16);
    expect(r32(cpu, 0x7ffc)).toBe(0x9999);
    cpu.setState32(L.S.HALTED, 0);
    cpu.run(100);
    expect(cpu.reg("ebp")).toBe(0x9999);
    expect(cpu.reg("esp")).toBe(0x8000);
  });

  it("enter 8, 1 pushes the frame pointer once more", () => {
    const cpu = flatCpu([0xc8, 0x08, 0x00, 0x01, HLT]);
    cpu.setReg("ebp", 0x9000);
    cpu.run(100);
    expect(cpu.reg("ebp")).toBe(0x7ffc);
    expect(r32(cpu, 0x7ffc)).toBe(0x9000);
    expect(r32(cpu, 0x7ff8)).toBe(0x7ffc);
    expect(cpu.reg("esp")).toBe(0x7ff8 - 8);
  });

  it("enter 4, 2 copies one outer frame pointer from [ebp-4]", () => {
    const cpu = flatCpu([0xc8, 0x04, 0x00, 0x42, HLT]); // level 0x42 & 31 = 2
    cpu.setReg("ebp", 0x9000);
    w32(cpu, 0x9000 - 4, 0x8abc);
    cpu.run(100);
    expect(r32(cpu, 0x7ffc)).toBe(0x9000); // old EBP
    expect(r32(cpu, 0x7ff8)).toBe(0x8abc); // copied display entry
    expect(r32(cpu, 0x7ff4)).toBe(0x7ffc); // FrameTemp
    expect(cpu.reg("ebp")).toBe(0x7ffc);
    expect(cpu.reg("esp")).toBe(0x7ff4 - 4);
  });

  it("66 enter 2, 3 pushes words", () => {
    const cpu = flatCpu([0x66, 0xc8, 0x02, 0x00, 0x03, HLT]);
    cpu.setReg("ebp", 0x9000);
    cpu.writePhys(0x9000 - 4, Uint8Array.from([0x22, 0x22, 0x11, 0x11])); // [bp-2]=0x1111, [bp-4]=0x2222
    cpu.run(100);
    expect(r16(cpu, 0x7ffe)).toBe(0x9000);
    expect(r16(cpu, 0x7ffc)).toBe(0x1111);
    expect(r16(cpu, 0x7ffa)).toBe(0x2222);
    expect(r16(cpu, 0x7ff8)).toBe(0x7ffe);
    expect(cpu.reg("ebp")).toBe(0x7ffe); // 32-bit stack: EBP = FrameTemp (ESP)
    expect(cpu.reg("esp")).toBe(0x7ff8 - 2);
  });
});

describe("more stack edge cases", () => {
  it("66 push with SP = 0 on a 16-bit stack writes at 0xFFFE", () => {
    const cpu = flatCpu([0x66, 0x50, HLT]);
    const a = L.S.SEGS + L.SEG_SS * L.SEG_SIZE;
    cpu.setState32(a + L.SEG.ACCESS, cpu.state32(a + L.SEG.ACCESS) & ~0x4000);
    seg(cpu, L.SEG_SS, { limit: 0xffff });
    cpu.setReg("esp", 0xabcd0000); cpu.setReg("eax", 0x4321);
    cpu.run(10);
    expect(cpu.reg("esp")).toBe(0xabcdfffe);
    expect(r16(cpu, 0xfffe)).toBe(0x4321);
  });

  it("in v86 mode with IOPL 3 popf changes IF but keeps IOPL", () => {
    const cpu = flatCpu([0x9d, HLT]);
    w32(cpu, 0x7ffc, 0x0002 | IF | 0x1);
    cpu.setReg("esp", 0x7ffc);
    cpu.eflags = 0x2 | VM | IOPL;
    cpu.core.refresh();
    cpu.run(10);
    expect(cpu.eflags).toBe(0x2 | VM | IOPL | IF | 0x1);
  });

  it("leave on a 16-bit stack uses BP and SP", () => {
    const cpu = flatCpu([0xc9, HLT]);
    const a = L.S.SEGS + L.SEG_SS * L.SEG_SIZE;
    cpu.setState32(a + L.SEG.ACCESS, cpu.state32(a + L.SEG.ACCESS) & ~0x4000);
    seg(cpu, L.SEG_SS, { limit: 0xffff });
    cpu.setReg("ebp", 0x11116000); cpu.setReg("esp", 0x22220100);
    w32(cpu, 0x6000, 0xcafef00d);
    cpu.run(10);
    expect(cpu.reg("esp")).toBe(0x22226004);
    expect(cpu.reg("ebp")).toBe(0xcafef00d);
  });
});

