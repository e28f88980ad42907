/**
 * Group 2 shifts/rotates and SHLD/SHRD: results and flags at the edges (count 0, count 1, counts
 * past the width, RCL/RCR modulo 9/17). Oracle: values worked out by hand from the SDM pages.
 */
import { describe, expect, it } from "vitest";
import { exec, HLT, FAULT, CF, PF, AF, ZF, SF, OF, ARITH, DATA, le32 } from "./alu-harness.ts";

const CO = CF | OF;

describe("SHL/SHR/SAR", () => {
  it("SHL al,1 (D0 /4): 80 -> 00, CF=1, ZF, OF = MSB xor CF = 1", () => {
    const t = exec([0xd0, 0xe0], { regs: { eax: 0x80 } });
    expect(t.r("eax")).toBe(0);
    expect(t.flags & (CF | ZF | OF | SF | PF)).toBe(CF | ZF | OF | PF);
  });
  it("SAL /6 is SHL", () => {
    const t = exec([0xd0, 0xf0], { regs: { eax: 0x40 } });
    expect(t.r("eax")).toBe(0x80);
    expect(t.flags & (CF | OF | SF)).toBe(OF | SF);
  });
  it("SHR al,1: 81 -> 40, CF=1, OF = old MSB = 1", () => {
    const t = exec([0xd0, 0xe8], { regs: { eax: 0x81 } });
    expect(t.r("eax")).toBe(0x40);
    expect(t.flags & (CF | OF | SF | ZF)).toBe(CF | OF);
  });
  it("SAR al,1: 81 -> C0, CF=1, OF=0, SF", () => {
    const t = exec([0xd0, 0xf8], { regs: { eax: 0x81 }, flags: OF });
    expect(t.r("eax")).toBe(0xc0);
    expect(t.flags & (CF | OF | SF | PF)).toBe(CF | SF | PF);
  });
  it("a count of 0 (CL = 0, or CL = 32 after masking) changes nothing", () => {
    for (const cl of [0, 32, 0xe0]) {
      const t = exec([0xd3, 0xe0], { regs: { eax: 0x12345678, ecx: cl }, flags: CF | ZF | OF | AF });
      expect(t.r("eax")).toBe(0x12345678);
      expect(t.flags & ARITH).toBe(CF | ZF | OF | AF);
    }
  });
  it("the count is masked to 5 bits: SHL eax, 33 = SHL eax, 1", () => {
    const t = exec([0xc1, 0xe0, 33], { regs: { eax: 0x80000001 } });
    expect(t.r("eax")).toBe(2);
    expect(t.flags & CF).toBe(CF);
  });
  it("SHL al, 8 moves bit 0 into CF; SHL al, 9 leaves 0 and CF 0", () => {
    const a = exec([0xc0, 0xe0, 8], { regs: { eax: 0x01 } });
    expect(a.r("eax")).toBe(0);
    expect(a.flags & (CF | ZF)).toBe(CF | ZF);
    const b = exec([0xc0, 0xe0, 9], { regs: { eax: 0xff } });
    expect(b.r("eax")).toBe(0);
    expect(b.flags & (CF | ZF)).toBe(ZF);
  });
  it("SHR eax, 31 and SAR al, 20", () => {
    const a = exec([0xc1, 0xe8, 31], { regs: { eax: 0x80000000 } });
    expect(a.r("eax")).toBe(1);
    expect(a.flags & (CF | ZF | SF)).toBe(0);
    const b = exec([0xc0, 0xf8, 20], { regs: { eax: 0x80 } });
    expect(b.r("eax")).toBe(0xff);
    expect(b.flags & (CF | SF)).toBe(CF | SF);
  });
  it("SHR cx, cl (16-bit) keeps the upper half", () => {
    const t = exec([0x66, 0xd3, 0xe9], { regs: { ecx: 0xabcd0004 } }); // shr cx, cl (cl = 4)
    expect(t.r("ecx")).toBe(0xabcd0000);
    expect(t.flags & (CF | ZF)).toBe(ZF);
  });
  it("SHL dword [mem], cl", () => {
    const t = exec([0xd3, 0x25, ...le32(DATA)], { regs: { ecx: 4 }, mem: [[DATA, le32(0x1234567f)]] });
    expect(t.u32(DATA)).toBe(0x234567f0);
    expect(t.flags & (CF | SF | ZF)).toBe(CF);
  });
  it("a shift whose memory operand faults changes neither memory nor flags", () => {
    const t = exec([0xd1, 0x25, ...le32(0x8ffe)], { mem: [[0x8ffe, [1, 2, 3, 4]]], flags: ZF, dsLimit: 0x8fff });
    expect(t.exit).toBe(FAULT);
    expect(t.vector).toBe(13);
    expect(t.u32(0x8ffe)).toBe(0x04030201);
    expect(t.flags & ARITH).toBe(ZF);
  });
});

