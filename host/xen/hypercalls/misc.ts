/**
 * Small domain-wide hypercalls: vm_assist (21) (spec 4.9) and sysctl (35) (spec 1.6, 9.9).
 */
import * as X from "../abi/xen.ts";
import { XEN_EACCES, XEN_EINVAL, XEN_ENOSYS, XEN_EPERM, xenErr } from "../abi/errno.ts";
import type { Args, HcResult, HypercallContext } from "../hypercall-types.ts";
import { syncDirectGate } from "../traps.ts";

/** The assists a 32-bit PV guest may use (m2p_strict is x86_64 only). */
export const VALID_VMASST_32 = [
  X.VMASST_TYPE_4gb_segments, X.VMASST_TYPE_4gb_segments_notify, X.VMASST_TYPE_writable_pagetables,
  X.VMASST_TYPE_pae_extended_cr3, X.VMASST_TYPE_architectural_iopl, X.VMASST_TYPE_runstate_update_flag,
];

export function vmAssist(hc: HypercallContext, [cmd, type]: Args): HcResult {
  if (cmd !== X.VMASST_CMD_enable && cmd !== X.VMASST_CMD_disable) return xenErr(XEN_ENOSYS);
  if (!VALID_VMASST_32.includes(type)) return xenErr(XEN_EINVAL);
  if (cmd === X.VMASST_CMD_enable) hc.dom.vmAssist |= 1 << type;
  else hc.dom.vmAssist &= ~(1 << type);
  syncDirectGate(hc.dom); // architectural_iopl changes the IOPL of the gate's EFLAGS image
  return 0;
}

/** XEN_SYSCTL_INTERFACE_VERSION of Xen 4.17 (sysctl.h is tools-only, so not in the mirror). */
export const XEN_SYSCTL_INTERFACE_VERSION = 0x15;

/** Privileged: -EACCES for a wrong interface version, -EPERM for a domU otherwise (XTF probes this). */
export function sysctl(hc: HypercallContext, [arg]: Args): HcResult {
  const ver = hc.mem.readU32(arg + 4); // struct xen_sysctl { u32 cmd; u32 interface_version; ... }
  return xenErr(ver !== XEN_SYSCTL_INTERFACE_VERSION ? XEN_EACCES : XEN_EPERM);
}
