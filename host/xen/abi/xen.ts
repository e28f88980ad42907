/**
 * Mirror of xen/xen.h (Xen 4.17 public headers, x86_32 view): hypercall numbers, VIRQs, MMU and
 * MMUEXT commands, update_va_mapping flags, console_io and vm_assist commands, reserved domain ids,
 * start_info flags, and the layouts of mmu_update, mmuext_op, multicall_entry, vcpu_time_info,
 * vcpu_info, shared_info, start_info and xen_multiboot_mod_list.
 *
 * Names are spelled exactly as in the header. Values are checked against the header by
 * tests/xen/abi-layout.test.ts (gcc -m32). Every value here is the one a guest built with the
 * latest interface version (__XEN_LATEST_INTERFACE_VERSION__) sees; LEGACY_INTERFACE lists the
 * names that mean something else to a guest built with an older interface version.
 */
import { struct } from "./struct.ts";

/** xen-compat.h */
export const __XEN_LATEST_INTERFACE_VERSION__ = 0x00040e00;

// ---- Hypercall numbers ---------------------------------------------------------------------------
export const __HYPERVISOR_set_trap_table = 0;
export const __HYPERVISOR_mmu_update = 1;
export const __HYPERVISOR_set_gdt = 2;
export const __HYPERVISOR_stack_switch = 3;
export const __HYPERVISOR_set_callbacks = 4;
export const __HYPERVISOR_fpu_taskswitch = 5;
export const __HYPERVISOR_sched_op_compat = 6;
export const __HYPERVISOR_platform_op = 7;
export const __HYPERVISOR_set_debugreg = 8;
export const __HYPERVISOR_get_debugreg = 9;
export const __HYPERVISOR_update_descriptor = 10;
export const __HYPERVISOR_memory_op = 12;
export const __HYPERVISOR_multicall = 13;
export const __HYPERVISOR_update_va_mapping = 14;
export const __HYPERVISOR_set_timer_op = 15;
export const __HYPERVISOR_event_channel_op_compat = 16;
export const __HYPERVISOR_xen_version = 17;
export const __HYPERVISOR_console_io = 18;
export const __HYPERVISOR_physdev_op_compat = 19;
export const __HYPERVISOR_grant_table_op = 20;
export const __HYPERVISOR_vm_assist = 21;
export const __HYPERVISOR_update_va_mapping_otherdomain = 22;
export const __HYPERVISOR_iret = 23;
export const __HYPERVISOR_vcpu_op = 24;
export const __HYPERVISOR_set_segment_base = 25;
export const __HYPERVISOR_mmuext_op = 26;
export const __HYPERVISOR_xsm_op = 27;
export const __HYPERVISOR_nmi_op = 28;
export const __HYPERVISOR_sched_op = 29;
export const __HYPERVISOR_callback_op = 30;
export const __HYPERVISOR_xenoprof_op = 31;
export const __HYPERVISOR_event_channel_op = 32;
export const __HYPERVISOR_physdev_op = 33;
export const __HYPERVISOR_hvm_op = 34;
export const __HYPERVISOR_sysctl = 35;
export const __HYPERVISOR_domctl = 36;
export const __HYPERVISOR_kexec_op = 37;
export const __HYPERVISOR_tmem_op = 38;
export const __HYPERVISOR_argo_op = 39;
export const __HYPERVISOR_xenpmu_op = 40;
export const __HYPERVISOR_dm_op = 41;
export const __HYPERVISOR_hypfs_op = 42;
export const __HYPERVISOR_arch_0 = 48;
export const __HYPERVISOR_arch_1 = 49;
export const __HYPERVISOR_arch_2 = 50;
export const __HYPERVISOR_arch_3 = 51;
export const __HYPERVISOR_arch_4 = 52;
export const __HYPERVISOR_arch_5 = 53;
export const __HYPERVISOR_arch_6 = 54;
export const __HYPERVISOR_arch_7 = 55;

// ---- Virtual interrupts --------------------------------------------------------------------------
export const VIRQ_TIMER = 0;
export const VIRQ_DEBUG = 1;
export const VIRQ_CONSOLE = 2;
export const VIRQ_DOM_EXC = 3;
export const VIRQ_TBUF = 4;
export const VIRQ_DEBUGGER = 6;
export const VIRQ_XENOPROF = 7;
export const VIRQ_CON_RING = 8;
export const VIRQ_PCPU_STATE = 9;
export const VIRQ_MEM_EVENT = 10;
export const VIRQ_ARGO = 11;
export const VIRQ_ENOMEM = 12;
export const VIRQ_XENPMU = 13;
export const VIRQ_ARCH_0 = 16;
export const VIRQ_ARCH_1 = 17;
export const VIRQ_ARCH_2 = 18;
export const VIRQ_ARCH_3 = 19;
export const VIRQ_ARCH_4 = 20;
export const VIRQ_ARCH_5 = 21;
export const VIRQ_ARCH_6 = 22;
export const VIRQ_ARCH_7 = 23;
export const NR_VIRQS = 24;