describe("ROL/ROR/RCL/RCR", () => {
  it("ROL al, 8 leaves AL and sets CF from bit 0, other flags kept", () => {
    const t = exec([0xc0, 0xc0, 8], { regs: { eax: 0x81 }, flags: ZF | SF });
    expect(t.r("eax")).toBe(0x81);
    expect(t.flags & (CF | ZF | SF)).toBe(CF | ZF | SF);
  });
  it("ROL eax, 1: OF = MSB(result) xor CF", () => {
    const t = exec([0xd1, 0xc0], { regs: { eax: 0x40000001 } });
    expect(t.r("eax")).toBe(0x80000002);
    expect(t.flags & CO).toBe(OF);
  });
  it("ROR eax, 4: CF = MSB of the result", () => {
    const t = exec([0xc1, 0xc8, 4], { regs: { eax: 0x12345678 } });
    expect(t.r("eax")).toBe(0x81234567);
    expect(t.flags & CF).toBe(CF);
  });
  it("ROR ax, 1: OF = the two top bits differ", () => {
    const t = exec([0x66, 0xd1, 0xc8], { regs: { eax: 0x0001 } });
    expect(t.r("eax")).toBe(0x8000);
    expect(t.flags & CO).toBe(CF | OF);
  });
  it("RCL al, 1 moves CF in and bit 7 out", () => {
    const t = exec([0xd0, 0xd0], { regs: { eax: 0x80 } });
    expect(t.r("eax")).toBe(0);
    expect(t.flags & CO).toBe(CF | OF);
    const u = exec([0xd0, 0xd0], { regs: { eax: 0x00 }, flags: CF });
    expect(u.r("eax")).toBe(1);
    expect(u.flags & CF).toBe(0);
  });
  it("RCL al, 9 rotates by 0 (count mod 9): value and CF unchanged", () => {
    const t = exec([0xc0, 0xd0, 9], { regs: { eax: 0x5a }, flags: CF });
    expect(t.r("eax")).toBe(0x5a);
    expect(t.flags & CF).toBe(CF);
  });
  it("RCL ax, 16 rotates the 17-bit CF:AX (= right by 1)", () => {
    const t = exec([0x66, 0xc1, 0xd0, 16], { regs: { eax: 0x8001 } });
    expect(t.r("eax")).toBe(0x4000);
    expect(t.flags & CF).toBe(CF);
  });
  it("RCR al, 1 with CF=1: 01 -> 80, CF=1, OF = top two bits differ", () => {
    const t = exec([0xd0, 0xd8], { regs: { eax: 0x01 }, flags: CF });
    expect(t.r("eax")).toBe(0x80);
    expect(t.flags & CO).toBe(CF | OF);
  });
  it("RCR eax, 31 through CF (33-bit rotate)", () => {
    // CF:EAX = 1:00000000 rotated right by 31 = rotated left by 2: EAX = 2, CF = 0.
    const t = exec([0xc1, 0xd8, 31], { regs: { eax: 0 }, flags: CF });
    expect(t.r("eax")).toBe(2);
    expect(t.flags & CF).toBe(0);
  });
  it("RCR with CL = 18 on a byte: 18 mod 9 = 0", () => {
    const t = exec([0xd2, 0xd8], { regs: { eax: 0x33, ecx: 18 } });
    expect(t.r("eax")).toBe(0x33);
  });
});

describe("SHLD/SHRD", () => {
  it("SHLD eax, ebx, 4", () => {
    const t = exec([0x0f, 0xa4, 0xd8, 4], { regs: { eax: 0x12345678, ebx: 0x9abcdef0 } });
    expect(t.r("eax")).toBe(0x23456789);
    expect(t.flags & (CF | SF | ZF)).toBe(CF);
  });
  it("SHRD eax, ebx, cl (cl = 4)", () => {
    const t = exec([0x0f, 0xad, 0xd8], { regs: { eax: 0x12345678, ebx: 0x9abcdef0, ecx: 4 } });
    expect(t.r("eax")).toBe(0x01234567);
    expect(t.flags & (CF | SF)).toBe(CF);
  });
  it("SHLD ax, bx, 16 gives BX; CF = old bit 0", () => {
    const t = exec([0x66, 0x0f, 0xa4, 0xd8, 16], { regs: { eax: 0xffff0001, ebx: 0x8765 } });
    expect(t.r("eax")).toBe(0xffff8765);
    expect(t.flags & (CF | SF)).toBe(CF | SF);
  });
  it("SHRD ax, bx, 1: sign change sets OF", () => {
    const t = exec([0x66, 0x0f, 0xac, 0xd8, 1], { regs: { eax: 0x0001, ebx: 0x0001 } });
    expect(t.r("eax")).toBe(0x8000);
    expect(t.flags & (CF | OF | SF)).toBe(CF | OF | SF);
  });
  it("SHLD with a count of 0 (or 32) changes nothing", () => {
    const t = exec([0x0f, 0xa4, 0xd8, 32], { regs: { eax: 5, ebx: 7 }, flags: ZF | CF });
    expect(t.r("eax")).toBe(5);
    expect(t.flags & ARITH).toBe(ZF | CF);
  });
  it("SHRD [mem], ebx, 8", () => {
    const t = exec([0x0f, 0xac, 0x1d, ...le32(DATA), 8], { regs: { ebx: 0xab }, mem: [[DATA, le32(0x11223344)]] });
    expect(t.exit).toBe(HLT);
    expect(t.u32(DATA)).toBe(0xab112233);
    expect(t.flags & (CF | SF)).toBe(SF);
  });
});
