/** Mirror of xen/physdev.h: PHYSDEVOP_* commands and the structs a PV domU may use (x86_32). */
import { struct } from "./struct.ts";

export const PHYSDEVOP_IRQ_UNMASK_NOTIFY = 4;
export const PHYSDEVOP_irq_status_query = 5;
export const PHYSDEVOP_set_iopl = 6;
export const PHYSDEVOP_set_iobitmap = 7;
export const PHYSDEVOP_apic_read = 8;
export const PHYSDEVOP_apic_write = 9;
export const PHYSDEVOP_alloc_irq_vector = 10;
export const PHYSDEVOP_free_irq_vector = 11;
export const PHYSDEVOP_eoi = 12;
export const PHYSDEVOP_map_pirq = 13;
export const PHYSDEVOP_unmap_pirq = 14;
export const PHYSDEVOP_manage_pci_add = 15;
export const PHYSDEVOP_manage_pci_remove = 16;
export const PHYSDEVOP_pirq_eoi_gmfn_v1 = 17;
export const PHYSDEVOP_restore_msi = 19;
export const PHYSDEVOP_manage_pci_add_ext = 20;
export const PHYSDEVOP_setup_gsi = 21;
export const PHYSDEVOP_get_free_pirq = 23;
export const PHYSDEVOP_pci_mmcfg_reserved = 24;
export const PHYSDEVOP_pci_device_add = 25;
export const PHYSDEVOP_pci_device_remove = 26;
export const PHYSDEVOP_restore_msi_ext = 27;
export const PHYSDEVOP_pirq_eoi_gmfn_v2 = 28;
export const PHYSDEVOP_dbgp_op = 29;
export const PHYSDEVOP_prepare_msix = 30;
export const PHYSDEVOP_release_msix = 31;

export const _XENIRQSTAT_needs_eoi = 0;
export const XENIRQSTAT_needs_eoi = 1 << 0;
export const _XENIRQSTAT_shared = 1;
export const XENIRQSTAT_shared = 1 << 1;

/** Old upper-case aliases: the header defines them only below interface 0x00040600. */
export const LEGACY_ONLY: Readonly<Record<string, { below: number; value: number }>> = {
  PHYSDEVOP_IRQ_STATUS_QUERY: { below: 0x00040600, value: PHYSDEVOP_irq_status_query },
  PHYSDEVOP_SET_IOPL: { below: 0x00040600, value: PHYSDEVOP_set_iopl },
  PHYSDEVOP_SET_IOBITMAP: { below: 0x00040600, value: PHYSDEVOP_set_iobitmap },
  PHYSDEVOP_APIC_READ: { below: 0x00040600, value: PHYSDEVOP_apic_read },
  PHYSDEVOP_APIC_WRITE: { below: 0x00040600, value: PHYSDEVOP_apic_write },
  PHYSDEVOP_ASSIGN_VECTOR: { below: 0x00040600, value: PHYSDEVOP_alloc_irq_vector },
  PHYSDEVOP_FREE_VECTOR: { below: 0x00040600, value: PHYSDEVOP_free_irq_vector },
  PHYSDEVOP_IRQ_NEEDS_UNMASK_NOTIFY: { below: 0x00040600, value: XENIRQSTAT_needs_eoi },
  PHYSDEVOP_IRQ_SHARED: { below: 0x00040600, value: XENIRQSTAT_shared },
};

export const MAP_PIRQ_TYPE_MSI = 0;
export const MAP_PIRQ_TYPE_GSI = 1;
export const MAP_PIRQ_TYPE_UNKNOWN = 2;
export const MAP_PIRQ_TYPE_MSI_SEG = 3;
export const MAP_PIRQ_TYPE_MULTI_MSI = 4;

export const physdev_set_iopl = struct("struct physdev_set_iopl", 4, { iopl: [0, 4] });

export const physdev_set_iobitmap = struct("struct physdev_set_iobitmap", 8, {
  bitmap: [0, 4],
  nr_ports: [4, 4],
});

export const physdev_irq_status_query = struct("struct physdev_irq_status_query", 8, {
  irq: [0, 4],
  flags: [4, 4],
});

export const physdev_eoi = struct("struct physdev_eoi", 4, { irq: [0, 4] });

export const physdev_pirq_eoi_gmfn = struct("struct physdev_pirq_eoi_gmfn", 4, { gmfn: [0, 4] });

export const physdev_apic = struct("struct physdev_apic", 12, {
  apic_physbase: [0, 4],
  reg: [4, 4],
  value: [8, 4],
});

export const physdev_irq = struct("struct physdev_irq", 8, {
  irq: [0, 4],
  vector: [4, 4],
});

export const physdev_map_pirq = struct("struct physdev_map_pirq", 36, {
  domid: [0, 2],
  type: [4, 4],
  index: [8, 4],
  pirq: [12, 4],
  bus: [16, 4],
  devfn: [20, 4],
  entry_nr: [24, 4],
  table_base: [28, 8],
});

export const physdev_unmap_pirq = struct("struct physdev_unmap_pirq", 8, {
  domid: [0, 2],
  pirq: [4, 4],
});

/** The argument of the legacy physdev_op_compat (hypercall 19). */
export const physdev_op = struct("struct physdev_op", 16, {
  cmd: [0, 4],
  u: [4, 12],
  "u.set_iopl.iopl": [4, 4],
  "u.set_iobitmap.bitmap": [4, 4],
  "u.set_iobitmap.nr_ports": [8, 4],
  "u.irq_status_query.flags": [8, 4],
});
