/**
 * Page tables and descriptor tables under Xen's rules (spec 4.2-4.3, 5.1-5.3): the per-domain memory
 * manager behind mmu_update, update_va_mapping, mmuext_op, set_gdt, update_descriptor, the
 * writable-page-table emulation and the guest's CR3.
 *
 * Every frame the guest owns carries a type and a type count (page-info.ts). Taking the first
 * reference of a page-table or descriptor type validates the whole frame (each present entry takes
 * a reference of the next lower type on its target, recursively); dropping the last one devalidates
 * it. That alone gives Xen's visible answers: a frame in use as a page table or GDT/LDT page cannot
 * be mapped writable (-EBUSY), a frame mapped writable cannot become a table (-EINVAL), tables that
 * are no longer used can be remapped RW (GRUB relies on it).
 *
 * Entries are handled as two 32-bit halves (PAE: low, high; 2-level: high is always 0). Errors are
 * returned as negative errno values (0 = success), the way the hypercall layer passes them on.
 */
import * as L from "../../isa/layout.ts";
import { XEN_EBUSY, XEN_EINVAL, XEN_EPERM } from "../abi/errno.ts";
import { FIRST_RESERVED_GDT_ENTRY } from "../abi/arch-x86.ts";
import type { Domain } from "../domain.ts";
import { GDT_ENTRY, HV_LAYOUT, HVW_SLOT, LDT_FRAMES, LDT_SELECTOR, PAGE } from "../domain.ts";
import { PageInfo, PGT, type PageType } from "./page-info.ts";
import { checkDescriptor } from "./descriptor-check.ts";

export const PTE_P = 0x1, PTE_RW = 0x2, PTE_US = 0x4, PTE_PWT = 0x8, PTE_PCD = 0x10, PTE_A = 0x20, PTE_D = 0x40;
export const PTE_PSE = 0x80, PTE_PAT = 0x80, PTE_G = 0x100;
/** Flags a domU may not set (spec 4.1; Xen's l1_disallow_mask etc. for a domain without I/O memory). */
const L1_DISALLOW_LO = PTE_PWT | PTE_PCD | PTE_PAT;
/** PAE high dword: bit 62 (Xen's _PAGE_GNTTAB) is refused in guest L1 entries; 52-61 and NX are fine. */
const L1_DISALLOW_HI = 1 << 30;
const L2_DISALLOW_LO = PTE_PWT | PTE_PCD | PTE_PSE | PTE_G;
/** Compat L3: P RW US A D and avail 9-11 only (0xFFFFF198 over Xen's folded flags). */
const L3_DISALLOW_LO = PTE_PWT | PTE_PCD | 0x80 | PTE_G;
const L3_DISALLOW_HI = 0xfff00000;

/** Whose pages an L1 entry may map (mmu_update's FD / update_va_mapping_otherdomain's owner). */
export type PgOwner = "self" | "io";

export const err = (e: number) => -e;

export class Mm {
  readonly info: PageInfo;
  readonly pae: boolean;
  /** Bytes per entry and entries per table page. */
  readonly esz: number;
  readonly ents: number;
  /** The guest's current top-level table (CR3 MFN). */
  baseMfn = 0;
  /** GDT frames installed by set_gdt and the entry count. */
  gdtFrames: number[] = [];
  gdtEnts = 0;
  /** MMUEXT_SET_LDT state and the lazily loaded shadow pages (guest MFN per page, -1 = not loaded). */
  ldtBase = 0;
  ldtEnts = 0;
  ldtLoaded: number[] = [];
  /** Frames besides guest RAM the guest may map (shared_info; grant frames later). */
  readonly extraFrames = new Set<number>();
  /** Statistics for --stats and tests. */
  readonly stats = { validations: 0, devalidations: 0, ptwrEmulations: 0, ptwrFailures: 0, ldtPageLoads: 0 };

  constructor(readonly dom: Domain) {
    this.info = new PageInfo(dom.machineFrames);
    this.pae = dom.pae;
    this.esz = dom.pae ? 8 : 4;
    this.ents = dom.pae ? 512 : 1024;
    // shared_info is the guest's, permanently writable (Xen: share_xen_page_with_guest).
    this.shareWithGuest(dom.sharedInfoMfn);
  }

  /** A hypervisor frame the guest may map writable for good (shared_info, grant frames). */
  shareWithGuest(mfn: number): void {
    this.extraFrames.add(mfn);
    this.info.type[mfn] = PGT.writable;
    this.info.count[mfn] = 1;
    this.info.refs[mfn] = 1;
  }

