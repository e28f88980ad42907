/**
 * INC/DEC, TEST, group 3 (NOT NEG MUL IMUL DIV IDIV), IMUL, XADD, CMPXCHG, CMPXCHG8B, MOVZX/MOVSX,
 * CBW/CWD and the flag instructions. Oracle: values worked out by hand from the SDM pages.
 */
import { describe, expect, it } from "vitest";
import { exec, HLT, FAULT, CF, PF, AF, ZF, SF, OF, ARITH, DATA, CODE, le32 } from "./alu-harness.ts";

describe("INC/DEC", () => {
  it("INC r32 (40) keeps CF and sets OF/SF/AF/PF at 7FFFFFFF", () => {
    const t = exec([0x40], { regs: { eax: 0x7fffffff }, flags: CF });
    expect(t.exit).toBe(HLT);
    expect(t.r("eax")).toBe(0x80000000);
    expect(t.flags & ARITH).toBe(CF | OF | SF | AF | PF);
  });
  it("66 INC ax wraps to 0 without touching the upper half or CF", () => {
    const t = exec([0x66, 0x40], { regs: { eax: 0x1234ffff } });
    expect(t.r("eax")).toBe(0x12340000);
    expect(t.flags & ARITH).toBe(ZF | PF | AF);
  });
  it("DEC r32 (4B dec ebx) from 0 borrows: FFFFFFFF, CF kept clear, AF set", () => {
    const t = exec([0x4b], { regs: { ebx: 0 } });
    expect(t.r("ebx")).toBe(0xffffffff);
    expect(t.flags & ARITH).toBe(SF | AF | PF);
  });
  it("DEC byte [mem] (FE /1) at 80 gives 7F with OF and AF", () => {
    const t = exec([0xfe, 0x0d, ...le32(DATA)], { mem: [[DATA, [0x80]]] });
    expect(t.u8(DATA)).toBe(0x7f);
    expect(t.flags & ARITH).toBe(OF | AF);
  });
  it("LOCK INC dword [eax] works; LOCK INC eax is #UD", () => {
    const t = exec([0xf0, 0xff, 0x00], { regs: { eax: DATA }, mem: [[DATA, le32(41)]] });
    expect(t.u32(DATA)).toBe(42);
    const u = exec([0xf0, 0xff, 0xc0], { regs: { eax: 5 } });
    expect(u.exit).toBe(FAULT);
    expect(u.vector).toBe(6);
    expect(u.r("eax")).toBe(5);
  });
});

describe("TEST, NOT, NEG", () => {
  it("TEST AL, imm8 (A8) clears CF/OF and sets SF", () => {
    const t = exec([0xa8, 0x80], { regs: { eax: 0x81 }, flags: CF | OF });
    expect(t.flags & (CF | OF | SF | ZF)).toBe(SF);
    expect(t.r("eax")).toBe(0x81);
  });
  it("F6 /1 is an alias of TEST Eb, Ib", () => {
    const t = exec([0xf6, 0xc8, 0x0f], { regs: { eax: 0xf0 } }); // test al, 0x0f
    expect(t.flags & (ZF | SF | PF)).toBe(ZF | PF);
  });
  it("F7 /0 with a 16-bit operand reads an imm16", () => {
    const t = exec([0x66, 0xf7, 0xc1, 0x00, 0x80], { regs: { ecx: 0x8000 } }); // test cx, 0x8000
    expect(t.exit).toBe(HLT);
    expect(t.flags & (ZF | SF)).toBe(SF);
  });
  it("TEST Ev,Gv (85) sets ZF for disjoint bits", () => {
    const t = exec([0x85, 0xc8], { regs: { eax: 0xf0f0f0f0, ecx: 0x0f0f0f0f } });
    expect(t.flags & (ZF | SF | PF)).toBe(ZF | PF);
  });
  it("NOT leaves flags alone", () => {
    const t = exec([0xf7, 0xd0], { regs: { eax: 0x0000ffff }, flags: CF | ZF });
    expect(t.r("eax")).toBe(0xffff0000);
    expect(t.flags & ARITH).toBe(CF | ZF);
  });
  it("NEG 0 clears CF; NEG 80 (8-bit) sets CF and OF", () => {
    const a = exec([0xf7, 0xd8], { regs: { eax: 0 }, flags: CF });
    expect(a.r("eax")).toBe(0);
    expect(a.flags & (CF | ZF)).toBe(ZF);
    const b = exec([0xf6, 0xd8], { regs: { eax: 0x80 } });
    expect(b.r("eax")).toBe(0x80);
    expect(b.flags & (CF | OF | SF | ZF)).toBe(CF | OF | SF);
  });
  it("NEG 1 gives FFFFFFFF with CF and AF", () => {
    const t = exec([0xf7, 0xd8], { regs: { eax: 1 } });
    expect(t.r("eax")).toBe(0xffffffff);
    expect(t.flags & ARITH).toBe(CF | AF | SF | PF);
  });
});

