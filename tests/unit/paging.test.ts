/**
 * Paging and the TLB (SDM vol. 3, ch. 4): 2-level, PSE and PAE walks, #PF error codes and CR2,
 * accessed/dirty bits, CR0.WP, NX, reserved bits, page-crossing writes, and the TLB flush rules.
 * Oracle: the SDM's error-code definition (4.7) worked by hand for each case.
 */
import { describe, expect, it } from "vitest";
import { flatCpu, identityPaging, w32, r32, EXC, L } from "./ctl-helpers.ts";
import type { Cpu } from "../../host/core/cpu.ts";

const PD = 0x100000, PT = 0x101000;
const FAULT = L.ExitReason.FAULT, HLT = L.ExitReason.HLT;
const MOV_EAX_EBX = [0x8b, 0x03, 0xf4]; // mov eax,[ebx]; hlt
const MOV_EBX_EAX = [0x89, 0x03, 0xf4]; // mov [ebx],eax; hlt

function pf(cpu: Cpu) {
  return { exit: cpu.exit32(L.X.REASON), vector: cpu.exit32(L.X.VECTOR), err: cpu.exit32(L.X.ERROR_CODE), cr2: cpu.stateU32(L.S.CR2) };
}
function setPte(cpu: Cpu, page: number, v: number) { w32(cpu, PT + page * 4, v); }
function enableWP(cpu: Cpu) { cpu.setState32(L.S.CR0, (cpu.stateU32(L.S.CR0) | 0x10000) >>> 0); cpu.core.refresh(); }

describe("2-level paging", () => {
  it("not-present read: #PF err 0, CR2 = address, EAX unchanged", () => {
    const cpu = flatCpu(MOV_EAX_EBX);
    identityPaging(cpu, [0x300]);
    cpu.interceptExceptions(EXC(14));
    cpu.setReg("ebx", 0x300123); cpu.setReg("eax", 0x55);
    expect(cpu.run(10)).toBe(FAULT);
    expect(pf(cpu)).toEqual({ exit: FAULT, vector: 14, err: 0, cr2: 0x300123 });
    expect(cpu.reg("eax")).toBe(0x55);
    expect(cpu.eip).toBe(0x1000);
  });

  it("not-present write: err 2", () => {
    const cpu = flatCpu(MOV_EBX_EAX);
    identityPaging(cpu, [0x300]);
    cpu.interceptExceptions(EXC(14));
    cpu.setReg("ebx", 0x300ffc);
    cpu.run(10);
    expect(pf(cpu).err).toBe(2);
    expect(pf(cpu).cr2).toBe(0x300ffc);
  });

  it("user read of a supervisor page: err 5; user write of a read-only page: err 7", () => {
    const cpu = flatCpu(MOV_EAX_EBX, 3);
    identityPaging(cpu);
    setPte(cpu, 0x300, 0x300000 | 1); // present, supervisor, read-only
    cpu.interceptExceptions(EXC(14));
    cpu.setReg("ebx", 0x300010);
    cpu.run(10);
    expect(pf(cpu).err).toBe(5);
    const w = flatCpu(MOV_EBX_EAX, 3);
    identityPaging(w);
    setPte(w, 0x300, 0x300000 | 5); // present, user, read-only
    w.interceptExceptions(EXC(14));
    w.setReg("ebx", 0x300010);
    w.run(10);
    expect(pf(w).err).toBe(7);
  });

  it("supervisor write to a read-only page: allowed with CR0.WP=0, err 3 with WP=1", () => {
    const cpu = flatCpu(MOV_EBX_EAX);
    identityPaging(cpu);
    setPte(cpu, 0x300, 0x300000 | 5);
    cpu.setReg("ebx", 0x300010); cpu.setReg("eax", 0xabcd);
    expect(cpu.run(10)).toBe(HLT);
    expect(r32(cpu, 0x300010)).toBe(0xabcd);
    const wp = flatCpu(MOV_EBX_EAX);
    identityPaging(wp);
    setPte(wp, 0x300, 0x300000 | 5);
    enableWP(wp);
    wp.interceptExceptions(EXC(14));
    wp.setReg("ebx", 0x300010); wp.setReg("eax", 0xabcd);
    expect(wp.run(10)).toBe(FAULT);
    expect(pf(wp).err).toBe(3);
    expect(r32(wp, 0x300010)).toBe(0);
  });

  it("sets accessed on a read and dirty on a write, in PDE and PTE", () => {
    const cpu = flatCpu([0x8b, 0x03, 0x89, 0x0a, 0xf4]); // mov eax,[ebx]; mov [edx],ecx; hlt
    identityPaging(cpu);
    setPte(cpu, 0x300, 0x300000 | 7);
    setPte(cpu, 0x301, 0x301000 | 7);
    w32(cpu, PD, PT | 7);
    cpu.setReg("ebx", 0x300000); cpu.setReg("edx", 0x301000);
    expect(cpu.run(10)).toBe(HLT);
    expect(r32(cpu, PD) & 0x60).toBe(0x20); // PDE: accessed (dirty is not set in a PDE that points to a table)
    expect(r32(cpu, PT + 0x300 * 4) & 0x60).toBe(0x20); // read: A only
    expect(r32(cpu, PT + 0x301 * 4) & 0x60).toBe(0x60); // written: A and D
  });

  it("a write first cached by a read still sets the dirty bit", () => {
    const cpu = flatCpu([0x8b, 0x03, 0x89, 0x03, 0xf4]); // mov eax,[ebx]; mov [ebx],eax
    identityPaging(cpu);
    cpu.setReg("ebx", 0x300000);
    cpu.run(10);
    expect(r32(cpu, PT + 0x300 * 4) & 0x60).toBe(0x60);
  });

  it("a page-crossing write whose second page is absent faults with CR2 on the second page and writes nothing", () => {
    const cpu = flatCpu(MOV_EBX_EAX);
    identityPaging(cpu, [0x301]);
    cpu.interceptExceptions(EXC(14));
    cpu.setReg("ebx", 0x300ffe); cpu.setReg("eax", 0x11223344);
    expect(cpu.run(10)).toBe(FAULT);
    expect(pf(cpu)).toMatchObject({ vector: 14, err: 2, cr2: 0x301000 });
    expect([...cpu.readPhys(0x300ffe, 2)]).toEqual([0, 0]);
  });

  it("maps 4 MiB pages with CR4.PSE", () => {
    const cpu = flatCpu(MOV_EAX_EBX);
    identityPaging(cpu);
    w32(cpu, PD + 4 * 1, 0x00000000 | 0x87); // 4-8 MiB linear -> physical 0 (PS, U, W, P)
    cpu.setState32(L.S.CR4, 0x10); cpu.core.refresh();
    w32(cpu, 0x2468, 0xfeedbeef);
    cpu.setReg("ebx", 0x400000 + 0x2468);
    expect(cpu.run(10)).toBe(HLT);
    expect(cpu.reg("eax")).toBe(0xfeedbeef);
    expect(r32(cpu, PD + 4) & 0x20).toBe(0x20);
  });
});

