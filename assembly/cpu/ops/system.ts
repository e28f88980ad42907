/**
 * System instructions (SDM vol. 2 pages; vol. 3 ch. 2, 5.10): CLI/STI, group 0F 00 (SLDT STR LLDT
 * LTR VERR VERW), group 0F 01 (SGDT SIDT LGDT LIDT SMSW LMSW INVLPG), LAR, LSL, ARPL, CLTS,
 * INVD/WBINVD, UD2, MOV to/from CR0-CR4 and DR0-DR7 (DR7.GD general detect; DR7 writes re-arm the
 * breakpoints, cpu/debug.ts).
 *
 * Privileged forms check CPL 0 (#GP(0)); in v86 mode CPL is 3, so they fault there too. 0F 00,
 * LAR, LSL and ARPL are #UD outside protected mode. CR writes keep the TLB and MODE consistent:
 * CR0.PG/PE/WP changes flush everything and refresh the mode, CR3 writes keep global pages, CR4
 * PGE/PAE/PSE changes flush everything. Writes that enter or change PAE paging load the PDPTE
 * registers and fail with #GP(0), changing nothing, if a present PDPTE has a reserved bit set.
 */
import { STATE, S_CR0, S_CR2, S_CR3, S_CR4, S_DR, S_GDTR_BASE, S_GDTR_LIMIT, S_IDTR_BASE, S_IDTR_LIMIT, S_INT_SHADOW } from "../../gen/layout";
import { modReg, modRm, modIsReg, eaSeg, eaOff, os32 } from "../decode";
import { readE16, writeE16, rmwE16, writeGv } from "../operands";
import {
  reg32, setReg32, setReg16, segSel, segBase, segAccess, setSegCache, getCpl, getMode, getCr0, getCr4, MODE_PROT, MODE_V86,
  SR_LDTR, SR_TR, SV_USABLE, CR0_PE, CR0_PG, CR0_WP, CR0_TS, CR0_CD, CR0_NW, CR0_ET, CR4_DE, CR4_PGE, CR4_PAE, CR4_PSE,
} from "../state";
import { faulted, raise, ud, gp0, GP, NP, DB } from "../fault";
import { refreshDebug, setDr6, DR6_BD, DR7_GD } from "../debug";
import { rawEflags, setEflagsBits, getEflags, IF, ZF } from "../flags";
import { read16, read32, write16, write32, checkWrite, writeSys8 } from "../../mmu/access";
import { tlbFlush, tlbFlushPage } from "../../mmu/tlb";
import { loadPdptes, paePaging } from "../../mmu/paging";
import { refreshMode } from "../mode";
import {
  readDesc, setDesc, dLo, dHi, dAddr, dDpl, dPresent, dIsCode, dConforming, dReadable, dWritableData, dLimit, cacheFromDesc,
} from "../segments";
import { SHADOW_STI } from "./seg";

// @ts-ignore: decorator
@inline function iopl(): i32 { return (rawEflags() >> 12) & 3; }
// @ts-ignore: decorator
@inline function protNotV86(): bool { return (getMode() & (MODE_PROT | MODE_V86)) == MODE_PROT; }
/** CPL 0 check for privileged instructions (real mode is CPL 0; v86 is CPL 3). */
function priv(): bool { if (getCpl() != 0) { gp0(); return false; } return true; }

/** IOPL-sensitive IF changes (no VME/PVI). */
function ifAllowed(): bool {
  const mode = getMode();
  if ((mode & MODE_PROT) == 0) return true;
  if ((mode & MODE_V86) ? iopl() < 3 : getCpl() > iopl()) { gp0(); return false; }
  return true;
}
export function cli(): void { if (ifAllowed()) setEflagsBits(0, IF); }
export function sti(): void {
  if (!ifAllowed()) return;
  if ((rawEflags() & IF) == 0) store<i32>(STATE + S_INT_SHADOW, SHADOW_STI);
  setEflagsBits(IF, IF);
}

// ---------------------------------------------------------------- 0F 00

/** SLDT/STR: a 32-bit register destination is zero-extended; memory stores 16 bits. */
function storeSel(v: i32): void {
  if (modIsReg) { if (os32) setReg32(modRm, v); else setReg16(modRm, v); } else writeE16(v);
}
export function sldt(): void { if (!protNotV86()) { ud(); return; } storeSel(segSel(SR_LDTR)); }
export function str_(): void { if (!protNotV86()) { ud(); return; } storeSel(segSel(SR_TR)); }

export function lldt(): void {
  if (!protNotV86()) { ud(); return; }
  if (!priv()) return;
  const sel = readE16();
  if (faulted) return;
  if ((sel & 0xfffc) == 0) { setSegCache(SR_LDTR, sel, 0, 0, 0, 0); return; }
  if ((sel & 4) || !readDesc(sel)) { if (!faulted) raise(GP, sel & 0xfffc); return; }
  if ((dHi & 0x1f00) != 0x200) { raise(GP, sel & 0xfffc); return; }
  if (!dPresent()) { raise(NP, sel & 0xfffc); return; }
  cacheFromDesc(SR_LDTR, sel);
}

