/**
 * Rows: decimal and ASCII adjust (SDM vol. 2 pages DAA, DAS, AAA, AAS, AAM, AAD): 27 2F 37 3F,
 * D4 Ib, D5 Ib. All are #UD in 64-bit mode, so qemu-i386 is their oracle.
 */
import type { Row } from "../table-types.ts";

export const BCD_ROWS: Row[] = [
  { id: "DAA", op: 0x27, handler: "daa", flags: { r: "CA", w: "CPAZSO", u: "O" }, width: 8, oracle: "qemu" },
  { id: "DAS", op: 0x2f, handler: "das", flags: { r: "CA", w: "CPAZSO", u: "O" }, width: 8, oracle: "qemu" },
  { id: "AAA", op: 0x37, handler: "aaa", flags: { r: "A", w: "CPAZSO", u: "PZSO" }, width: 8, oracle: "qemu", note: "adds 106H to AX (P6 behaviour: a carry out of AL also reaches AH)" },
  { id: "AAS", op: 0x3f, handler: "aas", flags: { r: "A", w: "CPAZSO", u: "PZSO" }, width: 8, oracle: "qemu", note: "subtracts 6 from AX, then 1 from AH (P6 behaviour)" },
  { id: "AAM_Ib", op: 0xd4, imm: "Ib", handler: "aam", flags: { w: "CPAZSO", u: "CAO" }, width: 8, oracle: "qemu", note: "#DE when imm8 is 0; D4 0A is the documented form, other bases work" },
  { id: "AAD_Ib", op: 0xd5, imm: "Ib", handler: "aad", flags: { w: "CPAZSO", u: "CAO" }, width: 8, oracle: "qemu", note: "D5 0A is the documented form, other bases work" },
];
