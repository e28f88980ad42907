/**
 * memory_op (12) (spec 9.5): the query commands a PV domU needs at boot. The command is EBX & 0x3F
 * (Xen's MEMOP_CMD_MASK; the bits above carry a continuation's start extent, which only the
 * reservation commands may use).
 * TODO(page tables): increase/decrease_reservation, populate_physmap, exchange, machphys_mfn_list.
 */
import * as M from "../abi/memory.ts";
import { DOMID_SELF } from "../abi/xen.ts";
import { XEN_EINVAL, XEN_ENOSYS, XEN_EPERM, XEN_ESRCH, xenErr } from "../abi/errno.ts";
import type { Args, HcResult, HypercallContext } from "../hypercall-types.ts";

export const MEMOP_CMD_MASK = 0x3f;
export const MEMOP_EXTENT_SHIFT = 6;
/** Size of one e820 entry as XENMEM_memory_map copies it (u64 addr, u64 size, u32 type; packed). */
export const E820_ENTRY_SIZE = 20;

/** The domain a xen_memory_domain names: ours (by DOMID_SELF or its id), or an errno. */
function checkDomid(hc: HypercallContext, domid: number): number {
  if (domid === DOMID_SELF || domid === hc.dom.domid) return 0;
  // Another domain: a domU may query none (the only other one, dom0, exists but is privileged).
  return domid === 0 ? XEN_EPERM : XEN_ESRCH;
}

export function memoryOp(hc: HypercallContext, [cmdRaw, arg]: Args): HcResult {
  const cmd = cmdRaw & MEMOP_CMD_MASK;
  const startExtent = cmdRaw >>> MEMOP_EXTENT_SHIFT;
  const dom = hc.dom;
  switch (cmd) {
    case M.XENMEM_maximum_ram_page:
      if (startExtent) return xenErr(XEN_EINVAL);
      // Xen's max_page: one past the highest machine frame.
      return dom.machineFrames;
    case M.XENMEM_current_reservation:
    case M.XENMEM_maximum_reservation: {
      if (startExtent) return xenErr(XEN_EINVAL);
      const domid = hc.mem.readU16(arg + M.xen_memory_domain.fields.domid.offset);
      const e = checkDomid(hc, domid);
      if (e) return xenErr(e);
      return dom.nrPages;
    }
    case M.XENMEM_memory_map: {
      if (startExtent) return xenErr(XEN_EINVAL);
      const s = M.xen_memory_map;
      const m = hc.mem.readStruct(arg, s.size);
      const cap = m.getUint32(s.fields.nr_entries.offset, true);
      const buffer = m.getUint32(s.fields.buffer.offset, true);
      const map = dom.memoryMap;
      if (!map) return xenErr(XEN_ENOSYS);
      const n = Math.min(cap, map.length);
      const out = new Uint8Array(n * E820_ENTRY_SIZE);
      const dv = new DataView(out.buffer);
      map.slice(0, n).forEach((e, i) => {
        dv.setBigUint64(i * E820_ENTRY_SIZE, BigInt(e.addr), true);
        dv.setBigUint64(i * E820_ENTRY_SIZE + 8, BigInt(e.size), true);
        dv.setUint32(i * E820_ENTRY_SIZE + 16, e.type, true);
      });
      hc.mem.copyToGuest(buffer, out);
      hc.mem.writeU32(arg + s.fields.nr_entries.offset, n);
      return 0;
    }
    case M.XENMEM_machphys_mapping: {
      if (startExtent) return xenErr(XEN_EINVAL);
      const s = M.xen_machphys_mapping;
      const b = new Uint8Array(s.size);
      const dv = new DataView(b.buffer);
      dv.setUint32(s.fields.v_start.offset, dom.m2pVirtStart, true);
      dv.setUint32(s.fields.v_end.offset, dom.m2pVirtStart + dom.m2pWindowBytes, true);
      dv.setUint32(s.fields.max_mfn.offset, dom.m2pMaxMfn, true);
      hc.mem.copyToGuest(arg, b);
      return 0;
    }
    default:
      return xenErr(XEN_ENOSYS);
  }
}
