/**
 * CPU identification and model-specific state (SDM vol. 2 CPUID, RDMSR, WRMSR, RDTSC, SYSENTER,
 * SYSEXIT; vol. 4 for the MSR numbers). The CPU is a P6-class "GenuineIntel" family 6 model 3
 * stepping 3 with PAE, PGE, PSE, PAT, SEP, CMOV, CX8, FXSR and NX (extended leaf), no MMX/SSE, no VME.
 *
 * The TSC is the retired-instruction count plus an offset (S_TSC_LO/HI hold the offset; WRMSR to
 * the TSC sets it so the next read returns the written value).
 */
import {
  STATE, S_EIP, S_CPL, S_EFER, S_SYSENTER_CS, S_SYSENTER_ESP, S_SYSENTER_EIP, S_TSC_LO, S_TSC_HI,
  S_ICOUNT_LO, S_ICOUNT_HI, S_APIC_BASE, S_MISC_ENABLE, S_PAT_LO, S_PAT_HI, S_CPUID_EDX_MASK, S_CPUID_FAULT,
} from "../../gen/layout";
import { reg32, setReg32, setSegCache, getCpl, getMode, getCr4, MODE_PROT, SR_CS, SR_SS, SV_READ, SV_WRITE, SV_USABLE, CR4_TSD, EAX, ECX, EDX, EBX, ESP } from "../state";
import { gp0 } from "../fault";
import { setEflagsBits, IF, RF, VM } from "../flags";
import { setCplMasks } from "../../mmu/tlb";
import { refreshMode } from "../mode";
import { runExecuted } from "../progress";

/**
 * Leaf 1 EDX: FPU DE PSE TSC MSR PAE MCE CX8 APIC SEP MTRR PGE MCA CMOV PAT FXSR. No PSE-36 (bit 17):
 * mmu/paging.ts treats bits 13..21 of a 4 MiB PDE as reserved; keep the two consistent.
 */
export const CPUID1_EDX: u32 = 0x1 | 0x4 | 0x8 | 0x10 | 0x20 | 0x40 | 0x80 | 0x100 | 0x200 | 0x800 | 0x1000 |
  0x2000 | 0x4000 | 0x8000 | 0x10000 | 0x1000000;
const SIGNATURE: u32 = 0x633;

function setOut(a: u32, b: u32, c: u32, d: u32): void {
  setReg32(EAX, a); setReg32(EBX, b); setReg32(ECX, c); setReg32(EDX, d);
}
/** Four little-endian characters of the brand string "ringone i686" (48 bytes, NUL padded). */
function brand(i: i32): u32 {
  const s = "ringone i686";
  let v: u32 = 0;
  for (let k = 0; k < 4; k++) {
    const p = i * 4 + k;
    if (p < s.length) v |= (<u32>s.charCodeAt(p)) << (k * 8);
  }
  return v;
}

export function cpuid(): void {
  if ((load<u32>(STATE + S_CPUID_FAULT) & 1) != 0 && getCpl() != 0) { gp0(); return; }
  cpuidRaw();
}

/** The CPU's own CPUID answer for EAX (the host's policy code builds on it). */
export function cpuidRaw(): void {
  let leaf = <u32>reg32(EAX);
  if (leaf > 0x80000004 || (leaf > 2 && leaf < 0x80000000)) leaf = 2; // highest basic leaf
  switch (leaf) {
    case 0: setOut(2, 0x756e6547, 0x6c65746e, 0x49656e69); break; // "Genu" "ntel" "ineI"
    case 1: setOut(SIGNATURE, 0, 0, CPUID1_EDX & ~load<u32>(STATE + S_CPUID_EDX_MASK)); break;
    case 2: setOut(0x03020101, 0, 0, 0x0c040843); break;
    case 0x80000000: setOut(0x80000004, 0, 0, 0); break;
    case 0x80000001: setOut(0, 0, 0, 1 << 20); break; // NX
    default: {
      const b = <i32>(leaf - 0x80000002) * 4;
      setOut(brand(b), brand(b + 1), brand(b + 2), brand(b + 3));
    }
  }
}

function tscNow(): u64 {
  const icount = (<u64>load<u32>(STATE + S_ICOUNT_HI) << 32) | <u64>load<u32>(STATE + S_ICOUNT_LO);
  const off = (<u64>load<u32>(STATE + S_TSC_HI) << 32) | <u64>load<u32>(STATE + S_TSC_LO);
  return icount + <u64>runExecuted + off;
}

export function rdtsc(): void {
  if ((getCr4() & CR4_TSD) && getCpl() != 0) { gp0(); return; }
  const t = tscNow();
  setReg32(EAX, <i32>t);
  setReg32(EDX, <i32>(t >> 32));
}

const MSR_TSC = 0x10, MSR_APIC_BASE = 0x1b, MSR_MTRRCAP = 0xfe, MSR_SYSENTER_CS = 0x174, MSR_SYSENTER_ESP = 0x175,
  MSR_SYSENTER_EIP = 0x176, MSR_MCG_CAP = 0x179, MSR_MCG_STATUS = 0x17a, MSR_MISC_ENABLE = 0x1a0, MSR_PAT = 0x277,
  MSR_MTRR_DEF = 0x2ff, MSR_EFER = 0xc0000080;

