/**
 * Software interrupts and IRET (SDM vol. 2 INT n/INTO/INT3/INT1, IRET/IRETD; vol. 3, 6.12, 7.3,
 * 20.2-20.3). INT n first asks whether the host claims the vector (PV hypercalls such as int 0x82
 * must reach the host whatever the IDT says); otherwise the interrupt is raised as a software trap
 * (raiseSoft: EIP after the instruction, gate-DPL check) and delivered by interrupts.ts.
 *
 * IRET covers real mode, v86 mode (IOPL 3 only: no VME), same-privilege and outer-privilege
 * protected returns, returns to v86 mode (VM in the popped EFLAGS at CPL 0) and task returns
 * (NT = 1). EFLAGS rules: IOPL changes only at CPL 0, IF only when CPL <= IOPL, VM/VIF/VIP only at
 * CPL 0 with a 32-bit operand.
 */
import { checkReturnCs, checkOuterSs } from "./far";
import { STATE, S_EIP, S_CPL } from "../../gen/layout";
import { imm, os32 } from "../decode";
import { segBase, segSel, segLimit, reg32, setReg32, getCpl, getMode, MODE_PROT, MODE_V86, SR_CS, SR_SS, SR_TR, ESP } from "../state";
import { faulted, raise, raiseSoft, raiseTrap, raiseIcebp, gp0, GP, NP, SS, TS, BP, OF as V_OF, DB } from "../fault";
import { getEflags, getOF, rawEflags, setEflagsBits, CF, PF, AF, ZF, SF, TF, IF, DF, OF, IOPL, NT, RF, VM, AC, VIF, VIP, ID } from "../flags";
import { pop16, pop32, setSp } from "../stack";
import { readSys16 } from "../../mmu/access";
import { softIntClaimed, softIntExit } from "../exits";
import { refreshMode } from "../mode";
import {
  readDesc, setDesc, dLo, dHi, dAddr, dDpl, dPresent, dIsCode, dConforming, dWritableData, dLimit,
  cacheFromDesc, markAccessed, commitCs, loadReal, loadV86, nullInaccessible, saveState, restoreState,
  dropSnapshot,
} from "../segments";
import { taskSwitch, TS_IRET } from "../task";

// @ts-ignore: decorator
@inline function iopl(): i32 { return (rawEflags() >> 12) & 3; }

/** CD ib: INT n. */
export function int_Ib(): void {
  const v = imm & 0xff;
  if (softIntClaimed(v)) { softIntExit(v); return; }
  if ((getMode() & MODE_V86) && iopl() < 3) { gp0(); return; }
  raiseSoft(v);
}
/** CC: INT3 (the host's claim on vector 3 applies too, so a PV host sees breakpoints). */
export function int3(): void {
  if (softIntClaimed(BP)) { softIntExit(BP); return; }
  raiseSoft(BP);
}
/** CE: INTO (only when OF = 1; the host's claim on vector 4 applies). */
export function into(): void {
  if (!getOF()) return;
  if (softIntClaimed(V_OF)) { softIntExit(V_OF); return; }
  raiseSoft(V_OF);
}
/** F1: INT1 / ICEBP: a #DB trap delivered like a hardware event (no gate-DPL check). */
export function int1(): void { raiseIcebp(); }

/**
 * Load EFLAGS from a popped image under the protected-mode rules of IRET (and POPF apart from
 * VM/VIF/VIP, which POPF never changes): `size32` selects a 16- or 32-bit image.
 */
export function writeEflagsIret(v: i32, size32: bool, cpl: i32): void {
  let mask = CF | PF | AF | ZF | SF | TF | DF | OF | NT;
  if (size32) mask |= RF | AC | ID;
  if (cpl <= iopl()) mask |= IF;
  if (cpl == 0) { mask |= IOPL; if (size32) mask |= VIF | VIP | VM; }
  if (!size32) mask &= 0xffff;
  setEflagsBits(v, mask);
}

/** CF: IRET / IRETD. */
export function iret(): void {
  const mode = getMode();
  if ((mode & MODE_PROT) == 0) { iretReal(); return; }
  if (mode & MODE_V86) { iretV86(); return; }
  saveState();
  iretProt();
  if (faulted) restoreState(); else dropSnapshot();
}

