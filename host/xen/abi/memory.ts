/**
 * Mirror of xen/memory.h: XENMEM_* commands a PV or PVH guest may issue and their argument
 * structs (x86_32). Tools-only commands (#if __XEN__ || __XEN_TOOLS__: claim_pages,
 * reserved_device_memory_map, paging/access/sharing ops) are deliberately not mirrored.
 */
import { struct } from "./struct.ts";

export const XENMEM_increase_reservation = 0;
export const XENMEM_decrease_reservation = 1;
export const XENMEM_maximum_ram_page = 2;
export const XENMEM_current_reservation = 3;
export const XENMEM_maximum_reservation = 4;
export const XENMEM_machphys_mfn_list = 5;
export const XENMEM_populate_physmap = 6;
export const XENMEM_add_to_physmap = 7;
export const XENMEM_memory_map = 9;
export const XENMEM_machine_memory_map = 10;
export const XENMEM_exchange = 11;
export const XENMEM_machphys_mapping = 12;
export const XENMEM_set_memory_map = 13;
export const XENMEM_maximum_gpfn = 14;
export const XENMEM_remove_from_physmap = 15;
export const XENMEM_set_pod_target = 16;
export const XENMEM_get_pod_target = 17;
export const XENMEM_add_to_physmap_batch = 23;
export const XENMEM_machphys_compat_mfn_list = 25;
export const XENMEM_get_vnumainfo = 26;
export const XENMEM_acquire_resource = 28;

export const XENMEMF_populate_on_demand = 1 << 16;
export const XENMEMF_exact_node_request = 1 << 17;
export const XENMEMF_vnode = 1 << 18;
export function XENMEMF_address_bits(x: number): number { return x; }
export function XENMEMF_get_address_bits(x: number): number { return x & 0xff; }
export function XENMEMF_node(x: number): number { return (x + 1) << 8; }
export function XENMEMF_get_node(x: number): number { return ((x >>> 8) - 1) & 0xff; }

export const XENMAPSPACE_shared_info = 0;
export const XENMAPSPACE_grant_table = 1;
export const XENMAPSPACE_gmfn = 2;
export const XENMAPSPACE_gmfn_range = 3;
export const XENMAPSPACE_gmfn_foreign = 4;
export const XENMAPSPACE_dev_mmio = 5;
export const XENMAPIDX_grant_table_status = 0x80000000;

/** Names hidden below a given interface version (XENMEMF_* are function-like macros besides these). */
export const SINCE: Readonly<Record<string, number>> = {
  XENMEMF_populate_on_demand: 0x00030209,
  XENMEMF_exact_node_request: 0x00030209,
  XENMEMF_vnode: 0x00030209,
};

export const xen_memory_reservation = struct("struct xen_memory_reservation", 20, {
  extent_start: [0, 4],
  nr_extents: [4, 4],
  extent_order: [8, 4],
  mem_flags: [12, 4],
  domid: [16, 2],
}, { fieldSince: { mem_flags: 0x00030209 } });

export const xen_memory_exchange = struct("struct xen_memory_exchange", 44, {
  in: [0, 20],
  out: [20, 20],
  nr_exchanged: [40, 4],
});

export const xen_memory_domain = struct("struct xen_memory_domain", 2, { domid: [0, 2] });

export const xen_machphys_mfn_list = struct("struct xen_machphys_mfn_list", 12, {
  max_extents: [0, 4],
  extent_start: [4, 4],
  nr_extents: [8, 4],
});

export const xen_machphys_mapping = struct("struct xen_machphys_mapping", 12, {
  v_start: [0, 4],
  v_end: [4, 4],
  max_mfn: [8, 4],
});

export const xen_add_to_physmap = struct("struct xen_add_to_physmap", 16, {
  domid: [0, 2],
  size: [2, 2],
  space: [4, 4],
  idx: [8, 4],
  gpfn: [12, 4],
});

export const xen_add_to_physmap_batch = struct("struct xen_add_to_physmap_batch", 20, {
  domid: [0, 2],
  space: [2, 2],
  size: [4, 2],
  "u.foreign_domid": [6, 2],
  idxs: [8, 4],
  gpfns: [12, 4],
  errs: [16, 4],
}, { fieldSince: { "u.foreign_domid": 0x00040700 } });

export const xen_remove_from_physmap = struct("struct xen_remove_from_physmap", 8, {
  domid: [0, 2],
  gpfn: [4, 4],
});

export const xen_memory_map = struct("struct xen_memory_map", 8, {
  nr_entries: [0, 4],
  buffer: [4, 4],
});

export const xen_foreign_memory_map = struct("struct xen_foreign_memory_map", 12, {
  domid: [0, 2],
  map: [4, 8],
});

export const xen_pod_target = struct("struct xen_pod_target", 36, {
  target_pages: [0, 8],
  tot_pages: [8, 8],
  pod_cache_pages: [16, 8],
  pod_entries: [24, 8],
  domid: [32, 2],
});