  // ---- ownership ------------------------------------------------------------------------------------

  /** A frame that belongs to the guest (its RAM, shared_info, grant frames). */
  owned(mfn: number): boolean { return (mfn >= 0 && mfn < this.dom.nrPages) || this.extraFrames.has(mfn); }
  /** Guest RAM (what CLEAR_PAGE/COPY_PAGE and descriptor pages accept). */
  isRam(mfn: number): boolean { return mfn >= 0 && mfn < this.dom.nrPages; }

  // ---- raw entries ------------------------------------------------------------------------------------

  entryAddr(mfn: number, i: number): number { return mfn * PAGE + i * this.esz; }
  readEntry(mfn: number, i: number): [number, number] {
    const a = this.entryAddr(mfn, i);
    return [this.dom.read32(a), this.pae ? this.dom.read32(a + 4) : 0];
  }
  writeEntry(mfn: number, i: number, lo: number, hi: number): void {
    const a = this.entryAddr(mfn, i);
    this.dom.write32(a, lo);
    if (this.pae) this.dom.write32(a + 4, hi);
  }
  /** Target frame of an entry (PAE: address bits 12-51). */
  entryMfn(lo: number, hi: number): number { return (lo >>> 12) + (this.pae ? (hi & 0xfffff) * 0x100000 : 0); }

  /** Entries of an L2 the hypervisor owns: 2-level 1008-1023 of every L2, PAE 428-511 of a pae_xen_l2. */
  isXenSlot(l2mfn: number, i: number): boolean {
    if (!this.pae) return i >= (this.dom.hvStart >>> 22);
    return this.info.xenL2[l2mfn] === 1 && i >= ((this.dom.hvStart >>> 21) & 0x1ff);
  }

  // ---- types ------------------------------------------------------------------------------------------

  /**
   * get_page_type: take a type reference; the first reference of a table or descriptor type validates
   * the frame. `xenL2` selects the PAE slot-3 flavour of L2. Returns 0 or -errno (nothing changes on failure).
   */
  getType(mfn: number, t: PageType, xenL2 = false): number {
    const inf = this.info;
    if (inf.count[mfn] > 0) {
      if (inf.type[mfn] !== t || (t === PGT.l2 && (inf.xenL2[mfn] === 1) !== xenL2)) return err(XEN_EINVAL);
      if (inf.count[mfn] >= 0x7fffffff) return err(XEN_EINVAL);
      inf.count[mfn]++;
      return 0;
    }
    inf.type[mfn] = t;
    inf.xenL2[mfn] = xenL2 ? 1 : 0;
    inf.count[mfn] = 1;
    if (t === PGT.writable) return 0;
    // Validation: guard against recursion onto this frame while it is being validated.
    const rc = this.validate(mfn, t);
    if (rc !== 0) {
      inf.count[mfn] = 0;
      inf.type[mfn] = PGT.none;
      inf.xenL2[mfn] = 0;
      return rc;
    }
    this.stats.validations++;
    // The frame may still be in some TLB as a writable page: drop every cached translation.
    this.dom.cpu.core.flushTlb(0);
    return 0;
  }

  /** put_page_type: drop a type reference; the last one devalidates a table. */
  putType(mfn: number): void {
    const inf = this.info;
    if (inf.count[mfn] === 0) throw new Error(`put_page_type underflow: ${inf.describe(mfn)}`);
    if (--inf.count[mfn] > 0) return;
    const t = inf.type[mfn] as PageType;
    if (t === PGT.l1 || t === PGT.l2 || t === PGT.l3) {
      this.devalidate(mfn, t);
      this.stats.devalidations++;
    }
    inf.type[mfn] = PGT.none;
    inf.xenL2[mfn] = 0;
  }

