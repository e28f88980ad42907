/** Mirror of xen/features.h: XENFEAT_* bit numbers (submap 0 of XENVER_get_features). */
export const XENFEAT_writable_page_tables = 0;
export const XENFEAT_writable_descriptor_tables = 1;
export const XENFEAT_auto_translated_physmap = 2;
export const XENFEAT_supervisor_mode_kernel = 3;
export const XENFEAT_pae_pgdir_above_4gb = 4;
export const XENFEAT_mmu_pt_update_preserve_ad = 5;
export const XENFEAT_highmem_assist = 6;
export const XENFEAT_gnttab_map_avail_bits = 7;
export const XENFEAT_hvm_callback_vector = 8;
export const XENFEAT_hvm_safe_pvclock = 9;
export const XENFEAT_hvm_pirqs = 10;
export const XENFEAT_dom0 = 11;
// 12 was XENFEAT_grant_map_identity: deprecated, and commented out in the 4.17 header.
export const XENFEAT_memory_op_vnode_supported = 13;
export const XENFEAT_ARM_SMCCC_supported = 14;
export const XENFEAT_linux_rsdp_unrestricted = 15;
export const XENFEAT_not_direct_mapped = 16;
export const XENFEAT_direct_mapped = 17;
export const XENFEAT_NR_SUBMAPS = 1;

/** Feature name (as written in XEN_ELFNOTE_FEATURES strings, without the XENFEAT_ prefix) -> bit. */
export const XENFEAT_BY_NAME: Readonly<Record<string, number>> = {
  writable_page_tables: XENFEAT_writable_page_tables,
  writable_descriptor_tables: XENFEAT_writable_descriptor_tables,
  auto_translated_physmap: XENFEAT_auto_translated_physmap,
  supervisor_mode_kernel: XENFEAT_supervisor_mode_kernel,
  pae_pgdir_above_4gb: XENFEAT_pae_pgdir_above_4gb,
  mmu_pt_update_preserve_ad: XENFEAT_mmu_pt_update_preserve_ad,
  highmem_assist: XENFEAT_highmem_assist,
  gnttab_map_avail_bits: XENFEAT_gnttab_map_avail_bits,
  hvm_callback_vector: XENFEAT_hvm_callback_vector,
  hvm_safe_pvclock: XENFEAT_hvm_safe_pvclock,
  hvm_pirqs: XENFEAT_hvm_pirqs,
  dom0: XENFEAT_dom0,
  memory_op_vnode_supported: XENFEAT_memory_op_vnode_supported,
  ARM_SMCCC_supported: XENFEAT_ARM_SMCCC_supported,
  linux_rsdp_unrestricted: XENFEAT_linux_rsdp_unrestricted,
  not_direct_mapped: XENFEAT_not_direct_mapped,
  direct_mapped: XENFEAT_direct_mapped,
};
