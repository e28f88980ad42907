/**
 * System family, part 3: port I/O with IOPL and the TSS bitmap, CLI/STI, descriptor-table and
 * control-register instructions, LAR/LSL/VERR/ARPL, CPUID, MSRs, RDTSC, SYSENTER/SYSEXIT.
 * Oracle: the SDM instruction pages, values worked out by hand.
 */
import { describe, expect, it } from "vitest";
import * as L from "../../host/isa/layout.ts";
import { protectedCpu, segDesc, enterUser, CODE, KSTACK, USTACK, KCS, KDS, UCS, UDS, TSS } from "./sys-helpers.ts";

const GP = 13, UD = 6;

describe("port I/O", () => {
  it("OUT exits after completing; IN exits and is replayed with the host's value", () => {
    const s = protectedCpu();
    s.cpu.setReg("eax", 0x1234abcd);
    s.code(CODE, [0xe6, 0x80, 0x66, 0xed, 0xf4]); // out 0x80, al; in ax, dx
    s.cpu.setReg("edx", 0x3f8);
    expect(s.cpu.run(5)).toBe(L.ExitReason.IO);
    expect([s.cpu.exit32(L.X.PORT), s.cpu.exit32(L.X.SIZE), s.cpu.exit32(L.X.IS_OUT), s.cpu.exit32(L.X.VALUE)]).toEqual([0x80, 1, 1, 0xcd]);
    expect(s.cpu.eip).toBe(CODE + 2);
    expect(s.cpu.run(5)).toBe(L.ExitReason.IO);
    expect([s.cpu.exit32(L.X.PORT), s.cpu.exit32(L.X.SIZE), s.cpu.exit32(L.X.IS_OUT)]).toEqual([0x3f8, 2, 0]);
    expect(s.cpu.eip).toBe(CODE + 2);
    s.cpu.answerIn(0x5566);
    expect(s.cpu.run(5)).toBe(L.ExitReason.HLT);
    expect(s.cpu.reg("eax")).toBe(0x12345566);
  });

  it("at CPL 3 with IOPL 0 the TSS bitmap decides, every bit of the access counts", () => {
    const s = protectedCpu();
    s.cpu.ram[TSS + 0x68 + (0x80 >> 3)] = 0xfe; // port 0x80 allowed, 0x81 denied
    s.code(0x3000, [0xe6, 0x80, 0x66, 0xe7, 0x80]); // out 0x80, al; out 0x80, ax (0x80-0x81)
    enterUser(s, 0x3000);
    expect(s.cpu.run(5)).toBe(L.ExitReason.IO);
    s.cpu.interceptExceptions(1 << GP);
    expect(s.cpu.run(5)).toBe(L.ExitReason.FAULT);
    expect([s.cpu.exit32(L.X.VECTOR), s.cpu.exit32(L.X.ERROR_CODE)]).toEqual([GP, 0]);
    expect(s.cpu.eip).toBe(0x3002);
  });

  it("a port beyond the TSS limit is denied; IOPL 3 bypasses the bitmap", () => {
    const s = protectedCpu();
    s.code(0x3000, [0x66, 0xba, 0xff, 0xff, 0xec]); // mov dx, 0xffff; in al, dx
    const tr = L.STATE + L.S.SEGS + L.SEG_TR * L.SEG_SIZE;
    new DataView(s.cpu.memory.buffer).setUint32(tr + L.SEG.LIMIT, 0x68 + 0x100, true);
    enterUser(s, 0x3000);
    s.cpu.interceptExceptions(1 << GP);
    expect(s.cpu.run(5)).toBe(L.ExitReason.FAULT);
    const t = protectedCpu();
    t.code(0x3000, [0x66, 0xba, 0xff, 0xff, 0xec]);
    enterUser(t, 0x3000, USTACK, 0x3202);
    expect(t.cpu.run(5)).toBe(L.ExitReason.IO);
  });

  it("REP OUTSB moves one element per exit and stays on the instruction", () => {
    const s = protectedCpu();
    s.cpu.writePhys(0x6000, Uint8Array.from([1, 2, 3]));
    s.cpu.setReg("esi", 0x6000); s.cpu.setReg("ecx", 3); s.cpu.setReg("edx", 0xe9);
    s.code(CODE, [0xf3, 0x6e, 0xf4]);
    const got: number[] = [];
    for (let i = 0; i < 3; i++) { expect(s.cpu.run(5)).toBe(L.ExitReason.IO); got.push(s.cpu.exit32(L.X.VALUE)); }
    expect(got).toEqual([1, 2, 3]);
    expect(s.cpu.run(5)).toBe(L.ExitReason.HLT);
    expect(s.cpu.reg("ecx")).toBe(0);
    expect(s.cpu.reg("esi")).toBe(0x6003);
  });
});

