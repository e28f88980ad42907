/**
 * The page walker: linear -> physical translation for 2-level (4 KiB and PSE 4 MiB pages) and PAE
 * (3-level, 4 KiB and 2 MiB pages, NX) paging, with accessed/dirty updates, CR0.WP, and exact #PF
 * error codes and CR2 (SDM vol. 3, 4.3, 4.4, 4.7). Successful translations of RAM pages fill the TLB.
 *
 * PAE walks start from the PDPTE registers (S_PDPTE), loaded by loadPdptes() at the points SDM 4.4.1
 * names (MOV to CR0/CR3/CR4, task switch; ops/system.ts, cpu/task.ts) and by the host's refresh().
 */
import { STATE, S_CR0, S_CR3, S_CR4, S_EFER, S_RAM_SIZE, S_PDPTE, S_A20, S_PTWR_PAGE, RAM_BASE } from "../gen/layout";
import { CR0_PG, CR0_WP, CR4_PAE, CR4_PSE, CR4_PGE } from "../cpu/state";
import { raisePF } from "../cpu/fault";
import { hvStart, hvTranslate } from "./hvwindow";
import { codeBit, jitWriteHook } from "../jit/cache";
import { tlbSet, T_VALID, T_NOUSER, T_READONLY, T_GLOBAL, T_NX } from "./tlb";

/** Access kinds, laid out as the #PF error code bits. */
export const ACC_WRITE = 2, ACC_USER = 4, ACC_FETCH = 16;
/** Implicit supervisor access by the CPU itself (descriptor tables, TSS); never in #PF error codes. */
export const ACC_IMPLICIT = 0x100;
export const PF_P = 1, PF_W = 2, PF_U = 4, PF_RSVD = 8, PF_ID = 16;
export const EFER_NXE = 1 << 11;

/** 4 MiB PDE bits 13..21: reserved when PSE-36 is not supported (CPUID.1:EDX bit 17 is clear). */
const PSE_RSVD: u32 = 0x3fe000;

const PTE_P = 1, PTE_W = 2, PTE_U = 4, PTE_A = 0x20, PTE_D = 0x40, PTE_PS = 0x80, PTE_G = 0x100;

/** Physical RAM accessors for the walker (out-of-RAM reads give all ones, writes are dropped). */
// @ts-ignore: decorator
@inline export function ramSize(): u32 { return load<u32>(STATE + S_RAM_SIZE); }
export function physRead32(pa: u32): u32 {
  if (pa <= ramSize() - 4) return load<u32>(RAM_BASE + pa);
  return 0xffffffff;
}
export function physWrite32(pa: u32, v: u32): void {
  if (pa <= ramSize() - 4) { jitWriteHook(pa, 4); store<u32>(RAM_BASE + pa, v); }
}

/**
 * Translate `lin` for an access of kind `acc` (ACC_* bits). Returns the physical address, or raises
 * #PF and returns 0 (check `faulted`). Fills the TLB for RAM pages.
 */
export function translate(lin: u32, acc: i32): u32 {
  if (lin >= hvStart() && hvStart() != 0) return hvTranslate(lin, acc);
  const cr0 = load<u32>(STATE + S_CR0);
  if ((cr0 & CR0_PG) == 0) {
    const pa = a20(lin);
    if (pa < ramSize()) tlbSet(lin, (<u32>(RAM_BASE + (pa & ~0xfff))) | T_VALID | codeBit(pa));
    return pa;
  }
  const cr4 = load<u32>(STATE + S_CR4);
  const pa = (cr4 & CR4_PAE) ? walkPae(lin, acc, cr0, cr4) : walk2(lin, acc, cr0, cr4);
  return pa == 0xffffffff ? pa : a20(pa);
}

/**
 * The A20 gate (S_A20 = 0: physical address bit 20 forced to 0, as on a PC with the gate closed).
 * Applied here, on the slow path only: every TLB fill goes through translate()/fill(), and the host
 * flushes the TLB (refresh()) whenever it changes S_A20, so the fast path needs no check. The page
 * walker's own table reads are not wrapped (page tables below 1 MiB are unaffected anyway).
 */
