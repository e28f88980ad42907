/**
 * Gaps closed against the SDM oracle (guest kernels vs Bochs): 4 MiB PDE reserved bits without
 * PSE-36, PAE PDPTE loading (#GP(0) on MOV to CR3), debug registers (execute and data breakpoints,
 * DR7.GD, RF), the TSS T flag, INT1 delivery faults, and alignment checking (#AC).
 * Oracle: the SDM (vol. 3 4.3/4.4.1, 6.15, 7.2.1, 18.2-18.3), values worked by hand.
 */
import { describe, expect, it } from "vitest";
import { flatCpu, identityPaging, w32, r32, EXC, L } from "./ctl-helpers.ts";
import type { Cpu } from "../../host/core/cpu.ts";
import { protectedCpu, segDesc, gateDesc, enterUser, CODE, KSTACK, USTACK, KCS, KDS, UCS, TSS, TSS_SEL, GDT } from "./sys-helpers.ts";

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

describe("PAE PDPTE registers (SDM 4.4.1)", () => {
  const PDPT = 0x102000, PDPT_BAD = 0x102100, PD2 = 0x103000, PD3 = 0x104000;
  /** PAE paging on, 2 MiB identity pages for 0-16 MiB through PD2; PD3 maps 2-4 MiB to 4 MiB. */
  function pae(cpu: Cpu) {
    w32(cpu, PDPT, PD2 | 1);
    for (let i = 0; i < 8; i++) { w32(cpu, PD2 + i * 8, (i << 21) | 0x87); w32(cpu, PD3 + i * 8, ((i ? i + 1 : 0) << 21) | 0x87); }
    w32(cpu, PDPT_BAD, PD2 | 1);
    w32(cpu, PDPT_BAD + 8, PD2 | 3); // bit 1 reserved, present
    cpu.setState32(L.S.CR3, PDPT);
    cpu.setState32(L.S.CR4, 0x20);
    cpu.setState32(L.S.CR0, (cpu.stateU32(L.S.CR0) | 0x80000001) >>> 0);
    cpu.core.refresh();
  }

  it("MOV CR3 with a present PDPTE that has bit 1 set: #GP(0), CR3 unchanged", () => {
    const cpu = flatCpu([0x0f, 0x22, 0xd8, 0xf4]); // mov cr3,eax; hlt
    pae(cpu);
    cpu.interceptExceptions(EXC(13));
    cpu.setReg("eax", PDPT_BAD);
    expect(cpu.run(10)).toBe(FAULT);
    expect(exc(cpu)).toEqual({ exit: FAULT, vector: 13, err: 0 });
    expect(cpu.stateU32(L.S.CR3)).toBe(PDPT);
    expect(cpu.eip).toBe(0x1000);
  });

  it("a not-present PDPTE may hold anything; bits 9-11 are ignored", () => {
    const cpu = flatCpu([0x0f, 0x22, 0xd8, 0xf4]);
    pae(cpu);
    w32(cpu, PDPT_BAD + 8, 0xfffffffe); // not present
    w32(cpu, PDPT_BAD + 16, PD2 | 0xe01);
    cpu.setReg("eax", PDPT_BAD);
    expect(cpu.run(10)).toBe(HLT);
    expect(cpu.stateU32(L.S.CR3)).toBe(PDPT_BAD);
    expect(cpu.stateU32(L.S.PDPTE + 16)).toBe(PD2 | 0xe01);
  });

  it("MOV CR0 enabling paging with PAE loads and checks the PDPTEs", () => {
    const cpu = flatCpu([0x0f, 0x22, 0xc0, 0xf4]); // mov cr0,eax; hlt
    w32(cpu, PDPT_BAD, PD2 | 1); w32(cpu, PDPT_BAD + 8, PD2 | 0x41); // bit 6 reserved
    cpu.setState32(L.S.CR3, PDPT_BAD); cpu.setState32(L.S.CR4, 0x20); cpu.core.refresh();
    cpu.interceptExceptions(EXC(13));
    const cr0 = cpu.stateU32(L.S.CR0);
    cpu.setReg("eax", (cr0 | 0x80000000) >>> 0);
    expect(cpu.run(10)).toBe(FAULT);
    expect(exc(cpu).vector).toBe(13);
    expect(cpu.stateU32(L.S.CR0)).toBe(cr0);
  });

  it("MOV CR4 setting PAE while paging is on checks the PDPTEs at CR3", () => {
    const cpu = flatCpu([0x0f, 0x22, 0xe0, 0xf4]); // mov cr4,eax; hlt
    identityPaging(cpu);
    w32(cpu, PD + 4, 0); w32(cpu, PD + 8, 0x100000 | 0x101); // PD used as PDPT: entry 1 = PD | P | bit 8
    cpu.interceptExceptions(EXC(13));
    cpu.setReg("eax", 0x20);
    expect(cpu.run(10)).toBe(FAULT);
    expect(exc(cpu).vector).toBe(13);
    expect(cpu.stateU32(L.S.CR4)).toBe(0);
  });

  it("walks use the loaded registers: a PDPT edited in memory takes effect at the next CR3 load", () => {
    // mov eax,[ebx]; mov cr3,ecx; mov edx,[ebx]; hlt
    const cpu = flatCpu([0x8b, 0x03, 0x0f, 0x22, 0xd9, 0x8b, 0x13, 0xf4]);
    pae(cpu);
    w32(cpu, 0x200100, 0x11111111); w32(cpu, 0x400100, 0x22222222);
    w32(cpu, PDPT, PD3 | 1); // memory now points at PD3, the register still at PD2
    cpu.setReg("ebx", 0x200100); cpu.setReg("ecx", PDPT);
    expect(cpu.run(10)).toBe(HLT);
    expect(cpu.reg("eax")).toBe(0x11111111);
    expect(cpu.reg("edx")).toBe(0x22222222);
  });
});

describe("INT1 (ICEBP, F1)", () => {
  it("delivers #DB as a trap: the pushed EIP follows the F1", () => {
    const s = protectedCpu();
    s.idt(1, gateDesc(KCS, 0x4000, 0xe, 0));
    s.code(CODE, [0xf1]);
    s.code(0x4000, [0xf4]);
    expect(s.cpu.run(5)).toBe(HLT);
    expect(s.r32(KSTACK - 12)).toBe(CODE + 1);
  });

  it("a fault while delivering it (#NP on the gate's CS) has EXT=1 and the F1's own EIP", () => {
    const s = protectedCpu();
    s.gdt(0x30, segDesc(0, 0xffffffff, 0xb, 0, { present: false }));
    s.idt(1, gateDesc(0x30, 0x4000, 0xe, 0));
    s.code(CODE, [0x90, 0xf1]);
    s.cpu.interceptExceptions(EXC(11));
    expect(s.cpu.run(5)).toBe(FAULT);
    expect([s.exitVector(), s.exitError()]).toEqual([11, 0x31]);
    expect(s.cpu.eip).toBe(CODE + 1);
  });
});
