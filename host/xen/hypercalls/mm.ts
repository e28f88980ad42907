/**
 * The page-table and descriptor-table hypercalls (spec 4.4-4.6, 5.1-5.3), on top of the per-domain
 * memory manager (mm/mm.ts):
 *
 *   mmu_update (1)                    checked PTE writes at any level, M2P updates, PRESERVE_AD
 *   update_va_mapping (14)            the L1 entry of a linear address, then a flush by `flags`
 *   update_va_mapping_otherdomain (22) the same with a page owner: only DOMID_SELF works for a domU
 *   mmuext_op (26)                    pin/unpin, NEW_BASEPTR, TLB flushes, SET_LDT, CLEAR/COPY_PAGE
 *   set_gdt (2), update_descriptor (10)
 *
 * Batches stop at the first failing request; `*pdone` gets the number completed. Long batches are
 * preempted as Xen does (count | MMU_UPDATE_PREEMPTED, the running total in *pdone), so one exit never
 * does unbounded work.
 */
import * as X from "../abi/xen.ts";
import { FIRST_RESERVED_GDT_ENTRY } from "../abi/arch-x86.ts";
import { XEN_EACCES, XEN_EFAULT, XEN_EINVAL, XEN_ENOSYS, XEN_EOPNOTSUPP, XEN_EPERM, XEN_ESRCH, xenErr } from "../abi/errno.ts";
import { continuation, type Args, type HcResult, type HypercallContext } from "../hypercall-types.ts";
import { EFault } from "../guest-memory.ts";
import { PAGE } from "../domain.ts";
import { mmOf } from "../mm/index.ts";
import { type Mm, type PgOwner, PTE_P, err } from "../mm/mm.ts";
import { PGT } from "../mm/page-info.ts";
import { checkDescriptor } from "../mm/descriptor-check.ts";

export const MMU_UPDATE_PREEMPTED = 0x80000000;
/** Requests handled per exit before the batch continues (Xen's hypercall_preempt_check). */
export const MM_BATCH_CHUNK = 512;

/** Dispatcher results: 0 or a negative errno -> the EAX value. */
const ret = (rc: number): number => (rc < 0 ? xenErr(-rc) : rc >>> 0);

/** Read a u32 from the guest, or undefined when the pointer faults. */
function tryReadU32(hc: HypercallContext, va: number): number | undefined {
  try { return hc.mem.readU32(va); } catch (e) { if (e instanceof EFault) return undefined; throw e; }
}
function tryWriteU32(hc: HypercallContext, va: number, v: number): void {
  try { hc.mem.writeU32(va, v); } catch (e) { if (!(e instanceof EFault)) throw e; }
}

/** Xen's get_pg_owner for an unprivileged domain: undefined = no such domain (-ESRCH). */
type Owner = PgOwner | "dom0";
function pgOwner(hc: HypercallContext, domid: number): Owner | undefined {
  domid &= 0xffff;
  if (domid === X.DOMID_SELF) return "self";
  if (domid === hc.dom.domid) return undefined; // "cannot specify itself as foreign domain"
  if (domid === X.DOMID_IO) return "io";
  if (domid === 0) return "dom0"; // exists, but XSM refuses a domU access to it
  return undefined;
}

// ---- mmu_update ----------------------------------------------------------------------------------------

/** One request's words (mmu_update: 4, mmuext_op: 3), read without allocation and consumed at once. */
const reqWords = [0, 0, 0, 0];

/** A batch's count and the requests already done by earlier (preempted) rounds, from count / pdone. */
function batchStart(hc: HypercallContext, countArg: number, pdone: number): { count: number; done: number } {
  const count = countArg >>> 0;
  if (!(count & MMU_UPDATE_PREEMPTED)) return { count, done: 0 };
  return { count: (count & ~MMU_UPDATE_PREEMPTED) >>> 0, done: pdone ? tryReadU32(hc, pdone) ?? 0 : 0 };
}

/**
 * The request loop shared by mmu_update and mmuext_op: each request's `nwords` words read in place,
 * `one` applied in order until one fails or a bad pointer ends it (-EFAULT); after MM_BATCH_CHUNK
 * requests, a continuation with the rest (count | MMU_UPDATE_PREEMPTED, as Xen's). *pdone gets the
 * running total of requests done.
 */
