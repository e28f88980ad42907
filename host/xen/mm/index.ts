/**
 * The page-table half of the hypervisor, wired into a PvMachine:
 *
 *   mmOf(domain)            the domain's memory manager (created on first use: the initial tables are
 *                           validated, pinned and counted as the vCPU's CR3, as the toolstack leaves them)
 *   installMm(machine)      create it at build time and register the fault handlers: writable page
 *                           tables (ptwr.ts) and the lazy shadow-LDT loads
 *   setGuestBasePtr(d, mfn) MMUEXT_NEW_BASEPTR semantics, for the emulated `mov cr3, reg` (priv-op
 *                           emulation): 0 or a negative errno (the caller injects #GP on failure)
 *   guestCr3(d)             the value `mov reg, cr3` reads: xen_pfn_to_cr3(current top-level MFN)
 */
import { privOpHooks } from "../priv-op.ts";
import type { Domain } from "../domain.ts";
import { HV_LAYOUT, LDT_FRAMES, PAGE } from "../domain.ts";
import { xen_pfn_to_cr3 } from "../abi/arch-x86.ts";
import type { FaultHandler, GuestFault, PvMachine } from "../pv-machine.ts";
import { Mm } from "./mm.ts";
import { ptwrHandler } from "./ptwr.ts";

const MMS = new WeakMap<Domain, Mm>();

export function mmOf(dom: Domain): Mm {
  let mm = MMS.get(dom);
  if (!mm) {
    mm = new Mm(dom);
    MMS.set(dom, mm);
    mm.adoptInitialTables();
  }
  return mm;
}

export function setGuestBasePtr(dom: Domain, mfn: number): number { return mmOf(dom).newBaseptr(mfn >>> 0); }
export function guestCr3(dom: Domain): number { return xen_pfn_to_cr3(mmOf(dom).baseMfn); }

/**
 * An implicit LDT access the shadow does not cover yet (#PF inside our LDT window): load the guest's
 * LDT pages up to that one and retry; a page that cannot be loaded gets the guest a #PF at the guest's
 * own LDT address (Xen's lazy LDT mapping, spec 5.3).
 */
export const ldtFaultHandler: FaultHandler = (m: PvMachine, f: GuestFault): boolean => {
  if (f.vector !== 14) return false;
  const off = (f.cr2 - HV_LAYOUT.ldtVirt) >>> 0;
  if (off >= LDT_FRAMES * PAGE) return false;
  const mm = mmOf(m.domain);
  if (mm.ldtEnts === 0) return false;
  const bad = mm.loadLdtPages(Math.floor(off / PAGE));
  if (bad < 0) return true;
  f.cr2 = (mm.ldtBase + (bad === Math.floor(off / PAGE) ? off : bad * PAGE)) >>> 0;
  return false;
};

export function installMm(m: PvMachine): Mm {
  const mm = mmOf(m.domain);
  m.faultHandlers.push(ptwrHandler((mm2) => mmOf(mm2.domain)), ldtFaultHandler);
  // The guest kernel's MOV to CR3 (emulated in priv-op.ts) is MMUEXT_NEW_BASEPTR.
  privOpHooks.newBasePtr = (pm: PvMachine, mfn: number) => setGuestBasePtr(pm.domain, mfn) === 0;
  return mm;
}

export { Mm };
