/** Mirror of xen/callback.h and xen/nmi.h: callback types, CALLBACKOP_*, XENNMI_* (x86_32). */
import { struct } from "./struct.ts";

export const CALLBACKTYPE_event = 0;
export const CALLBACKTYPE_failsafe = 1;
export const CALLBACKTYPE_syscall = 2;
export const CALLBACKTYPE_sysenter_deprecated = 3;
export const CALLBACKTYPE_nmi = 4;
export const CALLBACKTYPE_sysenter = 5;
export const CALLBACKTYPE_syscall32 = 7;
export const _CALLBACKF_mask_events = 0;
export const CALLBACKF_mask_events = 1 << 0;
export const CALLBACKOP_register = 0;
export const CALLBACKOP_unregister = 1;

/** Below interface 0x00030207 the name CALLBACKTYPE_sysenter means type 3 (sysenter_deprecated). */
export const LEGACY_INTERFACE: Readonly<Record<string, { below: number; value: number }>> = {
  CALLBACKTYPE_sysenter: { below: 0x00030207, value: CALLBACKTYPE_sysenter_deprecated },
};

export const callback_register = struct("struct callback_register", 12, {
  type: [0, 2],
  flags: [2, 2],
  address: [4, 8],
  "address.cs": [4, 4],
  "address.eip": [8, 4],
});

export const callback_unregister = struct("struct callback_unregister", 4, {
  type: [0, 2],
  _unused: [2, 2],
});

// ---- nmi.h ------------------------------------------------------------------------------------------
export const _XEN_NMIREASON_io_error = 0;
export const XEN_NMIREASON_io_error = 1 << 0;
export const _XEN_NMIREASON_pci_serr = 1;
export const XEN_NMIREASON_pci_serr = 1 << 1;
export const _XEN_NMIREASON_unknown = 2;
export const XEN_NMIREASON_unknown = 1 << 2;
export const XENNMI_register_callback = 0;
export const XENNMI_unregister_callback = 1;

export const xennmi_callback = struct("struct xennmi_callback", 8, {
  handler_address: [0, 4],
  pad: [4, 4],
});