describe("MUL, IMUL", () => {
  it("MUL ecx: FFFFFFFF^2 = FFFFFFFE:00000001, CF=OF=1", () => {
    const t = exec([0xf7, 0xe1], { regs: { eax: 0xffffffff, ecx: 0xffffffff } });
    expect(t.r("eax")).toBe(1);
    expect(t.r("edx")).toBe(0xfffffffe);
    expect(t.flags & (CF | OF)).toBe(CF | OF);
  });
  it("MUL cl (8-bit) writes AX; CF=OF=0 when AH is 0", () => {
    const a = exec([0xf6, 0xe1], { regs: { eax: 0xaaaa0010, ecx: 0x10 } });
    expect(a.r("eax")).toBe(0xaaaa0100);
    expect(a.flags & (CF | OF)).toBe(CF | OF);
    const b = exec([0xf6, 0xe1], { regs: { eax: 0x0f, ecx: 0x11 }, flags: CF | OF });
    expect(b.r("eax")).toBe(0xff);
    expect(b.flags & (CF | OF)).toBe(0);
  });
  it("MUL cx (16-bit) writes DX:AX", () => {
    const t = exec([0x66, 0xf7, 0xe1], { regs: { eax: 0x1234, ecx: 0x100, edx: 0xffffffff } });
    expect(t.r("eax")).toBe(0x3400);
    expect(t.r("edx")).toBe(0xffff0012);
  });
  it("IMUL cl: -1 * -128 = 128 does not fit in AL", () => {
    const t = exec([0xf6, 0xe9], { regs: { eax: 0xff, ecx: 0x80 } });
    expect(t.r("eax")).toBe(0x0080);
    expect(t.flags & (CF | OF)).toBe(CF | OF);
  });
  it("IMUL cx: -2 * 3 = -6 fits; DX is the sign", () => {
    const t = exec([0x66, 0xf7, 0xe9], { regs: { eax: 0xfffe, ecx: 3 }, flags: CF | OF });
    expect(t.r("eax")).toBe(0xfffa);
    expect(t.r("edx")).toBe(0xffff);
    expect(t.flags & (CF | OF)).toBe(0);
  });
  it("IMUL ecx (one operand): 0x40000000 * 4 overflows into EDX", () => {
    const t = exec([0xf7, 0xe9], { regs: { eax: 0x40000000, ecx: 4 } });
    expect(t.r("eax")).toBe(0);
    expect(t.r("edx")).toBe(1);
    expect(t.flags & (CF | OF)).toBe(CF | OF);
  });
  it("IMUL eax, ecx (0F AF) truncates and flags the overflow", () => {
    const t = exec([0x0f, 0xaf, 0xc1], { regs: { eax: 0x10000, ecx: 0x10000 } });
    expect(t.r("eax")).toBe(0);
    expect(t.flags & (CF | OF)).toBe(CF | OF);
  });
  it("IMUL eax, ecx, -2 (6B) sign-extends the immediate", () => {
    const t = exec([0x6b, 0xc1, 0xfe], { regs: { ecx: 5 } });
    expect(t.r("eax")).toBe(0xfffffff6);
    expect(t.flags & (CF | OF)).toBe(0);
  });
  it("IMUL ax, cx, -1 (66 69): -(-32768) overflows 16 bits", () => {
    const t = exec([0x66, 0x69, 0xc1, 0xff, 0xff], { regs: { eax: 0xabcd0000, ecx: 0x8000 } });
    expect(t.r("eax")).toBe(0xabcd8000);
    expect(t.flags & (CF | OF)).toBe(CF | OF);
  });
  it("IMUL eax, [mem], imm32 (69)", () => {
    const t = exec([0x69, 0x05, ...le32(DATA), ...le32(1000)], { mem: [[DATA, le32(-3 >>> 0)]] });
    expect(t.r("eax")).toBe(-3000 >>> 0);
  });
});

