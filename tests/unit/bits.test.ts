/**
 * BT/BTS/BTR/BTC (register and memory forms, signed bit offsets beyond the operand), BSF/BSR,
 * BSWAP, SETcc, CMOVcc. Oracle: values worked out by hand from the SDM pages.
 */
import { describe, expect, it } from "vitest";
import { exec, HLT, FAULT, CF, ZF, SF, OF, ARITH, DATA, le32 } from "./alu-harness.ts";

describe("BT/BTS/BTR/BTC", () => {
  it("BT eax, 31 (0F BA /4): CF = bit, ZF untouched", () => {
    const t = exec([0x0f, 0xba, 0xe0, 31], { regs: { eax: 0x80000000 }, flags: ZF });
    expect(t.flags & (CF | ZF)).toBe(CF | ZF);
    const u = exec([0x0f, 0xba, 0xe0, 30], { regs: { eax: 0x80000000 }, flags: CF });
    expect(u.flags & (CF | ZF)).toBe(0);
  });
  it("BTC eax, ecx (register form): the offset is taken modulo 32", () => {
    const t = exec([0x0f, 0xbb, 0xc8], { regs: { eax: 0, ecx: 33 } });
    expect(t.r("eax")).toBe(2);
    expect(t.flags & CF).toBe(0);
  });
  it("BTS ax, imm (16-bit): offset modulo 16", () => {
    const t = exec([0x66, 0x0f, 0xba, 0xe8, 17], { regs: { eax: 0xffff0002 } });
    expect(t.r("eax")).toBe(0xffff0002);
    expect(t.flags & CF).toBe(CF);
  });
  it("BTS [mem], ecx with offset 35 sets bit 3 of the next dword", () => {
    const t = exec([0x0f, 0xab, 0x0d, ...le32(DATA)], { regs: { ecx: 35 }, mem: [[DATA, [...le32(0), ...le32(0x10)]]] });
    expect(t.u32(DATA)).toBe(0);
    expect(t.u32(DATA + 4)).toBe(0x18);
    expect(t.flags & CF).toBe(0);
  });
  it("BTR [mem], ecx with offset -1 clears bit 31 of the dword below", () => {
    const t = exec([0x0f, 0xb3, 0x0d, ...le32(DATA)], { regs: { ecx: 0xffffffff }, mem: [[DATA - 4, le32(0xffffffff)]] });
    expect(t.u32(DATA - 4)).toBe(0x7fffffff);
    expect(t.flags & CF).toBe(CF);
  });
  it("16-bit BT [mem], cx with offset 17 reads the next word; -16 the word below", () => {
    const a = exec([0x66, 0x0f, 0xa3, 0x0d, ...le32(DATA)], { regs: { ecx: 17 }, mem: [[DATA, [0, 0, 2, 0]]] });
    expect(a.flags & CF).toBe(CF);
    const b = exec([0x66, 0x0f, 0xa3, 0x0d, ...le32(DATA)], { regs: { ecx: 0xfff0 }, mem: [[DATA - 2, [1, 0]]] });
    expect(b.flags & CF).toBe(CF);
  });
  it("LOCK BTS [mem] is legal; LOCK BT [mem] is #UD", () => {
    const a = exec([0xf0, 0x0f, 0xba, 0x2d, ...le32(DATA), 0], { mem: [[DATA, [0]]] });
    expect(a.exit).toBe(HLT);
    expect(a.u8(DATA)).toBe(1);
    const b = exec([0xf0, 0x0f, 0xa3, 0x0d, ...le32(DATA)]);
    expect(b.exit).toBe(FAULT);
    expect(b.vector).toBe(6);
  });
  it("0F BA /0 is #UD", () => {
    const t = exec([0x0f, 0xba, 0xc0, 1]);
    expect(t.exit).toBe(FAULT);
    expect(t.vector).toBe(6);
  });
  it("BTS on a dword past the DS limit faults and changes nothing", () => {
    const t = exec([0x0f, 0xab, 0x0d, ...le32(0x8ff0)], { regs: { ecx: 128 }, dsLimit: 0x8fff, flags: CF });
    expect(t.exit).toBe(FAULT);
    expect(t.vector).toBe(13);
    expect(t.flags & CF).toBe(CF);
  });
});

