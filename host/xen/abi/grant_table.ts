/** Mirror of xen/grant_table.h: grant table v1 entries, GTF_*, GNTTABOP_*, GNTMAP_*, GNTST_* (x86_32). */
import { struct } from "./struct.ts";

export const GNTTAB_NR_RESERVED_ENTRIES = 8;
export const GNTTAB_RESERVED_CONSOLE = 0;
export const GNTTAB_RESERVED_XENSTORE = 1;

export const GTF_invalid = 0;
export const GTF_permit_access = 1;
export const GTF_accept_transfer = 2;
export const GTF_transitive = 3;
export const GTF_type_mask = 3;
export const _GTF_readonly = 2;
export const GTF_readonly = 1 << 2;
export const _GTF_reading = 3;
export const GTF_reading = 1 << 3;
export const _GTF_writing = 4;
export const GTF_writing = 1 << 4;
export const _GTF_PWT = 5;
export const GTF_PWT = 1 << 5;
export const _GTF_PCD = 6;
export const GTF_PCD = 1 << 6;
export const _GTF_PAT = 7;
export const GTF_PAT = 1 << 7;
export const _GTF_sub_page = 8;
export const GTF_sub_page = 1 << 8;
export const _GTF_transfer_committed = 2;
export const GTF_transfer_committed = 1 << 2;
export const _GTF_transfer_completed = 3;
export const GTF_transfer_completed = 1 << 3;

export const GNTTABOP_map_grant_ref = 0;
export const GNTTABOP_unmap_grant_ref = 1;
export const GNTTABOP_setup_table = 2;
export const GNTTABOP_dump_table = 3;
export const GNTTABOP_transfer = 4;
export const GNTTABOP_copy = 5;
export const GNTTABOP_query_size = 6;
export const GNTTABOP_unmap_and_replace = 7;
export const GNTTABOP_set_version = 8;
export const GNTTABOP_get_status_frames = 9;
export const GNTTABOP_get_version = 10;
export const GNTTABOP_swap_grant_ref = 11;
export const GNTTABOP_cache_flush = 12;

export const _GNTCOPY_source_gref = 0;
export const GNTCOPY_source_gref = 1 << 0;
export const _GNTCOPY_dest_gref = 1;
export const GNTCOPY_dest_gref = 1 << 1;

export const _GNTMAP_device_map = 0;
export const GNTMAP_device_map = 1 << 0;
export const _GNTMAP_host_map = 1;
export const GNTMAP_host_map = 1 << 1;
export const _GNTMAP_readonly = 2;
export const GNTMAP_readonly = 1 << 2;
export const _GNTMAP_application_map = 3;
export const GNTMAP_application_map = 1 << 3;
export const _GNTMAP_contains_pte = 4;
export const GNTMAP_contains_pte = 1 << 4;
export const _GNTMAP_guest_avail0 = 16;
export const GNTMAP_guest_avail_mask = 0xffff0000;

export const GNTST_okay = 0;
export const GNTST_general_error = -1;
export const GNTST_bad_domain = -2;
export const GNTST_bad_gntref = -3;
export const GNTST_bad_handle = -4;
export const GNTST_bad_virt_addr = -5;
export const GNTST_bad_dev_addr = -6;
export const GNTST_no_device_space = -7;
export const GNTST_permission_denied = -8;
export const GNTST_bad_page = -9;
export const GNTST_bad_copy_arg = -10;
export const GNTST_address_too_big = -11;
export const GNTST_eagain = -12;
export const GNTST_no_space = -13;

export const GNTTAB_CACHE_CLEAN = 1 << 0;
export const GNTTAB_CACHE_INVAL = 1 << 1;
export const GNTTAB_CACHE_SOURCE_GREF = 0x80000000;

/** Names hidden below a given interface version. */
export const SINCE: Readonly<Record<string, number>> = {
  GNTTABOP_set_version: 0x0003020a,
  GNTTABOP_get_status_frames: 0x0003020a,
  GNTTABOP_get_version: 0x0003020a,
  GNTTABOP_swap_grant_ref: 0x0003020a,
  GNTTABOP_cache_flush: 0x0003020a,
  GNTTAB_CACHE_CLEAN: 0x0003020a,
  GNTTAB_CACHE_INVAL: 0x0003020a,
  GNTTAB_CACHE_SOURCE_GREF: 0x0003020a,
};

/** 8 bytes; 512 per 4 KiB frame. Below interface 0x0003020a the type is spelt `struct grant_entry`. */
export const grant_entry_v1 = struct("struct grant_entry_v1", 8, {
  flags: [0, 2],
  domid: [2, 2],
  frame: [4, 4],
});

export const gnttab_map_grant_ref = struct("struct gnttab_map_grant_ref", 32, {
  host_addr: [0, 8],
  flags: [8, 4],
  ref: [12, 4],
  dom: [16, 2],
  status: [18, 2],
  handle: [20, 4],
  dev_bus_addr: [24, 8],
});

export const gnttab_unmap_grant_ref = struct("struct gnttab_unmap_grant_ref", 24, {
  host_addr: [0, 8],
  dev_bus_addr: [8, 8],
  handle: [16, 4],
  status: [20, 2],
});

export const gnttab_setup_table = struct("struct gnttab_setup_table", 16, {
  dom: [0, 2],
  nr_frames: [4, 4],
  status: [8, 2],
  frame_list: [12, 4],
});

export const gnttab_dump_table = struct("struct gnttab_dump_table", 4, {
  dom: [0, 2],
  status: [2, 2],
});

export const gnttab_transfer = struct("struct gnttab_transfer", 16, {
  mfn: [0, 4],
  domid: [4, 2],
  ref: [8, 4],
  status: [12, 2],
});

export const gnttab_copy = struct("struct gnttab_copy", 24, {
  "source.u.ref": [0, 4],
  "source.u.gmfn": [0, 4],
  "source.domid": [4, 2],
  "source.offset": [6, 2],
  "dest.u.ref": [8, 4],
  "dest.domid": [12, 2],
  "dest.offset": [14, 2],
  len: [16, 2],
  flags: [18, 2],
  status: [20, 2],
});

export const gnttab_query_size = struct("struct gnttab_query_size", 16, {
  dom: [0, 2],
  nr_frames: [4, 4],
  max_nr_frames: [8, 4],
  status: [12, 2],
});

export const gnttab_unmap_and_replace = struct("struct gnttab_unmap_and_replace", 24, {
  host_addr: [0, 8],
  new_addr: [8, 8],
  handle: [16, 4],
  status: [20, 2],
});

export const gnttab_set_version = struct("struct gnttab_set_version", 4, { version: [0, 4] }, { since: 0x0003020a });

export const gnttab_get_version = struct("struct gnttab_get_version", 8, {
  dom: [0, 2],
  pad: [2, 2],
  version: [4, 4],
}, { since: 0x0003020a });
