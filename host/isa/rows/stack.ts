/**
 * Rows: stack instructions (SDM vol. 2): PUSH/POP r, PUSH imm, PUSH Ev (FF /6), POP Ev (8F /0),
 * PUSHA/POPA, PUSHF/POPF, ENTER, LEAVE. All use qemu as the oracle: in 64-bit mode the stack
 * operations are 64-bit (and PUSHA/POPA do not exist).
 */
import type { Row } from "../table-types.ts";

const REGS = ["eAX", "eCX", "eDX", "eBX", "eSP", "eBP", "eSI", "eDI"];
const Q = "qemu" as const;

export const STACK_ROWS: Row[] = [
  ...REGS.map((r, i): Row => ({ id: `PUSH_${r}`, op: 0x50 + i, handler: "push_Rv", width: "v", oracle: Q })),
  ...REGS.map((r, i): Row => ({
    id: `POP_${r}`, op: 0x58 + i, handler: "pop_Rv", width: "v", oracle: Q,
    note: i === 4 ? "POP ESP loads the popped value" : undefined,
  })),
  { id: "PUSH_Iz", op: 0x68, imm: "Iz", handler: "push_I", width: "v", oracle: Q },
  { id: "PUSH_Ibs", op: 0x6a, imm: "Ibs", handler: "push_I", width: "v", oracle: Q },
  { id: "PUSH_Ev", op: 0xff, reg: 6, handler: "push_Ev", width: "v", oracle: Q },
  { id: "POP_Ev", op: 0x8f, reg: 0, handler: "pop_Ev", width: "v", oracle: Q, note: "an ESP base is used after the increment" },
  { id: "PUSHA", op: 0x60, handler: "pusha", width: "v", oracle: Q },
  { id: "POPA", op: 0x61, handler: "popa", width: "v", oracle: Q, note: "the ESP slot is skipped" },
  { id: "PUSHF", op: 0x9c, handler: "pushf", flags: { r: "CPAZSODITN" }, width: "v", priv: "iopl", oracle: Q, note: "#GP(0) in v86 mode with IOPL < 3 (no VME)" },
  {
    id: "POPF", op: 0x9d, handler: "popf", flags: { w: "CPAZSODITN" }, width: "v", priv: "iopl", block: true, oracle: Q,
    note: "IOPL only at CPL 0, IF only at CPL <= IOPL; VM/VIF/VIP kept; RF cleared (32-bit); #GP(0) in v86 with IOPL < 3",
  },
  { id: "ENTER", op: 0xc8, imm: "IwIb", handler: "enter", width: "v", oracle: Q, note: "nesting level masked to 5 bits" },
  { id: "LEAVE", op: 0xc9, handler: "leave", width: "v", oracle: Q },
];
