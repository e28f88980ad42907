/**
 * grant_table_op (20), the parts a frontend-only domU needs before any backend maps its grants:
 * GNTTABOP_query_size, GNTTABOP_setup_table (real grant frames: hypervisor frames shared with the
 * guest, writable, mappable through mmu_update / update_va_mapping like shared_info),
 * GNTTABOP_get_version / set_version (v1 only, as Xen with gnttab max version 1).
 *
 * Like Xen 4.17: these four take exactly one op (count != 1 is -EINVAL); the domain must be
 * DOMID_SELF or our own id (another domain: status GNTST_bad_domain for query/setup, -ESRCH for
 * get_version); setup_table of more frames than max_nr_frames is GNTST_general_error; a frame_list
 * that cannot be written is GNTST_bad_virt_addr. The table grows to the requested size and never
 * shrinks. The map / unmap / copy / transfer family needs a second domain to act on a grant and
 * is -ENOSYS here (no second guest domain exists); the host's own backends (backends/blkback.ts)
 * use grants through GrantTable.acquire, with the checks Xen applies to a grant copy.
 */
import * as G from "./abi/grant_table.ts";
import * as X from "./abi/xen.ts";
import { off } from "./abi/struct.ts";
import { XEN_EINVAL, XEN_ENOSYS, XEN_ESRCH, xenErr } from "./abi/errno.ts";
import type { Domain } from "./domain.ts";
import { EFault } from "./guest-memory.ts";
import type { Args, HcResult, HypercallContext } from "./hypercall-types.ts";
import { mmOf } from "./mm/index.ts";
import { PGT } from "./mm/page-info.ts";

/** libxl's default max_grant_frames for a domU. */
export const MAX_GRANT_FRAMES = 32;
/** Frames a new domain's table starts with (Xen allocates one at domain creation). */
export const INITIAL_GRANT_FRAMES = 1;
const PAGE = 4096;

export class GrantTable {
  readonly frames: number[] = [];
  constructor(private readonly dom: Domain) { this.grow(INITIAL_GRANT_FRAMES); }

  /** Grow to n frames; false when the hypervisor pool has no room. */
  grow(n: number): boolean {
    const mm = mmOf(this.dom);
    while (this.frames.length < n) {
      if (this.dom.frames.free < 1) return false;
      const mfn = this.dom.frames.alloc(1, "grant table frame");
      this.dom.mem.fill(0, mfn * PAGE, (mfn + 1) * PAGE);
      mm.shareWithGuest(mfn);
      this.frames.push(mfn);
    }
    return true;
  }

  /** v1 entries the table holds now. */
  get entries(): number { return this.frames.length * (PAGE / G.grant_entry_v1.size); }

  /**
   * A backend in domain `backend` uses grant `ref` of this domain to access one whole frame (what
   * Xen checks in acquire_grant_for_copy / map_grant_ref for a v1 entry): the ref must lie in the
   * table (GNTST_bad_gntref); the entry must be GTF_permit_access for exactly that domain, and not
   * GTF_readonly when the backend writes (GNTST_general_error); the frame must belong to this domain
   * (GNTST_bad_page) and, for a write, must not be typed as a page table or descriptor page (it
   * must be able to take the writable type: GNTST_general_error). The access is synchronous, so
   * the transient GTF_reading / GTF_writing bits Xen sets while a copy is in flight never show.
   */
  acquire(ref: number, backend: number, write: boolean): { mfn: number } | { status: number } {
    if (ref >>> 0 !== ref || ref >= this.entries) return { status: G.GNTST_bad_gntref };
    const E = G.grant_entry_v1;
    const frameIdx = Math.floor(ref / (PAGE / E.size));
    const ea = this.frames[frameIdx] * PAGE + (ref % (PAGE / E.size)) * E.size;
    const dv = this.dom.dv;
    const flags = dv.getUint16(ea + off(E, "flags"), true), domid = dv.getUint16(ea + off(E, "domid"), true);
    const mfn = dv.getUint32(ea + off(E, "frame"), true);
    if ((flags & G.GTF_type_mask) !== G.GTF_permit_access || domid !== backend) return { status: G.GNTST_general_error };
    if (write && (flags & G.GTF_readonly)) return { status: G.GNTST_general_error };
    if (!mmOf(this.dom).owned(mfn)) return { status: G.GNTST_bad_page };
    if (write && !writableFrame(this.dom, mfn)) return { status: G.GNTST_general_error };
    return { mfn };
  }
}

