/**
 * x87 control and environment instructions (SDM vol. 1, 8.1.10 and figures 8-9 to 8-12; vol. 2
 * FINIT/FNINIT FCLEX/FNCLEX FLDCW FSTCW/FNSTCW FSTSW/FNSTSW FSTENV/FNSTENV FLDENV FSAVE/FNSAVE
 * FRSTOR FWAIT FXSAVE FXRSTOR). Environment images: 14 bytes (16-bit operand size) or 28 bytes
 * (32-bit), in the protected-mode format or the real-mode format (real and virtual-8086 mode,
 * where the pointers are 20/32-bit linear addresses). FNSAVE/FRSTOR add ST(0)..ST(7) as 80-bit
 * values (94/108 bytes). FXSAVE/FXRSTOR use the 512-byte image with the abridged tag word; the SSE
 * part is written as defaults (MXCSR 1F80, mask FFBF, XMM zero). Reserved upper halves of the
 * 32-bit image words are written as FFFF. Images are probed whole before anything changes.
 */
import { FPU, F_CW, F_FIP, F_FCS, F_FOP, F_FDP, F_FDS, F_FERR } from "../../gen/layout";
import { os32, eaSeg, eaOff } from "../decode";
import { read16, read32, write8, write16, write32, checkWrite, checkRead } from "../../mmu/access";
import { faulted, raise, GP } from "../fault";
import { getMode, MODE_PROT, MODE_V86, setReg16, EAX, segBase } from "../state";
import {
  fpuEnter, fwaitEnter, getCW, setCW, getSW, setSW, getSWraw, setSWraw, validMask, setValidMask, getTop,
  hasShadowP, shadowMantP, shadowSEP, regF64P, fpuInit, BUSY,
} from "./state";
import { xe, xm, f64ToExt, setRegExtP, xUnsupported } from "./convert";
import { writeRegM80 } from "./loadstore";

// @ts-ignore: decorator
@inline function w16(off: u32, v: i32): void { write16(eaSeg, eaOff + off, v); }
// @ts-ignore: decorator
@inline function w32(off: u32, v: i32): void { write32(eaSeg, eaOff + off, v); }
// @ts-ignore: decorator
@inline function r16(off: u32): i32 { return read16(eaSeg, eaOff + off); }
// @ts-ignore: decorator
@inline function r32(off: u32): i32 { return read32(eaSeg, eaOff + off); }

/** Full tag word from the register contents: 00 valid, 01 zero, 10 special, 11 empty. */
export function fullTagWord(): i32 {
  let tw = 0;
  const valid = validMask();
  for (let p = 0; p < 8; p++) {
    let t = 3;
    if (valid & (1 << p)) {
      let e: i32, m: u64;
      if (hasShadowP(p)) { e = shadowSEP(p) & 0x7fff; m = shadowMantP(p); }
      else { f64ToExt(regF64P(p)); e = xe; m = xm; }
      if (e == 0 && m == 0) t = 1;
      else if (e == 0 || e == 0x7fff || xUnsupported(e, m)) t = 2;
      else t = 0;
    }
    tw |= t << (p * 2);
  }
  return tw;
}
/** Tag word from an image: only "empty" (11) matters; other tags are recomputed on demand. */
function loadTagWord(tw: i32): void {
  let v = 0;
  for (let p = 0; p < 8; p++) if (((tw >> (p * 2)) & 3) != 3) v |= 1 << p;
  setValidMask(v);
}

// @ts-ignore: decorator
@inline function realFormat(): bool { return (getMode() & (MODE_PROT | MODE_V86)) != MODE_PROT; }
// @ts-ignore: decorator
@inline function envSize(): i32 { return os32 ? 28 : 14; }