export function ltr(): void {
  if (!protNotV86()) { ud(); return; }
  if (!priv()) return;
  const sel = readE16();
  if (faulted) return;
  if ((sel & 0xfffc) == 0) { gp0(); return; }
  if ((sel & 4) || !readDesc(sel)) { if (!faulted) raise(GP, sel & 0xfffc); return; }
  const t = <i32>(dHi >> 8) & 0x1f;
  if (t != 1 && t != 9) { raise(GP, sel & 0xfffc); return; }
  if (!dPresent()) { raise(NP, sel & 0xfffc); return; }
  setDesc(dLo, dHi | 0x200, dAddr); // mark busy, in memory and in the cache
  writeSys8(dAddr + 5, <i32>(dHi >> 8) & 0xff);
  if (faulted) return;
  cacheFromDesc(SR_TR, sel);
}

/** ZF only. */
function setZF(on: bool): void { setEflagsBits(on ? ZF : 0, ZF); }

function verify(write: bool): void {
  if (!protNotV86()) { ud(); return; }
  const sel = readE16();
  if (faulted) return;
  if ((sel & 0xfffc) == 0 || !readDesc(sel)) { if (!faulted) setZF(false); return; }
  const cpl = getCpl(), rpl = sel & 3;
  let ok: bool;
  if (write) ok = dWritableData() && dDpl() >= cpl && dDpl() >= rpl;
  else ok = dReadable() && ((dIsCode() && dConforming()) || (dDpl() >= cpl && dDpl() >= rpl));
  setZF(ok);
}
export function verr(): void { verify(false); }
export function verw(): void { verify(true); }

// ---------------------------------------------------------------- LAR, LSL, ARPL

/** Descriptor visible to LAR/LSL at this CPL/RPL? `lsl` restricts the system types. */
function larLslOk(sel: i32, lsl: bool): bool {
  if ((sel & 0xfffc) == 0 || !readDesc(sel)) return false;
  if (dHi & 0x1000) {
    if (dIsCode() && dConforming()) return true;
  } else {
    const t = <i32>(dHi >> 8) & 0xf;
    const okLar = t == 1 || t == 2 || t == 3 || t == 4 || t == 5 || t == 9 || t == 0xb || t == 0xc;
    const okLsl = t == 1 || t == 2 || t == 3 || t == 9 || t == 0xb;
    if (!(lsl ? okLsl : okLar)) return false;
  }
  return dDpl() >= getCpl() && dDpl() >= (sel & 3);
}
export function lar(): void {
  if (!protNotV86()) { ud(); return; }
  const sel = readE16();
  if (faulted) return;
  const ok = larLslOk(sel, false);
  if (faulted) return;
  if (ok) writeGv(<i32>(dHi & 0x00f0ff00));
  setZF(ok);
}
export function lsl(): void {
  if (!protNotV86()) { ud(); return; }
  const sel = readE16();
  if (faulted) return;
  const ok = larLslOk(sel, true);
  if (faulted) return;
  if (ok) writeGv(<i32>dLimit());
  setZF(ok);
}
export function arpl(): void {
  if (!protNotV86()) { ud(); return; }
  const d = rmwE16();
  if (faulted) return;
  const s = reg32(modReg) & 3;
  if ((d & 3) < s) { writeE16((d & ~3) | s); setZF(true); } else setZF(false);
}

// ---------------------------------------------------------------- 0F 01

function storeTable(base: u32, limit: u32): void {
  if (!checkWrite(eaSeg, eaOff, 6)) return;
  write16(eaSeg, eaOff, <i32>limit);
  write32(eaSeg, eaOff + 2, <i32>base);
}
export function sgdt(): void { storeTable(load<u32>(STATE + S_GDTR_BASE), load<u32>(STATE + S_GDTR_LIMIT)); }
export function sidt(): void { storeTable(load<u32>(STATE + S_IDTR_BASE), load<u32>(STATE + S_IDTR_LIMIT)); }

function loadTable(baseOff: i32, limitOff: i32): void {
  if (!priv()) return;
  const limit = read16(eaSeg, eaOff);
  let base = <u32>read32(eaSeg, eaOff + 2);
  if (faulted) return;
  if (!os32) base &= 0xffffff;
  store<u32>(STATE + baseOff, base);
  store<u32>(STATE + limitOff, limit);
}
export function lgdt(): void { loadTable(S_GDTR_BASE, S_GDTR_LIMIT); }
export function lidt(): void { loadTable(S_IDTR_BASE, S_IDTR_LIMIT); }

