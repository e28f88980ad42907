/** Rows: MOV forms, NOP, HLT, JMP, Jcc. */
import type { Row } from "../table-types.ts";

const CC = ["O", "NO", "B", "AE", "E", "NE", "BE", "A", "S", "NS", "P", "NP", "L", "GE", "LE", "G"];
const CC_FLAGS = ["O", "O", "C", "C", "Z", "Z", "CZ", "CZ", "S", "S", "P", "P", "SO", "SO", "ZSO", "ZSO"];

export const BASIC_ROWS: Row[] = [
  { id: "MOV_EbGb", op: 0x88, modrm: true, handler: "mov_EbGb", width: 8 },
  { id: "MOV_EvGv", op: 0x89, modrm: true, handler: "mov_EvGv", width: "v" },
  { id: "MOV_GbEb", op: 0x8a, modrm: true, handler: "mov_GbEb", width: 8 },
  { id: "MOV_GvEv", op: 0x8b, modrm: true, handler: "mov_GvEv", width: "v" },
  { id: "MOV_EbIb", op: 0xc6, reg: 0, imm: "Ib", handler: "mov_EbIb", width: 8 },
  { id: "MOV_EvIz", op: 0xc7, reg: 0, imm: "Iz", handler: "mov_EvIz", width: "v" },
  ...Array.from({ length: 8 }, (_, r): Row => ({ id: `MOV_R${r}bIb`, op: 0xb0 + r, imm: "Ib", handler: "mov_RbIb", width: 8 })),
  ...Array.from({ length: 8 }, (_, r): Row => ({ id: `MOV_R${r}vIv`, op: 0xb8 + r, imm: "Iz", handler: "mov_RvIv", width: "v" })),
  { id: "NOP", op: 0x90, handler: "nop", note: "also XCHG eAX,eAX; F3 90 (PAUSE) executes as NOP" },
  { id: "HLT", op: 0xf4, handler: "hlt", block: true, priv: "cpl0", oracle: "system" },
  { id: "JMP_Jb", op: 0xeb, imm: "Jb", handler: "jmp_Jb", block: true, oracle: "system" },
  { id: "JMP_Jz", op: 0xe9, imm: "Jz", handler: "jmp_Jz", block: true, oracle: "system" },
  ...CC.map((cc, i): Row => ({ id: `J${cc}_Jb`, op: 0x70 + i, imm: "Jb", handler: "jcc_Jb", block: true, flags: { r: CC_FLAGS[i] }, oracle: "system" })),
  ...CC.map((cc, i): Row => ({ id: `J${cc}_Jz`, op: 0x180 + i, imm: "Jz", handler: "jcc_Jz", block: true, flags: { r: CC_FLAGS[i] }, oracle: "system" })),
];