describe("CLI/STI", () => {
  it("CLI at CPL 3 with IOPL 0 is #GP(0); with IOPL 3 it clears IF; STI sets the shadow only if IF was 0", () => {
    const s = protectedCpu();
    s.code(0x3000, [0xfa]);
    enterUser(s, 0x3000);
    s.cpu.interceptExceptions(1 << GP);
    expect(s.cpu.run(5)).toBe(L.ExitReason.FAULT);
    const t = protectedCpu();
    t.code(0x3000, [0xfa, 0xfb, 0xfb]);
    enterUser(t, 0x3000, USTACK, 0x3202);
    t.cpu.run(1);
    expect(t.cpu.eflags & 0x200).toBe(0);
    t.cpu.run(1);
    expect(t.cpu.eflags & 0x200).toBe(0x200);
    expect(t.cpu.state32(L.S.INT_SHADOW)).toBe(1);
    t.cpu.run(1);
    expect(t.cpu.state32(L.S.INT_SHADOW)).toBe(0);
  });
});

describe("descriptor tables and control registers", () => {
  it("LGDT/SGDT round-trip; a 16-bit LGDT loads a 24-bit base", () => {
    const s = protectedCpu();
    s.cpu.writePhys(0x6000, Uint8Array.from([0xff, 0x01, 0x78, 0x56, 0x34, 0x12]));
    // lgdt [0x6000]; sgdt [0x6010]; o16 lidt [0x6000]; hlt
    s.code(CODE, [0x0f, 0x01, 0x15, 0, 0x60, 0, 0, 0x0f, 0x01, 0x05, 0x10, 0x60, 0, 0, 0x66, 0x0f, 0x01, 0x1d, 0, 0x60, 0, 0, 0xf4]);
    s.cpu.run(10);
    expect(s.cpu.stateU32(L.S.GDTR_BASE)).toBe(0x12345678);
    expect(s.cpu.stateU32(L.S.GDTR_LIMIT)).toBe(0x1ff);
    expect(Array.from(s.cpu.readPhys(0x6010, 6))).toEqual([0xff, 0x01, 0x78, 0x56, 0x34, 0x12]);
    expect(s.cpu.stateU32(L.S.IDTR_BASE)).toBe(0x345678);
  });

  it("MOV CR0 with PG and no PE is #GP(0); CR4 reserved bits #GP(0); CR3 round-trips", () => {
    const s = protectedCpu();
    s.cpu.interceptExceptions(1 << GP);
    s.cpu.setReg("eax", 0x80000000);
    s.code(CODE, [0x0f, 0x22, 0xc0]);
    expect(s.cpu.run(5)).toBe(L.ExitReason.FAULT);
    s.cpu.setReg("eax", 1); // VME: not supported
    s.code(CODE, [0x0f, 0x22, 0xe0]);
    s.cpu.eip = CODE;
    expect(s.cpu.run(5)).toBe(L.ExitReason.FAULT);
    s.cpu.setReg("eax", 0x00123000);
    s.code(CODE, [0x0f, 0x22, 0xd8, 0x0f, 0x20, 0xd9, 0xf4]); // mov cr3, eax; mov ecx, cr3
    s.cpu.eip = CODE;
    expect(s.cpu.run(5)).toBe(L.ExitReason.HLT);
    expect(s.cpu.reg("ecx")).toBe(0x00123000);
  });

  it("privileged instructions at CPL 3 are #GP(0); MOV CR1 is #UD", () => {
    for (const code of [[0x0f, 0x20, 0xc0], [0x0f, 0x01, 0x15, 0, 0x60, 0, 0], [0x0f, 0x06], [0x0f, 0x32], [0xf4]]) {
      const s = protectedCpu();
      s.code(0x3000, code);
      enterUser(s, 0x3000);
      s.cpu.interceptExceptions(1 << GP);
      expect(s.cpu.run(5)).toBe(L.ExitReason.FAULT);
      expect(s.cpu.exit32(L.X.VECTOR)).toBe(GP);
    }
    const s = protectedCpu();
    s.cpu.interceptExceptions(1 << UD);
    s.code(CODE, [0x0f, 0x22, 0xc8]);
    expect(s.cpu.run(5)).toBe(L.ExitReason.FAULT);
    expect(s.cpu.exit32(L.X.VECTOR)).toBe(UD);
  });

  it("LMSW cannot clear PE; SMSW r32 returns CR0; CLTS clears TS", () => {
    const s = protectedCpu();
    s.cpu.setState32(L.S.CR0, 0x60000019);
    s.cpu.setReg("eax", 0xfffe);
    // lmsw ax; smsw ecx; clts; mov edx, cr0; hlt
    s.code(CODE, [0x0f, 0x01, 0xf0, 0x0f, 0x01, 0xe1, 0x0f, 0x06, 0x0f, 0x20, 0xc2, 0xf4]);
    s.cpu.run(10);
    expect(s.cpu.reg("ecx")).toBe(0x6000001f);
    expect(s.cpu.reg("edx")).toBe(0x60000017);
  });

  it("LTR marks the TSS busy; STR and SLDT read the selectors; LLDT loads the LDT", () => {
    const s = protectedCpu();
    s.gdt(0x30, segDesc(0x30000, 0x67, 0x9, 0, { s: false, big: false }));
    s.gdt(0x38, segDesc(0x31000, 0xff, 0x2, 0, { s: false, big: false }));
    // mov ax, 0x30; ltr ax; mov ax, 0x38; lldt ax; str ecx; sldt edx; hlt
    s.code(CODE, [...[0x66, 0xb8, 0x30, 0], 0x0f, 0x00, 0xd8, ...[0x66, 0xb8, 0x38, 0], 0x0f, 0x00, 0xd0, 0x0f, 0x00, 0xc9, 0x0f, 0x00, 0xc2, 0xf4]);
    s.cpu.setReg("ecx", 0xffffffff);
    expect(s.cpu.run(10)).toBe(L.ExitReason.HLT);
    expect((s.r32(0x500 + 0x30 + 4) >> 8) & 0xf).toBe(0xb);
    expect(s.seg(L.SEG_TR)).toMatchObject({ sel: 0x30, base: 0x30000, limit: 0x67 });
    expect(s.seg(L.SEG_LDTR)).toMatchObject({ sel: 0x38, base: 0x31000, limit: 0xff });
    expect(s.cpu.reg("ecx")).toBe(0x30);
    expect(s.cpu.reg("edx")).toBe(0x38);
  });

  it("LAR, LSL, VERR, VERW, ARPL", () => {
    const s = protectedCpu();
    s.gdt(0x30, segDesc(0, 0xfffff, 0x8, 3)); // execute-only code, DPL 3, G=0, 32-bit
    // mov bx, UCS; lar eax, bx; lsl ecx, bx; hlt
    s.code(CODE, [0x66, 0xbb, 0x1b, 0, 0x0f, 0x02, 0xc3, 0x0f, 0x03, 0xcb, 0xf4]);
    s.cpu.run(10);
    expect(s.cpu.reg("eax")).toBe(0x00c0fb00); // limit bits 19:16 masked
    expect(s.cpu.reg("ecx")).toBe(0xffffffff);
    expect(s.cpu.eflags & 0x40).toBe(0x40);
    // verr on execute-only code: ZF=0; verw on UDS: ZF=1; arpl ax(0x10), bx(0x1b) → 0x13, ZF=1
    const t = protectedCpu();
    t.gdt(0x30, segDesc(0, 0xfffff, 0x8, 3));
    t.code(CODE, [0x66, 0xbb, 0x30, 0, 0x0f, 0x00, 0xe3, 0xf4]);
    t.cpu.run(10);
    expect(t.cpu.eflags & 0x40).toBe(0);
    t.code(CODE, [0x66, 0xbb, 0x23, 0, 0x0f, 0x00, 0xeb, 0xf4]);
    t.cpu.eip = CODE; t.cpu.setState32(L.S.HALTED, 0);
    t.cpu.run(10);
    expect(t.cpu.eflags & 0x40).toBe(0x40);
    t.cpu.setReg("eax", 0x10); t.cpu.setReg("ebx", 0x1b); t.cpu.eflags = 2;
    t.code(CODE, [0x63, 0xd8, 0xf4]);
    t.cpu.eip = CODE; t.cpu.setState32(L.S.HALTED, 0);
    t.cpu.run(10);
    expect(t.cpu.reg("eax")).toBe(0x13);
    expect(t.cpu.eflags & 0x40).toBe(0x40);
  });
});

