/**
 * xen_version (17): every XENVER_* command of version.h (spec 9.2), with the exact buffer sizes
 * of the public structs; a bad pointer gives -EFAULT.
 */
import * as V from "../abi/version.ts";
import * as F from "../abi/features.ts";
import { VMASST_TYPE_pae_extended_cr3 } from "../abi/xen.ts";
import { XEN_EINVAL, XEN_ENOSYS, XEN_EPERM, xenErr } from "../abi/errno.ts";
import { cbuf } from "../guest-memory.ts";
import type { Args, HcResult, HypercallContext } from "../hypercall-types.ts";

/** The Xen release ringone answers as (4.17, the headers' release). */
export const XEN_MAJOR = 4, XEN_MINOR = 17;
export const XEN_EXTRAVERSION = ".0-ringone";
export const XEN_CHANGESET = "ringone";
export const COMPILE_INFO = { compiler: "ringone (TypeScript + AssemblyScript)", by: "ringone", domain: "ringone.invalid", date: "Thu Jan  1 00:00:00 UTC 2026" };

export function capabilities(pae: boolean): string { return pae ? "xen-3.0-x86_32p " : "xen-3.0-x86_32 "; }

/** XENVER_get_features submap 0 for this domain. */
export function featureSubmap0(hc: HypercallContext): number {
  let m = hc.dom.xenFeatures;
  if (hc.dom.vmAssist & (1 << VMASST_TYPE_pae_extended_cr3)) m |= 1 << F.XENFEAT_pae_pgdir_above_4gb;
  return m >>> 0;
}

export function xenVersion(hc: HypercallContext, a: Args): HcResult {
  const cmd = a[0];
  if (cmd === V.XENVER_version) return ((XEN_MAJOR << 16) | XEN_MINOR) >>> 0; // the hot one: no closure
  return xenVersionBuffers(hc, cmd, a[1]);
}

function xenVersionBuffers(hc: HypercallContext, cmd: number, arg: number): HcResult {
  const put = (bytes: Uint8Array) => { hc.mem.copyToGuest(arg, bytes); return 0; };
  switch (cmd) {
    case V.XENVER_extraversion: return put(cbuf(XEN_EXTRAVERSION, V.xen_extraversion_t.size));
    case V.XENVER_compile_info: {
      const s = V.xen_compile_info;
      const b = new Uint8Array(s.size);
      b.set(cbuf(COMPILE_INFO.compiler, s.fields.compiler.size), s.fields.compiler.offset);
      b.set(cbuf(COMPILE_INFO.by, s.fields.compile_by.size), s.fields.compile_by.offset);
      b.set(cbuf(COMPILE_INFO.domain, s.fields.compile_domain.size), s.fields.compile_domain.offset);
      b.set(cbuf(COMPILE_INFO.date, s.fields.compile_date.size), s.fields.compile_date.offset);
      return put(b);
    }
    case V.XENVER_capabilities: return put(cbuf(capabilities(hc.dom.pae), V.xen_capabilities_info_t.size));
    case V.XENVER_changeset: return put(cbuf(XEN_CHANGESET, V.xen_changeset_info_t.size));
    case V.XENVER_platform_parameters: {
      const b = new Uint8Array(V.xen_platform_parameters.size);
      new DataView(b.buffer).setUint32(V.xen_platform_parameters.fields.virt_start.offset, hc.dom.hvStart, true);
      return put(b);
    }
    case V.XENVER_get_features: {
      const s = V.xen_feature_info;
      const fi = hc.mem.readStruct(arg, s.size);
      const idx = fi.getUint32(s.fields.submap_idx.offset, true);
      if (idx >= F.XENFEAT_NR_SUBMAPS) return xenErr(XEN_EINVAL);
      const b = new Uint8Array(s.size);
      const dv = new DataView(b.buffer);
      dv.setUint32(s.fields.submap_idx.offset, idx, true);
      dv.setUint32(s.fields.submap.offset, featureSubmap0(hc), true);
      return put(b);
    }
    case V.XENVER_pagesize: return arg === 0 ? 4096 : xenErr(XEN_EINVAL);
    case V.XENVER_guest_handle: return put(hc.dom.handle.slice());
    case V.XENVER_commandline: return put(cbuf("<denied>", V.xen_commandline_t.size));
    case V.XENVER_build_id: return xenErr(XEN_EPERM);
    default: return xenErr(XEN_ENOSYS);
  }
}