// ---- mmu_update commands (low bits of mmu_update.ptr) ---------------------------------------------
export const MMU_NORMAL_PT_UPDATE = 0;
export const MMU_MACHPHYS_UPDATE = 1;
export const MMU_PT_UPDATE_PRESERVE_AD = 2;
export const MMU_PT_UPDATE_NO_TRANSLATE = 3;

// ---- mmuext_op commands ---------------------------------------------------------------------------
export const MMUEXT_PIN_L1_TABLE = 0;
export const MMUEXT_PIN_L2_TABLE = 1;
export const MMUEXT_PIN_L3_TABLE = 2;
export const MMUEXT_PIN_L4_TABLE = 3;
export const MMUEXT_UNPIN_TABLE = 4;
export const MMUEXT_NEW_BASEPTR = 5;
export const MMUEXT_TLB_FLUSH_LOCAL = 6;
export const MMUEXT_INVLPG_LOCAL = 7;
export const MMUEXT_TLB_FLUSH_MULTI = 8;
export const MMUEXT_INVLPG_MULTI = 9;
export const MMUEXT_TLB_FLUSH_ALL = 10;
export const MMUEXT_INVLPG_ALL = 11;
export const MMUEXT_FLUSH_CACHE = 12;
export const MMUEXT_SET_LDT = 13;
export const MMUEXT_NEW_USER_BASEPTR = 15;
export const MMUEXT_CLEAR_PAGE = 16;
export const MMUEXT_COPY_PAGE = 17;
export const MMUEXT_FLUSH_CACHE_GLOBAL = 18;
export const MMUEXT_MARK_SUPER = 19;
export const MMUEXT_UNMARK_SUPER = 20;

// ---- update_va_mapping flags ----------------------------------------------------------------------
export const UVMF_NONE = 0;
export const UVMF_TLB_FLUSH = 1;
export const UVMF_INVLPG = 2;
export const UVMF_FLUSHTYPE_MASK = 3;
export const UVMF_MULTI = 0;
export const UVMF_LOCAL = 0;
export const UVMF_ALL = 4;

// ---- console_io -----------------------------------------------------------------------------------
export const CONSOLEIO_write = 0;
export const CONSOLEIO_read = 1;

// ---- vm_assist ------------------------------------------------------------------------------------
export const VMASST_CMD_enable = 0;
export const VMASST_CMD_disable = 1;
export const VMASST_TYPE_4gb_segments = 0;
export const VMASST_TYPE_4gb_segments_notify = 1;
export const VMASST_TYPE_writable_pagetables = 2;
export const VMASST_TYPE_pae_extended_cr3 = 3;
export const VMASST_TYPE_architectural_iopl = 4;
export const VMASST_TYPE_runstate_update_flag = 5;
export const VMASST_TYPE_m2p_strict = 32;

// ---- Reserved domain ids --------------------------------------------------------------------------
export const DOMID_FIRST_RESERVED = 0x7ff0;
export const DOMID_SELF = 0x7ff0;
export const DOMID_IO = 0x7ff1;
export const DOMID_XEN = 0x7ff2;
export const DOMID_COW = 0x7ff3;
export const DOMID_INVALID = 0x7ff4;
export const DOMID_IDLE = 0x7fff;
export const DOMID_MASK = 0x7fff;

// ---- start_info -----------------------------------------------------------------------------------
export const MAX_GUEST_CMDLINE = 1024;
export const SIF_PRIVILEGED = 1 << 0;
export const SIF_INITDOMAIN = 1 << 1;
export const SIF_MULTIBOOT_MOD = 1 << 2;
export const SIF_MOD_START_PFN = 1 << 3;
export const SIF_VIRT_P2M_4TOOLS = 1 << 4;
export const SIF_PM_MASK = 0xff << 8;

// ---- vcpu_time_info.flags -------------------------------------------------------------------------
export const XEN_PVCLOCK_TSC_STABLE_BIT = 1 << 0;
export const XEN_PVCLOCK_GUEST_STOPPED = 1 << 1;

/**
 * Names whose value depends on the guest's __XEN_INTERFACE_VERSION__: below `below`, the header
 * defines the name as `value` (a guest built against an old interface calls the old hypercall
 * under the new name). A hypervisor implements both numbers.
 */
export const LEGACY_INTERFACE: Readonly<Record<string, { below: number; value: number }>> = {
  __HYPERVISOR_sched_op: { below: 0x00030101, value: __HYPERVISOR_sched_op_compat },
  __HYPERVISOR_event_channel_op: { below: 0x00030202, value: __HYPERVISOR_event_channel_op_compat },
  __HYPERVISOR_physdev_op: { below: 0x00030202, value: __HYPERVISOR_physdev_op_compat },
};

