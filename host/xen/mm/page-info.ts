/**
 * Per-machine-frame page information, the model Xen keeps in its frame table (spec 4.2):
 *
 *   type      what the frame is used as: none, L1, L2, L3 (PAE), seg_desc (GDT/LDT page), writable
 *   count     the type count: references that rely on the type (present L2 entries for an L1, a pin,
 *             being a vCPU's CR3, a GDT slot, an RW mapping for writable, ...). A frame changes type
 *             only at count 0; at 0 it is free to take any type (we reset it to none).
 *   pinned    MMUEXT_PIN_Lx_TABLE holds one type reference
 *   xenL2     PAE only: the L2 referenced by an L3's slot 3 (Xen's PGT_pae_xen_l2): a different type
 *             from an ordinary L2 (entries 428-511 belong to the hypervisor)
 *   refs      the general reference count (every mapping, pin, CR3 or GDT use), kept for audits
 */
export const PGT = { none: 0, l1: 1, l2: 2, l3: 3, segDesc: 4, writable: 5 } as const;
export type PageType = (typeof PGT)[keyof typeof PGT];
export const PGT_NAMES = ["none", "L1", "L2", "L3", "seg_desc", "writable"] as const;

export class PageInfo {
  readonly type: Uint8Array;
  readonly count: Uint32Array;
  readonly pinned: Uint8Array;
  readonly xenL2: Uint8Array;
  readonly refs: Uint32Array;

  constructor(readonly frames: number) {
    this.type = new Uint8Array(frames);
    this.count = new Uint32Array(frames);
    this.pinned = new Uint8Array(frames);
    this.xenL2 = new Uint8Array(frames);
    this.refs = new Uint32Array(frames);
  }

  /** A frame whose type count is non-zero with type `t` (and, for L2, the given pae_xen_l2 flag). */
  is(mfn: number, t: PageType): boolean { return this.count[mfn] > 0 && this.type[mfn] === t; }

  describe(mfn: number): string {
    const t = PGT_NAMES[this.type[mfn]] + (this.xenL2[mfn] ? "(pae_xen_l2)" : "");
    return `mfn 0x${mfn.toString(16)}: ${t} count ${this.count[mfn]}${this.pinned[mfn] ? " pinned" : ""} refs ${this.refs[mfn]}`;
  }
}
