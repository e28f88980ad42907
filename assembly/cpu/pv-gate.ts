/**
 * The Xen PV direct trap gate and ring-3 #PF bounce (docs/pv-design.md, "The hot paths as built").
 *
 * A PV guest's IDT is empty (limit 0), so every `int n` becomes #GP(n << 3 | 2) and reaches the
 * host, which bounces it through the guest's trap table. For the system-call vector Xen avoids the
 * trip through the hypervisor; the host hands the core that one trap-table entry (S_PV_GATE_*) and
 * the core builds the same bounce frame the host would (host/xen/traps.ts pushBounceFrame) for a
 * ring-3 `int PV_GATE_VECTOR`:
 *
 *   on the ring-1 stack from the TSS (SS1:ESP1 = the guest's stack_switch), from high to low:
 *   SS, ESP (ring 3), EFLAGS image, CS | saved evtchn_upcall_mask << 16, EIP (after the int)
 *
 * where the EFLAGS image has IF = !saved mask (the virtual IF) and IOPL = S_PV_GATE_IOPL. Then
 * CS:EIP = the handler (RPL 1), SS:ESP = the kernel stack, TF/NT/RF/VM cleared, IF set, and for an
 * interrupt-type entry (trap_info flag 4) the mask byte (vcpu_info.evtchn_upcall_mask at
 * guest-physical S_PV_MASK_ADDR) becomes 1.
 *
 * A ring-3 #PF below HYPERVISOR_VIRT_START goes the same way through trap_table[14] (S_PV_PF_*),
 * with the error code below EIP and RF = 1 in the image, and the fault address stored as the
 * virtual CR2 (S_PV_CR2) and in vcpu_info.arch.cr2 (S_PV_CR2_ADDR), as bounceException does.
 *
 * Every check is made before anything changes: a handler or stack selector that does not load, a
 * frame that cannot be written with supervisor rights (not present, read-only, hypervisor range)
 * makes pvBounce() return false with no side effect but TLB fills and accessed bits, and the
 * caller raises the #GP as before, so the host's path handles (or crashes on) the same cases.
 */
import {
  STATE, RAM_BASE, S_EIP, S_CR2, S_PV_GATE_FLAGS, S_PV_GATE_VECTOR, S_PV_GATE_CS, S_PV_GATE_EIP, S_PV_GATE_IOPL,
  S_PV_MASK_ADDR, S_PV_PF_FLAGS, S_PV_PF_CS, S_PV_PF_EIP, S_PV_CR2, S_PV_CR2_ADDR,
} from "../gen/layout";
import { segSel, reg32, setReg32, getCpl, SR_CS, SR_SS, ESP } from "./state";
import { faulted, clearFault } from "./fault";
import { getEflags, setEflagsBits, IF, TF, NT, RF, VM, IOPL } from "./flags";
import { translate, ramSize, ACC_WRITE } from "../mmu/paging";
import { tlbGet, T_VALID, T_READONLY, T_CODE } from "../mmu/tlb";
import { hvStart } from "../mmu/hvwindow";
import { physWrite8 } from "../mmu/access";
import { physWrite } from "../mmu/phys";
import {
  readDesc, setDesc, dLo, dHi, dAddr, dDpl, dPresent, dIsCode, dConforming, dWritableData, dBase, dLimit,
  cacheFromDesc, markAccessed, commitCs,
} from "./segments";
import { tssStack, tssSs, tssEsp } from "./task";

const GATE_ON = 1, GATE_MASK_EVENTS = 2;

/** HYPERVISOR_VIRT_START (the TLB never holds hypervisor-range pages writable, but be explicit). */
// @ts-ignore: decorator
@inline function hvStartOr4G(): u32 { const h = hvStart(); return h != 0 ? h : 0xffffffff; }
/** Descriptor B bit (32-bit stack). */
const D_B = 0x400000;

/** True when `vector` is the direct gate's (the caller checks soft interrupt + empty IDT). */
// @ts-ignore: decorator
@inline export function pvGateFor(vector: i32): bool {
  return (load<i32>(STATE + S_PV_GATE_FLAGS) & GATE_ON) != 0 && load<i32>(STATE + S_PV_GATE_VECTOR) == vector;
}

/** Physical address of frame byte `lin` (the frame spans at most two pages: lo and hi). */
// @ts-ignore: decorator
@inline function framePa(lin: u32, lo: u32, paLo: u32, paHi: u32): u32 {
  return ((lin ^ lo) >>> 12) == 0 ? paLo + (lin - lo) : (paHi & ~0xfff) + (lin & 0xfff);
}

function writeWord(lin: u32, v: i32, lo: u32, paLo: u32, paHi: u32): void {
  if ((lin & 0xfff) <= 0xffc) { physWrite(framePa(lin, lo, paLo, paHi), 4, v); return; }
  for (let i: u32 = 0; i < 4; i++) physWrite8(framePa(lin + i, lo, paLo, paHi), (v >>> (i << 3)) & 0xff);
}

/** Deliver a ring-3 `int vector` through the direct gate; false = not possible (use the #GP path). */
export function pvDirectGate(): bool {
  return pvBounce(load<i32>(STATE + S_PV_GATE_FLAGS), load<i32>(STATE + S_PV_GATE_CS) & 0xffff,
    load<u32>(STATE + S_PV_GATE_EIP), false, 0, 0);
}

/** True when a #PF may go straight to the guest's handler (see pvPageFault). */
// @ts-ignore: decorator
@inline export function pvPageFaultOn(): bool { return (load<i32>(STATE + S_PV_PF_FLAGS) & GATE_ON) != 0; }