function runBatch(hc: HypercallContext, list: number, size: number, nwords: number, count: number, done: number,
  pdone: number, foreigndom: number, one: (w: number[]) => number): HcResult {
  let rc = 0, i = 0;
  for (; i < count; i++) {
    if (i === MM_BATCH_CHUNK) {
      if (pdone) tryWriteU32(hc, pdone, done + i);
      return continuation([(list + i * size) >>> 0, ((count - i) | MMU_UPDATE_PREEMPTED) >>> 0, pdone, foreigndom]);
    }
    try { hc.mem.readWords((list + i * size) >>> 0, nwords, reqWords); } catch (e) {
      if (!(e instanceof EFault)) throw e;
      rc = err(XEN_EFAULT);
      break;
    }
    rc = one(reqWords);
    if (rc !== 0) break;
  }
  if (pdone) tryWriteU32(hc, pdone, done + i);
  return ret(rc);
}

export function mmuUpdate(hc: HypercallContext, [reqs, countArg, pdone, foreigndom]: Args): HcResult {
  const mm = mmOf(hc.dom);
  const { count, done } = batchStart(hc, countArg, pdone);
  // Page-table owner (PFD, bits 31:16 = domid + 1).
  const ptDom = foreigndom >>> 16;
  let ptForeign = false;
  if (ptDom !== 0) {
    const id = ptDom - 1;
    if (id === 0) ptForeign = true;
    else if (id !== hc.dom.domid) return xenErr(XEN_ESRCH);
  }
  const owner = pgOwner(hc, foreigndom);
  if (owner === undefined) {
    if (pdone) tryWriteU32(hc, pdone, done);
    return xenErr(XEN_ESRCH);
  }
  return runBatch(hc, reqs, X.mmu_update.size, 4, count, done, pdone, foreigndom,
    (r) => mmuUpdateOne(mm, r[0], r[1], r[2], r[3], ptForeign, owner));
}

function mmuUpdateOne(mm: Mm, ptrLo: number, ptrHi: number, valLo: number, valHi: number, ptForeign: boolean, owner: Owner): number {
  const cmd = ptrLo & (mm.esz - 1);
  switch (cmd) {
    case X.MMU_NORMAL_PT_UPDATE:
    case X.MMU_PT_UPDATE_PRESERVE_AD:
    case X.MMU_PT_UPDATE_NO_TRANSLATE: {
      if (ptForeign || owner === "dom0") return err(XEN_EPERM);
      const ptr = (ptrLo - cmd) >>> 0;
      const mfn = (ptr >>> 12) + ptrHi * 0x100000;
      if (!mm.owned(mfn)) return err(XEN_EINVAL);
      const idx = (ptr & 0xfff) / mm.esz;
      const hi = mm.pae ? valHi : 0;
      const ad = cmd === X.MMU_PT_UPDATE_PRESERVE_AD;
      const inf = mm.info;
      if (inf.count[mfn] > 0) {
        switch (inf.type[mfn]) {
          case PGT.l1: return mm.modL1(mfn, idx, valLo, hi, ad, owner as PgOwner);
          case PGT.l2: return mm.modL2(mfn, idx, valLo, hi, ad);
          case PGT.l3: return mm.modL3(mfn, idx, valLo, hi, ad);
          case PGT.writable: break;
          default: return err(XEN_EINVAL); // a descriptor page
        }
      }
      mm.writeEntry(mfn, idx, valLo, hi);
      return 0;
    }
    case X.MMU_MACHPHYS_UPDATE: {
      if (ptForeign || owner === "dom0") return err(XEN_EPERM);
      const mfn = (ptrLo >>> 12) + ptrHi * 0x100000;
      if (owner === "io" || !mm.owned(mfn)) return err(XEN_EINVAL);
      mm.dom.setM2p(mfn, valLo);
      return 0;
    }
    default:
      return err(XEN_ENOSYS);
  }
}

// ---- update_va_mapping ----------------------------------------------------------------------------------