  private validate(mfn: number, t: PageType): number {
    if (t === PGT.segDesc) return this.validateSegDesc(mfn);
    const n = t === PGT.l3 ? 4 : this.ents;
    if (t === PGT.l3) {
      // Compat Xen: slot 3 must be present; the rest of the page past the 4 PDPTEs is zeroed.
      const [lo3] = this.readEntry(mfn, 3);
      if (!(lo3 & PTE_P)) return err(XEN_EINVAL);
      this.dom.mem.fill(0, mfn * PAGE + 32, (mfn + 1) * PAGE);
      this.dom.wroteRam(mfn * PAGE + 32, PAGE - 32);
    }
    for (let i = 0; i < n; i++) {
      const [lo, hi] = this.readEntry(mfn, i);
      if (!(lo & PTE_P)) continue;
      let rc = 0;
      if (t === PGT.l1) rc = this.getL1e(lo, hi, "self");
      else if (t === PGT.l2) { if (this.isXenSlot(mfn, i)) continue; rc = this.getL2e(lo, hi, mfn); }
      else rc = this.getL3e(lo, hi, i);
      if (rc !== 0) {
        for (let j = 0; j < i; j++) this.putEntry(mfn, t, j);
        return rc;
      }
    }
    if (t === PGT.l3) {
      // "PAE L3 3rd slot is shared": the slot-3 L2 must be referenced by this L3 only.
      const [lo3, hi3] = this.readEntry(mfn, 3);
      if (this.info.count[this.entryMfn(lo3, hi3)] !== 1) {
        for (let j = 0; j < 4; j++) this.putEntry(mfn, t, j);
        return err(XEN_EINVAL);
      }
    }
    return 0;
  }

  private devalidate(mfn: number, t: PageType): void {
    const n = t === PGT.l3 ? 4 : this.ents;
    for (let i = 0; i < n; i++) this.putEntry(mfn, t, i);
  }

  /** Drop the references entry `i` of table `mfn` (of type `t`) holds. */
  private putEntry(mfn: number, t: PageType, i: number): void {
    const [lo, hi] = this.readEntry(mfn, i);
    if (!(lo & PTE_P)) return;
    if (t === PGT.l1) this.putL1e(lo, hi);
    else if (t === PGT.l2) { if (!this.isXenSlot(mfn, i)) this.putL2e(lo, hi, mfn); }
    else this.putL3e(lo, hi);
  }

  // ---- entries -----------------------------------------------------------------------------------------

  /** get_page_from_l1e for a present entry. */
  getL1e(lo: number, hi: number, pgOwner: PgOwner): number {
    if ((lo & L1_DISALLOW_LO) || (hi & L1_DISALLOW_HI)) return err(XEN_EINVAL);
    const mfn = this.entryMfn(lo, hi);
    if (mfn >= this.dom.machineFrames) return err(XEN_EPERM); // MMIO / no such frame: no I/O privilege
    if (!this.owned(mfn) || pgOwner !== "self") return err(XEN_EBUSY);
    if (lo & PTE_RW) {
      if (this.getType(mfn, PGT.writable) !== 0) return err(XEN_EBUSY);
    }
    this.info.refs[mfn]++;
    return 0;
  }
  putL1e(lo: number, hi: number): void {
    const mfn = this.entryMfn(lo, hi);
    if (!this.owned(mfn)) return;
    if (lo & PTE_RW) this.putType(mfn);
    else if (this.info.is(mfn, PGT.segDesc) && this.ldtLoaded.includes(mfn)) this.invalidateLdt();
    this.info.refs[mfn]--;
  }

  /** get_page_from_l2e: an L1 (validating it), or a read-only linear (self-)map of an L2. */
  getL2e(lo: number, hi: number, l2mfn: number): number {
    if (lo & L2_DISALLOW_LO) return err(XEN_EINVAL);
    const mfn = this.entryMfn(lo, hi);
    if (!this.isRam(mfn)) return err(XEN_EINVAL);
    const rc = this.getType(mfn, PGT.l1);
    if (rc === 0) { this.info.refs[mfn]++; return 0; }
    if (rc !== err(XEN_EINVAL)) return rc;
    // Linear page table: read-only, to this L2 itself or to another validated L2.
    if (lo & PTE_RW) return rc;
    if (mfn === l2mfn) return 0;
    if (!this.info.is(mfn, PGT.l2)) return rc;
    this.info.count[mfn]++;
    this.info.refs[mfn]++;
    return 0;
  }
  putL2e(lo: number, hi: number, l2mfn: number): void {
    const mfn = this.entryMfn(lo, hi);
    if (mfn === l2mfn || !this.owned(mfn)) return;
    this.putType(mfn);
    this.info.refs[mfn]--;
  }

