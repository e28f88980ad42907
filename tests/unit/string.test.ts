/**
 * String instructions: MOVS/STOS/LODS/SCAS/CMPS with REP/REPE/REPNE, direction, address size,
 * segment override, overlap semantics, restart after a fault in the middle, and chunked execution.
 * Oracle: architectural values worked out by hand from the SDM instruction pages.
 */
import { describe, expect, it } from "vitest";
import { flatCpu, seg, identityPaging, mapPage, EXC, L, r32, w32, CODE } from "./ctl-helpers.ts";

const HLT = 0xf4;

function bytes(n: number, f: (i: number) => number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => f(i) & 0xff);
}

describe("MOVS", () => {
  it("rep movsb copies forward and leaves the registers past the block", () => {
    const cpu = flatCpu([0xf3, 0xa4, HLT]);
    cpu.writePhys(0x2000, bytes(100, (i) => i + 1));
    cpu.setReg("esi", 0x2000); cpu.setReg("edi", 0x3000); cpu.setReg("ecx", 100);
    expect(cpu.run(100)).toBe(L.ExitReason.HLT);
    expect([...cpu.readPhys(0x3000, 101)]).toEqual([...bytes(100, (i) => i + 1), 0]);
    expect(cpu.reg("esi")).toBe(0x2064);
    expect(cpu.reg("edi")).toBe(0x3064);
    expect(cpu.reg("ecx")).toBe(0);
    expect(cpu.eip).toBe(CODE + 3);
  });

  it("movsd with DF=1 copies downwards", () => {
    const cpu = flatCpu([0xfd, 0xf3, 0xa5, HLT]);
    cpu.writePhys(0x2000, bytes(16, (i) => 0x10 + i));
    cpu.setReg("esi", 0x200c); cpu.setReg("edi", 0x300c); cpu.setReg("ecx", 4);
    cpu.run(100);
    expect([...cpu.readPhys(0x3000, 16)]).toEqual([...bytes(16, (i) => 0x10 + i)]);
    expect(cpu.reg("esi")).toBe(0x1ffc);
    expect(cpu.reg("edi")).toBe(0x2ffc);
  });

  it("rep movsb with edi = esi + 1 replicates the first byte (not memmove)", () => {
    const cpu = flatCpu([0xf3, 0xa4, HLT]);
    cpu.writePhys(0x2000, bytes(64, (i) => i + 1));
    cpu.setReg("esi", 0x2000); cpu.setReg("edi", 0x2001); cpu.setReg("ecx", 63);
    cpu.run(100);
    expect([...cpu.readPhys(0x2000, 64)]).toEqual(new Array(64).fill(1));
  });

  it("rep movsb with edi = esi + 3 repeats a 3-byte pattern", () => {
    const cpu = flatCpu([0xf3, 0xa4, HLT]);
    cpu.writePhys(0x2000, bytes(32, (i) => i + 1));
    cpu.setReg("esi", 0x2000); cpu.setReg("edi", 0x2003); cpu.setReg("ecx", 20);
    cpu.run(100);
    const want = [...bytes(32, (i) => i + 1)];
    for (let i = 0; i < 20; i++) want[3 + i] = want[i];
    expect([...cpu.readPhys(0x2000, 32)]).toEqual(want);
  });

  it("rep movsd with edi = esi + 1 copies whole dwords one at a time", () => {
    const cpu = flatCpu([0xf3, 0xa5, HLT]);
    const init = bytes(16, (i) => 0xa0 + i);
    cpu.writePhys(0x2000, init);
    cpu.setReg("esi", 0x2000); cpu.setReg("edi", 0x2001); cpu.setReg("ecx", 3);
    cpu.run(100);
    const m = [...init];
    for (let e = 0; e < 3; e++) {
      const v = m.slice(e * 4, e * 4 + 4);
      for (let b = 0; b < 4; b++) m[1 + e * 4 + b] = v[b];
    }
    expect([...cpu.readPhys(0x2000, 16)]).toEqual(m);
  });

  it("backward overlap (DF=1, edi = esi - 1) replicates the last byte", () => {
    const cpu = flatCpu([0xfd, 0xf3, 0xa4, HLT]);
    cpu.writePhys(0x2000, bytes(16, (i) => i + 1));
    cpu.setReg("esi", 0x200f); cpu.setReg("edi", 0x200e); cpu.setReg("ecx", 15);
    cpu.run(100);
    expect([...cpu.readPhys(0x2000, 16)]).toEqual(new Array(16).fill(16));
  });

  it("forward copy with the destination below the source is a plain copy", () => {
    const cpu = flatCpu([0xf3, 0xa4, HLT]);
    cpu.writePhys(0x2000, bytes(16, (i) => i + 1));
    cpu.setReg("esi", 0x2002); cpu.setReg("edi", 0x2000); cpu.setReg("ecx", 14);
    cpu.run(100);
    expect([...cpu.readPhys(0x2000, 16)]).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 15, 16]);
  });

  it("copies a large block across pages in bounded chunks (EIP stays until done)", () => {
    const n = 20000; // dwords: 80000 bytes, > 4096 iterations
    const cpu = flatCpu([0xf3, 0xa5, HLT]);
    cpu.writePhys(0x100800, bytes(n * 4, (i) => i * 7 + (i >> 8)));
    cpu.setReg("esi", 0x100800); cpu.setReg("edi", 0x200400); cpu.setReg("ecx", n);
    expect(cpu.run(1)).toBe(L.ExitReason.BUDGET);
    expect(cpu.eip).toBe(CODE);
    const left = cpu.reg("ecx");
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(n);
    expect(cpu.reg("esi") - 0x100800).toBe((n - left) * 4);
    expect(cpu.run(1000)).toBe(L.ExitReason.HLT);
    expect(cpu.reg("ecx")).toBe(0);
    expect(cpu.reg("edi")).toBe(0x200400 + n * 4);
    expect(Buffer.from(cpu.readPhys(0x200400, n * 4)).equals(Buffer.from(bytes(n * 4, (i) => i * 7 + (i >> 8))))).toBe(true);
  });

  it("uses the segment override for the source only (ES:EDI is fixed)", () => {
    // fs: rep movsb ; es: rep movsb would still write ES
    const cpu = flatCpu([0x64, 0xf3, 0xa4, 0x26, 0xa4, HLT]);
    seg(cpu, L.SEG_FS, { base: 0x10000 });
    seg(cpu, L.SEG_ES, { base: 0x20000 });
    cpu.writePhys(0x10100, Uint8Array.from([1, 2, 3, 4]));
    cpu.writePhys(0x00104, Uint8Array.from([9])); // DS:0x104: must NOT be read by es: movsb
    cpu.writePhys(0x20104, Uint8Array.from([0x55]));
    cpu.setReg("esi", 0x100); cpu.setReg("edi", 0x200); cpu.setReg("ecx", 4);
    cpu.run(100);
    expect([...cpu.readPhys(0x20200, 5)]).toEqual([1, 2, 3, 4, 0x55]);
  });

  it("16-bit address size uses SI/DI/CX and wraps them, keeping the upper halves", () => {
    // 67 f3 a4: rep movsb with SI, DI, CX
    const cpu = flatCpu([0x67, 0xf3, 0xa4, HLT]);
    cpu.writePhys(0xfffe, Uint8Array.from([0x11, 0x22]));
    cpu.writePhys(0x0000, Uint8Array.from([0x33, 0x44]));
    cpu.setReg("esi", 0xabcdfffe); cpu.setReg("edi", 0x12345000); cpu.setReg("ecx", 0x77770004);
    cpu.run(100);
    expect([...cpu.readPhys(0x5000, 4)]).toEqual([0x11, 0x22, 0x33, 0x44]);
    expect(cpu.reg("esi")).toBe(0xabcd0002);
    expect(cpu.reg("edi")).toBe(0x12345004);
    expect(cpu.reg("ecx")).toBe(0x77770000);
  });

  it("a #PF in the middle leaves the completed part and restarts cleanly", () => {
    const cpu = flatCpu([0xf3, 0xa4, HLT]);
    identityPaging(cpu, [0x31]);
    cpu.interceptExceptions(EXC(14));
    cpu.writePhys(0x20000, bytes(0x200, (i) => i ^ 0x5a));
    cpu.setReg("esi", 0x20000); cpu.setReg("edi", 0x30f00); cpu.setReg("ecx", 0x200);
    expect(cpu.run(100)).toBe(L.ExitReason.FAULT);
    expect(cpu.exit32(L.X.VECTOR)).toBe(14);
    expect(cpu.exit32(L.X.FAULT_ADDR)).toBe(0x31000);
    expect(cpu.eip).toBe(CODE);
    expect(cpu.reg("ecx")).toBe(0x100);
    expect(cpu.reg("esi")).toBe(0x20100);
    expect(cpu.reg("edi")).toBe(0x31000);
    expect([...cpu.readPhys(0x30f00, 0x100)]).toEqual([...bytes(0x100, (i) => i ^ 0x5a)]);
    mapPage(cpu, 0x31);
    expect(cpu.run(100)).toBe(L.ExitReason.HLT);
    expect(cpu.reg("ecx")).toBe(0);
    expect([...cpu.readPhys(0x31000, 0x100)]).toEqual([...bytes(0x100, (i) => (i + 0x100) ^ 0x5a)]);
  });

  it("a segment-limit fault in the middle (ES limit) reports #GP with the completed part", () => {
    const cpu = flatCpu([0xf3, 0xa5, HLT]);
    seg(cpu, L.SEG_ES, { limit: 0x300f });
    cpu.interceptExceptions(EXC(13));
    cpu.setReg("esi", 0x2000); cpu.setReg("edi", 0x3000); cpu.setReg("ecx", 8);
    w32(cpu, 0x2000, 0x11111111); w32(cpu, 0x2010, 0x55555555);
    expect(cpu.run(100)).toBe(L.ExitReason.FAULT);
    expect(cpu.exit32(L.X.VECTOR)).toBe(13);
    expect(cpu.reg("ecx")).toBe(4);
    expect(cpu.reg("edi")).toBe(0x3010);
    expect(r32(cpu, 0x3000)).toBe(0x11111111);
    expect(r32(cpu, 0x3010)).toBe(0);
    expect(cpu.eip).toBe(CODE);
  });

  it("rep with a zero count does nothing", () => {
    const cpu = flatCpu([0xf3, 0xa4, 0xf3, 0xa6, HLT]);
    cpu.eflags = 0x2 | 0x40 | 0x1; // ZF, CF
    cpu.setReg("esi", 0x2000); cpu.setReg("edi", 0x3000); cpu.setReg("ecx", 0);
    cpu.writePhys(0x2000, Uint8Array.from([7]));
    cpu.run(100);
    expect(cpu.reg("esi")).toBe(0x2000);
    expect(cpu.reg("edi")).toBe(0x3000);
    expect(cpu.readPhys(0x3000, 1)[0]).toBe(0);
    expect(cpu.eflags & 0x8d5).toBe(0x41);
  });
});

