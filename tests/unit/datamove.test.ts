/**
 * Data movement: MOV moffs (address size, segment override), LEA (operand/address size
 * truncation, #UD register form), XCHG (register, memory, LOCK), XLAT, BOUND (#BR), hint NOPs
 * (memory never accessed), CLD/STD.
 * Oracle: architectural values worked out by hand from the SDM instruction pages.
 */
import { describe, expect, it } from "vitest";
import { flatCpu, seg, identityPaging, EXC, L, r32, w32, CODE } from "./ctl-helpers.ts";

const HLT = 0xf4;

describe("MOV moffs", () => {
  it("A1/A3 move eAX with a 32-bit offset; A0/A2 move AL", () => {
    const cpu = flatCpu([0xa1, 0x00, 0x20, 0, 0, 0xa3, 0x10, 0x20, 0, 0, 0xa0, 0x03, 0x20, 0, 0, 0xa2, 0x20, 0x20, 0, 0, HLT]);
    w32(cpu, 0x2000, 0x89abcdef);
    cpu.run(100);
    expect(r32(cpu, 0x2010)).toBe(0x89abcdef);
    expect(cpu.reg("eax")).toBe(0x89abcd89);
    expect(cpu.readPhys(0x2020, 2)[0]).toBe(0x89);
    expect(cpu.readPhys(0x2020, 2)[1]).toBe(0);
  });

  it("67 A1 takes a 16-bit offset; 66 A1 loads AX; fs: overrides the segment", () => {
    // 67 a1 00 30 (mov eax,[0x3000]) ; 64 66 a1 00 01 00 00 (mov ax, fs:[0x100]) ; hlt
    const cpu = flatCpu([0x67, 0xa1, 0x00, 0x30, 0x64, 0x66, 0xa1, 0x00, 0x01, 0, 0, HLT]);
    seg(cpu, L.SEG_FS, { base: 0x40000 });
    w32(cpu, 0x3000, 0x11223344);
    w32(cpu, 0x40100, 0x5566);
    cpu.run(100);
    expect(cpu.eip).toBe(CODE + 12);
    expect(cpu.reg("eax")).toBe(0x11225566);
  });
});

describe("LEA", () => {
  it("computes the offset without touching memory", () => {
    // lea eax, [ebx+ecx*4+0x10]
    const cpu = flatCpu([0x8d, 0x44, 0x8b, 0x10, HLT]);
    cpu.setReg("ebx", 0xfffffff0); cpu.setReg("ecx", 0x40000000);
    cpu.run(10);
    expect(cpu.reg("eax")).toBe(0x00000000); // wraps at 32 bits
  });
  it("66 lea truncates to 16 bits; 67 lea zero-extends the 16-bit address", () => {
    // 66 lea ax,[ebx+0x12345]; 67 lea edx,[bx+si+0x10]
    const cpu = flatCpu([0x66, 0x8d, 0x83, 0x45, 0x23, 0x01, 0x00, 0x67, 0x8d, 0x50, 0x10, HLT]);
    cpu.setReg("eax", 0xaaaaaaaa); cpu.setReg("ebx", 0x1000fff0); cpu.setReg("esi", 0x20);
    cpu.run(10);
    expect(cpu.reg("eax")).toBe(0xaaaa2335);
    expect(cpu.reg("edx")).toBe(0x0020); // (0xfff0 + 0x20 + 0x10) & 0xffff
  });
  it("the register form is #UD", () => {
    const cpu = flatCpu([0x8d, 0xc0]);
    cpu.interceptExceptions(EXC(6));
    expect(cpu.run(10)).toBe(L.ExitReason.FAULT);
    expect(cpu.exit32(L.X.VECTOR)).toBe(6);
  });
});

describe("XCHG", () => {
  it("swaps registers (87, 86 with high bytes, 91-97)", () => {
    // xchg ebx, ecx ; xchg ah, dl ; xchg eax, edi ; 66 xchg ax, si
    const cpu = flatCpu([0x87, 0xcb, 0x86, 0xe2, 0x97, 0x66, 0x96, HLT]);
    cpu.setReg("eax", 0x11112233); cpu.setReg("ebx", 0xb); cpu.setReg("ecx", 0xc);
    cpu.setReg("edx", 0x99); cpu.setReg("esi", 0x55556666); cpu.setReg("edi", 0x77778888);
    cpu.run(10);
    expect(cpu.reg("ebx")).toBe(0xc);
    expect(cpu.reg("ecx")).toBe(0xb);
    expect(cpu.reg("edx")).toBe(0x22);
    expect(cpu.reg("edi")).toBe(0x11119933);
    expect(cpu.reg("eax")).toBe(0x77776666);
    expect(cpu.reg("esi")).toBe(0x55558888);
  });
  it("swaps with memory, with or without LOCK", () => {
    const cpu = flatCpu([0x87, 0x05, 0x00, 0x20, 0, 0, 0xf0, 0x86, 0x1d, 0x04, 0x20, 0, 0, HLT]);
    w32(cpu, 0x2000, 0xabcdef01); w32(cpu, 0x2004, 0x77);
    cpu.setReg("eax", 0x12345678); cpu.setReg("ebx", 0x55);
    expect(cpu.run(10)).toBe(L.ExitReason.HLT);
    expect(r32(cpu, 0x2000)).toBe(0x12345678);
    expect(cpu.reg("eax")).toBe(0xabcdef01);
    expect(r32(cpu, 0x2004)).toBe(0x55);
    expect(cpu.reg("ebx")).toBe(0x77);
  });
  it("LOCK with the register form is #UD", () => {
    const cpu = flatCpu([0xf0, 0x87, 0xc3]);
    cpu.interceptExceptions(EXC(6));
    expect(cpu.run(10)).toBe(L.ExitReason.FAULT);
    expect(cpu.exit32(L.X.VECTOR)).toBe(6);
  });
  it("a write-protected memory operand faults before either side changes", () => {
    const cpu = flatCpu([0x87, 0x05, 0x00, 0x20, 0, 0]);
    const a = L.S.SEGS + L.SEG_DS * L.SEG_SIZE;
    cpu.setState32(a + L.SEG.VALID, 1 | 4); // readable, not writable
    cpu.interceptExceptions(EXC(13));
    w32(cpu, 0x2000, 0x99);
    cpu.setReg("eax", 0x42);
    expect(cpu.run(10)).toBe(L.ExitReason.FAULT);
    expect(cpu.reg("eax")).toBe(0x42);
    expect(r32(cpu, 0x2000)).toBe(0x99);
  });
});