function updateVaMappingAs(hc: HypercallContext, va: number, lo: number, hi: number, flags: number, owner: PgOwner): number {
  const mm = mmOf(hc.dom);
  let rc: number = err(XEN_EINVAL);
  const w = mm.l1eOf(va);
  if (w && mm.owned(w.mfn) && mm.info.is(w.mfn, PGT.l1)) rc = mm.modL1(w.mfn, w.index, lo, mm.pae ? hi : 0, false, owner);
  // Xen flushes whatever the outcome; a multi mask it cannot read replaces the result.
  const core = hc.dom.cpu.core;
  const kind = flags & X.UVMF_FLUSHTYPE_MASK;
  const mask = (flags & ~X.UVMF_FLUSHTYPE_MASK) >>> 0;
  if (kind === X.UVMF_TLB_FLUSH || kind === X.UVMF_INVLPG) {
    let flush = true;
    if (mask !== X.UVMF_LOCAL && mask !== X.UVMF_ALL) {
      const word = tryReadU32(hc, mask);
      rc = word === undefined ? err(XEN_EFAULT) : 0;
      flush = word !== undefined && (word & 1) !== 0;
    }
    if (flush) {
      if (kind === X.UVMF_TLB_FLUSH) core.flushTlb(0);
      else core.invalidatePage(va >>> 0);
    }
  }
  return rc;
}

export function updateVaMapping(hc: HypercallContext, [va, lo, hi, flags]: Args): HcResult {
  return ret(updateVaMappingAs(hc, va, lo, hi, flags, "self"));
}

export function updateVaMappingOtherdomain(hc: HypercallContext, [va, lo, hi, flags, domid]: Args): HcResult {
  const owner = pgOwner(hc, domid);
  if (owner === undefined) return xenErr(XEN_ESRCH);
  // XSM: a domU may name another owner only for a not-present entry.
  if (owner !== "self" && (lo & PTE_P)) return xenErr(XEN_EPERM);
  return ret(updateVaMappingAs(hc, va, lo, hi, flags, owner === "dom0" ? "io" : owner));
}

// ---- mmuext_op ----------------------------------------------------------------------------------------------

export function mmuextOp(hc: HypercallContext, [ops, countArg, pdone, foreigndom]: Args): HcResult {
  const mm = mmOf(hc.dom);
  const { count, done } = batchStart(hc, countArg, pdone);
  const owner = pgOwner(hc, foreigndom);
  if (owner === undefined) return xenErr(XEN_ESRCH);
  if (owner === "io") return xenErr(XEN_EINVAL); // DOMID_IO is not a PV domain
  if (owner === "dom0") return xenErr(XEN_EPERM);
  return runBatch(hc, ops, X.mmuext_op.size, 3, count, done, pdone, foreigndom,
    (op) => mmuextOne(hc, mm, op[0], op[1], op[2]));
}

function mmuextOne(hc: HypercallContext, mm: Mm, cmd: number, arg1: number, arg2: number): number {
  const core = hc.dom.cpu.core;
  switch (cmd) {
    case X.MMUEXT_PIN_L1_TABLE: return mm.pin(arg1, PGT.l1);
    case X.MMUEXT_PIN_L2_TABLE: return mm.pin(arg1, PGT.l2);
    case X.MMUEXT_PIN_L3_TABLE: return mm.pae ? mm.pin(arg1, PGT.l3) : 0; // 2-level: ignored
    case X.MMUEXT_PIN_L4_TABLE: return 0; // ignored for 32-bit guests
    case X.MMUEXT_UNPIN_TABLE: return mm.unpin(arg1);
    case X.MMUEXT_NEW_BASEPTR: return mm.newBaseptr(arg1);
    case X.MMUEXT_TLB_FLUSH_LOCAL:
    case X.MMUEXT_TLB_FLUSH_ALL:
      core.flushTlb(0);
      return 0;
    case X.MMUEXT_INVLPG_LOCAL:
      core.invalidatePage(arg1);
      return 0;
    case X.MMUEXT_INVLPG_ALL:
      if (arg1 < hc.dom.hvStart) core.invalidatePage(arg1);
      return 0;
    case X.MMUEXT_TLB_FLUSH_MULTI:
    case X.MMUEXT_INVLPG_MULTI: {
      const word = tryReadU32(hc, arg2);
      if (word === undefined) return err(XEN_EINVAL);
      if (word & 1) {
        if (cmd === X.MMUEXT_TLB_FLUSH_MULTI) core.flushTlb(0);
        else if (arg1 < hc.dom.hvStart) core.invalidatePage(arg1);
      }
      return 0;
    }
    case X.MMUEXT_FLUSH_CACHE: return err(XEN_EACCES);
    case X.MMUEXT_FLUSH_CACHE_GLOBAL: return err(XEN_EINVAL);
    case X.MMUEXT_SET_LDT: return setLdt(mm, arg1, arg2);
    case X.MMUEXT_NEW_USER_BASEPTR: return err(mm.pae ? XEN_EINVAL : XEN_ENOSYS); // x86_64 only
    case X.MMUEXT_CLEAR_PAGE: {
      if (!mm.owned(arg1) || mm.getType(arg1, PGT.writable) !== 0) return err(XEN_EINVAL);
      hc.dom.mem.fill(0, arg1 * PAGE, (arg1 + 1) * PAGE);
      mm.putType(arg1);
      return 0;
    }
    case X.MMUEXT_COPY_PAGE: {
      if (!mm.owned(arg2)) return err(XEN_EINVAL);
      if (!mm.owned(arg1) || mm.getType(arg1, PGT.writable) !== 0) return err(XEN_EINVAL);
      hc.dom.mem.copyWithin(arg1 * PAGE, arg2 * PAGE, (arg2 + 1) * PAGE);
      mm.putType(arg1);
      return 0;
    }
    case X.MMUEXT_MARK_SUPER:
    case X.MMUEXT_UNMARK_SUPER:
      return err(XEN_EOPNOTSUPP);
    default:
      return err(XEN_ENOSYS);
  }
}

