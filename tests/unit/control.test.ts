/**
 * Near control flow: CALL/RET/JMP forms, RET Iw, 16-bit operand size wrapping, CS-limit #GP at the
 * branch (also for JMP/Jcc from basic.ts), LOOP/LOOPE/LOOPNE and JCXZ/JECXZ by address size.
 * Oracle: architectural values worked out by hand from the SDM instruction pages.
 */
import { describe, expect, it } from "vitest";
import { flatCpu, seg, EXC, L, r32, r16, w32, CODE } from "./ctl-helpers.ts";

const HLT = 0xf4;

describe("CALL, RET, JMP", () => {
  it("call rel32 pushes the return address; ret returns", () => {
    // 1000: call +3 (-> 1008); 1005: hlt; ... 1008: mov eax,7 ; ret
    const cpu = flatCpu([0xe8, 0x03, 0x00, 0x00, 0x00, HLT, 0x90, 0x90, 0xb8, 7, 0, 0, 0, 0xc3]);
    cpu.run(2);
    expect(cpu.eip).toBe(CODE + 13);
    expect(r32(cpu, 0x7ffc)).toBe(CODE + 5);
    expect(cpu.reg("esp")).toBe(0x7ffc);
    expect(cpu.run(100)).toBe(L.ExitReason.HLT);
    expect(cpu.eip).toBe(CODE + 6);
    expect(cpu.reg("eax")).toBe(7);
    expect(cpu.reg("esp")).toBe(0x8000);
  });

  it("ret imm16 releases the arguments", () => {
    const cpu = flatCpu([0x6a, 1, 0x6a, 2, 0xe8, 0x01, 0, 0, 0, HLT, 0xc2, 0x08, 0x00]);
    expect(cpu.run(100)).toBe(L.ExitReason.HLT);
    expect(cpu.eip).toBe(CODE + 10);
    expect(cpu.reg("esp")).toBe(0x8000);
  });

  it("call [mem], call reg, jmp reg, jmp [mem]", () => {
    const cpu = flatCpu([0xff, 0x15, 0x00, 0x20, 0, 0]); // call [0x2000]
    w32(cpu, 0x2000, 0x1100);
    cpu.writePhys(0x1100, Uint8Array.from([0xb8, 0x00, 0x12, 0, 0, 0xff, 0xd0])); // mov eax,0x1200; call eax
    cpu.writePhys(0x1200, Uint8Array.from([0xbb, 0x00, 0x13, 0, 0, 0xff, 0xe3])); // mov ebx,0x1300; jmp ebx
    cpu.writePhys(0x1300, Uint8Array.from([0xff, 0x25, 0x04, 0x20, 0, 0])); // jmp [0x2004]
    w32(cpu, 0x2004, 0x1400);
    cpu.writePhys(0x1400, Uint8Array.from([HLT]));
    expect(cpu.run(100)).toBe(L.ExitReason.HLT);
    expect(cpu.eip).toBe(0x1401);
    expect(r32(cpu, 0x7ffc)).toBe(CODE + 6);
    expect(r32(cpu, 0x7ff8)).toBe(0x1107);
    expect(cpu.reg("esp")).toBe(0x7ff8);
  });

  it("66 call rel16 wraps EIP to 16 bits and pushes a word", () => {
    // at 0x1000: 66 e8 fa ef -> EIP = (0x1004 + 0xeffa) & 0xffff = 0xfffe
    const cpu = flatCpu([0x66, 0xe8, 0xfa, 0xef]);
    cpu.writePhys(0xfffe, Uint8Array.from([HLT]));
    expect(cpu.run(10)).toBe(L.ExitReason.HLT);
    expect(cpu.eip).toBe(0xffff);
    expect(r16(cpu, 0x7ffe)).toBe(0x1004);
    expect(cpu.reg("esp")).toBe(0x7ffe);
  });

  it("66 ret pops a word and zero-extends EIP", () => {
    const cpu = flatCpu([0x66, 0x68, 0x00, 0x20, 0x66, 0xc3]);
    cpu.writePhys(0x2000, Uint8Array.from([HLT]));
    expect(cpu.run(10)).toBe(L.ExitReason.HLT);
    expect(cpu.eip).toBe(0x2001);
    expect(cpu.reg("esp")).toBe(0x8000);
  });
});