/** Names the header defines only for old interface versions (kept for reference, not exported as constants). */
export const LEGACY_ONLY: Readonly<Record<string, { below: number; value: number }>> = {
  __HYPERVISOR_dom0_op: { below: 0x00030204, value: __HYPERVISOR_platform_op },
  NR_EVENT_CHANNELS: { below: 0x00040400, value: 1024 },
  /** Stale (predates types 4, 5 and 32); not a bound to validate against. */
  MAX_VMASST_TYPE: { below: 0x00040600, value: 3 },
};

// ---- Structures -----------------------------------------------------------------------------------

/** 16 bytes: both fields are uint64_t on every x86_32 flavour (PAE or not). */
export const mmu_update = struct("struct mmu_update", 16, {
  ptr: [0, 8],
  val: [8, 8],
});

/** 12 bytes on x86_32 (arg1/arg2 are unions of 4-byte members). */
export const mmuext_op = struct("struct mmuext_op", 12, {
  cmd: [0, 4],
  "arg1.mfn": [4, 4],
  "arg1.linear_addr": [4, 4],
  "arg2.nr_ents": [8, 4],
  "arg2.vcpumask": [8, 4],
  "arg2.src_mfn": [8, 4],
});

export const multicall_entry = struct("struct multicall_entry", 32, {
  op: [0, 4],
  result: [4, 4],
  args: [8, 24, 6],
});

export const vcpu_time_info = struct("struct vcpu_time_info", 32, {
  version: [0, 4],
  pad0: [4, 4],
  tsc_timestamp: [8, 8],
  system_time: [16, 8],
  tsc_to_system_mul: [24, 4],
  tsc_shift: [28, 1],
  flags: [29, 1],
  pad1: [30, 2, 2],
}, { fieldSince: { flags: 0x00040601, pad1: 0x00040601 } });

export const vcpu_info = struct("struct vcpu_info", 64, {
  evtchn_upcall_pending: [0, 1],
  evtchn_upcall_mask: [1, 1],
  evtchn_pending_sel: [4, 4],
  arch: [8, 24],
  "arch.cr2": [8, 4],
  "arch.pad": [12, 20, 5],
  time: [32, 32],
  "time.version": [32, 4],
  "time.tsc_timestamp": [40, 8],
  "time.system_time": [48, 8],
  "time.tsc_to_system_mul": [56, 4],
  "time.tsc_shift": [60, 1],
  "time.flags": [61, 1],
}, { fieldSince: { "time.flags": 0x00040601 } });

export const shared_info = struct("struct shared_info", 2344, {
  vcpu_info: [0, 2048, 32],
  "vcpu_info[0].evtchn_upcall_pending": [0, 1],
  "vcpu_info[0].evtchn_upcall_mask": [1, 1],
  "vcpu_info[0].evtchn_pending_sel": [4, 4],
  "vcpu_info[0].arch.cr2": [8, 4],
  "vcpu_info[0].time": [32, 32],
  "vcpu_info[1]": [64, 64],
  evtchn_pending: [2048, 128, 32],
  evtchn_mask: [2176, 128, 32],
  wc_version: [2304, 4],
  wc_sec: [2308, 4],
  wc_nsec: [2312, 4],
  arch: [2316, 28],
  "arch.max_pfn": [2316, 4],
  "arch.pfn_to_mfn_frame_list_list": [2320, 4],
  "arch.nmi_reason": [2324, 4],
  "arch.p2m_cr3": [2328, 4],
  "arch.p2m_vaddr": [2332, 4],
  "arch.p2m_generation": [2336, 4],
  "arch.wc_sec_hi": [2340, 4],
});

export const start_info = struct("struct start_info", 1112, {
  magic: [0x000, 32, 32],
  nr_pages: [0x020, 4],
  shared_info: [0x024, 4],
  flags: [0x028, 4],
  store_mfn: [0x02c, 4],
  store_evtchn: [0x030, 4],
  "console.domU.mfn": [0x034, 4],
  "console.domU.evtchn": [0x038, 4],
  "console.dom0.info_off": [0x034, 4],
  "console.dom0.info_size": [0x038, 4],
  pt_base: [0x03c, 4],
  nr_pt_frames: [0x040, 4],
  mfn_list: [0x044, 4],
  mod_start: [0x048, 4],
  mod_len: [0x04c, 4],
  cmd_line: [0x050, 1024, 1024],
  first_p2m_pfn: [0x450, 4],
  nr_p2m_frames: [0x454, 4],
});

export const xen_multiboot_mod_list = struct("struct xen_multiboot_mod_list", 16, {
  mod_start: [0, 4],
  mod_end: [4, 4],
  cmdline: [8, 4],
  pad: [12, 4],
});