describe("STOS and LODS", () => {
  it("rep stosb fills, rep stosd stores the dword pattern", () => {
    const cpu = flatCpu([0xf3, 0xaa, 0x89, 0xc8 /* mov eax, ecx (0) */, 0xb8, 0x78, 0x56, 0x34, 0x12, 0xb9, 3, 0, 0, 0, 0xf3, 0xab, HLT]);
    cpu.setReg("eax", 0xab); cpu.setReg("edi", 0x2ff0); cpu.setReg("ecx", 0x20);
    cpu.run(100);
    expect([...cpu.readPhys(0x2ff0, 0x21)]).toEqual([...new Array(0x20).fill(0xab), 0x78]);
    expect(r32(cpu, 0x3014)).toBe(0x12345678);
    expect(r32(cpu, 0x3018)).toBe(0x12345678);
    expect(r32(cpu, 0x301c)).toBe(0);
    expect(cpu.reg("edi")).toBe(0x301c);
  });

  it("std; rep stosw writes downwards", () => {
    const cpu = flatCpu([0xfd, 0x66, 0xf3, 0xab, HLT]);
    cpu.setReg("eax", 0xbeef); cpu.setReg("edi", 0x2006); cpu.setReg("ecx", 3);
    cpu.run(100);
    expect([...cpu.readPhys(0x2000, 10)]).toEqual([0, 0, 0xef, 0xbe, 0xef, 0xbe, 0xef, 0xbe, 0, 0]);
    expect(cpu.reg("edi")).toBe(0x2000);
  });

  it("lodsw loads AX and advances ESI; rep lods keeps the last element", () => {
    const cpu = flatCpu([0x66, 0xad, 0xf3, 0xac, HLT]);
    cpu.writePhys(0x2000, Uint8Array.from([0x34, 0x12, 5, 6, 7]));
    cpu.setReg("eax", 0xffffffff); cpu.setReg("esi", 0x2000); cpu.setReg("ecx", 3);
    cpu.run(100);
    expect(cpu.reg("eax")).toBe(0xffff1207);
    expect(cpu.reg("esi")).toBe(0x2005);
  });
});

