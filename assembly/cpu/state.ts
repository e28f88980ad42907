/**
 * Accessors for the architectural state block (layout from host/isa/layout.ts via gen/layout.ts).
 * All architectural state lives in linear memory so the host and JIT code see the same bytes; the
 * helpers here are @inline loads and stores at constant offsets.
 */
import {
  STATE, S_REGS, S_EIP, S_CPL, S_MODE, S_CR0, S_CR4, S_SEGS, SEG_SIZE, SEG_BASE, SEG_LIMIT, SEG_SEL,
  SEG_ACCESS, SEG_CHECK_LO, SEG_CHECK_HI, SEG_VALID,
} from "../gen/layout";

export const EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7;

// @ts-ignore: decorator
@inline export function reg32(r: i32): i32 { return load<i32>(STATE + S_REGS + (r << 2)); }
// @ts-ignore: decorator
@inline export function setReg32(r: i32, v: i32): void { store<i32>(STATE + S_REGS + (r << 2), v); }
// @ts-ignore: decorator
@inline export function reg16(r: i32): i32 { return load<u16>(STATE + S_REGS + (r << 2)); }
// @ts-ignore: decorator
@inline export function setReg16(r: i32, v: i32): void { store<u16>(STATE + S_REGS + (r << 2), v); }
/** 8-bit registers: AL CL DL BL AH CH DH BH. */
// @ts-ignore: decorator
@inline export function reg8(r: i32): i32 { return load<u8>(STATE + S_REGS + ((r & 3) << 2) + (r >> 2)); }
// @ts-ignore: decorator
@inline export function setReg8(r: i32, v: i32): void { store<u8>(STATE + S_REGS + ((r & 3) << 2) + (r >> 2), v); }

// @ts-ignore: decorator
@inline export function getEip(): u32 { return load<u32>(STATE + S_EIP); }
// @ts-ignore: decorator
@inline export function setEip(v: u32): void { store<u32>(STATE + S_EIP, v); }
// @ts-ignore: decorator
@inline export function getCpl(): i32 { return load<i32>(STATE + S_CPL); }

/** MODE bits: the current code/stack size and the operating mode, recomputed on every change. */
export const MODE_CODE32 = 1, MODE_STACK32 = 2, MODE_PROT = 4, MODE_V86 = 8, MODE_PAGING = 16;
// @ts-ignore: decorator
@inline export function getMode(): i32 { return load<i32>(STATE + S_MODE); }
// @ts-ignore: decorator
@inline export function setMode(v: i32): void { store<i32>(STATE + S_MODE, v); }

export const CR0_PE = 1, CR0_MP = 2, CR0_EM = 4, CR0_TS = 8, CR0_ET = 16, CR0_NE = 32, CR0_WP = 1 << 16,
  CR0_AM = 1 << 18, CR0_NW = 1 << 29, CR0_CD = 1 << 30, CR0_PG = 1 << 31;
export const CR4_VME = 1, CR4_PVI = 2, CR4_TSD = 4, CR4_DE = 8, CR4_PSE = 16, CR4_PAE = 32, CR4_MCE = 64,
  CR4_PGE = 128, CR4_PCE = 256, CR4_OSFXSR = 512, CR4_OSXMMEXCPT = 1024;
// @ts-ignore: decorator
@inline export function getCr0(): u32 { return load<u32>(STATE + S_CR0); }
// @ts-ignore: decorator
@inline export function getCr4(): u32 { return load<u32>(STATE + S_CR4); }

export const SR_ES = 0, SR_CS = 1, SR_SS = 2, SR_DS = 3, SR_FS = 4, SR_GS = 5, SR_LDTR = 6, SR_TR = 7;
// @ts-ignore: decorator
@inline export function segAddr(s: i32): usize { return STATE + S_SEGS + s * SEG_SIZE; }
// @ts-ignore: decorator
@inline export function segBase(s: i32): u32 { return load<u32>(segAddr(s) + SEG_BASE); }
// @ts-ignore: decorator
@inline export function segLimit(s: i32): u32 { return load<u32>(segAddr(s) + SEG_LIMIT); }
// @ts-ignore: decorator
@inline export function segSel(s: i32): i32 { return load<i32>(segAddr(s) + SEG_SEL); }
// @ts-ignore: decorator
@inline export function segAccess(s: i32): i32 { return load<i32>(segAddr(s) + SEG_ACCESS); }
// @ts-ignore: decorator
@inline export function segCheckLo(s: i32): u32 { return load<u32>(segAddr(s) + SEG_CHECK_LO); }
// @ts-ignore: decorator
@inline export function segCheckHi(s: i32): u32 { return load<u32>(segAddr(s) + SEG_CHECK_HI); }
// @ts-ignore: decorator
@inline export function segValid(s: i32): i32 { return load<i32>(segAddr(s) + SEG_VALID); }
export const SV_READ = 1, SV_WRITE = 2, SV_USABLE = 4;

/** Access-rights bits as cached in SEG_ACCESS (descriptor high dword bits 8..23, shifted down by 8). */
export const AR_ACCESSED = 0x1, AR_RW = 0x2, AR_DC = 0x4, AR_CODE = 0x8, AR_S = 0x10, AR_P = 0x80,
  AR_AVL = 0x1000, AR_DB = 0x4000, AR_G = 0x8000;

/**
 * Store a segment's cache and precompute the range checks.
 * Expand-up: offsets [0, limit]; expand-down data: [limit+1, 0xFFFF or 0xFFFFFFFF by the B bit].
 */
export function setSegCache(s: i32, sel: i32, base: u32, limit: u32, access: i32, valid: i32): void {
  const a = segAddr(s);
  store<i32>(a + SEG_SEL, sel & 0xffff);
  store<u32>(a + SEG_BASE, base);
  store<u32>(a + SEG_LIMIT, limit);
  store<i32>(a + SEG_ACCESS, access);
  let lo: u32 = 0, hi: u32 = limit;
  if ((access & (AR_S | AR_CODE | AR_DC)) == (AR_S | AR_DC)) { // expand-down data segment
    lo = limit + 1;
    hi = (access & AR_DB) ? 0xffffffff : 0xffff;
    if (lo == 0 && limit == 0xffffffff) { lo = 1; hi = 0; } // empty range
  }
  store<u32>(a + SEG_CHECK_LO, lo);
  store<u32>(a + SEG_CHECK_HI, hi);
  store<i32>(a + SEG_VALID, valid);
}

/** Real-mode / v86 segment load: base = sel * 16, limit kept (real mode) or 0xFFFF (v86). */
export function setSegReal(s: i32, sel: i32): void {
  const a = segAddr(s);
  store<i32>(a + SEG_SEL, sel & 0xffff);
  store<u32>(a + SEG_BASE, (<u32>(sel & 0xffff)) << 4);
}
