/**
 * The virtual IDT and the bounce frame (spec 5.4, 5.8, 6.1, 6.2).
 *
 * - set_trap_table (0): trap_info entries until one with address 0; RPL 0 code selectors become
 *   RPL 1; a NULL table clears all 256 entries; a bad pointer is -EFAULT (entries before it stay).
 *   Xen does not validate the selector here (a bad one is only noticed at delivery, which crashes
 *   the domain), so neither do we. Long tables continue like Xen's preemption (EBX advanced).
 * - pushBounceFrame(): the frame Xen builds on the guest kernel stack for every delivery
 *   (exception, software interrupt, event upcall, failsafe): stack switch to kernel_ss:kernel_sp from
 *   ring 2/3, [DS ES FS GS] (failsafe), [error code], EIP, CS | saved_upcall_mask << 16,
 *   EFLAGS (IF = !saved mask, IOPL = 0 or the virtual IOPL with architectural_iopl), [ESP SS].
 *   A frame that cannot be written, or a handler selector that cannot be loaded, crashes the domain.
 * - bounceException(): hardware exceptions through trap_table[vector], with the #PF (CR2 into the
 *   vCPU and vcpu_info.arch.cr2, U/S = guest user mode), #NM (virtual TS cleared) and #DB (DR6
 *   into the virtual debug registers) specifics.
 * - `int n` (as #GP(n << 3 | 2) with the IDT limit 0): a software interrupt through trap_table[n]
 *   if its DPL allows the current ring (kernel counts as 1, rings 2/3 as 3), else the #GP bounces.
 *   INT3 / INT 3 / INTO / INT 4 (claimed SOFTINT 3/4) reach vectors 3/4 as traps whatever the DPL.
 */
import * as L from "../isa/layout.ts";
import * as X from "./abi/xen.ts";
import { off } from "./abi/struct.ts";
import type { Domain, TrapEntry } from "./domain.ts";
import { GuestMemory } from "./guest-memory.ts";
import { continuation, type Args, type HcResult, type HypercallContext } from "./hypercall-types.ts";
import type { GuestFault, PvMachine } from "./pv-machine.ts";
import type { Cpu } from "../core/cpu.ts";
import { describeFault } from "./pv-machine.ts";

const TRAP_INFO_SIZE = 8;
/** Entries handled per set_trap_table exit before continuing (Xen preempts long tables too). */
export const TRAP_TABLE_CHUNK = 256;

const EF = { TF: 1 << 8, IF: 1 << 9, IOPL: 3 << 12, NT: 1 << 14, RF: 1 << 16, VM: 1 << 17 } as const;
/** Fault-class exceptions: the hardware frame Xen received carried RF = 1. */
const FAULT_CLASS = new Set([0, 5, 6, 7, 10, 11, 12, 13, 14, 16, 17, 19, 20]);

const CR0_TS = 8;

/** RPL 0 code selectors from a ring-1 kernel are raised to RPL 1 (fixup_guest_code_selector). */
export function fixupCodeSelector(cs: number): number { return (cs & 3) === 0 ? (cs | 1) & 0xffff : cs & 0xffff; }

export function setTrapTable(hc: HypercallContext, [table]: Args): HcResult {
  const tt = hc.vcpu.trapTable;
  if (table === 0) {
    for (const e of tt) { e.flags = 0; e.cs = 0; e.address = 0; }
    syncDirectGate(hc.dom);
    return 0;
  }
  try {
    for (let i = 0; ; i++) {
      if (i === TRAP_TABLE_CHUNK) return continuation([(table + i * TRAP_INFO_SIZE) >>> 0]);
      const e = hc.mem.readStruct(table + i * TRAP_INFO_SIZE, TRAP_INFO_SIZE);
      const address = e.getUint32(4, true);
      if (address === 0) return 0;
      const vector = e.getUint8(0);
      tt[vector] = { flags: e.getUint8(1), cs: fixupCodeSelector(e.getUint16(2, true)), address };
    }
  } finally {
    syncDirectGate(hc.dom); // entries before a bad pointer stay, so the gate follows them
  }
}

/** The vector Xen delivers without entering the hypervisor (its "int80 direct trap"). */
export const DIRECT_GATE_VECTOR = 0x80;
const VI_UPCALL_MASK = off(X.vcpu_info, "evtchn_upcall_mask");
const VI_CR2 = off(X.vcpu_info, "arch.cr2");

/**
 * Tell the core (S.PV_GATE_*, assembly/cpu/pv-gate.ts) about trap_table[0x80]: enabled when it
 * exists with DPL 3 (ring 3 may use it), interrupt-type when its flag 4 is set (events masked on
 * entry), with the IOPL the pushed EFLAGS image carries (the virtual IOPL with architectural_iopl);
 * and about trap_table[14] for ring-3 page faults (S.PV_PF_*; any DPL: exceptions are not checked).
 * Called whenever one of those inputs changes: set_trap_table, vm_assist, set_iopl, iret.
 */