describe("SCAS and CMPS", () => {
  it("repne scasb finds the terminator (strlen)", () => {
    const cpu = flatCpu([0xf2, 0xae, HLT]);
    cpu.writePhys(0x2000, new TextEncoder().encode("hello, world\0"));
    cpu.setReg("eax", 0); cpu.setReg("edi", 0x2000); cpu.setReg("ecx", 0xffffffff);
    cpu.run(100);
    expect(cpu.reg("edi")).toBe(0x200d);
    expect(~cpu.reg("ecx") - 1 >>> 0).toBe(12);
    expect(cpu.eflags & 0x40).toBe(0x40);
  });

  it("repe scasd stops at the first different dword with the flags of that comparison", () => {
    const cpu = flatCpu([0xf3, 0xaf, HLT]);
    w32(cpu, 0x2000, 5); w32(cpu, 0x2004, 5); w32(cpu, 0x2008, 7); w32(cpu, 0x200c, 5);
    cpu.setReg("eax", 5); cpu.setReg("edi", 0x2000); cpu.setReg("ecx", 4);
    cpu.run(100);
    expect(cpu.reg("edi")).toBe(0x200c);
    expect(cpu.reg("ecx")).toBe(1);
    // 5 - 7: CF, SF, AF set, ZF clear
    expect(cpu.eflags & 0x8d5).toBe(0x1 | 0x80 | 0x10 | 0x4 * 0);
  });

  it("repe cmpsb stops at the mismatch; flags are source minus destination", () => {
    const cpu = flatCpu([0xf3, 0xa6, HLT]);
    cpu.writePhys(0x2000, new TextEncoder().encode("abcdef"));
    cpu.writePhys(0x3000, new TextEncoder().encode("abcxef"));
    cpu.setReg("esi", 0x2000); cpu.setReg("edi", 0x3000); cpu.setReg("ecx", 6);
    cpu.run(100);
    expect(cpu.reg("esi")).toBe(0x2004);
    expect(cpu.reg("edi")).toBe(0x3004);
    expect(cpu.reg("ecx")).toBe(2);
    expect(cpu.eflags & 0x41).toBe(0x1); // 'd' < 'x': CF, not ZF
  });

  it("repe cmpsd over equal buffers runs to the end with ZF=1", () => {
    const cpu = flatCpu([0xf3, 0xa7, HLT]);
    cpu.writePhys(0x2ff8, bytes(64, (i) => i));
    cpu.writePhys(0x5ff0, bytes(64, (i) => i));
    cpu.setReg("esi", 0x2ff8); cpu.setReg("edi", 0x5ff0); cpu.setReg("ecx", 16);
    cpu.run(100);
    expect(cpu.reg("ecx")).toBe(0);
    expect(cpu.reg("esi")).toBe(0x3038);
    expect(cpu.eflags & 0x40).toBe(0x40);
  });

  it("repne cmpsb stops at the first equal byte", () => {
    const cpu = flatCpu([0xf2, 0xa6, HLT]);
    cpu.writePhys(0x2000, Uint8Array.from([1, 2, 3, 4]));
    cpu.writePhys(0x3000, Uint8Array.from([9, 9, 3, 9]));
    cpu.setReg("esi", 0x2000); cpu.setReg("edi", 0x3000); cpu.setReg("ecx", 4);
    cpu.run(100);
    expect(cpu.reg("ecx")).toBe(1);
    expect(cpu.reg("esi")).toBe(0x2003);
    expect(cpu.eflags & 0x40).toBe(0x40);
  });

  it("single cmpsb without REP compares once", () => {
    const cpu = flatCpu([0xa6, HLT]);
    cpu.writePhys(0x2000, Uint8Array.from([0x80]));
    cpu.writePhys(0x3000, Uint8Array.from([0x01]));
    cpu.setReg("esi", 0x2000); cpu.setReg("edi", 0x3000); cpu.setReg("ecx", 9);
    cpu.run(100);
    expect(cpu.reg("ecx")).toBe(9);
    expect(cpu.eflags & 0x8d5).toBe(0x800 | 0x10); // 0x80 - 0x01 = 0x7f: OF, AF; PF(0x7f has 7 bits) clear
  });
});