/** Write the environment image at eaSeg:eaOff (already probed). */
function writeEnv(): void {
  const fip = load<u32>(FPU + F_FIP), fcs = load<i32>(FPU + F_FCS) & 0xffff;
  const fop = load<i32>(FPU + F_FOP) & 0x7ff;
  const fdp = load<u32>(FPU + F_FDP), fds = load<i32>(FPU + F_FDS) & 0xffff;
  const cw = getCW(), sw = getSW(), tw = fullTagWord();
  if (realFormat()) {
    const ip = fip + (<u32>fcs << 4), dp = fdp + (<u32>fds << 4);
    if (os32) {
      w32(0, cw | 0xffff0000); w32(4, sw | 0xffff0000); w32(8, tw | 0xffff0000);
      w32(12, <i32>(ip & 0xffff) | 0xffff0000);
      w32(16, <i32>((ip >> 16) << 12) | fop);
      w32(20, <i32>(dp & 0xffff) | 0xffff0000);
      w32(24, <i32>((dp >> 16) << 12));
    } else {
      w16(0, cw); w16(2, sw); w16(4, tw);
      w16(6, <i32>ip);
      w16(8, <i32>(((ip >> 16) & 0xf) << 12) | fop);
      w16(10, <i32>dp);
      w16(12, <i32>(((dp >> 16) & 0xf) << 12));
    }
  } else if (os32) {
    w32(0, cw | 0xffff0000); w32(4, sw | 0xffff0000); w32(8, tw | 0xffff0000);
    w32(12, <i32>fip);
    w32(16, fcs | (fop << 16));
    w32(20, <i32>fdp);
    w32(24, fds | 0xffff0000);
  } else {
    w16(0, cw); w16(2, sw); w16(4, tw);
    w16(6, <i32>fip); w16(8, fcs); w16(10, <i32>fdp); w16(12, fds);
  }
}
/** Load the environment image (already checked readable). */
function readEnv(): void {
  let cw: i32, sw: i32, tw: i32, fip: u32, fcs: i32, fop: i32, fdp: u32, fds: i32;
  if (os32) {
    cw = r16(0); sw = r16(4); tw = r16(8);
    if (realFormat()) {
      fip = (<u32>r16(12)) | ((<u32>(r32(16) >> 12) & 0xffff) << 16);
      fop = r16(16) & 0x7ff; fcs = 0;
      fdp = (<u32>r16(20)) | ((<u32>(r32(24) >> 12) & 0xffff) << 16);
      fds = 0;
    } else {
      fip = <u32>r32(12); fcs = r16(16); fop = (r32(16) >> 16) & 0x7ff;
      fdp = <u32>r32(20); fds = r16(24);
    }
  } else {
    cw = r16(0); sw = r16(2); tw = r16(4);
    if (realFormat()) {
      fip = (<u32>r16(6)) | ((<u32>(r16(8) >> 12)) << 16);
      fop = r16(8) & 0x7ff; fcs = 0;
      fdp = (<u32>r16(10)) | ((<u32>(r16(12) >> 12)) << 16);
      fds = 0;
    } else {
      fip = <u32>r16(6); fcs = r16(8); fop = load<i32>(FPU + F_FOP);
      fdp = <u32>r16(10); fds = r16(12);
    }
  }
  if (faulted) return;
  store<i32>(FPU + F_CW, (cw & 0x1f3f) | 0x40);
  setSW(sw);
  loadTagWord(tw);
  store<u32>(FPU + F_FIP, fip); store<i32>(FPU + F_FCS, fcs); store<i32>(FPU + F_FOP, fop);
  store<u32>(FPU + F_FDP, fdp); store<i32>(FPU + F_FDS, fds);
}

export function fnstenv(): void {
  if (!fpuEnter(false)) return;
  if (!checkWrite(eaSeg, eaOff, envSize())) return;
  writeEnv();
  setCW(getCW() | 0x3f);
}
export function fldenv(): void {
  if (!fpuEnter(true)) return;
  if (!checkRead(eaSeg, eaOff, envSize())) return;
  readEnv();
}
export function fnsave(): void {
  if (!fpuEnter(false)) return;
  const n = envSize();
  if (!checkWrite(eaSeg, eaOff, n + 80)) return;
  writeEnv();
  for (let i = 0; i < 8; i++) writeRegM80(<u32>(n + i * 10), (getTop() + i) & 7);
  fpuInit();
}
export function frstor(): void {
  if (!fpuEnter(true)) return;
  const n = envSize();
  if (!checkRead(eaSeg, eaOff, n + 80)) return;
  readEnv();
  if (faulted) return;
  for (let i = 0; i < 8; i++) loadRegM80(<u32>(n + i * 10), (getTop() + i) & 7);
}
/** Load an m80 at +off into physical register p, keeping its tag. */
function loadRegM80(off: u32, p: i32): void {
  const lo = <u64>(<u32>r32(off)), hi = <u64>(<u32>r32(off + 4));
  const se = r16(off + 8);
  const valid = validMask();
  setRegExtP(p, (se >> 15) & 1, se & 0x7fff, lo | (hi << 32));
  setValidMask(valid);
}

