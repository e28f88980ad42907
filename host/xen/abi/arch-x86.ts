/**
 * Mirror of xen/arch-x86/xen.h and xen/arch-x86/xen-x86_32.h (Xen 4.17 public headers), i386 view:
 * flat segment selectors, the hypervisor hole and M2P window (PAE and the obsolete non-PAE bounds),
 * GDT reservation, VGCF flags, and the layouts of trap_info, cpu_user_regs, vcpu_guest_context,
 * arch_vcpu_info, arch_shared_info and xen_callback.
 *
 * PAE vs non-PAE: the public headers no longer switch on CONFIG_X86_PAE. They define both sets of
 * bounds under the suffixes _PAE and _NONPAE, and the unsuffixed HYPERVISOR_VIRT_START /
 * MACH2PHYS_VIRT_START / MACH2PHYS_VIRT_END are the PAE values. No struct layout differs between
 * PAE and non-PAE guests (mmu_update is 64-bit in both).
 */
import { struct } from "./struct.ts";

// ---- Selectors (xen-x86_32.h). The header comments ("GDT index 259") are stale: these are
// indices 7171..7174 = FIRST_RESERVED_GDT_ENTRY + 3..6.
export const FLAT_RING1_CS = 0xe019;
export const FLAT_RING1_DS = 0xe021;
export const FLAT_RING1_SS = 0xe021;
export const FLAT_RING3_CS = 0xe02b;
export const FLAT_RING3_DS = 0xe033;
export const FLAT_RING3_SS = 0xe033;
export const FLAT_KERNEL_CS = FLAT_RING1_CS;
export const FLAT_KERNEL_DS = FLAT_RING1_DS;
export const FLAT_KERNEL_SS = FLAT_RING1_SS;
export const FLAT_USER_CS = FLAT_RING3_CS;
export const FLAT_USER_DS = FLAT_RING3_DS;
export const FLAT_USER_SS = FLAT_RING3_SS;

// ---- Hypervisor hole and machine-to-phys table (xen-x86_32.h) ---------------------------------------
export const __HYPERVISOR_VIRT_START_PAE = 0xf5800000;
export const __MACH2PHYS_VIRT_START_PAE = 0xf5800000;
export const __MACH2PHYS_VIRT_END_PAE = 0xf6800000;
export const HYPERVISOR_VIRT_START_PAE = 0xf5800000;
export const MACH2PHYS_VIRT_START_PAE = 0xf5800000;
export const MACH2PHYS_VIRT_END_PAE = 0xf6800000;
/** "Non-PAE bounds are obsolete" (header comment): only native 32-bit Xen <= 3.2 used them. */
export const __HYPERVISOR_VIRT_START_NONPAE = 0xfc000000;
export const __MACH2PHYS_VIRT_START_NONPAE = 0xfc000000;
export const __MACH2PHYS_VIRT_END_NONPAE = 0xfc400000;
export const HYPERVISOR_VIRT_START_NONPAE = 0xfc000000;
export const MACH2PHYS_VIRT_START_NONPAE = 0xfc000000;
export const MACH2PHYS_VIRT_END_NONPAE = 0xfc400000;
export const __HYPERVISOR_VIRT_START = __HYPERVISOR_VIRT_START_PAE;
export const __MACH2PHYS_VIRT_START = __MACH2PHYS_VIRT_START_PAE;
export const __MACH2PHYS_VIRT_END = __MACH2PHYS_VIRT_END_PAE;
export const HYPERVISOR_VIRT_START = HYPERVISOR_VIRT_START_PAE;
export const MACH2PHYS_VIRT_START = MACH2PHYS_VIRT_START_PAE;
export const MACH2PHYS_VIRT_END = MACH2PHYS_VIRT_END_PAE;
/** (END - START) >> 2: 4 Mi entries for the PAE window (the header's value). */
export const MACH2PHYS_NR_ENTRIES = (MACH2PHYS_VIRT_END - MACH2PHYS_VIRT_START) >>> 2;

/** Per-mode view of the bounds, for the domain builder. */
export const X86_32_BOUNDS = {
  pae: { hypervisorVirtStart: HYPERVISOR_VIRT_START_PAE, m2pStart: MACH2PHYS_VIRT_START_PAE, m2pEnd: MACH2PHYS_VIRT_END_PAE },
  nonpae: { hypervisorVirtStart: HYPERVISOR_VIRT_START_NONPAE, m2pStart: MACH2PHYS_VIRT_START_NONPAE, m2pEnd: MACH2PHYS_VIRT_END_NONPAE },
} as const;