/** SMSW: a 32-bit register destination receives all of CR0 (P6); memory stores 16 bits. */
export function smsw(): void {
  const v = <i32>getCr0();
  if (modIsReg) { if (os32) setReg32(modRm, v); else setReg16(modRm, v); } else writeE16(v);
}
/** LMSW: loads PE MP EM TS; cannot clear PE. */
export function lmsw(): void {
  if (!priv()) return;
  const v = readE16();
  if (faulted) return;
  const cr0 = getCr0();
  const n = (cr0 & ~0xe) | (<u32>v & 0xf);
  store<u32>(STATE + S_CR0, n);
  if ((n ^ cr0) & CR0_PE) { tlbFlush(false); refreshMode(); }
}
export function invlpg(): void {
  if (!priv()) return;
  tlbFlushPage(segBase(eaSeg) + eaOff);
}

// ---------------------------------------------------------------- misc privileged

export function clts(): void { if (priv()) store<u32>(STATE + S_CR0, getCr0() & ~CR0_TS); }
export function invd(): void { priv(); }
export function ud2(): void { ud(); }

// ---------------------------------------------------------------- control and debug registers

const CR4_VALID: u32 = 0x7fc; // TSD DE PSE PAE MCE PGE PCE OSFXSR OSXMMEXCPT (no VME/PVI)

/** 0F 20: MOV r32, CRn (register form only). */
export function mov_RdCd(): void {
  if (!priv()) return;
  let v: u32;
  switch (modReg) {
    case 0: v = getCr0(); break;
    case 2: v = load<u32>(STATE + S_CR2); break;
    case 3: v = load<u32>(STATE + S_CR3); break;
    case 4: v = getCr4(); break;
    default: ud(); return;
  }
  setReg32(modRm, v);
}

/** 0F 22: MOV CRn, r32. */
export function mov_CdRd(): void {
  const r = modReg;
  if (r == 1 || r > 4) { ud(); return; }
  if (!priv()) return;
  const v = <u32>reg32(modRm);
  switch (r) {
    case 0: {
      if ((v & CR0_PG) && !(v & CR0_PE)) { gp0(); return; }
      if ((v & CR0_NW) && !(v & CR0_CD)) { gp0(); return; }
      const old = getCr0();
      const n = (v & 0xe005003f) | CR0_ET; // reserved bits ignored; ET is hardwired to 1
      // Entering or changing PAE paging (PG, CD, NW) loads the PDPTEs (SDM vol. 3, 4.4.1).
      if ((n & CR0_PG) && (getCr4() & CR4_PAE) && ((n ^ old) & (CR0_PG | CR0_CD | CR0_NW)) &&
        !loadPdptes(load<u32>(STATE + S_CR3), true)) { gp0(); return; }
      store<u32>(STATE + S_CR0, n);
      if ((n ^ old) & (CR0_PG | CR0_PE | CR0_WP)) tlbFlush(false);
      refreshMode();
      break;
    }
    case 2: store<u32>(STATE + S_CR2, v); break;
    case 3:
      if (paePaging() && !loadPdptes(v, true)) { gp0(); return; }
      store<u32>(STATE + S_CR3, v);
      tlbFlush(true);
      break;
    default: {
      if (v & ~CR4_VALID) { gp0(); return; }
      const old = getCr4();
      if ((getCr0() & CR0_PG) && (v & CR4_PAE) && ((v ^ old) & (CR4_PGE | CR4_PAE | CR4_PSE)) &&
        !loadPdptes(load<u32>(STATE + S_CR3), true)) { gp0(); return; }
      store<u32>(STATE + S_CR4, v);
      if ((v ^ old) & (CR4_PGE | CR4_PAE | CR4_PSE)) tlbFlush(false);
    }
  }
}

/** DR index after the DR4/DR5 aliasing rule, or -1 after raising #UD. */
function drIndex(): i32 {
  const r = modReg;
  if (r == 4 || r == 5) {
    if (getCr4() & CR4_DE) { ud(); return -1; }
    return r + 2;
  }
  return r;
}
/**
 * DR7.GD (general detect, SDM vol. 3, 18.2.4): any MOV to or from a debug register is a #DB fault
 * before it executes, with DR6.BD set (interrupts.ts clears GD when the #DB handler is entered).
 */
function generalDetect(): bool {
  if ((load<u32>(STATE + S_DR + 28) & DR7_GD) == 0) return false;
  setDr6(0, DR6_BD);
  raise(DB, 0);
  return true;
}
/** 0F 21: MOV r32, DRn. */
export function mov_RdDd(): void {
  const r = drIndex();
  if (r < 0 || !priv() || generalDetect()) return;
  let v = load<u32>(STATE + S_DR + r * 4);
  if (r == 6) v = (v | 0xffff0ff0) & ~0x1000;
  else if (r == 7) v = (v | 0x400) & ~0xd800;
  setReg32(modRm, v);
}
/** 0F 23: MOV DRn, r32. */
export function mov_DdRd(): void {
  const r = drIndex();
  if (r < 0 || !priv() || generalDetect()) return;
  let v = <u32>reg32(modRm);
  if (r == 6) v = (v | 0xffff0ff0) & ~0x1000;
  else if (r == 7) v = (v | 0x400) & ~0xd800;
  store<u32>(STATE + S_DR + r * 4, v);
  if (r == 7) refreshDebug();
}
