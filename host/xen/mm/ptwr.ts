/**
 * Writable page tables (spec 4.8, VMASST_TYPE_writable_pagetables): a guest-kernel store into one of
 * its own L1 frames through a read-only mapping faults with #PF(P|W). Instead of decoding the
 * instruction, the host re-executes exactly that instruction once with a one-shot permission to
 * write that machine page (the core's S.PTWR_PAGE, never cached in the TLB), then looks at what it
 * changed and validates it the way Xen's emulation validates the new entry (mod_l1_entry):
 *
 *   - exactly one entry changed: validated with reference adjustments; a valid entry stays (EIP has
 *     advanced), an invalid one is put back and the original #PF goes to the guest. PAE quirk as Xen:
 *     a store to the upper half only that yields an invalid present entry is kept with P cleared.
 *   - nothing changed (same value, or a CMPXCHG that failed its compare): the instruction stands.
 *   - more than one entry changed, or the instruction did not complete in one step: undone, #PF.
 *
 * Xen also refuses a misaligned store or one wider than an entry inside a single entry; the
 * diff cannot see the store width, so those are accepted when the resulting entry is valid.
 */
import * as L from "../../isa/layout.ts";
import { ExitReason, STATE, FPU } from "../../isa/layout.ts";
import * as X from "../abi/xen.ts";
import type { FaultHandler, GuestFault, PvMachine } from "../pv-machine.ts";
import { PAGE } from "../domain.ts";
import type { Mm } from "./mm.ts";
import { PTE_P } from "./mm.ts";
import { PGT } from "./page-info.ts";

const PF_P = 1, PF_W = 2, PF_U = 4, PF_RSVD = 8, PF_ID = 16;

export function ptwrHandler(mmOf: (m: PvMachine) => Mm): FaultHandler {
  return (m: PvMachine, f: GuestFault): boolean => {
    if (f.vector !== 14 || f.cpl !== 1) return false;
    if ((f.errorCode & (PF_P | PF_W | PF_U | PF_RSVD | PF_ID)) !== (PF_P | PF_W)) return false;
    const dom = m.domain;
    if (!(dom.vmAssist & (1 << X.VMASST_TYPE_writable_pagetables))) return false;
    const mm = mmOf(m);
    const w = mm.l1eOf(f.cr2);
    if (!w || !mm.owned(w.mfn) || !mm.info.is(w.mfn, PGT.l1)) return false;
    const [plo, phi] = mm.readEntry(w.mfn, w.index);
    if (!(plo & PTE_P)) return false;
    const target = mm.entryMfn(plo, phi);
    if (!mm.owned(target) || !mm.info.is(target, PGT.l1)) return false;
    return emulate(m, mm, target);
  };
}

function emulate(m: PvMachine, mm: Mm, l1: number): boolean {
  const cpu = m.cpu, dom = m.domain;
  const pageMa = l1 * PAGE;
  const before = dom.mem.slice(pageMa, pageMa + PAGE);
  const raw = new Uint8Array(cpu.memory.buffer);
  const state = raw.slice(STATE, STATE + 0x1000);
  const fpu = raw.slice(FPU, FPU + 0x200);
  const undo = () => {
    dom.mem.set(before, pageMa);
    dom.wroteRam(pageMa, before.length);
    const r = new Uint8Array(cpu.memory.buffer);
    r.set(state, STATE);
    r.set(fpu, FPU);
    cpu.core.refresh();
    mm.stats.ptwrFailures++;
    return false;
  };
  cpu.setState32(L.S.PTWR_PAGE, pageMa | 1);
  let r: number;
  try { r = cpu.run(1); } finally { cpu.setState32(L.S.PTWR_PAGE, 0); }
  if (r !== ExitReason.BUDGET) return undo();
  // Which entries did the instruction change?
  const after = dom.mem.subarray(pageMa, pageMa + PAGE);
  let changed = -1, lowChanged = false, highChanged = false;
  for (let i = 0; i < PAGE; i++) {
    if (after[i] === before[i]) continue;
    const e = Math.floor(i / mm.esz);
    if (changed >= 0 && changed !== e) return undo();
    changed = e;
    if (i % mm.esz < 4) lowChanged = true; else highChanged = true;
  }
  if (changed < 0) { mm.stats.ptwrEmulations++; return true; }
  const [nlo, nhi] = mm.readEntry(l1, changed);
  // Put the old entry back, then do the checked update.
  const o = changed * mm.esz;
  dom.mem.set(before.subarray(o, o + mm.esz), pageMa + o);
  dom.wroteRam(pageMa + o, mm.esz);
  let rc = mm.modL1(l1, changed, nlo, nhi, false, "self");
  if (rc !== 0 && mm.pae && highChanged && !lowChanged && (nlo & PTE_P)) rc = mm.modL1(l1, changed, nlo & ~PTE_P, nhi, false, "self");
  if (rc !== 0) return undo();
  mm.stats.ptwrEmulations++;
  return true;
}