describe("CPUID, MSRs, TSC, SYSENTER", () => {
  it("CPUID reports GenuineIntel family 6, the feature mask, NX and the brand string", () => {
    const s = protectedCpu();
    const cpuid = (leaf: number) => {
      s.cpu.setReg("eax", leaf); s.code(CODE, [0x0f, 0xa2, 0xf4]); s.cpu.eip = CODE; s.cpu.setState32(L.S.HALTED, 0); s.cpu.run(5);
      return ["eax", "ebx", "ecx", "edx"].map((r) => s.cpu.reg(r as "eax"));
    };
    const [max, b, c, d] = cpuid(0);
    expect(max).toBe(2);
    const str = (v: number) => String.fromCharCode(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24);
    expect(str(b) + str(d) + str(c)).toBe("GenuineIntel");
    const l1 = cpuid(1);
    expect((l1[0] >> 8) & 0xf).toBe(6);
    expect(l1[3] & (1 << 6)).toBe(1 << 6); // PAE
    expect(l1[3] & (1 << 23)).toBe(0); // no MMX
    expect(l1[3] & (1 << 25)).toBe(0); // no SSE
    s.cpu.setState32(L.S.CPUID_EDX_MASK, 1 << 6);
    expect(cpuid(1)[3] & (1 << 6)).toBe(0);
    expect(cpuid(0x80000001)[3]).toBe(1 << 20);
    const brand = [0x80000002, 0x80000003, 0x80000004].flatMap((l) => cpuid(l)).map(str).join("").replace(/\0+$/, "");
    expect(brand).toBe("ringone i686");
    expect(cpuid(7)).toEqual(cpuid(2));
  });

  it("EFER accepts NXE only; unknown MSRs are #GP(0); SYSENTER MSRs round-trip", () => {
    const s = protectedCpu();
    s.cpu.interceptExceptions(1 << GP);
    const wr = (ecx: number, eax: number, edx = 0) => {
      s.cpu.setReg("ecx", ecx); s.cpu.setReg("eax", eax); s.cpu.setReg("edx", edx);
      s.code(CODE, [0x0f, 0x30, 0xf4]); s.cpu.eip = CODE; s.cpu.setState32(L.S.HALTED, 0); return s.cpu.run(5);
    };
    const rd = (ecx: number) => {
      s.cpu.setReg("ecx", ecx); s.code(CODE, [0x0f, 0x32, 0xf4]); s.cpu.eip = CODE; s.cpu.setState32(L.S.HALTED, 0); s.cpu.run(5);
      return [s.cpu.reg("eax"), s.cpu.reg("edx")];
    };
    expect(wr(0xc0000080, 0x800)).toBe(L.ExitReason.HLT);
    expect(rd(0xc0000080)).toEqual([0x800, 0]);
    expect(wr(0xc0000080, 0x100)).toBe(L.ExitReason.FAULT); // LME
    expect(wr(0x12345, 0)).toBe(L.ExitReason.FAULT);
    expect(wr(0x176, 0xc0001000)).toBe(L.ExitReason.HLT);
    expect(rd(0x176)[0]).toBe(0xc0001000);
    expect(wr(0x10, 1000, 0)).toBe(L.ExitReason.HLT);
    const [lo] = rd(0x10);
    expect(lo).toBeGreaterThanOrEqual(1001);
    expect(lo).toBeLessThan(1010);
  });

  it("RDTSC advances with the instruction count; CR4.TSD makes it #GP at CPL 3", () => {
    const s = protectedCpu();
    s.code(CODE, [0x0f, 0x31, 0x89, 0xc1, 0x90, 0x90, 0x0f, 0x31, 0xf4]); // rdtsc; mov ecx, eax; nop; nop; rdtsc
    s.cpu.run(10);
    expect(s.cpu.reg("eax") - s.cpu.reg("ecx")).toBe(4);
    const t = protectedCpu();
    t.cpu.setState32(L.S.CR4, 4);
    t.code(0x3000, [0x0f, 0x31]);
    enterUser(t, 0x3000);
    t.cpu.interceptExceptions(1 << GP);
    expect(t.cpu.run(5)).toBe(L.ExitReason.FAULT);
  });

  it("SYSENTER/SYSEXIT switch to flat CPL 0/3 segments", () => {
    const s = protectedCpu();
    s.cpu.setState32(L.S.SYSENTER_CS, KCS);
    s.cpu.setState32(L.S.SYSENTER_ESP, KSTACK);
    s.cpu.setState32(L.S.SYSENTER_EIP, 0x4000);
    s.code(0x4000, [0x0f, 0x35]); // sysexit
    s.code(0x3000, [0x0f, 0x34]);
    enterUser(s, 0x3000);
    s.cpu.run(1);
    expect(s.cpl).toBe(0);
    expect(s.cpu.eip).toBe(0x4000);
    expect(s.cpu.reg("esp")).toBe(KSTACK);
    expect(s.seg(L.SEG_CS).sel).toBe(KCS);
    expect(s.seg(L.SEG_SS).sel).toBe(KDS);
    expect(s.cpu.eflags & 0x200).toBe(0);
    s.cpu.setReg("ecx", 0x7777); s.cpu.setReg("edx", 0x3002);
    s.cpu.run(1);
    expect(s.cpl).toBe(3);
    expect(s.seg(L.SEG_CS).sel).toBe(UCS);
    expect(s.seg(L.SEG_SS).sel).toBe(UDS);
    expect([s.cpu.eip, s.cpu.reg("esp")]).toEqual([0x3002, 0x7777]);
  });
});
