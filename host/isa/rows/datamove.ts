/**
 * Rows: data movement odds (SDM vol. 2): MOV moffs (A0-A3), LEA (8D), XCHG (86, 87, 91-97), XLAT
 * (D7), BOUND (62), the hint-NOP space 0F 18-0F 1F (long NOP, PREFETCHh), CLD (FC), STD (FD).
 */
import type { Row } from "../table-types.ts";

const REGS = ["eAX", "eCX", "eDX", "eBX", "eSP", "eBP", "eSI", "eDI"];
const PREFETCH = ["PREFETCHNTA", "PREFETCHT0", "PREFETCHT1", "PREFETCHT2"];

export const DATAMOVE_ROWS: Row[] = [
  {
    id: "MOV_ALOb", op: 0xa0, imm: "O", handler: "mov_ALOb", width: 8, oracle: "qemu",
    note: "moffs is 8 bytes in 64-bit mode (4 with 0x67), so the host CPU cannot run the 32-bit encoding",
  },
  { id: "MOV_eAXOv", op: 0xa1, imm: "O", handler: "mov_eAXOv", width: "v", oracle: "qemu", note: "moffs: see MOV_ALOb" },
  { id: "MOV_ObAL", op: 0xa2, imm: "O", handler: "mov_ObAL", width: 8, oracle: "qemu", note: "moffs: see MOV_ALOb" },
  { id: "MOV_OveAX", op: 0xa3, imm: "O", handler: "mov_OveAX", width: "v", oracle: "qemu", note: "moffs: see MOV_ALOb" },
  { id: "LEA_GvM", op: 0x8d, mod: "mem", handler: "lea_GvM", width: "v", note: "register form #UD" },
  { id: "XCHG_EbGb", op: 0x86, modrm: true, handler: "xchg_EbGb", lock: true, width: 8, note: "memory form is implicitly locked" },
  { id: "XCHG_EvGv", op: 0x87, modrm: true, handler: "xchg_EvGv", lock: true, width: "v", note: "memory form is implicitly locked" },
  ...[1, 2, 3, 4, 5, 6, 7].map((r): Row => ({ id: `XCHG_eAX${REGS[r]}`, op: 0x90 + r, handler: "xchg_eAXRv", width: "v" })),
  { id: "XLAT", op: 0xd7, handler: "xlat", width: 8, note: "DS:[eBX + AL], the sum wrapped to the address size" },
  {
    id: "BOUND_GvMa", op: 0x62, mod: "mem", handler: "bound_GvMa", width: "v", oracle: "qemu",
    note: "#BR (vector 5, a fault) when out of range; register form #UD; 62 is EVEX in 64-bit mode",
  },
  ...PREFETCH.map((name, r): Row => ({
    id: `${name}_M`, op: 0x118, reg: r, handler: "nop_Ev",
    note: "a hint: executes as a NOP and never accesses memory (the register form too)",
  })),
  ...[4, 5, 6, 7].map((r): Row => ({ id: `HINT_NOP_0F18_${r}`, op: 0x118, reg: r, handler: "nop_Ev", note: "reserved hint NOP" })),
  ...[0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e].map((b): Row => ({
    id: `HINT_NOP_0F${b.toString(16).toUpperCase()}`, op: 0x100 | b, modrm: true, handler: "nop_Ev", width: "v",
    note: "reserved hint NOP on P6; later CPUs give some prefixed forms meanings (MPX, CET) that are NOPs when disabled",
  })),
  { id: "NOP_Ev", op: 0x11f, reg: 0, handler: "nop_Ev", width: "v", note: "long NOP; the memory operand is not accessed" },
  ...[1, 2, 3, 4, 5, 6, 7].map((r): Row => ({ id: `HINT_NOP_0F1F_${r}`, op: 0x11f, reg: r, handler: "nop_Ev", width: "v", note: "reserved hint NOP" })),
  { id: "CLD", op: 0xfc, handler: "cld", flags: { w: "D" } },
  { id: "STD", op: 0xfd, handler: "std", flags: { w: "D" } },
];
