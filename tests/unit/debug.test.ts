/**
 * Gaps closed against the SDM oracle (guest kernels vs Bochs): 4 MiB PDE reserved bits without
 * PSE-36, PAE PDPTE loading (#GP(0) on MOV to CR3), debug registers (execute and data breakpoints,
 * DR7.GD, RF), the TSS T flag, INT1 delivery faults, and alignment checking (#AC).
 * Oracle: the SDM (vol. 3 4.3/4.4.1, 6.15, 7.2.1, 18.2-18.3), values worked by hand.
 */
import { describe, expect, it } from "vitest";
import { flatCpu, identityPaging, w32, r32, EXC, L } from "./ctl-helpers.ts";
import type { Cpu } from "../../host/core/cpu.ts";

const PD = 0x100000;
const FAULT = L.ExitReason.FAULT, HLT = L.ExitReason.HLT;

function exc(cpu: Cpu) {
  return { exit: cpu.exit32(L.X.REASON), vector: cpu.exit32(L.X.VECTOR), err: cpu.exit32(L.X.ERROR_CODE) };
}

describe("4 MiB pages without PSE-36", () => {
  it("CPUID.1:EDX does not advertise PSE-36 (bit 17)", () => {
    const cpu = flatCpu([0x0f, 0xa2, 0xf4]); // cpuid; hlt
    cpu.setReg("eax", 1);
    expect(cpu.run(10)).toBe(HLT);
    expect(cpu.reg("edx") & (1 << 17)).toBe(0);
    expect(cpu.reg("edx") & (1 << 3)).toBe(8); // PSE
  });

  it("a 4 MiB PDE with bit 21 (or 13) set: #PF err P|RSVD (9), CR2 = address", () => {
    for (const bit of [21, 13]) {
      const cpu = flatCpu([0x8b, 0x03, 0xf4]); // mov eax,[ebx]; hlt
      identityPaging(cpu);
      w32(cpu, PD + 4 * 5, (0x400000 | (1 << bit) | 0x87) >>> 0); // 20-24 MiB -> 4 MiB page
      cpu.setState32(L.S.CR4, 0x10); cpu.core.refresh();
      cpu.interceptExceptions(EXC(14));
      cpu.setReg("ebx", 0x1400010); cpu.setReg("eax", 0x55);
      expect(cpu.run(10)).toBe(FAULT);
      expect(exc(cpu)).toEqual({ exit: FAULT, vector: 14, err: 9 });
      expect(cpu.stateU32(L.S.CR2)).toBe(0x1400010);
      expect(cpu.reg("eax")).toBe(0x55);
      expect(r32(cpu, PD + 4 * 5) & 0x20).toBe(0); // not accessed
    }
  });

  it("bit 12 (PAT) is not reserved", () => {
    const cpu = flatCpu([0x8b, 0x03, 0xf4]);
    identityPaging(cpu);
    w32(cpu, PD + 4 * 1, 0x00001087); // 4-8 MiB -> physical 0, PAT bit set
    cpu.setState32(L.S.CR4, 0x10); cpu.core.refresh();
    w32(cpu, 0x2468, 0xfeedbeef);
    cpu.setReg("ebx", 0x402468);
    expect(cpu.run(10)).toBe(HLT);
    expect(cpu.reg("eax")).toBe(0xfeedbeef);
  });
});
