/**
 * Rows: string instructions (SDM vol. 2): MOVS, CMPS, STOS, LODS, SCAS with REP/REPE/REPNE.
 * Marked block: a REP form may leave EIP at the instruction after a bounded chunk of iterations
 * (assembly/cpu/ops/string.ts), so it is not straight-line code.
 */
import type { Row } from "../table-types.ts";

const REP = "REP: at most 4096 iterations per step, then EIP stays at the instruction; " +
  "the 0x67 (SI/DI/CX) forms differ in 64-bit mode and need qemu";
const REPCC = "F3 = REPE, F2 = REPNE; " + REP;

export const STRING_ROWS: Row[] = [
  { id: "MOVSB", op: 0xa4, handler: "movs", flags: { r: "D" }, block: true, width: 8, note: REP },
  { id: "MOVSV", op: 0xa5, handler: "movs", flags: { r: "D" }, block: true, width: "v", note: REP },
  { id: "CMPSB", op: 0xa6, handler: "cmps", flags: { r: "D", w: "CPAZSO" }, block: true, width: 8, note: REPCC },
  { id: "CMPSV", op: 0xa7, handler: "cmps", flags: { r: "D", w: "CPAZSO" }, block: true, width: "v", note: REPCC },
  { id: "STOSB", op: 0xaa, handler: "stos", flags: { r: "D" }, block: true, width: 8, note: REP },
  { id: "STOSV", op: 0xab, handler: "stos", flags: { r: "D" }, block: true, width: "v", note: REP },
  { id: "LODSB", op: 0xac, handler: "lods", flags: { r: "D" }, block: true, width: 8, note: REP },
  { id: "LODSV", op: 0xad, handler: "lods", flags: { r: "D" }, block: true, width: "v", note: REP },
  { id: "SCASB", op: 0xae, handler: "scas", flags: { r: "D", w: "CPAZSO" }, block: true, width: 8, note: REPCC },
  { id: "SCASV", op: 0xaf, handler: "scas", flags: { r: "D", w: "CPAZSO" }, block: true, width: "v", note: REPCC },
];