/** MTRRs (variable 0x200-0x20F, fixed 0x250/0x258/0x259/0x268-0x26F) and MCG status: accepted, read as 0. */
function readsZero(m: u32): bool {
  return m == MSR_MTRRCAP || m == MSR_MTRR_DEF || m == MSR_MCG_CAP || m == MSR_MCG_STATUS ||
    (m >= 0x200 && m <= 0x20f) || m == 0x250 || m == 0x258 || m == 0x259 || (m >= 0x268 && m <= 0x26f);
}

export function rdmsr(): void {
  if (getCpl() != 0) { gp0(); return; }
  const m = <u32>reg32(ECX);
  let lo: u32 = 0, hi: u32 = 0;
  switch (m) {
    case MSR_TSC: { const t = tscNow(); lo = <u32>t; hi = <u32>(t >> 32); break; }
    case MSR_APIC_BASE: lo = load<u32>(STATE + S_APIC_BASE); break;
    case MSR_SYSENTER_CS: lo = load<u32>(STATE + S_SYSENTER_CS); break;
    case MSR_SYSENTER_ESP: lo = load<u32>(STATE + S_SYSENTER_ESP); break;
    case MSR_SYSENTER_EIP: lo = load<u32>(STATE + S_SYSENTER_EIP); break;
    case MSR_MISC_ENABLE: lo = load<u32>(STATE + S_MISC_ENABLE); break;
    case MSR_PAT: lo = load<u32>(STATE + S_PAT_LO); hi = load<u32>(STATE + S_PAT_HI); break;
    case MSR_EFER: lo = load<u32>(STATE + S_EFER); break;
    default: if (!readsZero(m)) { gp0(); return; }
  }
  setReg32(EAX, lo);
  setReg32(EDX, hi);
}

export function wrmsr(): void {
  if (getCpl() != 0) { gp0(); return; }
  const m = <u32>reg32(ECX);
  const lo = <u32>reg32(EAX), hi = <u32>reg32(EDX);
  switch (m) {
    case MSR_TSC: {
      const want = (<u64>hi << 32) | <u64>lo;
      const off = want - (tscNow() - ((<u64>load<u32>(STATE + S_TSC_HI) << 32) | <u64>load<u32>(STATE + S_TSC_LO)));
      store<u32>(STATE + S_TSC_LO, <u32>off);
      store<u32>(STATE + S_TSC_HI, <u32>(off >> 32));
      break;
    }
    case MSR_APIC_BASE: store<u32>(STATE + S_APIC_BASE, lo); break;
    case MSR_SYSENTER_CS: store<u32>(STATE + S_SYSENTER_CS, lo & 0xffff); break;
    case MSR_SYSENTER_ESP: store<u32>(STATE + S_SYSENTER_ESP, lo); break;
    case MSR_SYSENTER_EIP: store<u32>(STATE + S_SYSENTER_EIP, lo); break;
    case MSR_MISC_ENABLE: store<u32>(STATE + S_MISC_ENABLE, lo); break;
    case MSR_PAT: store<u32>(STATE + S_PAT_LO, lo); store<u32>(STATE + S_PAT_HI, hi); break;
    case MSR_EFER:
      if ((lo & ~0x800) != 0 || hi != 0) { gp0(); return; } // only NXE; LME is reserved (no long mode)
      store<u32>(STATE + S_EFER, lo);
      break;
    default: if (!readsZero(m) || m == MSR_MTRRCAP) { gp0(); return; }
  }
}

const FLAT_LIMIT: u32 = 0xffffffff;

/** 0F 34: SYSENTER to flat CPL 0 segments from SYSENTER_CS. */
export function sysenter(): void {
  const cs = load<i32>(STATE + S_SYSENTER_CS) & 0xfffc;
  if ((getMode() & MODE_PROT) == 0 || cs == 0) { gp0(); return; }
  setEflagsBits(0, VM | IF | RF);
  setSegCache(SR_CS, cs, 0, FLAT_LIMIT, 0xc09b, SV_READ | SV_USABLE);
  setSegCache(SR_SS, cs + 8, 0, FLAT_LIMIT, 0xc093, SV_READ | SV_WRITE | SV_USABLE);
  store<i32>(STATE + S_CPL, 0);
  setCplMasks(0);
  refreshMode();
  setReg32(ESP, load<i32>(STATE + S_SYSENTER_ESP));
  store<u32>(STATE + S_EIP, load<u32>(STATE + S_SYSENTER_EIP));
}

/** 0F 35: SYSEXIT to flat CPL 3 segments (SYSENTER_CS + 16 and + 24); ESP = ECX, EIP = EDX. */
export function sysexit(): void {
  const cs = load<i32>(STATE + S_SYSENTER_CS) & 0xfffc;
  if ((getMode() & MODE_PROT) == 0 || cs == 0 || getCpl() != 0) { gp0(); return; }
  setSegCache(SR_CS, (cs + 16) | 3, 0, FLAT_LIMIT, 0xc0fb, SV_READ | SV_USABLE);
  setSegCache(SR_SS, (cs + 24) | 3, 0, FLAT_LIMIT, 0xc0f3, SV_READ | SV_WRITE | SV_USABLE);
  store<i32>(STATE + S_CPL, 3);
  setCplMasks(3);
  refreshMode();
  setReg32(ESP, reg32(ECX));
  store<u32>(STATE + S_EIP, <u32>reg32(EDX));
}
