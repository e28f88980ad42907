/**
 * Core basics: the layout contract between core and host, the run loop's exits, and a few
 * instructions end to end. Oracle: architectural values worked out by hand from the SDM.
 */
import { describe, expect, it } from "vitest";
import { Cpu } from "../../host/core/cpu.ts";
import * as L from "../../host/isa/layout.ts";

function flatCpu(code: number[], at = 0x1000): Cpu {
  const cpu = Cpu.create({ memMB: 4 });
  cpu.core.setFlat32(0);
  cpu.writePhys(at, Uint8Array.from(code));
  cpu.eip = at;
  return cpu;
}

describe("core basics", () => {
  it("agrees with the host on the layout", () => {
    const cpu = Cpu.create({ memMB: 1 });
    expect(cpu.core.layoutChecksum() >>> 0).toBe(L.layoutChecksum());
  });

  it("starts at the reset vector in real mode", () => {
    const cpu = Cpu.create({ memMB: 1 });
    expect(cpu.eip).toBe(0xfff0);
    expect(cpu.seg(L.SEG_CS).base).toBe(0xffff0000);
    expect(cpu.eflags).toBe(2);
  });

  it("runs a loop and stops on HLT", () => {
    // mov ecx, 10; xor eax, eax; L: add eax, ecx; sub ecx, 1; jnz L; hlt
    const cpu = flatCpu([0xb9, 10, 0, 0, 0, 0x31, 0xc0, 0x01, 0xc8, 0x83, 0xe9, 0x01, 0x75, 0xf9, 0xf4]);
    const r = cpu.run(1000);
    expect(r).toBe(L.ExitReason.HLT);
    expect(cpu.reg("eax")).toBe(55);
    expect(cpu.reg("ecx")).toBe(0);
    expect(cpu.eip).toBe(0x1000 + 15);
    expect(cpu.instructions).toBe(2n + 3n * 10n + 1n);
  });

  it("returns BUDGET when the budget runs out", () => {
    const cpu = flatCpu([0xeb, 0xfe]); // jmp $
    expect(cpu.run(500)).toBe(L.ExitReason.BUDGET);
    expect(cpu.exit32(L.X.EXECUTED)).toBe(500);
    expect(cpu.eip).toBe(0x1000);
  });

  it("computes lazy flags for ADD and SUB", () => {
    // mov eax, 0x7fffffff; add eax, 1 ; hlt
    const cpu = flatCpu([0xb8, 0xff, 0xff, 0xff, 0x7f, 0x83, 0xc0, 0x01, 0xf4]);
    cpu.run(10);
    // OF, SF, AF, PF (low byte 0x00 has even parity); CF and ZF clear.
    expect(cpu.eflags & 0x8d5).toBe(0x800 | 0x80 | 0x10 | 0x4);
  });

  it("raises #UD on an undefined opcode and reports it when intercepted", () => {
    const cpu = flatCpu([0x0f, 0xff]);
    cpu.interceptExceptions(0xffffffff);
    expect(cpu.run(10)).toBe(L.ExitReason.FAULT);
    expect(cpu.exit32(L.X.VECTOR)).toBe(6);
    expect(cpu.eip).toBe(0x1000);
  });
});
