/** Rows: segment-register moves, pushes and pops, and the far-pointer loads (ops/seg.ts). */
import type { Row } from "../table-types.ts";

const SREG = ["ES", "CS", "SS", "DS", "FS", "GS"];

export const SEGMENT_ROWS: Row[] = [
  {
    id: "MOV_EwSw", op: 0x8c, modrm: true, handler: "mov_EwSw", width: "v", oracle: "system",
    note: "reg > 5 is #UD; a 32-bit register destination is zero-extended (P6); memory stores 16 bits",
  },
  {
    id: "MOV_SwEw", op: 0x8e, modrm: true, handler: "mov_SwEw", width: 16, block: true, oracle: "system",
    note: "CS or reg > 5 is #UD; MOV SS inhibits interrupts and single-step for one instruction",
  },
  ...[0x06, 0x0e, 0x16, 0x1e].map((op, i): Row => ({
    id: `PUSH_${SREG[[0, 1, 2, 3][i]]}`, op, handler: "push_sreg", width: "v", oracle: "qemu",
    note: "a 32-bit push stores the selector zero-extended",
  })),
  ...[0x07, 0x17, 0x1f].map((op, i): Row => ({
    id: `POP_${SREG[[0, 2, 3][i]]}`, op, handler: "pop_sreg", width: "v", oracle: "system",
    block: op === 0x17,
  })),
  { id: "PUSH_FS", op: 0x1a0, handler: "push_sreg", width: "v", oracle: "qemu" },
  { id: "POP_FS", op: 0x1a1, handler: "pop_sreg", width: "v", oracle: "system" },
  { id: "PUSH_GS", op: 0x1a8, handler: "push_sreg", width: "v", oracle: "qemu" },
  { id: "POP_GS", op: 0x1a9, handler: "pop_sreg", width: "v", oracle: "system" },
  { id: "LES_GvMp", op: 0xc4, modrm: true, mod: "mem", handler: "les", width: "v", oracle: "system" },
  { id: "LDS_GvMp", op: 0xc5, modrm: true, mod: "mem", handler: "lds", width: "v", oracle: "system" },
  { id: "LSS_GvMp", op: 0x1b2, modrm: true, mod: "mem", handler: "lss", width: "v", block: true, oracle: "system" },
  { id: "LFS_GvMp", op: 0x1b4, modrm: true, mod: "mem", handler: "lfs", width: "v", oracle: "system" },
  { id: "LGS_GvMp", op: 0x1b5, modrm: true, mod: "mem", handler: "lgs", width: "v", oracle: "system" },
];

/** Rows: far JMP/CALL/RET (ops/far.ts): code segments, call gates, TSS and task gates. */
export const FAR_ROWS: Row[] = [
  { id: "JMP_Ap", op: 0xea, imm: "Ap", handler: "jmp_Ap", block: true, width: "v", oracle: "system" },
  { id: "CALL_Ap", op: 0x9a, imm: "Ap", handler: "call_Ap", block: true, width: "v", oracle: "system" },
  { id: "JMP_Mp", op: 0xff, reg: 5, mod: "mem", handler: "jmp_Mp", block: true, width: "v", oracle: "system", note: "register form is #UD" },
  { id: "CALL_Mp", op: 0xff, reg: 3, mod: "mem", handler: "call_Mp", block: true, width: "v", oracle: "system", note: "register form is #UD" },
  { id: "RETF", op: 0xcb, handler: "retf", block: true, width: "v", oracle: "system" },
  { id: "RETF_Iw", op: 0xca, imm: "Iw", handler: "retf_Iw", block: true, width: "v", oracle: "system" },
];