/** A frame of the domain that could take the writable type now (not a page table or descriptor page). */
export function writableFrame(dom: Domain, mfn: number): boolean {
  const mm = mmOf(dom);
  return mm.owned(mfn) && (mm.info.count[mfn] === 0 || mm.info.type[mfn] === PGT.writable);
}

const tables = new WeakMap<Domain, GrantTable>();
export function grantTable(dom: Domain): GrantTable {
  let t = tables.get(dom);
  if (!t) { t = new GrantTable(dom); tables.set(dom, t); }
  return t;
}

const wr16 = (m: HypercallContext["mem"], va: number, v: number) => m.copyToGuest(va, Uint8Array.of(v & 0xff, (v >>> 8) & 0xff));
const isSelf = (dom: Domain, d: number) => d === X.DOMID_SELF || d === dom.domid;

export function grantTableOp(hc: HypercallContext, [cmd, uop, count]: Args): HcResult {
  const m = hc.mem, dom = hc.dom;
  switch (cmd) {
    case G.GNTTABOP_query_size: {
      if (count !== 1) return xenErr(XEN_EINVAL);
      const S = G.gnttab_query_size;
      m.check(uop, S.size, false);
      const d = m.readU16(uop + off(S, "dom"));
      if (!isSelf(dom, d)) { wr16(m, uop + off(S, "status"), G.GNTST_bad_domain); return 0; }
      const gt = grantTable(dom);
      m.writeU32(uop + off(S, "nr_frames"), gt.frames.length);
      m.writeU32(uop + off(S, "max_nr_frames"), MAX_GRANT_FRAMES);
      wr16(m, uop + off(S, "status"), G.GNTST_okay);
      return 0;
    }
    case G.GNTTABOP_setup_table: {
      if (count !== 1) return xenErr(XEN_EINVAL);
      const S = G.gnttab_setup_table;
      m.check(uop, S.size, false);
      const d = m.readU16(uop + off(S, "dom")), n = m.readU32(uop + off(S, "nr_frames")), list = m.readU32(uop + off(S, "frame_list"));
      const status = (s: number) => { wr16(m, uop + off(S, "status"), s); return 0; };
      if (n > MAX_GRANT_FRAMES) return status(G.GNTST_general_error);
      if (!isSelf(dom, d)) return status(G.GNTST_bad_domain);
      const gt = grantTable(dom);
      if (!gt.grow(n)) return status(G.GNTST_general_error);
      try {
        for (let i = 0; i < n; i++) m.writeU32((list + i * 4) >>> 0, gt.frames[i]);
      } catch (e) {
        if (e instanceof EFault) return status(G.GNTST_bad_virt_addr);
        throw e;
      }
      return status(G.GNTST_okay);
    }
    case G.GNTTABOP_get_version: {
      if (count !== 1) return xenErr(XEN_EINVAL);
      const S = G.gnttab_get_version;
      m.check(uop, S.size, false);
      if (!isSelf(dom, m.readU16(uop + off(S, "dom")))) return xenErr(XEN_ESRCH);
      m.writeU32(uop + off(S, "version"), 1);
      return 0;
    }
    case G.GNTTABOP_set_version: {
      if (count !== 1) return xenErr(XEN_EINVAL);
      const S = G.gnttab_set_version;
      m.check(uop, S.size, false);
      const v = m.readU32(uop + off(S, "version"));
      m.writeU32(uop + off(S, "version"), 1);
      if (v === 1) return 0;
      return xenErr(v === 2 ? XEN_ENOSYS : XEN_EINVAL);
    }
    default:
      return xenErr(XEN_ENOSYS);
  }
}