// @ts-ignore: decorator
@inline function a20(pa: u32): u32 { return load<i32>(STATE + S_A20) != 0 ? pa : pa & ~(<u32>1 << 20); }

function pfError(acc: i32, present: bool): i32 {
  return (present ? PF_P : 0) | (acc & (ACC_WRITE | ACC_USER));
}

/** Permission check common to both walkers; returns false after raising #PF. */
function checkPerm(lin: u32, acc: i32, user: bool, writable: bool, nx: bool, cr0: u32, efer: u32): bool {
  if ((acc & ACC_USER) && !user) { raisePF(lin, pfError(acc, true) | fetchBit(acc, efer)); return false; }
  if ((acc & ACC_WRITE) && !writable) {
    if ((acc & ACC_USER) || (cr0 & CR0_WP)) { raisePF(lin, pfError(acc, true)); return false; }
  }
  if ((acc & ACC_FETCH) && nx) { raisePF(lin, pfError(acc, true) | PF_ID); return false; }
  return true;
}

/**
 * The host's one-shot ptwr permission (S_PTWR_PAGE, Xen PV writable page tables): a supervisor write
 * to the armed machine page through a read-only 4 KiB mapping is allowed.
 */
// @ts-ignore: decorator
@inline function ptwrAllows(acc: i32, pa: u32): bool {
  const p = load<u32>(STATE + S_PTWR_PAGE);
  return p != 0 && (acc & (ACC_WRITE | ACC_USER)) == ACC_WRITE && ((pa ^ p) & 0xfffff000) == 0;
}

// @ts-ignore: decorator
@inline function fetchBit(acc: i32, efer: u32): i32 { return (acc & ACC_FETCH) && (efer & EFER_NXE) ? PF_ID : 0; }

function fill(lin: u32, pa0: u32, user: bool, writable: bool, dirty: bool, global: bool, nx: bool): void {
  const pa = a20(pa0);
  if (pa >= ramSize()) return;
  let e: u32 = (<u32>(RAM_BASE + (pa & ~0xfff))) | T_VALID;
  if (!user) e |= T_NOUSER;
  if (!writable || !dirty) e |= T_READONLY;
  if (global) e |= T_GLOBAL;
  if (nx) e |= T_NX;
  tlbSet(lin, e | codeBit(pa));
}

function walk2(lin: u32, acc: i32, cr0: u32, cr4: u32): u32 {
  const efer = load<u32>(STATE + S_EFER);
  const pdeAddr = (load<u32>(STATE + S_CR3) & 0xfffff000) + ((lin >>> 22) << 2);
  let pde = physRead32(pdeAddr);
  if ((pde & PTE_P) == 0) { raisePF(lin, pfError(acc, false) | fetchBit(acc, efer)); return 0; }
  if ((pde & PTE_PS) && (cr4 & CR4_PSE)) {
    // 4 MiB page: without PSE-36 (not in CPUID, ops/msr.ts) bits 13..21 are reserved (SDM table 4-4).
    if ((pde & PSE_RSVD) != 0) { raisePF(lin, pfError(acc, true) | PF_RSVD | fetchBit(acc, efer)); return 0; }
    const user = (pde & PTE_U) != 0, writable = (pde & PTE_W) != 0;
    if (!checkPerm(lin, acc, user, writable, false, cr0, efer)) return 0;
    let npde = pde | PTE_A;
    if (acc & ACC_WRITE) npde |= PTE_D;
    if (npde != pde) physWrite32(pdeAddr, npde);
    const pa = (pde & 0xffc00000) | (lin & 0x3fffff);
    fill(lin, pa, user, writable, (npde & PTE_D) != 0, (pde & PTE_G) != 0 && (cr4 & CR4_PGE) != 0, false);
    return pa;
  }
  const pteAddr = (pde & 0xfffff000) + ((lin >>> 10) & 0xffc);
  let pte = physRead32(pteAddr);
  if ((pte & PTE_P) == 0) { raisePF(lin, pfError(acc, false) | fetchBit(acc, efer)); return 0; }
  const user = (pde & pte & PTE_U) != 0, writable = (pde & pte & PTE_W) != 0;
  const pa = (pte & 0xfffff000) | (lin & 0xfff);
  if (!writable && ptwrAllows(acc, pa)) {
    if ((pde & PTE_A) == 0) physWrite32(pdeAddr, pde | PTE_A);
    if ((pte & PTE_A) == 0) physWrite32(pteAddr, pte | PTE_A);
    return pa; // not cached: the permission is for this one instruction
  }
  if (!checkPerm(lin, acc, user, writable, false, cr0, efer)) return 0;
  if ((pde & PTE_A) == 0) physWrite32(pdeAddr, pde | PTE_A);
  let npte = pte | PTE_A;
  if (acc & ACC_WRITE) npte |= PTE_D;
  if (npte != pte) physWrite32(pteAddr, npte);
  fill(lin, pa, user, writable, (npte & PTE_D) != 0, (pte & PTE_G) != 0 && (cr4 & CR4_PGE) != 0, false);
  return pa;
}