describe("DIV, IDIV", () => {
  it("DIV cl: AX=00FF / 10 -> AL=0F AH=0F", () => {
    const t = exec([0xf6, 0xf1], { regs: { eax: 0x00ff, ecx: 0x10 } });
    expect(t.r("eax")).toBe(0x0f0f);
  });
  it("DIV cl: quotient 123h does not fit: #DE, EAX unchanged, EIP at the instruction", () => {
    const t = exec([0xf6, 0xf1], { regs: { eax: 0x1234, ecx: 0x10 } });
    expect(t.exit).toBe(FAULT);
    expect(t.vector).toBe(0);
    expect(t.r("eax")).toBe(0x1234);
    expect(t.cpu.eip).toBe(CODE);
  });
  it("DIV ecx: 1_00000000 / 2 = 80000000", () => {
    const t = exec([0xf7, 0xf1], { regs: { edx: 1, eax: 0, ecx: 2 } });
    expect(t.r("eax")).toBe(0x80000000);
    expect(t.r("edx")).toBe(0);
  });
  it("DIV by zero (memory operand) is #DE", () => {
    const t = exec([0xf7, 0x35, ...le32(DATA)], { regs: { eax: 7, edx: 0 }, mem: [[DATA, le32(0)]] });
    expect(t.exit).toBe(FAULT);
    expect(t.vector).toBe(0);
    expect(t.r("eax")).toBe(7);
  });
  it("DIV cx (16-bit): DX:AX = 0001:0000 / 3", () => {
    const t = exec([0x66, 0xf7, 0xf1], { regs: { edx: 1, eax: 0, ecx: 3 } });
    expect(t.r("eax")).toBe(0x5555);
    expect(t.r("edx")).toBe(1);
  });
  it("IDIV ecx: -7 / 2 = -3 remainder -1 (truncates toward zero)", () => {
    const t = exec([0xf7, 0xf9], { regs: { eax: -7 >>> 0, edx: 0xffffffff, ecx: 2 } });
    expect(t.r("eax")).toBe(-3 >>> 0);
    expect(t.r("edx")).toBe(-1 >>> 0);
  });
  it("IDIV ecx: INT_MIN / -1 is #DE", () => {
    const t = exec([0xf7, 0xf9], { regs: { eax: 0x80000000, edx: 0xffffffff, ecx: 0xffffffff } });
    expect(t.exit).toBe(FAULT);
    expect(t.vector).toBe(0);
    expect(t.r("eax")).toBe(0x80000000);
  });
  it("IDIV ecx: INT64_MIN / -1 is #DE (no Wasm trap)", () => {
    const t = exec([0xf7, 0xf9], { regs: { eax: 0, edx: 0x80000000, ecx: 0xffffffff } });
    expect(t.exit).toBe(FAULT);
    expect(t.vector).toBe(0);
  });
  it("IDIV ecx: -2^31 / 1 fits", () => {
    const t = exec([0xf7, 0xf9], { regs: { eax: 0x80000000, edx: 0xffffffff, ecx: 1 } });
    expect(t.exit).toBe(HLT);
    expect(t.r("eax")).toBe(0x80000000);
    expect(t.r("edx")).toBe(0);
  });
  it("IDIV cl: -128 / -1 is #DE; -128 / 1 fits", () => {
    const a = exec([0xf6, 0xf9], { regs: { eax: 0xff80, ecx: 0xff } });
    expect(a.exit).toBe(FAULT);
    const b = exec([0xf6, 0xf9], { regs: { eax: 0xff80, ecx: 0x01 } });
    expect(b.r("eax")).toBe(0x0080);
  });
  it("IDIV cl: 7 / -2 = -3 remainder 1 in AH", () => {
    const t = exec([0xf6, 0xf9], { regs: { eax: 7, ecx: 0xfe } });
    expect(t.r("eax")).toBe(0x01fd);
  });
  it("IDIV cx (16-bit): -32768 / -1 is #DE", () => {
    const t = exec([0x66, 0xf7, 0xf9], { regs: { eax: 0x8000, edx: 0xffff, ecx: 0xffff } });
    expect(t.exit).toBe(FAULT);
    expect(t.vector).toBe(0);
  });
});

