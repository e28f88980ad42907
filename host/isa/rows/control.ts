/**
 * Rows: near control flow (SDM vol. 2): CALL rel/Ev, JMP Ev, RET, RET Iw, LOOP/LOOPE/LOOPNE,
 * JCXZ/JECXZ. All end a block; targets beyond the CS limit raise #GP(0) at the branch.
 */
import type { Row } from "../table-types.ts";

const S = "system" as const;

export const CONTROL_ROWS: Row[] = [
  { id: "CALL_Jz", op: 0xe8, imm: "Jz", handler: "call_Jz", block: true, width: "v", oracle: S },
  { id: "CALL_Ev", op: 0xff, reg: 2, handler: "call_Ev", block: true, width: "v", oracle: S },
  { id: "JMP_Ev", op: 0xff, reg: 4, handler: "jmp_Ev", block: true, width: "v", oracle: S },
  { id: "RET", op: 0xc3, handler: "ret", block: true, width: "v", oracle: S },
  { id: "RET_Iw", op: 0xc2, imm: "Iw", handler: "ret_Iw", block: true, width: "v", oracle: S },
  { id: "LOOPNE_Jb", op: 0xe0, imm: "Jb", handler: "loop_Jb", flags: { r: "Z" }, block: true, oracle: S, note: "count register by address size" },
  { id: "LOOPE_Jb", op: 0xe1, imm: "Jb", handler: "loop_Jb", flags: { r: "Z" }, block: true, oracle: S, note: "count register by address size" },
  { id: "LOOP_Jb", op: 0xe2, imm: "Jb", handler: "loop_Jb", block: true, oracle: S, note: "count register by address size" },
  { id: "JCXZ_Jb", op: 0xe3, imm: "Jb", handler: "jcxz_Jb", block: true, oracle: S, note: "JECXZ with a 32-bit address size (0x67 selects CX)" },
];