/** xen_pfn_to_cr3 / xen_cr3_to_pfn (xen-x86_32.h): bits 31:12 = MFN bits 19:0, bits 11:0 = MFN bits 31:20. */
export function xen_pfn_to_cr3(pfn: number): number { return ((pfn << 12) | (pfn >>> 20)) >>> 0; }
export function xen_cr3_to_pfn(cr3: number): number { return ((cr3 >>> 12) | (cr3 << 20)) >>> 0; }

// ---- arch-x86/xen.h ---------------------------------------------------------------------------------
export const FIRST_RESERVED_GDT_PAGE = 14;
export const FIRST_RESERVED_GDT_BYTE = FIRST_RESERVED_GDT_PAGE * 4096;
export const FIRST_RESERVED_GDT_ENTRY = FIRST_RESERVED_GDT_BYTE / 8;
export const XEN_LEGACY_MAX_VCPUS = 32;
export const XEN_HAVE_PV_GUEST_ENTRY = 1;
export const XEN_HAVE_PV_UPCALL_MASK = 1;
export const XEN_HVM_DEBUGCONS_IOPORT = 0xe9;

export const VGCF_I387_VALID = 1 << 0;
export const VGCF_IN_KERNEL = 1 << 2;
export const _VGCF_i387_valid = 0;
export const VGCF_i387_valid = 1 << 0;
export const _VGCF_in_kernel = 2;
export const VGCF_in_kernel = 1 << 2;
export const _VGCF_failsafe_disables_events = 3;
export const VGCF_failsafe_disables_events = 1 << 3;
export const _VGCF_syscall_disables_events = 4;
export const VGCF_syscall_disables_events = 1 << 4;
export const _VGCF_online = 5;
export const VGCF_online = 1 << 5;

/** XEN_EMULATE_PREFIX: ud2a followed by "xen" (arch-x86/xen.h; a string macro, checked byte by byte). */
export const XEN_EMULATE_PREFIX_BYTES: readonly number[] = [0x0f, 0x0b, 0x78, 0x65, 0x6e];

/** trap_info.flags: bits 1:0 = DPL, bit 2 = "interrupt gate" (mask events on entry). TI_GET_DPL / TI_GET_IF. */
export const trap_info = struct("struct trap_info", 8, {
  vector: [0, 1],
  flags: [1, 1],
  cs: [2, 2],
  address: [4, 4],
});

/** x86_32 guest register frame (the plain-guest view: every register a uint32_t named e?x). */
export const cpu_user_regs = struct("struct cpu_user_regs", 68, {
  ebx: [0, 4],
  ecx: [4, 4],
  edx: [8, 4],
  esi: [12, 4],
  edi: [16, 4],
  ebp: [20, 4],
  eax: [24, 4],
  error_code: [28, 2],
  entry_vector: [30, 2],
  eip: [32, 4],
  cs: [36, 2],
  saved_upcall_mask: [38, 1],
  _pad0: [39, 1],
  eflags: [40, 4],
  esp: [44, 4],
  ss: [48, 2],
  _pad1: [50, 2],
  es: [52, 2],
  _pad2: [54, 2],
  ds: [56, 2],
  _pad3: [58, 2],
  fs: [60, 2],
  _pad4: [62, 2],
  gs: [64, 2],
  _pad5: [66, 2],
});

export const vcpu_guest_context = struct("struct vcpu_guest_context", 2800, {
  fpu_ctxt: [0, 512],
  flags: [512, 4],
  user_regs: [516, 68],
  "user_regs.eip": [548, 4],
  "user_regs.esp": [560, 4],
  trap_ctxt: [584, 2048, 256],
  ldt_base: [2632, 4],
  ldt_ents: [2636, 4],
  gdt_frames: [2640, 64, 16],
  gdt_ents: [2704, 4],
  kernel_ss: [2708, 4],
  kernel_sp: [2712, 4],
  ctrlreg: [2716, 32, 8],
  debugreg: [2748, 32, 8],
  event_callback_cs: [2780, 4],
  event_callback_eip: [2784, 4],
  failsafe_callback_cs: [2788, 4],
  failsafe_callback_eip: [2792, 4],
  vm_assist: [2796, 4],
});

export const arch_vcpu_info = struct("struct arch_vcpu_info", 24, {
  cr2: [0, 4],
  pad: [4, 20, 5],
});

export const arch_shared_info = struct("struct arch_shared_info", 28, {
  max_pfn: [0, 4],
  pfn_to_mfn_frame_list_list: [4, 4],
  nmi_reason: [8, 4],
  p2m_cr3: [12, 4],
  p2m_vaddr: [16, 4],
  p2m_generation: [20, 4],
  wc_sec_hi: [24, 4],
});

export const xen_callback = struct("struct xen_callback", 8, {
  cs: [0, 4],
  eip: [4, 4],
});