function iretReal(): void {
  const eip: u32 = os32 ? <u32>pop32() : <u32>pop16();
  const cs = (os32 ? pop32() : pop16()) & 0xffff;
  const fl = os32 ? pop32() : pop16();
  if (faulted) return;
  if (eip > segLimit(SR_CS)) { raise(GP, 0); return; }
  loadReal(SR_CS, cs);
  store<u32>(STATE + S_EIP, eip);
  if (os32) setEflagsBits(fl, 0x257fd5);
  else setEflagsBits(fl, 0x7fd5);
}

function iretV86(): void {
  if (iopl() < 3) { gp0(); return; }
  const eip: u32 = os32 ? <u32>pop32() : <u32>pop16();
  const cs = (os32 ? pop32() : pop16()) & 0xffff;
  const fl = os32 ? pop32() : pop16();
  if (faulted) return;
  if (eip > 0xffff) { raise(GP, 0); return; }
  loadV86(SR_CS, cs);
  store<u32>(STATE + S_EIP, eip);
  // VM, IOPL, VIP and VIF are not changed.
  setEflagsBits(fl, os32 ? 0x257fd5 & ~IOPL : 0x7fd5 & ~IOPL);
}

function iretProt(): void {
  const cpl = getCpl();
  if (rawEflags() & NT) {
    // Task return: the back link of the current TSS names a busy TSS in the GDT.
    const link = readSys16(segBase(SR_TR));
    if (faulted) return;
    if ((link & 4) || !readDesc(link)) { if (!faulted) raise(TS, link & 0xfffc); return; }
    const t = <i32>(dHi >> 8) & 0x1f;
    if (t != 3 && t != 0xb) { raise(TS, link & 0xfffc); return; }
    taskSwitch(link, TS_IRET, 0, -1);
    return;
  }
  const eip: u32 = os32 ? <u32>pop32() : <u32>pop16();
  const sel = (os32 ? pop32() : pop16()) & 0xffff;
  const fl = os32 ? pop32() : pop16();
  if (faulted) return;
  if ((fl & VM) && cpl == 0 && os32) { iretToV86(eip, sel, fl); return; }
  const rpl = sel & 3;
  if (!checkReturnCs(sel, cpl)) return;
  const csLo = dLo, csHi = dHi, csAddr = dAddr;
  const csLimit = dLimit();
  if (rpl > cpl) {
    const nesp = os32 ? pop32() : pop16();
    const nss = (os32 ? pop32() : pop16()) & 0xffff;
    if (faulted) return;
    if (!checkOuterSs(nss, rpl)) return;
    if (eip > csLimit) { raise(GP, 0); return; }
    markAccessed();
    if (faulted) return;
    cacheFromDesc(SR_SS, nss);
    setDesc(csLo, csHi, csAddr);
    markAccessed();
    if (faulted) return;
    writeEflagsIret(fl, os32, cpl);
    commitCs(sel, rpl);
    if (os32) setReg32(ESP, nesp); else setSp(<u32>nesp & 0xffff);
    nullInaccessible(rpl);
  } else {
    if (eip > csLimit) { raise(GP, 0); return; }
    markAccessed();
    if (faulted) return;
    writeEflagsIret(fl, os32, cpl);
    commitCs(sel, cpl);
  }
  store<u32>(STATE + S_EIP, eip);
}

/** IRET at CPL 0 with VM set in the popped EFLAGS: the rest of the v86 frame follows. */
function iretToV86(eip: u32, cs: i32, fl: i32): void {
  const nesp = pop32();
  const ss = pop32();
  const es = pop32();
  const ds = pop32();
  const fs = pop32();
  const gs = pop32();
  if (faulted) return;
  if (eip > 0xffff) { raise(GP, 0); return; }
  setEflagsBits(fl, 0x3f7fd5);
  loadV86(SR_CS, cs);
  loadV86(SR_SS, ss);
  loadV86(0, es);
  loadV86(3, ds);
  loadV86(4, fs);
  loadV86(5, gs);
  setReg32(ESP, nesp);
  store<u32>(STATE + S_EIP, eip);
  refreshMode();
}