describe("faults in the middle of other REP forms", () => {
  it("std; rep stosd faulting on the page below leaves the completed part", () => {
    const cpu = flatCpu([0xfd, 0xf3, 0xab, HLT]);
    identityPaging(cpu, [0x40]);
    cpu.interceptExceptions(EXC(14));
    cpu.setReg("eax", 0xa5a5a5a5); cpu.setReg("edi", 0x41008); cpu.setReg("ecx", 10);
    expect(cpu.run(100)).toBe(L.ExitReason.FAULT);
    expect(cpu.exit32(L.X.FAULT_ADDR)).toBe(0x40ffc);
    expect(cpu.reg("ecx")).toBe(7); // 0x41008, 0x41004, 0x41000 done
    expect(cpu.reg("edi")).toBe(0x40ffc);
    expect(r32(cpu, 0x41000)).toBe(0xa5a5a5a5);
    expect(cpu.eip).toBe(CODE + 1);
    expect(cpu.eflags & 0x400).toBe(0x400);
  });

  it("repne scasb running into an absent page keeps the count of compared bytes", () => {
    const cpu = flatCpu([0xf2, 0xae, HLT]);
    identityPaging(cpu, [0x43]);
    cpu.interceptExceptions(EXC(14));
    cpu.writePhys(0x42ff0, new Uint8Array(16).fill(7));
    cpu.setReg("eax", 0); cpu.setReg("edi", 0x42ff0); cpu.setReg("ecx", 100);
    expect(cpu.run(100)).toBe(L.ExitReason.FAULT);
    expect(cpu.reg("ecx")).toBe(84);
    expect(cpu.reg("edi")).toBe(0x43000);
    expect(cpu.eip).toBe(CODE);
  });

  it("67 repne scasb uses DI/CX", () => {
    const cpu = flatCpu([0x67, 0xf2, 0xae, HLT]);
    cpu.writePhys(0x0000, Uint8Array.from([1, 2, 0x33]));
    cpu.writePhys(0xfffe, Uint8Array.from([1, 2]));
    cpu.setReg("eax", 0x33); cpu.setReg("edi", 0x7777fffe); cpu.setReg("ecx", 0x88880010);
    cpu.run(100);
    expect(cpu.reg("edi")).toBe(0x77770003);
    expect(cpu.reg("ecx")).toBe(0x8888000b);
  });
});