// ---------------------------------------------------------------- FXSAVE / FXRSTOR

/** #GP(0) unless the operand's linear address is 16-byte aligned. */
function aligned16(): bool {
  if (((segBase(eaSeg) + eaOff) & 15) != 0) { raise(GP, 0); return false; }
  return true;
}
export function fxsave(): void {
  if (!fpuEnter(false)) return;
  if (!aligned16() || !checkWrite(eaSeg, eaOff, 512)) return;
  w16(0, getCW()); w16(2, getSW());
  write8(eaSeg, eaOff + 4, validMask()); write8(eaSeg, eaOff + 5, 0);
  w16(6, load<i32>(FPU + F_FOP) & 0x7ff);
  w32(8, load<i32>(FPU + F_FIP));
  w32(12, load<i32>(FPU + F_FCS) & 0xffff);
  w32(16, load<i32>(FPU + F_FDP));
  w32(20, load<i32>(FPU + F_FDS) & 0xffff);
  w32(24, 0x1f80);
  w32(28, 0xffbf);
  for (let i = 0; i < 8; i++) {
    const off = <u32>(32 + i * 16);
    writeRegM80(off, (getTop() + i) & 7);
    w16(off + 10, 0); w32(off + 12, 0);
  }
  for (let k: u32 = 160; k < 288; k += 4) w32(k, 0);
}
export function fxrstor(): void {
  if (!fpuEnter(false)) return;
  if (!aligned16() || !checkRead(eaSeg, eaOff, 512)) return;
  const mxcsr = r32(24);
  if ((mxcsr & ~0xffbf) != 0) { raise(GP, 0); return; }
  const cw = r16(0), sw = r16(2), ftw = read16(eaSeg, eaOff + 4) & 0xff, fop = r16(6) & 0x7ff;
  const fip = r32(8), fcs = r16(12), fdp = r32(16), fds = r16(20);
  if (faulted) return;
  store<i32>(FPU + F_CW, (cw & 0x1f3f) | 0x40);
  setSW(sw);
  store<i32>(FPU + F_FOP, fop); store<i32>(FPU + F_FIP, fip); store<i32>(FPU + F_FCS, fcs);
  store<i32>(FPU + F_FDP, fdp); store<i32>(FPU + F_FDS, fds);
  for (let i = 0; i < 8; i++) loadRegM80(<u32>(32 + i * 16), (getTop() + i) & 7);
  setValidMask(ftw);
}

// ---------------------------------------------------------------- control

export function fninit(): void {
  if (!fpuEnter(false)) return;
  fpuInit();
}
/** FNCLEX: clear the exception flags, SF, ES and B; C0-C3 and TOP are kept. */
export function fnclex(): void {
  if (!fpuEnter(false)) return;
  setSWraw(getSWraw() & ~(0xff | BUSY));
  store<i32>(FPU + F_FERR, 0);
}
/** FENI, FDISI, FSETPM (DB E0 E1 E4): 8087/287 controls, no-ops since the 387. */
export function fnop287(): void {
  fpuEnter(false);
}
export function fldcw(): void {
  if (!fpuEnter(true)) return;
  const v = read16(eaSeg, eaOff);
  if (faulted) return;
  setCW(v);
}
export function fnstcw(): void {
  if (!fpuEnter(false)) return;
  write16(eaSeg, eaOff, getCW());
}
export function fnstsw_m16(): void {
  if (!fpuEnter(false)) return;
  write16(eaSeg, eaOff, getSW());
}
export function fnstsw_ax(): void {
  if (!fpuEnter(false)) return;
  setReg16(EAX, getSW());
}
/** FWAIT (9B): #NM when CR0.MP and CR0.TS are set; #MF for a pending unmasked exception (CR0.NE=1). */
export function fwait(): void {
  fwaitEnter();
}