export function syncDirectGate(d: Domain): void {
  const v = d.vcpu, e = v.trapTable[DIRECT_GATE_VECTOR], cpu = d.cpu;
  const on = d.directGate && (e.cs & ~3) !== 0 && (e.flags & 3) === 3;
  const archIopl = (d.vmAssist & (1 << X.VMASST_TYPE_architectural_iopl)) !== 0;
  cpu.setState32(L.S.PV_GATE_VECTOR, DIRECT_GATE_VECTOR);
  cpu.setState32(L.S.PV_GATE_CS, e.cs);
  cpu.setState32(L.S.PV_GATE_EIP, e.address);
  cpu.setState32(L.S.PV_GATE_IOPL, archIopl ? (v.iopl & 3) << 12 : 0);
  cpu.setState32(L.S.PV_MASK_ADDR, v.vcpuInfoMa + VI_UPCALL_MASK);
  cpu.setState32(L.S.PV_GATE_FLAGS, on ? 1 | (trapMasksEvents(e) ? 2 : 0) : 0);
  const pf = v.trapTable[14];
  cpu.setState32(L.S.PV_PF_CS, pf.cs);
  cpu.setState32(L.S.PV_PF_EIP, pf.address);
  cpu.setState32(L.S.PV_CR2_ADDR, v.vcpuInfoMa + VI_CR2);
  cpu.setState32(L.S.PV_PF_FLAGS, d.directGate && (pf.cs & ~3) !== 0 ? 1 | (trapMasksEvents(pf) ? 2 : 0) : 0);
}

// ---- the bounce frame -------------------------------------------------------------------------------

export interface BounceTarget {
  cs: number;
  eip: number;
  /** Push this error code. */
  errorCode?: number;
  /** Set evtchn_upcall_mask on entry (interrupt gate / event upcall). */
  maskEvents: boolean;
  /** Failsafe callback: the four data selectors pushed first (lowest). */
  failsafeSegs?: [number, number, number, number];
  /** Extra EFLAGS bits for the pushed image (RF for fault-class hardware exceptions). */
  pushedFlagsOr?: number;
  /** Words describing what is delivered, for the crash diagnostic. */
  what: string;
}

/** Base address of a selector's segment, read from the machine GDT or the shadow LDT (as loaded). */
function segmentBase(d: Domain, sel: number): number {
  const idx = sel >>> 3;
  let lo: number, hi: number;
  if (sel & 4) {
    const ldt = d.cpu.seg(L.SEG_LDTR);
    if ((ldt.sel & 0xfffc) === 0 || idx * 8 + 7 > ldt.limit) return -1;
    const ma = d.ldtMfn * 4096 + (((ldt.base + idx * 8) >>> 0) - 0xffe20000);
    if (ma < d.ldtMfn * 4096 || ma + 8 > (d.ldtMfn + 16) * 4096) return -1;
    lo = d.read32(ma); hi = d.read32(ma + 4);
  } else {
    if (idx >= 8192) return -1;
    [lo, hi] = d.gdtEntry(idx);
  }
  return ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0;
}

/** What a bounce needs: the core, the domain and guest-memory access (a PvMachine, or a hypercall's view). */
export interface BounceHost { readonly cpu: Cpu; readonly domain: Domain; readonly mem: GuestMemory }

/**
 * Build the bounce frame for the current guest context and switch to the handler. Returns false
 * after crashing the domain (unwritable frame, unloadable handler or stack selector).
 */