/**
 * A #PF raised in ring 3 (EIP already back on the faulting instruction), bounced through
 * trap_table[14] as the host's bounceException would: error code with U set, RF = 1 in the EFLAGS
 * image, the fault address in the virtual CR2 and vcpu_info.arch.cr2. Not for addresses in the
 * hypervisor range (the host loads shadow-LDT pages on those). False = not possible (exit FAULT).
 */
export function pvPageFault(error: i32): bool {
  const cr2 = load<u32>(STATE + S_CR2);
  const hv = hvStart();
  if (hv != 0 && cr2 >= hv) return false;
  if (!pvBounce(load<i32>(STATE + S_PV_PF_FLAGS), load<i32>(STATE + S_PV_PF_CS) & 0xffff,
    load<u32>(STATE + S_PV_PF_EIP), true, error | 4, RF)) return false;
  store<u32>(STATE + S_PV_CR2, cr2);
  const at = load<u32>(STATE + S_PV_CR2_ADDR);
  if (at <= ramSize() - 4) physWrite(at, 4, <i32>cr2);
  return true;
}

/**
 * The bounce frame from ring 3 onto the TSS's ring-1 stack (SS, ESP, EFLAGS image with IF = !mask
 * and IOPL from S_PV_GATE_IOPL | imageOr, CS | mask << 16, EIP, [error code]), then CS:EIP = the
 * handler. Every check comes first; false leaves no state changed.
 */
function pvBounce(flags: i32, cs: i32, eip: u32, hasError: bool, error: i32, imageOr: i32): bool {
  if (getCpl() != 3) return false;
  // The handler: a present, non-conforming ring-1 code segment whose limit covers the entry point.
  if ((cs & 3) != 1 || (cs & 0xfffc) == 0) return false;
  if (!readDesc(cs)) { clearFault(); return false; }
  if (!dIsCode() || dConforming() || dDpl() != 1 || !dPresent() || eip > dLimit()) return false;
  const csLo = dLo, csHi = dHi, csAddr = dAddr;
  // The kernel stack: TSS SS1:ESP1, a present, writable, 32-bit ring-1 data segment.
  if (!tssStack(1, 0)) { clearFault(); return false; }
  const ss = tssSs & 0xffff, sp = tssEsp;
  if ((ss & 3) != 1 || (ss & 0xfffc) == 0) return false;
  if (!readDesc(ss)) { clearFault(); return false; }
  if (!dWritableData() || dDpl() != 1 || !dPresent() || (dHi & D_B) == 0) return false;
  const ssLo = dLo, ssHi = dHi, ssAddr = dAddr;
  const size = hasError ? 24 : 20;
  const newSp = sp - <u32>size;
  const lo = dBase() + newSp, hi = lo + <u32>(size - 1);
  // The frame's page(s) as supervisor writes: a TLB hit on a writable, dirty, code-free RAM page
  // (the usual case after the first bounce), else a walk (A/D bits set as Xen's own writes would).
  let host: usize = 0, paLo: u32 = 0, paHi: u32 = 0;
  const e = tlbGet(lo);
  if (((lo ^ hi) >>> 12) == 0 && (e & (T_VALID | T_READONLY | T_CODE)) == T_VALID && lo < hvStartOr4G()) {
    host = <usize>((e & ~0xfff) + (lo & 0xfff));
  } else {
    paLo = translate(lo, ACC_WRITE);
    if (faulted) { clearFault(); return false; }
    paHi = ((lo ^ hi) >>> 12) != 0 ? translate(hi, ACC_WRITE) : paLo;
    if (faulted) { clearFault(); return false; }
    const ram = ramSize();
    if (paLo >= ram || paHi >= ram) return false;
  }
  markAccessed(); // SS (dLo/dHi/dAddr are the stack's)
  if (faulted) { clearFault(); return false; }
  setDesc(csLo, csHi, csAddr);
  markAccessed();
  if (faulted) { clearFault(); return false; }

  // Commit: the frame, then the switch.
  const maskAddr = load<u32>(STATE + S_PV_MASK_ADDR);
  const saved = <i32>load<u8>(RAM_BASE + maskAddr);
  const eflags = getEflags();
  const image = (eflags & ~(IF | IOPL)) | (saved != 0 ? 0 : IF) | (load<i32>(STATE + S_PV_GATE_IOPL) & IOPL) | imageOr | 2;
  const top = lo + <u32>(hasError ? 4 : 0); // the EIP word
  const w0 = load<i32>(STATE + S_EIP), w1 = segSel(SR_CS) | (saved << 16), w3 = reg32(ESP), w4 = segSel(SR_SS);
  if (host != 0) {
    const h = host + <usize>(hasError ? 4 : 0);
    if (hasError) store<i32>(host, error);
    store<i32>(h, w0); store<i32>(h + 4, w1); store<i32>(h + 8, image);
    store<i32>(h + 12, w3); store<i32>(h + 16, w4);
  } else {
    writeWord(top + 16, w4, lo, paLo, paHi);
    writeWord(top + 12, w3, lo, paLo, paHi);
    writeWord(top + 8, image, lo, paLo, paHi);
    writeWord(top + 4, w1, lo, paLo, paHi);
    writeWord(top, w0, lo, paLo, paHi);
    if (hasError) writeWord(lo, error, lo, paLo, paHi);
  }
  setDesc(ssLo, ssHi, ssAddr);
  cacheFromDesc(SR_SS, ss);
  setDesc(csLo, csHi, csAddr);
  commitCs(cs, 1);
  setReg32(ESP, <i32>newSp);
  store<u32>(STATE + S_EIP, eip);
  setEflagsBits(IF, IF | TF | NT | RF | VM);
  if (flags & GATE_MASK_EVENTS) physWrite8(maskAddr, 1);
  return true;
}