describe("XADD, CMPXCHG, CMPXCHG8B", () => {
  it("XADD [mem], ecx exchanges and adds", () => {
    const t = exec([0xf0, 0x0f, 0xc1, 0x0d, ...le32(DATA)], { regs: { ecx: 5 }, mem: [[DATA, le32(0xfffffffe)]] });
    expect(t.u32(DATA)).toBe(3);
    expect(t.r("ecx")).toBe(0xfffffffe);
    expect(t.flags & (CF | ZF)).toBe(CF);
  });
  it("XADD eax, eax leaves the sum", () => {
    const t = exec([0x0f, 0xc1, 0xc0], { regs: { eax: 3 } });
    expect(t.r("eax")).toBe(6);
  });
  it("XADD bl, cl (8-bit)", () => {
    const t = exec([0x0f, 0xc0, 0xcb], { regs: { ebx: 0x180, ecx: 0x90 } });
    expect(t.r("ebx")).toBe(0x110);
    expect(t.r("ecx")).toBe(0x80);
    expect(t.flags & (CF | OF)).toBe(CF | OF);
  });
  it("CMPXCHG [mem], ecx: equal stores ECX and sets ZF", () => {
    const t = exec([0x0f, 0xb1, 0x0d, ...le32(DATA)], { regs: { eax: 9, ecx: 77 }, mem: [[DATA, le32(9)]] });
    expect(t.u32(DATA)).toBe(77);
    expect(t.r("eax")).toBe(9);
    expect(t.flags & ZF).toBe(ZF);
  });
  it("CMPXCHG [mem], ecx: unequal loads EAX from memory, clears ZF, flags as CMP", () => {
    const t = exec([0x0f, 0xb1, 0x0d, ...le32(DATA)], { regs: { eax: 1, ecx: 77 }, mem: [[DATA, le32(2)]] });
    expect(t.u32(DATA)).toBe(2);
    expect(t.r("eax")).toBe(2);
    expect(t.flags & (ZF | CF | SF)).toBe(CF | SF); // 1 - 2 borrows
  });
  it("CMPXCHG with a failing compare still needs a writable destination", () => {
    // DS limit 0x8001: a dword at 0x8000 is out of range whatever the compare does.
    const t = exec([0x0f, 0xb1, 0x0d, ...le32(DATA)], { regs: { eax: 1, ecx: 77 }, dsLimit: 0x8001 });
    expect(t.exit).toBe(FAULT);
    expect(t.vector).toBe(13);
    expect(t.r("eax")).toBe(1);
  });
  it("CMPXCHG cl, dl (8-bit): unequal loads AL", () => {
    const t = exec([0x0f, 0xb0, 0xd1], { regs: { eax: 0x1205, ecx: 0x07, edx: 0x33 } });
    expect(t.r("eax")).toBe(0x1207);
    expect(t.r("ecx")).toBe(0x07);
    expect(t.flags & ZF).toBe(0);
  });
  it("CMPXCHG8B: equal stores ECX:EBX", () => {
    const t = exec([0x0f, 0xc7, 0x0d, ...le32(DATA)], {
      regs: { eax: 0x11111111, edx: 0x22222222, ebx: 0xaaaaaaaa, ecx: 0xbbbbbbbb },
      mem: [[DATA, [...le32(0x11111111), ...le32(0x22222222)]]],
    });
    expect(t.u32(DATA)).toBe(0xaaaaaaaa);
    expect(t.u32(DATA + 4)).toBe(0xbbbbbbbb);
    expect(t.flags & ZF).toBe(ZF);
  });
  it("CMPXCHG8B: unequal loads EDX:EAX, keeps other flags", () => {
    const t = exec([0x0f, 0xc7, 0x0d, ...le32(DATA)], {
      regs: { eax: 0x11111111, edx: 0x22222223, ebx: 1, ecx: 2 },
      mem: [[DATA, [...le32(0x11111111), ...le32(0x22222222)]]],
      flags: ZF | CF,
    });
    expect(t.u32(DATA + 4)).toBe(0x22222222);
    expect(t.r("edx")).toBe(0x22222222);
    expect(t.r("eax")).toBe(0x11111111);
    expect(t.flags & (ZF | CF)).toBe(CF);
  });
  it("CMPXCHG8B with a register operand is #UD", () => {
    const t = exec([0x0f, 0xc7, 0xc8]);
    expect(t.exit).toBe(FAULT);
    expect(t.vector).toBe(6);
  });
});

describe("MOVZX, MOVSX, CBW, CWD", () => {
  it("MOVSX eax, byte [mem] sign-extends; MOVZX zero-extends", () => {
    const a = exec([0x0f, 0xbe, 0x05, ...le32(DATA)], { mem: [[DATA, [0x80]]] });
    expect(a.r("eax")).toBe(0xffffff80);
    const b = exec([0x0f, 0xb6, 0x05, ...le32(DATA)], { regs: { eax: 0xffffffff }, mem: [[DATA, [0x80]]] });
    expect(b.r("eax")).toBe(0x80);
  });
  it("MOVSX eax, cx and MOVZX ax, bh keep their widths", () => {
    const a = exec([0x0f, 0xbf, 0xc1], { regs: { ecx: 0x12348001 } });
    expect(a.r("eax")).toBe(0xffff8001);
    const b = exec([0x66, 0x0f, 0xb6, 0xc7], { regs: { eax: 0xdeadbeef, ebx: 0xf00 } });
    expect(b.r("eax")).toBe(0xdead000f);
  });
  it("CBW, CWDE, CWD, CDQ", () => {
    expect(exec([0x66, 0x98], { regs: { eax: 0x12345680 } }).r("eax")).toBe(0x1234ff80);
    expect(exec([0x98], { regs: { eax: 0x12348000 } }).r("eax")).toBe(0xffff8000);
    expect(exec([0x66, 0x99], { regs: { eax: 0x8000, edx: 0x12345678 } }).r("edx")).toBe(0x1234ffff);
    expect(exec([0x99], { regs: { eax: 0x7fffffff, edx: 0x12345678 } }).r("edx")).toBe(0);
    expect(exec([0x99], { regs: { eax: 0x80000000 } }).r("edx")).toBe(0xffffffff);
  });
});