export function pushBounceFrame(m: BounceHost, t: BounceTarget): boolean {
  const cpu = m.cpu, d = m.domain, v = d.vcpu;
  if ((t.cs & ~3) === 0) {
    d.crash(`${t.what}: no handler registered (CS 0x${t.cs.toString(16)})`);
    return false;
  }
  const cpl = cpu.state32(L.S.CPL);
  const curCs = cpu.seg(L.SEG_CS).sel & 0xffff;
  const curSs = cpu.seg(L.SEG_SS).sel & 0xffff;
  const esp = cpu.reg("esp");
  const eflags = cpu.eflags;
  const toRing1 = (cpl & 2) !== 0;
  const ss = toRing1 ? v.kernelSs : curSs;
  let sp = toRing1 ? v.kernelSp : esp;
  const ssBase = toRing1 ? segmentBase(d, ss) : cpu.seg(L.SEG_SS).base;
  if (ssBase < 0) { d.crash(`${t.what}: kernel stack selector 0x${ss.toString(16)} is not loadable`); return false; }

  const saved = v.upcallMask & 0xff;
  const archIopl = (d.vmAssist & (1 << X.VMASST_TYPE_architectural_iopl)) !== 0;
  let pushedFlags = (eflags & ~(EF.IF | EF.IOPL)) | (saved ? 0 : EF.IF) | (archIopl ? (v.iopl & 3) << 12 : 0) | (t.pushedFlagsOr ?? 0);
  pushedFlags = (pushedFlags | 2) >>> 0;
  const words: number[] = [];
  if (t.failsafeSegs) words.push(...t.failsafeSegs);
  if (t.errorCode !== undefined) words.push(t.errorCode >>> 0);
  words.push(cpu.eip >>> 0, (curCs | (saved << 16)) >>> 0, pushedFlags);
  if (toRing1) words.push(esp >>> 0, curSs);
  sp = (sp - words.length * 4) >>> 0;
  const bytes = new Uint8Array(words.length * 4);
  const dv = new DataView(bytes.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  try {
    m.mem.copyToGuest((ssBase + sp) >>> 0, bytes);
  } catch {
    d.crash(`${t.what}: the bounce frame cannot be written at ${ss.toString(16)}:${sp.toString(16)} (ring ${cpl})`);
    return false;
  }
  // Switch: CS first (it sets the CPL), then SS when coming from ring 2/3.
  if ((t.cs & 3) !== 1 || cpu.core.loadSelector(L.SEG_CS, t.cs) !== 0) {
    d.crash(`${t.what}: handler code selector 0x${t.cs.toString(16)} cannot be loaded for ring 1`);
    return false;
  }
  if (toRing1 && cpu.core.loadSelector(L.SEG_SS, ss) !== 0) {
    d.crash(`${t.what}: kernel stack selector 0x${ss.toString(16)} cannot be loaded`);
    return false;
  }
  cpu.setReg("esp", sp);
  cpu.eip = t.eip >>> 0;
  cpu.eflags = (eflags & ~(EF.TF | EF.NT | EF.RF | EF.VM)) | EF.IF;
  if (t.maskEvents) v.upcallMask = 1;
  return true;
}

// ---- exceptions and software interrupts --------------------------------------------------------------

/** TI_GET_IF: bit 2 of trap_info.flags, deliver with events masked. */
export function trapMasksEvents(e: TrapEntry): boolean { return (e.flags & 4) !== 0; }

/** Deliver vector `f.vector` as the hardware exception `f` describes (the fault path's last step). */
export function bounceException(m: PvMachine, f: GuestFault): boolean {
  const d = m.domain, v = d.vcpu, cpu = m.cpu;
  const e = v.trapTable[f.vector];
  let errorCode = f.hasError ? f.errorCode : undefined;
  switch (f.vector) {
    case 14: {
      v.cr2 = f.cr2 >>> 0;
      d.write32(v.vcpuInfoMa + off(X.vcpu_info, "arch.cr2"), f.cr2);
      errorCode = ((f.errorCode & ~4) | (f.cpl === 3 ? 4 : 0)) >>> 0;
      break;
    }
    case 7:
      if (v.virtualCr0 & CR0_TS) {
        v.virtualCr0 &= ~CR0_TS;
        cpu.setState32(L.S.CR0, cpu.stateU32(L.S.CR0) & ~CR0_TS);
      }
      break;
    case 1: {
      // DR6 as the hardware reported it accumulates into the virtual DR6; the real one is reset.
      const dr6 = cpu.stateU32(L.S.DR + 6 * 4);
      v.debugRegs[6] = ((v.debugRegs[6] | (dr6 & 0x0000e00f)) | 0xffff0ff0) >>> 0;
      cpu.setState32(L.S.DR + 6 * 4, 0xffff0ff0);
      break;
    }
  }
  return pushBounceFrame(m, {
    cs: e.cs, eip: e.address, errorCode, maskEvents: trapMasksEvents(e),
    pushedFlagsOr: FAULT_CLASS.has(f.vector) ? EF.RF : 0,
    what: describeFault(f),
  });
}

/** A software interrupt: EIP already after the instruction; no error code. */
export function deliverSoftInt(m: PvMachine, vector: number, what: string): boolean {
  const e = m.domain.vcpu.trapTable[vector];
  return pushBounceFrame(m, { cs: e.cs, eip: e.address, maskEvents: trapMasksEvents(e), what });
}

/**
 * Fault handler: #GP(n << 3 | 2) is an `int n` the real IDT refused. If trap_table[n] allows the
 * current ring, deliver n as a software interrupt (EIP past the 2-byte `int n`).
 */
export function softIntViaGp(m: PvMachine, f: GuestFault): boolean {
  if (f.vector !== 13 || (f.errorCode & 3) !== 2) return false;
  const n = (f.errorCode >>> 3) & 0xff;
  const dpl = m.domain.vcpu.trapTable[n].flags & 3;
  const ring = (f.cpl & 2) ? 3 : 1;
  if (dpl < ring) return false; // the #GP itself bounces
  m.cpu.eip = (f.eip + 2) >>> 0;
  deliverSoftInt(m, n, `int 0x${n.toString(16)} at EIP 0x${f.eip.toString(16).padStart(8, "0")} (ring ${f.cpl})`);
  return true;
}

/** SOFTINT exits of the claimed vectors 3 and 4 (INT3, INT 3, INTO, INT 4): traps to vectors 3 / 4. */
export function softIntClaimed(m: PvMachine, vector: number, eipAfter: number, cpl: number): boolean {
  if (vector !== 3 && vector !== 4) return false;
  m.cpu.eip = eipAfter >>> 0;
  const name = vector === 3 ? "#BP" : "#OF";
  deliverSoftInt(m, vector, `unhandled exception ${name} (vector ${vector}) at EIP 0x${eipAfter.toString(16).padStart(8, "0")} (ring ${cpl})`);
  return true;
}

export { GuestMemory };
