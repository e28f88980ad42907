/**
 * Rows: integer arithmetic beyond the eight classic ALU operations (SDM vol. 2 instruction pages):
 * INC/DEC (40-4F, FE/FF /0 /1), TEST (84 85 A8 A9, F6/F7 /0 /1), group 3 NOT NEG MUL IMUL DIV IDIV,
 * IMUL (0F AF, 69, 6B), XADD, CMPXCHG, CMPXCHG8B, MOVZX/MOVSX, CBW/CWD and the carry/flag
 * instructions (CLC STC CMC LAHF SAHF SALC). The family's other row files are joined here too, so
 * x86-table.ts needs one line for the whole family.
 */
import type { Row } from "../table-types.ts";
import { SHIFT_ROWS } from "./shifts.ts";
import { BIT_ROWS } from "./bits.ts";
import { BCD_ROWS } from "./bcd.ts";

const R = ["eAX", "eCX", "eDX", "eBX", "eSP", "eBP", "eSI", "eDI"];
const INCDEC = { w: "PAZSO" };
const LOGIC = { w: "CPAZSO", u: "A" };
const ARITH = { w: "CPAZSO" };
const MUL = { w: "CPAZSO", u: "PAZS" };
const DIV = { w: "CPAZSO", u: "CPAZSO" };

const incDec: Row[] = [
  ...R.map((r, i): Row => ({
    id: `INC_${r}`, op: 0x40 + i, handler: "inc_Rv", flags: INCDEC, width: "v", oracle: "qemu",
    note: "40-47 are REX prefixes in 64-bit mode",
  })),
  ...R.map((r, i): Row => ({
    id: `DEC_${r}`, op: 0x48 + i, handler: "dec_Rv", flags: INCDEC, width: "v", oracle: "qemu",
    note: "48-4F are REX prefixes in 64-bit mode",
  })),
  { id: "INC_Eb", op: 0xfe, reg: 0, handler: "incdec_Eb", flags: INCDEC, lock: true, width: 8 },
  { id: "DEC_Eb", op: 0xfe, reg: 1, handler: "incdec_Eb", flags: INCDEC, lock: true, width: 8 },
  { id: "INC_Ev", op: 0xff, reg: 0, handler: "incdec_Ev", flags: INCDEC, lock: true, width: "v" },
  { id: "DEC_Ev", op: 0xff, reg: 1, handler: "incdec_Ev", flags: INCDEC, lock: true, width: "v" },
];

const test: Row[] = [
  { id: "TEST_EbGb", op: 0x84, modrm: true, handler: "test_EbGb", flags: LOGIC, width: 8 },
  { id: "TEST_EvGv", op: 0x85, modrm: true, handler: "test_EvGv", flags: LOGIC, width: "v" },
  { id: "TEST_ALIb", op: 0xa8, imm: "Ib", handler: "test_ALIb", flags: LOGIC, width: 8 },
  { id: "TEST_eAXIz", op: 0xa9, imm: "Iz", handler: "test_eAXIz", flags: LOGIC, width: "v" },
];

/** Group 3 (F6 Eb, F7 Ev): digit 1 is an undocumented alias of TEST on Intel processors. */
function group3(op: number, s: "b" | "v"): Row[] {
  const width = s === "b" ? 8 : "v";
  const E = s === "b" ? "Eb" : "Ev";
  const h = (n: string) => `${n}_${E}`;
  const imm = s === "b" ? "Ib" : "Iz";
  return [
    { id: `TEST_${E}I${s === "b" ? "b" : "z"}`, op, reg: 0, imm, handler: h("test") + "I", flags: LOGIC, width },
    {
      id: `TEST_${E}I${s === "b" ? "b" : "z"}_1`, op, reg: 1, imm, handler: h("test") + "I", flags: LOGIC, width,
      note: "undocumented alias of /0 (Intel and AMD execute it as TEST, in every mode)",
    },
    { id: `NOT_${E}`, op, reg: 2, handler: h("not"), lock: true, width },
    { id: `NEG_${E}`, op, reg: 3, handler: h("neg"), flags: ARITH, lock: true, width },
    { id: `MUL_${E}`, op, reg: 4, handler: h("mul"), flags: MUL, width },
    { id: `IMUL_${E}`, op, reg: 5, handler: h("imul1"), flags: MUL, width },
    { id: `DIV_${E}`, op, reg: 6, handler: h("div"), flags: DIV, width, note: "#DE on a zero divisor and on quotient overflow" },
    { id: `IDIV_${E}`, op, reg: 7, handler: h("idiv"), flags: DIV, width, note: "#DE on a zero divisor and on quotient overflow (incl. INT_MIN / -1)" },
  ];
}

