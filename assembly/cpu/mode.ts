/**
 * Derived mode state: recompute MODE bits (code/stack size, protected, v86, paging) and the TLB's
 * CPL-dependent masks after anything that changes CR0, EFLAGS.VM, CS, SS or CPL.
 */
import { STATE, S_CPL, S_CR0, S_EFLAGS } from "../gen/layout";
import { setMode, segAccess, SR_CS, SR_SS, AR_DB, MODE_CODE32, MODE_STACK32, MODE_PROT, MODE_V86, MODE_PAGING, CR0_PE, CR0_PG } from "./state";
import { setCplMasks } from "../mmu/tlb";

export function refreshMode(): void {
  const cr0 = load<u32>(STATE + S_CR0);
  const vm = (load<i32>(STATE + S_EFLAGS) & 0x20000) != 0;
  let m = 0;
  if (cr0 & CR0_PE) {
    m |= MODE_PROT;
    if (vm) m |= MODE_V86;
    else {
      if (segAccess(SR_CS) & AR_DB) m |= MODE_CODE32;
      if (segAccess(SR_SS) & AR_DB) m |= MODE_STACK32;
    }
  }
  if (cr0 & CR0_PG) m |= MODE_PAGING;
  setMode(m);
  if (!(cr0 & CR0_PE)) store<i32>(STATE + S_CPL, 0);
  else if (vm) store<i32>(STATE + S_CPL, 3);
  setCplMasks(load<i32>(STATE + S_CPL));
}

export function setCpl(cpl: i32): void {
  store<i32>(STATE + S_CPL, cpl);
  setCplMasks(cpl);
}