describe("XLAT", () => {
  it("loads AL from [EBX + AL]; 67 wraps BX + AL at 16 bits", () => {
    const cpu = flatCpu([0xd7, 0x67, 0xd7, HLT]);
    cpu.writePhys(0x2000 + 0xf0, Uint8Array.from([0x05]));
    cpu.writePhys(0x0004, Uint8Array.from([0x77])); // (0xffff + 5) & 0xffff = 4
    cpu.setReg("eax", 0x123456f0); cpu.setReg("ebx", 0x2000);
    cpu.run(1);
    expect(cpu.reg("eax")).toBe(0x12345605);
    cpu.setReg("ebx", 0x1234ffff);
    cpu.run(10);
    expect(cpu.reg("eax")).toBe(0x12345677);
  });
});

describe("BOUND", () => {
  it("passes in range and raises #BR (a fault) out of range", () => {
    // bound eax, [0x2000] ; bound eax, [0x2000] again after eax changes
    const cpu = flatCpu([0x62, 0x05, 0x00, 0x20, 0, 0, 0x62, 0x05, 0x00, 0x20, 0, 0, HLT]);
    w32(cpu, 0x2000, -5); w32(cpu, 0x2004, 10);
    cpu.interceptExceptions(EXC(5));
    cpu.setReg("eax", -5 >>> 0);
    expect(cpu.run(1)).toBe(L.ExitReason.BUDGET);
    cpu.setReg("eax", 11);
    expect(cpu.run(10)).toBe(L.ExitReason.FAULT);
    expect(cpu.exit32(L.X.VECTOR)).toBe(5);
    expect(cpu.eip).toBe(CODE + 6);
  });
  it("16-bit bounds are signed words", () => {
    const cpu = flatCpu([0x66, 0x62, 0x1d, 0x00, 0x20, 0, 0, HLT]);
    cpu.writePhys(0x2000, Uint8Array.from([0x00, 0x80, 0xff, 0x7f])); // [-32768, 32767]
    cpu.interceptExceptions(EXC(5));
    cpu.setReg("ebx", 0xffff8000);
    expect(cpu.run(10)).toBe(L.ExitReason.HLT);
  });
  it("the register form is #UD", () => {
    const cpu = flatCpu([0x62, 0xc0]);
    cpu.interceptExceptions(EXC(6));
    expect(cpu.run(10)).toBe(L.ExitReason.FAULT);
    expect(cpu.exit32(L.X.VECTOR)).toBe(6);
  });
});

describe("hint NOPs, CLD, STD", () => {
  it("0F 1F /0 and 0F 18-1E never access their memory operand", () => {
    const cpu = flatCpu([
      0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00, // nop dword [eax+0]
      0x0f, 0x18, 0x00, // prefetchnta [eax]
      0x0f, 0x18, 0x38, // 0F 18 /7
      0x0f, 0x1e, 0x00, 0x0f, 0x19, 0xc0, 0x0f, 0x1f, 0xc0, HLT,
    ]);
    identityPaging(cpu, [0x50]);
    cpu.interceptExceptions(0xffffffff);
    cpu.setReg("eax", 0x50000);
    expect(cpu.run(100)).toBe(L.ExitReason.HLT);
    expect(cpu.eip).toBe(CODE + 23);
  });
  it("std sets DF, cld clears it", () => {
    const cpu = flatCpu([0xfd, HLT, 0xfc, HLT]);
    cpu.eflags = 0x2 | 0x1;
    cpu.run(10);
    expect(cpu.eflags).toBe(0x2 | 0x1 | 0x400);
    cpu.setState32(L.S.HALTED, 0);
    cpu.run(10);
    expect(cpu.eflags).toBe(0x2 | 0x1);
  });
});