const imul: Row[] = [
  { id: "IMUL_GvEv", op: 0x1af, modrm: true, handler: "imul_GvEv", flags: MUL, width: "v" },
  { id: "IMUL_GvEvIz", op: 0x69, modrm: true, imm: "Izs", handler: "imul_GvEvI", flags: MUL, width: "v" },
  { id: "IMUL_GvEvIbs", op: 0x6b, modrm: true, imm: "Ibs", handler: "imul_GvEvI", flags: MUL, width: "v" },
];

const atomics: Row[] = [
  { id: "XADD_EbGb", op: 0x1c0, modrm: true, handler: "xadd_EbGb", flags: ARITH, lock: true, width: 8 },
  { id: "XADD_EvGv", op: 0x1c1, modrm: true, handler: "xadd_EvGv", flags: ARITH, lock: true, width: "v" },
  {
    id: "CMPXCHG_EbGb", op: 0x1b0, modrm: true, handler: "cmpxchg_EbGb", flags: ARITH, lock: true, width: 8,
    note: "a memory destination is always written (with its old value when the compare fails)",
  },
  {
    id: "CMPXCHG_EvGv", op: 0x1b1, modrm: true, handler: "cmpxchg_EvGv", flags: ARITH, lock: true, width: "v",
    note: "a memory destination is always written (with its old value when the compare fails)",
  },
  {
    id: "CMPXCHG8B_Mq", op: 0x1c7, reg: 1, mod: "mem", handler: "cmpxchg8b", flags: { w: "Z" }, lock: true, width: 32,
    note: "register form is #UD; the operand-size prefix does not change the 8-byte operand",
  },
];

const convert: Row[] = [
  { id: "MOVZX_GvEb", op: 0x1b6, modrm: true, handler: "movzx_GvEb", width: "v" },
  { id: "MOVZX_GvEw", op: 0x1b7, modrm: true, handler: "movzx_GvEw", width: "v", note: "with a 16-bit operand size this is a plain 16-bit move" },
  { id: "MOVSX_GvEb", op: 0x1be, modrm: true, handler: "movsx_GvEb", width: "v" },
  { id: "MOVSX_GvEw", op: 0x1bf, modrm: true, handler: "movsx_GvEw", width: "v", note: "with a 16-bit operand size this is a plain 16-bit move" },
  { id: "CBW_CWDE", op: 0x98, handler: "cbw", width: "v" },
  { id: "CWD_CDQ", op: 0x99, handler: "cwd", width: "v" },
];

const flagOps: Row[] = [
  { id: "CLC", op: 0xf8, handler: "clc", flags: { w: "C" } },
  { id: "STC", op: 0xf9, handler: "stc", flags: { w: "C" } },
  { id: "CMC", op: 0xf5, handler: "cmc", flags: { r: "C", w: "C" } },
  { id: "LAHF", op: 0x9f, handler: "lahf", flags: { r: "CPAZS" }, note: "in 64-bit mode needs CPUID.80000001H:ECX.LAHF-SAHF (present on every host we test on)" },
  { id: "SAHF", op: 0x9e, handler: "sahf", flags: { w: "CPAZS" }, note: "in 64-bit mode needs CPUID.80000001H:ECX.LAHF-SAHF (present on every host we test on)" },
  {
    id: "SALC", op: 0xd6, handler: "salc", flags: { r: "C" }, width: 8, oracle: "qemu",
    note: "undocumented (AL = CF ? FF : 00), present on P6; #UD in 64-bit mode",
  },
];

export const ARITH_ROWS: Row[] = [
  ...incDec,
  ...test,
  ...group3(0xf6, "b"),
  ...group3(0xf7, "v"),
  ...imul,
  ...atomics,
  ...convert,
  ...flagOps,
  ...SHIFT_ROWS,
  ...BIT_ROWS,
  ...BCD_ROWS,
];
