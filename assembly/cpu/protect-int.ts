/**
 * Protected-mode interrupt and exception delivery through the IDT: interrupt, trap and task gates,
 * privilege changes with the TSS stack switch, and v86 exits (SDM vol. 3, 6.10-6.12, 20.3).
 */
import { raise, GP } from "./fault";

export function protectedDeliver(vector: i32, kind: i32, hasError: bool, error: i32): void {
  // Placeholder until the protection work lands: report #GP(IDT) so the double-fault path runs.
  raise(GP, vector * 8 + 2);
}
