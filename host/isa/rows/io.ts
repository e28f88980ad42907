/** Rows: port I/O (ops/io.ts). Every form is IOPL-sensitive (TSS I/O bitmap when CPL > IOPL or v86). */
import type { Row } from "../table-types.ts";

const IO = { priv: "iopl" as const, oracle: "system" as const };

export const IO_ROWS: Row[] = [
  { id: "IN_ALIb", op: 0xe4, imm: "Ib", handler: "in_Ib", width: 8, ...IO },
  { id: "IN_eAXIb", op: 0xe5, imm: "Ib", handler: "in_Ib", width: "v", ...IO },
  { id: "OUT_IbAL", op: 0xe6, imm: "Ib", handler: "out_Ib", width: 8, ...IO },
  { id: "OUT_IbeAX", op: 0xe7, imm: "Ib", handler: "out_Ib", width: "v", ...IO },
  { id: "IN_ALDX", op: 0xec, handler: "in_DX", width: 8, ...IO },
  { id: "IN_eAXDX", op: 0xed, handler: "in_DX", width: "v", ...IO },
  { id: "OUT_DXAL", op: 0xee, handler: "out_DX", width: 8, ...IO },
  { id: "OUT_DXeAX", op: 0xef, handler: "out_DX", width: "v", ...IO },
  { id: "INSB", op: 0x6c, handler: "ins", width: 8, ...IO, note: "REP: one element per exit" },
  { id: "INSv", op: 0x6d, handler: "ins", width: "v", ...IO },
  { id: "OUTSB", op: 0x6e, handler: "outs", width: 8, ...IO },
  { id: "OUTSv", op: 0x6f, handler: "outs", width: "v", ...IO },
];