describe("CS limit", () => {
  function limited(code: number[]) {
    const cpu = flatCpu(code);
    seg(cpu, L.SEG_CS, { limit: 0x1fff });
    cpu.interceptExceptions(EXC(13));
    return cpu;
  }
  it("jmp rel32 beyond the limit raises #GP(0) at the jump", () => {
    const cpu = limited([0xe9, 0x00, 0x10, 0x00, 0x00]);
    expect(cpu.run(10)).toBe(L.ExitReason.FAULT);
    expect(cpu.exit32(L.X.VECTOR)).toBe(13);
    expect(cpu.exit32(L.X.ERROR_CODE)).toBe(0);
    expect(cpu.eip).toBe(CODE);
  });
  it("jz beyond the limit faults only when taken", () => {
    // cmp eax,1 (eax=0: ZF=0); jz near +0x1000 (not taken); jnz near +0x1000 (taken: #GP)
    const cpu = limited([0x83, 0xf8, 0x01, 0x0f, 0x84, 0x00, 0x10, 0x00, 0x00, 0x0f, 0x85, 0x00, 0x10, 0x00, 0x00]);
    expect(cpu.run(10)).toBe(L.ExitReason.FAULT);
    expect(cpu.exit32(L.X.VECTOR)).toBe(13);
    expect(cpu.eip).toBe(CODE + 9);
  });
  it("call beyond the limit faults before pushing", () => {
    const cpu = limited([0xe8, 0x00, 0x20, 0x00, 0x00]);
    expect(cpu.run(10)).toBe(L.ExitReason.FAULT);
    expect(cpu.exit32(L.X.VECTOR)).toBe(13);
    expect(cpu.reg("esp")).toBe(0x8000);
    expect(r32(cpu, 0x7ffc)).toBe(0);
  });
  it("ret to beyond the limit faults and restores ESP", () => {
    const cpu = limited([0x68, 0x00, 0x30, 0x00, 0x00, 0xc3]);
    expect(cpu.run(10)).toBe(L.ExitReason.FAULT);
    expect(cpu.eip).toBe(CODE + 5);
    expect(cpu.reg("esp")).toBe(0x7ffc);
  });
  it("a jump to exactly the limit is allowed", () => {
    const cpu = limited([0xe9, 0xfa, 0x0f, 0x00, 0x00]); // -> 0x1fff
    cpu.writePhys(0x1fff, Uint8Array.from([HLT]));
    expect(cpu.run(10)).toBe(L.ExitReason.HLT);
  });
});

describe("LOOP and JCXZ", () => {
  it("loop counts ECX down to zero", () => {
    // mov ecx,5; xor eax,eax; L: add eax,2; loop L; hlt
    const cpu = flatCpu([0xb9, 5, 0, 0, 0, 0x31, 0xc0, 0x83, 0xc0, 0x02, 0xe2, 0xfb, HLT]);
    expect(cpu.run(100)).toBe(L.ExitReason.HLT);
    expect(cpu.reg("eax")).toBe(10);
    expect(cpu.reg("ecx")).toBe(0);
  });

  it("67 loop uses CX and keeps the upper half of ECX", () => {
    const cpu = flatCpu([0x67, 0xe2, 0xfd, HLT]); // loop to itself with CX
    cpu.setReg("ecx", 0xabcd0003);
    expect(cpu.run(100)).toBe(L.ExitReason.HLT);
    expect(cpu.reg("ecx")).toBe(0xabcd0000);
    expect(cpu.instructions).toBe(4n);
  });

  it("loop with ECX = 0 wraps to 0xffffffff and branches", () => {
    const cpu = flatCpu([0xe2, 0x01, HLT, HLT]);
    cpu.setReg("ecx", 0);
    cpu.run(10);
    expect(cpu.reg("ecx")).toBe(0xffffffff);
    expect(cpu.eip).toBe(CODE + 4);
  });

  it("loope / loopne test ZF as well as the count", () => {
    // cmp eax,eax (ZF=1); loopne +1 (not taken); loope +1 (taken, skips the first hlt)
    const cpu = flatCpu([0x39, 0xc0, 0xe0, 0x01, 0xe1, 0x01, HLT, HLT]);
    cpu.setReg("ecx", 10);
    cpu.run(10);
    expect(cpu.reg("ecx")).toBe(8);
    expect(cpu.eip).toBe(CODE + 8);
  });

  it("jecxz tests ECX; 67 jcxz tests CX only", () => {
    // jecxz +1 (ECX=0x10000 != 0: not taken); 67 jcxz +1 (CX=0: taken)
    const cpu = flatCpu([0xe3, 0x01, HLT, 0x67, 0xe3, 0x01, HLT, HLT]);
    cpu.setReg("ecx", 0x10000);
    cpu.run(10);
    expect(cpu.eip).toBe(CODE + 3);
    cpu.eip = CODE + 3;
    cpu.setState32(L.S.HALTED, 0);
    cpu.run(10);
    expect(cpu.eip).toBe(CODE + 8);
  });

  it("a loop whose target is beyond the CS limit faults without decrementing ECX", () => {
    const cpu = flatCpu([0xe2, 0x7f]);
    seg(cpu, L.SEG_CS, { limit: 0x1010 });
    cpu.interceptExceptions(EXC(13));
    cpu.setReg("ecx", 3);
    expect(cpu.run(10)).toBe(L.ExitReason.FAULT);
    expect(cpu.reg("ecx")).toBe(3);
    expect(cpu.eip).toBe(CODE);
  });
});