  /** get_page_from_l3e (compat): an L2; slot 3 takes the pae_xen_l2 flavour. */
  getL3e(lo: number, hi: number, slot: number): number {
    if ((lo & L3_DISALLOW_LO) || (hi & L3_DISALLOW_HI)) return err(XEN_EINVAL);
    const mfn = this.entryMfn(lo, hi);
    if (!this.isRam(mfn)) return err(XEN_EINVAL);
    const rc = this.getType(mfn, PGT.l2, slot === 3);
    if (rc === 0) this.info.refs[mfn]++;
    return rc;
  }
  putL3e(lo: number, hi: number): void {
    const mfn = this.entryMfn(lo, hi);
    if (!this.isRam(mfn)) return;
    this.putType(mfn);
    this.info.refs[mfn]--;
  }

  // ---- updates of one entry (mmu_update, update_va_mapping, ptwr) ---------------------------------

  /** mod_l1_entry: checked `*entry = new` in an L1 frame. */
  modL1(mfn: number, i: number, lo: number, hi: number, preserveAd: boolean, pgOwner: PgOwner): number {
    const [olo, ohi] = this.readEntry(mfn, i);
    if (lo & PTE_P) {
      const rc = this.getL1e(lo, hi, pgOwner);
      if (rc !== 0) return rc;
    }
    if (preserveAd) lo |= olo & (PTE_A | PTE_D);
    this.writeEntry(mfn, i, lo, hi);
    if (olo & PTE_P) this.putL1e(olo, ohi);
    return 0;
  }

  /** mod_l2_entry: the hypervisor's slots are refused with -EPERM. */
  modL2(mfn: number, i: number, lo: number, hi: number, preserveAd: boolean): number {
    if (this.isXenSlot(mfn, i)) return err(XEN_EPERM);
    const [olo, ohi] = this.readEntry(mfn, i);
    if (lo & PTE_P) {
      const rc = this.getL2e(lo, hi, mfn);
      if (rc !== 0) return rc;
    }
    if (preserveAd) lo |= olo & (PTE_A | PTE_D);
    this.writeEntry(mfn, i, lo, hi);
    if (olo & PTE_P) this.putL2e(olo, ohi, mfn);
    this.dom.cpu.core.flushTlb(0);
    return 0;
  }

  /** mod_l3_entry (compat): slots 3 and up cannot change once the L3 is validated. */
  modL3(mfn: number, i: number, lo: number, hi: number, preserveAd: boolean): number {
    if (i >= 3) return err(XEN_EINVAL);
    const [olo, ohi] = this.readEntry(mfn, i);
    if (lo & PTE_P) {
      const rc = this.getL3e(lo, hi, i);
      if (rc !== 0) return rc;
    }
    if (preserveAd) lo |= olo & (PTE_A | PTE_D);
    this.writeEntry(mfn, i, lo, hi);
    if (olo & PTE_P) this.putL3e(olo, ohi);
    // The PDPTE registers hold the current L3's entries: reload them (and flush).
    if (mfn === this.baseMfn) this.dom.cpu.core.refresh();
    else this.dom.cpu.core.flushTlb(0);
    return 0;
  }

  // ---- pins and the base pointer -------------------------------------------------------------------

  /** The top-level type of this guest: L3 (PAE) or L2. */
  get rootType(): PageType { return this.pae ? PGT.l3 : PGT.l2; }

  pin(mfn: number, t: PageType): number {
    if (!this.isRam(mfn)) return err(XEN_EINVAL);
    const rc = this.getType(mfn, t);
    if (rc !== 0) return rc;
    if (this.info.pinned[mfn]) { this.putType(mfn); return err(XEN_EINVAL); }
    this.info.pinned[mfn] = 1;
    this.info.refs[mfn]++;
    return 0;
  }
  unpin(mfn: number): number {
    if (!this.isRam(mfn) || !this.info.pinned[mfn]) return err(XEN_EINVAL);
    this.info.pinned[mfn] = 0;
    this.putType(mfn);
    this.info.refs[mfn]--;
    return 0;
  }

  /** new_guest_cr3: install `mfn` as the top-level table (validating it), drop the old one. */
  newBaseptr(mfn: number): number {
    if (mfn === this.baseMfn) { this.loadCr3(); return 0; }
    if (!this.isRam(mfn)) return err(XEN_EINVAL);
    const rc = this.getType(mfn, this.rootType);
    if (rc !== 0) return rc;
    this.invalidateLdt();
    const old = this.baseMfn;
    this.baseMfn = mfn;
    this.info.refs[mfn]++;
    this.loadCr3();
    this.putType(old);
    this.info.refs[old]--;
    return 0;
  }
  /** Point the core at the current top-level table (reloads the PDPTE registers, flushes the TLB). */
  private loadCr3(): void {
    this.dom.cpu.setState32(L.S.CR3, this.baseMfn * PAGE);
    this.dom.cpu.core.refresh();
  }