describe("BSF/BSR", () => {
  it("BSF/BSR of a nonzero source", () => {
    const a = exec([0x0f, 0xbc, 0xc1], { regs: { ecx: 0x00010000 }, flags: ZF });
    expect(a.r("eax")).toBe(16);
    expect(a.flags & ZF).toBe(0);
    const b = exec([0x0f, 0xbd, 0xc1], { regs: { ecx: 0x80010001 } });
    expect(b.r("eax")).toBe(31);
  });
  it("a zero source sets ZF and leaves the destination", () => {
    const a = exec([0x0f, 0xbc, 0xc1], { regs: { eax: 0xdeadbeef, ecx: 0 } });
    expect(a.r("eax")).toBe(0xdeadbeef);
    expect(a.flags & ZF).toBe(ZF);
    const b = exec([0x66, 0x0f, 0xbd, 0xc1], { regs: { eax: 0x1234, ecx: 0xffff0000 } });
    expect(b.r("eax")).toBe(0x1234);
    expect(b.flags & ZF).toBe(ZF);
  });
  it("16-bit BSR writes only AX", () => {
    const t = exec([0x66, 0x0f, 0xbd, 0xc1], { regs: { eax: 0xaaaa5555, ecx: 0x0300 } });
    expect(t.r("eax")).toBe(0xaaaa0009);
  });
});

describe("BSWAP", () => {
  it("reverses the bytes of a 32-bit register", () => {
    expect(exec([0x0f, 0xcb], { regs: { ebx: 0x12345678 } }).r("ebx")).toBe(0x78563412);
  });
  it("with a 16-bit operand size clears the low word (undefined in the SDM)", () => {
    expect(exec([0x66, 0x0f, 0xc8], { regs: { eax: 0x12345678 } }).r("eax")).toBe(0x12340000);
  });
});

describe("SETcc", () => {
  it("SETZ/SETNZ from ZF; SETL from SF != OF", () => {
    expect(exec([0x0f, 0x94, 0xc0], { regs: { eax: 0xff }, flags: ZF }).r("eax")).toBe(1);
    expect(exec([0x0f, 0x95, 0xc0], { regs: { eax: 0xff }, flags: ZF }).r("eax")).toBe(0);
    expect(exec([0x0f, 0x9c, 0xc3], { flags: SF }).r("ebx")).toBe(1);
    expect(exec([0x0f, 0x9c, 0xc3], { flags: SF | OF }).r("ebx")).toBe(0);
  });
  it("ignores ModRM.reg (0F 94 F8 = sete al) and reads lazy flags", () => {
    const t = exec([0x39, 0xc8, 0x0f, 0x94, 0xf8], { regs: { eax: 0x12345678, ecx: 0x12345678 } }); // cmp eax,ecx; sete al
    expect(t.r("eax")).toBe(0x12345601);
  });
  it("SETA [mem]: CF=0 and ZF=0", () => {
    const t = exec([0x0f, 0x97, 0x05, ...le32(DATA)], { mem: [[DATA, [0x55]]] });
    expect(t.u8(DATA)).toBe(1);
  });
});

describe("CMOVcc", () => {
  it("moves when the condition holds, not otherwise", () => {
    expect(exec([0x0f, 0x44, 0xc1], { regs: { eax: 1, ecx: 2 }, flags: ZF }).r("eax")).toBe(2);
    expect(exec([0x0f, 0x44, 0xc1], { regs: { eax: 1, ecx: 2 } }).r("eax")).toBe(1);
    expect(exec([0x66, 0x0f, 0x42, 0xc1], { regs: { eax: 0x11112222, ecx: 0x33334444 }, flags: CF }).r("eax")).toBe(0x11114444);
  });
  it("a false condition still reads (and faults on) the memory source", () => {
    const t = exec([0x0f, 0x44, 0x05, ...le32(0x9000)], { regs: { eax: 1 }, dsLimit: 0x8fff });
    expect(t.exit).toBe(FAULT);
    expect(t.vector).toBe(13);
    expect(t.r("eax")).toBe(1);
    expect(t.flags & ARITH).toBe(0);
  });
});
