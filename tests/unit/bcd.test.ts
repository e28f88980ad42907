/**
 * DAA, DAS, AAA, AAS, AAM, AAD (defined flags only). Oracle: the SDM pseudocode worked by hand.
 */
import { describe, expect, it } from "vitest";
import { exec, FAULT, CF, PF, AF, ZF, SF } from "./alu-harness.ts";

describe("DAA/DAS", () => {
  it("79 + 35 = 114 decimal: AL=14, CF=1", () => {
    const t = exec([0x04, 0x35, 0x27], { regs: { eax: 0x79 } }); // add al,35h; daa
    expect(t.r("eax")).toBe(0x14);
    expect(t.flags & (CF | AF | ZF | SF)).toBe(CF | AF);
  });
  it("09 + 09 = 18 decimal via AF", () => {
    const t = exec([0x04, 0x09, 0x27], { regs: { eax: 0x09 } });
    expect(t.r("eax")).toBe(0x18);
    expect(t.flags & (CF | AF | PF)).toBe(AF | PF);
  });
  it("DAA of 00 with nothing set is 00 with ZF", () => {
    const t = exec([0x27], { regs: { eax: 0 } });
    expect(t.flags & (CF | AF | ZF | PF)).toBe(ZF | PF);
  });
  it("35 - 47 = -12 decimal: AL=88, CF=1", () => {
    const t = exec([0x2c, 0x47, 0x2f], { regs: { eax: 0x35 } }); // sub al,47h; das
    expect(t.r("eax")).toBe(0x88);
    expect(t.flags & (CF | AF | SF)).toBe(CF | AF | SF);
  });
  it("DAS with AF and AL < 6 borrows into CF", () => {
    const t = exec([0x2f], { regs: { eax: 0x03 }, flags: AF });
    expect(t.r("eax")).toBe(0xfd);
    expect(t.flags & (CF | AF)).toBe(CF | AF);
  });
});

describe("AAA/AAS", () => {
  it("9 + 8 = 17: AX = 0107, CF=AF=1", () => {
    const t = exec([0x04, 0x08, 0x37], { regs: { eax: 0x0009 } });
    expect(t.r("eax")).toBe(0x0107);
    expect(t.flags & (CF | AF)).toBe(CF | AF);
  });
  it("AAA adds 106H to AX: AL=FB carries into AH twice", () => {
    const t = exec([0x37], { regs: { eax: 0x00fb } });
    expect(t.r("eax")).toBe(0x0201);
  });
  it("AAA without adjustment clears CF and AF and masks AL", () => {
    const t = exec([0x37], { regs: { eax: 0x1235 }, flags: CF });
    expect(t.r("eax")).toBe(0x1205);
    expect(t.flags & (CF | AF)).toBe(0);
  });
  it("12 - 5 = 7 (AX=0102; sub al,5; aas): AX = 0007", () => {
    const t = exec([0x2c, 0x05, 0x3f], { regs: { eax: 0x0102 } });
    expect(t.r("eax")).toBe(0x0007);
    expect(t.flags & (CF | AF)).toBe(CF | AF);
  });
  it("AAS subtracts 6 from AX then 1 from AH: AX=0100 with AF gives FF0A", () => {
    const t = exec([0x3f], { regs: { eax: 0x0100 }, flags: AF });
    expect(t.r("eax")).toBe(0xff0a);
  });
});

describe("AAM/AAD", () => {
  it("AAM: 63 -> AH=6 AL=3", () => {
    const t = exec([0xd4, 0x0a], { regs: { eax: 0x3f } });
    expect(t.r("eax")).toBe(0x0603);
    expect(t.flags & (ZF | SF | PF)).toBe(PF);
  });
  it("AAM with base 16 splits nibbles; AL=0 gives ZF", () => {
    expect(exec([0xd4, 0x10], { regs: { eax: 0x3f } }).r("eax")).toBe(0x030f);
    const z = exec([0xd4, 0x0a], { regs: { eax: 0x50 } });
    expect(z.r("eax")).toBe(0x0800);
    expect(z.flags & ZF).toBe(ZF);
  });
  it("AAM 0 is #DE and changes nothing", () => {
    const t = exec([0xd4, 0x00], { regs: { eax: 0x3f } });
    expect(t.exit).toBe(FAULT);
    expect(t.vector).toBe(0);
    expect(t.r("eax")).toBe(0x3f);
  });
  it("AAD: AH=6 AL=3 -> AL=63 (3F), AH=0, PF", () => {
    const t = exec([0xd5, 0x0a], { regs: { eax: 0xaaaa0603 } });
    expect(t.r("eax")).toBe(0xaaaa003f);
    expect(t.flags & (ZF | SF | PF)).toBe(PF);
  });
  it("AAD wraps AL at 8 bits and sets SF from it", () => {
    const t = exec([0xd5, 0x0a], { regs: { eax: 0x0d05 } }); // 13*10+5 = 135 = 87h
    expect(t.r("eax")).toBe(0x87);
    expect(t.flags & (ZF | SF)).toBe(SF);
  });
});