  /** The toolstack's work before the first instruction: the initial tables validated, pinned and in CR3. */
  adoptInitialTables(): void {
    const mfn = this.dom.cpu.stateU32(L.S.CR3) >>> 12;
    const rc = this.getType(mfn, this.rootType);
    if (rc !== 0) throw new Error(`domain builder: the initial page tables do not validate (${rc}) at mfn 0x${mfn.toString(16)}`);
    this.info.refs[mfn]++;
    this.baseMfn = mfn;
    if (this.pin(mfn, this.rootType) !== 0) throw new Error("domain builder: pinning the initial top-level table failed");
  }

  // ---- guest walks ---------------------------------------------------------------------------------------

  /**
   * The L1 entry that maps `va` in the current tables (Xen's map_guest_l1e): its L1 frame and index,
   * or undefined when an upper level is not present (or a superpage, which PV never has).
   */
  l1eOf(va: number): { mfn: number; index: number } | undefined {
    va >>>= 0;
    if (va >= this.dom.hvStart) return undefined;
    let l2mfn: number;
    if (this.pae) {
      const [l3lo, l3hi] = this.readEntry(this.baseMfn, va >>> 30);
      if (!(l3lo & PTE_P)) return undefined;
      l2mfn = this.entryMfn(l3lo, l3hi);
      if (l2mfn >= this.dom.machineFrames) return undefined;
      const [lo, hi] = this.readEntry(l2mfn, (va >>> 21) & 0x1ff);
      if (!(lo & PTE_P) || (lo & PTE_PSE)) return undefined;
      const mfn = this.entryMfn(lo, hi);
      if (mfn >= this.dom.machineFrames) return undefined;
      return { mfn, index: (va >>> 12) & 0x1ff };
    }
    l2mfn = this.baseMfn;
    const [lo] = this.readEntry(l2mfn, va >>> 22);
    if (!(lo & PTE_P) || (lo & PTE_PSE)) return undefined;
    const mfn = lo >>> 12;
    if (mfn >= this.dom.machineFrames) return undefined;
    return { mfn, index: (va >>> 12) & 0x3ff };
  }

  // ---- descriptor tables --------------------------------------------------------------------------------

  /** Validate (and fix up in place) the 512 descriptors of a GDT/LDT page. */
  private validateSegDesc(mfn: number): number {
    const base = mfn * PAGE;
    const fixed: [number, number][] = [];
    for (let i = 0; i < 512; i++) {
      const d = checkDescriptor(this.dom.read32(base + i * 8), this.dom.read32(base + i * 8 + 4), this.dom.hvStart);
      if (!d) return err(XEN_EINVAL);
      fixed.push(d);
    }
    fixed.forEach(([lo, hi], i) => { this.dom.write32(base + i * 8, lo); this.dom.write32(base + i * 8 + 4, hi); });
    return 0;
  }

  /** Copy the installed GDT frames into the machine GDT (entries past them read as zero). */
  syncMachineGdt(): void {
    const d = this.dom;
    d.mem.fill(0, d.gdtMa, d.gdtMa + FIRST_RESERVED_GDT_ENTRY * 8);
    this.gdtFrames.forEach((mfn, i) => d.mem.copyWithin(d.gdtMa + i * PAGE, mfn * PAGE, (mfn + 1) * PAGE));
  }

  /** Drop the shadow LDT pages (SET_LDT, new CR3, an unmapped LDT page): they reload on the next use. */
  invalidateLdt(): void {
    for (const mfn of this.ldtLoaded) if (mfn >= 0) { this.putType(mfn); this.info.refs[mfn]--; }
    this.ldtLoaded = [];
    this.dom.setWindow(HVW_SLOT.ldt, HV_LAYOUT.ldtVirt, 0, this.dom.ldtMfn * PAGE, L.HVW_SYSTEM);
    this.dom.cpu.core.flushTlb(0);
  }