/** MMUEXT_SET_LDT (spec 5.3): pages load lazily on first use (mm/index.ts fault handler). */
function setLdt(mm: Mm, linear: number, ents: number): number {
  const ptr = ents ? linear >>> 0 : 0;
  if ((ptr & (PAGE - 1)) !== 0 || ptr >= mm.dom.hvStart || ents > 8192) return err(XEN_EINVAL);
  if (ents !== mm.ldtEnts || ptr !== mm.ldtBase) {
    mm.invalidateLdt();
    mm.ldtBase = ptr;
    mm.ldtEnts = ents;
    mm.loadLdt();
  }
  return 0;
}

// ---- descriptor tables --------------------------------------------------------------------------------------

export function setGdt(hc: HypercallContext, [frameList, entries]: Args): HcResult {
  entries >>>= 0;
  if (entries > FIRST_RESERVED_GDT_ENTRY) return xenErr(XEN_EINVAL);
  const nr = Math.ceil(entries / 512);
  const b = hc.mem.copyFromGuest(frameList, nr * 4); // EFault -> -EFAULT
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const frames = Array.from({ length: nr }, (_, i) => dv.getUint32(i * 4, true));
  const mm = mmOf(hc.dom);
  const taken: number[] = [];
  for (const mfn of frames) {
    if (!mm.isRam(mfn) || mm.getType(mfn, PGT.segDesc) !== 0) {
      for (const t of taken) { mm.putType(t); mm.info.refs[t]--; }
      return xenErr(XEN_EINVAL);
    }
    mm.info.refs[mfn]++;
    taken.push(mfn);
  }
  for (const old of mm.gdtFrames) { mm.putType(old); mm.info.refs[old]--; }
  mm.gdtFrames = frames;
  mm.gdtEnts = entries;
  mm.syncMachineGdt();
  hc.dom.cpu.core.flushTlb(0);
  return 0;
}

export function updateDescriptor(hc: HypercallContext, [maLo, maHi, dLo, dHi]: Args): HcResult {
  const mm = mmOf(hc.dom);
  if (maLo & 7) return xenErr(XEN_EINVAL);
  const d = checkDescriptor(dLo, dHi, hc.dom.hvStart);
  if (!d) return xenErr(XEN_EINVAL);
  const mfn = (maLo >>> 12) + (maHi >>> 0) * 0x100000;
  if (!mm.owned(mfn)) return xenErr(XEN_EINVAL);
  const seg = mm.info.is(mfn, PGT.segDesc);
  if (!seg) {
    if (mm.getType(mfn, PGT.writable) !== 0) return xenErr(XEN_EINVAL);
  }
  const off = maLo & 0xfff;
  hc.dom.write32(mfn * PAGE + off, d[0]);
  hc.dom.write32(mfn * PAGE + off + 4, d[1]);
  if (!seg) { mm.putType(mfn); return 0; }
  // Keep the machine copies in step: the GDT slots and the loaded shadow LDT pages of this frame.
  mm.gdtFrames.forEach((f, k) => { if (f === mfn) hc.dom.setGdtEntry(k * 512 + off / 8, d[0], d[1]); });
  mm.ldtLoaded.forEach((f, p) => {
    if (f === mfn) { hc.dom.write32(hc.dom.ldtMfn * PAGE + p * PAGE + off, d[0]); hc.dom.write32(hc.dom.ldtMfn * PAGE + p * PAGE + off + 4, d[1]); }
  });
  return 0;
}
