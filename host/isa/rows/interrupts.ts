/** Rows: software interrupts and IRET (ops/int.ts). Delivery itself is interrupts.ts/protect-int.ts. */
import type { Row } from "../table-types.ts";

const DELIVERY = { w: "TIN" }; // delivery clears TF and NT, and IF through interrupt gates

export const INTERRUPT_ROWS: Row[] = [
  {
    id: "INT_Ib", op: 0xcd, imm: "Ib", handler: "int_Ib", block: true, flags: DELIVERY, oracle: "system",
    note: "vectors claimed by the host (INTERCEPT SOFTINT) exit before any IDT lookup; #GP(0) in v86 with IOPL < 3",
  },
  { id: "INT3", op: 0xcc, handler: "int3", block: true, flags: DELIVERY, oracle: "system" },
  { id: "INTO", op: 0xce, handler: "into", block: true, flags: { r: "O", w: "TIN" }, oracle: "qemu", note: "#UD in 64-bit mode" },
  { id: "INT1", op: 0xf1, handler: "int1", block: true, flags: DELIVERY, oracle: "system", note: "ICEBP: #DB trap without the gate-DPL check" },
  { id: "IRET", op: 0xcf, handler: "iret", block: true, width: "v", flags: { w: "CPAZSODITN" }, oracle: "system" },
];