  /** Install the LDT descriptor for the current SET_LDT state and load LDTR through the core. */
  loadLdt(): void {
    const d = this.dom;
    if (this.ldtEnts === 0) {
      d.setGdtEntry(GDT_ENTRY.ldt, 0, 0);
      d.cpu.core.loadSelector(L.SEG_LDTR, 0);
      return;
    }
    const base = HV_LAYOUT.ldtVirt, limit = this.ldtEnts * 8 - 1;
    d.setGdtEntry(GDT_ENTRY.ldt, ((base & 0xffff) << 16) | (limit & 0xffff),
      ((base & 0xff000000) | (limit & 0xf0000) | 0x8200 | ((base >>> 16) & 0xff)) >>> 0);
    const r = d.cpu.core.loadSelector(L.SEG_LDTR, LDT_SELECTOR);
    if (r !== 0) throw new Error(`loading the LDT selector faulted (0x${r.toString(16)})`);
  }

  /**
   * Load shadow LDT pages 0..page (Xen maps them on first use). Returns -1 on success, else the index
   * of the page that could not be loaded (not mapped, not a guest frame, or not a valid descriptor page).
   */
  loadLdtPages(page: number): number {
    if (page >= LDT_FRAMES || page * 512 >= this.ldtEnts) return page;
    for (let p = this.ldtLoaded.length; p <= page; p++) {
      const va = this.ldtBase + p * PAGE;
      const w = this.l1eOf(va);
      if (!w) return p;
      const [lo, hi] = this.readEntry(w.mfn, w.index);
      if (!(lo & PTE_P)) return p;
      const mfn = this.entryMfn(lo, hi);
      if (!this.isRam(mfn) || this.getType(mfn, PGT.segDesc) !== 0) return p;
      this.info.refs[mfn]++;
      this.ldtLoaded.push(mfn);
      this.dom.mem.copyWithin(this.dom.ldtMfn * PAGE + p * PAGE, mfn * PAGE, (mfn + 1) * PAGE);
      this.stats.ldtPageLoads++;
    }
    this.dom.setWindow(HVW_SLOT.ldt, HV_LAYOUT.ldtVirt, this.ldtLoaded.length * PAGE, this.dom.ldtMfn * PAGE, L.HVW_SYSTEM);
    return -1;
  }

  // ---- audit --------------------------------------------------------------------------------------------

  /**
   * Recompute every type count from first principles (pins, CR3, GDT and LDT frames, and the
   * references each validated table's present entries hold) and list the frames whose tracked
   * count or type disagrees. Empty when the bookkeeping is consistent (used by the tests).
   */
  audit(): string[] {
    const inf = this.info, n = inf.frames;
    const want = new Uint32Array(n);
    const wantType = new Uint8Array(n);
    const need = (mfn: number, t: PageType) => {
      if (want[mfn] > 0 && wantType[mfn] !== t) problems.push(`mfn 0x${mfn.toString(16)} needed as ${t} and ${wantType[mfn]}`);
      wantType[mfn] = t;
      want[mfn]++;
    };
    const problems: string[] = [];
    for (const f of this.extraFrames) { want[f] = 1; wantType[f] = PGT.writable; }
    need(this.baseMfn, this.rootType);
    for (let mfn = 0; mfn < n; mfn++) if (inf.pinned[mfn]) need(mfn, inf.type[mfn] as PageType);
    for (const f of this.gdtFrames) need(f, PGT.segDesc);
    for (const f of this.ldtLoaded) need(f, PGT.segDesc);
    for (let mfn = 0; mfn < n; mfn++) {
      if (inf.count[mfn] === 0) continue;
      const t = inf.type[mfn];
      if (t !== PGT.l1 && t !== PGT.l2 && t !== PGT.l3) continue;
      const ents = t === PGT.l3 ? 4 : this.ents;
      for (let i = 0; i < ents; i++) {
        const [lo, hi] = this.readEntry(mfn, i);
        if (!(lo & PTE_P)) continue;
        const tgt = this.entryMfn(lo, hi);
        if (t === PGT.l1) { if ((lo & PTE_RW) && this.owned(tgt)) need(tgt, PGT.writable); }
        else if (t === PGT.l2) {
          if (this.isXenSlot(mfn, i) || tgt === mfn) continue;
          need(tgt, inf.type[tgt] === PGT.l2 ? PGT.l2 : PGT.l1);
        } else need(tgt, PGT.l2);
      }
    }
    for (let mfn = 0; mfn < n; mfn++) {
      if (want[mfn] !== inf.count[mfn] || (want[mfn] > 0 && wantType[mfn] !== inf.type[mfn])) {
        problems.push(`${inf.describe(mfn)}: expected ${want[mfn]} reference(s) of type ${wantType[mfn]}`);
      }
    }
    return problems;
  }
}