describe("flag instructions", () => {
  it("STC, CMC, CLC", () => {
    expect(exec([0xf9]).flags & CF).toBe(CF);
    expect(exec([0xf9, 0xf5]).flags & CF).toBe(0);
    expect(exec([0xf5]).flags & CF).toBe(CF);
    expect(exec([0xf8], { flags: CF | ZF }).flags & (CF | ZF)).toBe(ZF);
  });
  it("CMC after a lazy SUB complements the computed carry", () => {
    const t = exec([0x83, 0xe8, 0x01, 0xf5], { regs: { eax: 0 } }); // sub eax,1 (CF=1); cmc
    expect(t.flags & (CF | SF)).toBe(SF);
  });
  it("LAHF packs SF ZF AF PF CF with bit 1 set", () => {
    const t = exec([0x9f], { regs: { eax: 0 }, flags: SF | ZF | AF | PF | CF | OF });
    expect(t.r("eax")).toBe(0xd700);
  });
  it("SAHF loads SF ZF AF PF CF from AH, leaving OF", () => {
    const t = exec([0x9e], { regs: { eax: 0xff00 }, flags: OF });
    expect(t.flags & (ARITH | 0x28)).toBe(ARITH);
    const u = exec([0x9e], { regs: { eax: 0x0000 }, flags: ARITH });
    expect(u.flags & ARITH).toBe(OF);
  });
  it("SALC sets AL from CF", () => {
    expect(exec([0xf9, 0xd6], { regs: { eax: 0x1234 } }).r("eax")).toBe(0x12ff);
    expect(exec([0xf8, 0xd6], { regs: { eax: 0x12ff } }).r("eax")).toBe(0x1200);
  });
});

describe("the fault rule", () => {
  const lim = { dsLimit: 0x8fff };
  it("a read past the DS limit: #GP, destination register and flags unchanged", () => {
    const t = exec([0x0f, 0xaf, 0x05, ...le32(0x9000)], { regs: { eax: 5 }, flags: CF, ...lim }); // imul eax,[0x9000]
    expect(t.exit).toBe(FAULT);
    expect(t.vector).toBe(13);
    expect(t.r("eax")).toBe(5);
    expect(t.flags & ARITH).toBe(CF);
    expect(t.cpu.eip).toBe(CODE);
  });
  it("INC dword straddling the limit changes nothing", () => {
    const t = exec([0xff, 0x05, ...le32(0x8ffe)], { mem: [[0x8ffe, [1, 2, 3, 4]]], flags: CF, ...lim });
    expect(t.exit).toBe(FAULT);
    expect(t.u32(0x8ffe)).toBe(0x04030201);
    expect(t.flags & ARITH).toBe(CF);
  });
  it("DIV with a faulting operand leaves EDX:EAX", () => {
    const t = exec([0xf7, 0x35, ...le32(0x9000)], { regs: { eax: 1, edx: 2 }, ...lim });
    expect(t.vector).toBe(13);
    expect(t.r("eax")).toBe(1);
    expect(t.r("edx")).toBe(2);
  });
  it("XADD with a faulting destination leaves the source register", () => {
    const t = exec([0x0f, 0xc1, 0x0d, ...le32(0x9000)], { regs: { ecx: 3 }, ...lim });
    expect(t.vector).toBe(13);
    expect(t.r("ecx")).toBe(3);
  });
  it("CMPXCHG8B whose second dword is past the limit changes nothing", () => {
    const t = exec([0x0f, 0xc7, 0x0d, ...le32(0x8ffc)], {
      regs: { eax: 0x11111111, edx: 0x22222222, ebx: 5, ecx: 6 },
      mem: [[0x8ffc, le32(0x11111111)]], ...lim,
    });
    expect(t.vector).toBe(13);
    expect(t.u32(0x8ffc)).toBe(0x11111111);
    expect(t.r("eax")).toBe(0x11111111);
  });
});