/** Reserved-bit masks for PAE entries with MAXPHYADDR = 36 (high dword). */
const RSVD_HI_NOXD: u32 = 0xfffffff0; // bits 36..63 (XD reserved when EFER.NXE = 0)
const RSVD_HI_XD: u32 = 0x7ffffff0;   // bits 36..62
const RSVD_HI_PV: u32 = 0x000ffff0;   // bits 36..51 (Xen PV: 52..62 available to software)

function walkPae(lin: u32, acc: i32, cr0: u32, cr4: u32): u32 {
  const efer = load<u32>(STATE + S_EFER);
  const nxe = (efer & EFER_NXE) != 0;
  // Xen PV (HV_START set): the guest's PAE tables sit under compat Xen's long-mode walk, where bits
  // 52-62 are ignored (software-available), not reserved.
  const rsvdHi = hvStart() != 0 ? (nxe ? RSVD_HI_PV : RSVD_HI_PV | 0x80000000) : nxe ? RSVD_HI_XD : RSVD_HI_NOXD;
  const fb = fetchBit(acc, efer);
  const reg = STATE + S_PDPTE + ((lin >>> 30) << 3);
  const pdpte = load<u32>(reg), pdpteHi = load<u32>(reg + 4);
  if ((pdpte & PTE_P) == 0) { raisePF(lin, pfError(acc, false) | fb); return 0; }
  // Loads with reserved bits fault (#GP) in loadPdptes(); only a host-loaded register can get here.
  if (pdpteBad(pdpte, pdpteHi)) { raisePF(lin, pfError(acc, true) | PF_RSVD | fb); return 0; }
  const pdeAddr = (pdpte & 0xfffff000) + (((lin >>> 21) & 0x1ff) << 3);
  const pde = physRead32(pdeAddr), pdeHi = physRead32(pdeAddr + 4);
  if ((pde & PTE_P) == 0) { raisePF(lin, pfError(acc, false) | fb); return 0; }
  if ((pdeHi & rsvdHi) != 0) { raisePF(lin, pfError(acc, true) | PF_RSVD | fb); return 0; }
  const pdeNx = nxe && (pdeHi & 0x80000000) != 0;
  if (pde & PTE_PS) {
    if ((pde & 0x1fe000) != 0) { raisePF(lin, pfError(acc, true) | PF_RSVD | fb); return 0; }
    const user = (pde & PTE_U) != 0, writable = (pde & PTE_W) != 0;
    if (!checkPerm(lin, acc, user, writable, pdeNx, cr0, efer)) return 0;
    let npde = pde | PTE_A;
    if (acc & ACC_WRITE) npde |= PTE_D;
    if (npde != pde) physWrite32(pdeAddr, npde);
    const pa = (pde & 0xffe00000) | (lin & 0x1fffff);
    if (pdeHi & 0xf) return 0xffffffff; // above 4 GiB: not RAM
    fill(lin, pa, user, writable, (npde & PTE_D) != 0, (pde & PTE_G) != 0 && (cr4 & CR4_PGE) != 0, pdeNx);
    return pa;
  }
  const pteAddr = (pde & 0xfffff000) + (((lin >>> 12) & 0x1ff) << 3);
  const pte = physRead32(pteAddr), pteHi = physRead32(pteAddr + 4);
  if ((pte & PTE_P) == 0) { raisePF(lin, pfError(acc, false) | fb); return 0; }
  if ((pteHi & rsvdHi) != 0) { raisePF(lin, pfError(acc, true) | PF_RSVD | fb); return 0; }
  const nx = pdeNx || (nxe && (pteHi & 0x80000000) != 0);
  const user = (pde & pte & PTE_U) != 0, writable = (pde & pte & PTE_W) != 0;
  if (!writable && (pteHi & 0xf) == 0 && ptwrAllows(acc, pte)) {
    if ((pde & PTE_A) == 0) physWrite32(pdeAddr, pde | PTE_A);
    if ((pte & PTE_A) == 0) physWrite32(pteAddr, pte | PTE_A);
    return (pte & 0xfffff000) | (lin & 0xfff); // not cached: one instruction only
  }
  if (!checkPerm(lin, acc, user, writable, nx, cr0, efer)) return 0;
  if ((pde & PTE_A) == 0) physWrite32(pdeAddr, pde | PTE_A);
  let npte = pte | PTE_A;
  if (acc & ACC_WRITE) npte |= PTE_D;
  if (npte != pte) physWrite32(pteAddr, npte);
  if (pteHi & 0xf) return 0xffffffff;
  const pa = (pte & 0xfffff000) | (lin & 0xfff);
  fill(lin, pa, user, writable, (npte & PTE_D) != 0, (pte & PTE_G) != 0 && (cr4 & CR4_PGE) != 0, nx);
  return pa;
}