describe("PAE paging", () => {
  /** PDPT at 0x102000, one PD at 0x103000 covering 0-1 GiB, 2 MiB identity pages. */
  function pae(cpu: Cpu, nxe: boolean) {
    const PDPT = 0x102000, PD2 = 0x103000;
    w32(cpu, PDPT, PD2 | 1);
    for (let i = 0; i < 8; i++) { w32(cpu, PD2 + i * 8, (i << 21) | 0x87); w32(cpu, PD2 + i * 8 + 4, 0); }
    cpu.setState32(L.S.CR3, PDPT);
    cpu.setState32(L.S.CR4, 0x20);
    if (nxe) cpu.setState32(L.S.EFER, 0x800);
    cpu.setState32(L.S.CR0, (cpu.stateU32(L.S.CR0) | 0x80000001) >>> 0);
    cpu.core.refresh();
    return PD2;
  }

  it("translates through 2 MiB pages", () => {
    const cpu = flatCpu(MOV_EAX_EBX);
    pae(cpu, false);
    w32(cpu, 0x345678, 0x1234abcd);
    cpu.setReg("ebx", 0x345678);
    expect(cpu.run(10)).toBe(HLT);
    expect(cpu.reg("eax")).toBe(0x1234abcd);
  });

  it("an instruction fetch from an NX page: err 0x11 (P | I/D)", () => {
    const cpu = flatCpu([0xf4]);
    const pd = pae(cpu, true);
    w32(cpu, pd + 8 * 2 + 4, 0x80000000); // 4-6 MiB: XD
    cpu.writePhys(0x400000, Uint8Array.from([0xf4]));
    cpu.eip = 0x400000;
    cpu.interceptExceptions(EXC(14));
    expect(cpu.run(10)).toBe(FAULT);
    expect(pf(cpu)).toMatchObject({ vector: 14, err: 0x11, cr2: 0x400000 });
  });

  it("the XD bit is reserved without EFER.NXE: err 9 (P | RSVD) on a read", () => {
    const cpu = flatCpu(MOV_EAX_EBX);
    const pd = pae(cpu, false);
    w32(cpu, pd + 8 * 2 + 4, 0x80000000);
    cpu.interceptExceptions(EXC(14));
    cpu.setReg("ebx", 0x400004);
    expect(cpu.run(10)).toBe(FAULT);
    expect(pf(cpu)).toMatchObject({ vector: 14, err: 9, cr2: 0x400004 });
  });
});

describe("TLB flush rules", () => {
  it("keeps global entries across a non-global flush and drops the rest", () => {
    const cpu = flatCpu(MOV_EAX_EBX);
    identityPaging(cpu);
    cpu.setState32(L.S.CR4, 0x80); cpu.core.refresh(); // PGE
    setPte(cpu, 0x300, 0x300000 | 0x107); // global
    setPte(cpu, 0x301, 0x301000 | 7);
    w32(cpu, 0x300000, 1); w32(cpu, 0x301000, 2); w32(cpu, 0x302000, 3);
    const read = (addr: number) => { cpu.eip = 0x1000; cpu.setReg("ebx", addr); cpu.setState32(L.S.HALTED, 0); cpu.run(10); return cpu.reg("eax"); };
    expect(read(0x300000)).toBe(1);
    expect(read(0x301000)).toBe(2);
    // Remap both pages to 0x302000 in memory without flushing: cached translations stay in use.
    setPte(cpu, 0x300, 0x302000 | 0x107);
    setPte(cpu, 0x301, 0x302000 | 7);
    expect(read(0x300000)).toBe(1);
    expect(read(0x301000)).toBe(2);
    cpu.core.flushTlb(1); // as a CR3 write does: global entries survive
    expect(read(0x300000)).toBe(1);
    expect(read(0x301000)).toBe(3);
    cpu.core.flushTlb(0); // as a CR4.PGE toggle does
    expect(read(0x300000)).toBe(3);
  });
});
