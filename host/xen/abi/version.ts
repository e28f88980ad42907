/** Mirror of xen/version.h: XENVER_* commands and their argument buffers. */
import { struct } from "./struct.ts";

export const XENVER_version = 0;
export const XENVER_extraversion = 1;
export const XEN_EXTRAVERSION_LEN = 16;
export const XENVER_compile_info = 2;
export const XENVER_capabilities = 3;
export const XEN_CAPABILITIES_INFO_LEN = 1024;
export const XENVER_changeset = 4;
export const XEN_CHANGESET_INFO_LEN = 64;
export const XENVER_platform_parameters = 5;
export const XENVER_get_features = 6;
export const XENVER_pagesize = 7;
export const XENVER_guest_handle = 8;
export const XENVER_commandline = 9;
export const XENVER_build_id = 10;

export const xen_extraversion_t = struct("xen_extraversion_t", 16, {});
export const xen_capabilities_info_t = struct("xen_capabilities_info_t", 1024, {});
export const xen_changeset_info_t = struct("xen_changeset_info_t", 64, {});
export const xen_commandline_t = struct("xen_commandline_t", 1024, {});
export const xen_domain_handle_t = struct("xen_domain_handle_t", 16, {});

export const xen_compile_info = struct("struct xen_compile_info", 144, {
  compiler: [0, 64, 64],
  compile_by: [64, 16, 16],
  compile_domain: [80, 32, 32],
  compile_date: [112, 32, 32],
});

export const xen_platform_parameters = struct("struct xen_platform_parameters", 4, {
  virt_start: [0, 4],
});

export const xen_feature_info = struct("struct xen_feature_info", 8, {
  submap_idx: [0, 4],
  submap: [4, 4],
});

/** `buf` is a flexible array member (XEN_FLEX_ARRAY_DIM is empty for C99 compilers). */
export const xen_build_id = struct("struct xen_build_id", 4, {
  len: [0, 4],
});