/**
 * A present PDPTE with a reserved bit set: bits 1, 2, 5..8, and 36..63 (MAXPHYADDR 36; no XD).
 * A Xen PV guest (HV_START set) runs on compat Xen, where its L3 sits under a long-mode L4: RW, US,
 * A and D are legal there and do not restrict access, so only bits 7 and 8 stay reserved
 * (docs/pv-design.md).
 */
// @ts-ignore: decorator
@inline function pdpteBad(lo: u32, hi: u32): bool {
  const rsvd: u32 = hvStart() != 0 ? 0x180 : 0x1e6;
  return (lo & PTE_P) != 0 && ((lo & rsvd) != 0 || (hi & RSVD_HI_NOXD) != 0);
}

/**
 * Load the four PDPTE registers from the 32-byte PDPT at `cr3` (SDM vol. 3, 4.4.1). With `check`,
 * a present entry with a reserved bit makes the load fail (returns false, registers unchanged): the
 * caller raises #GP(0). The host's refresh() loads without checking.
 */
export function loadPdptes(cr3: u32, check: bool): bool {
  const base = cr3 & 0xffffffe0;
  if (check) {
    for (let i: u32 = 0; i < 4; i++) {
      if (pdpteBad(physRead32(base + i * 8), physRead32(base + i * 8 + 4))) return false;
    }
  }
  for (let i: u32 = 0; i < 4; i++) {
    store<u32>(STATE + S_PDPTE + i * 8, physRead32(base + i * 8));
    store<u32>(STATE + S_PDPTE + i * 8 + 4, physRead32(base + i * 8 + 4));
  }
  return true;
}

/** PAE paging is in use (CR0.PG and CR4.PAE). */
export function paePaging(): bool {
  return (load<u32>(STATE + S_CR0) & CR0_PG) != 0 && (load<u32>(STATE + S_CR4) & CR4_PAE) != 0;
}
