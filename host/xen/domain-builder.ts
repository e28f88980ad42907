/**
 * The PV domain builder: what Xen's toolstack does before a 32-bit PV guest's first instruction
 * (spec 2.4, 3.2-3.5), for PAE (3-level) and 2-level guests:
 *
 *   1. read the ELF and its Xen notes, decide PAE vs 2-level from PAE_MODE (refusing a mismatch
 *      with what the caller asked for), compute virt_kstart/virt_kend/entry and check them;
 *   2. lay the initial region out exactly like Xen's builder (computeLayout: kernel, mapped module,
 *      P2M, start_info, xenstore, console, page tables, boot stack, padding to virt_pgtab_end,
 *      then an unmapped module when the kernel asks for MOD_START_PFN);
 *   3. write the image, the P2M, start_info, the hypercall page and the initial page tables (page
 *      table pages mapped read-only), shared_info, the M2P, the machine GDT and TSS;
 *   4. set the initial vCPU state (ring 1, FLAT selectors loaded through the core's own segment
 *      loads, CR3, CR0/CR4/EFER, the hypervisor windows).
 */
import type { JitMode } from "../jit/jit.ts";
import { Cpu } from "../core/cpu.ts";
import * as L from "../isa/layout.ts";
import { Elf32, ElfError, PT_LOAD } from "../elf/elf32.ts";
import { readXenGuestInfo, type XenGuestInfo } from "../elf/xen-notes.ts";
import * as X from "./abi/xen.ts";
import * as arch from "./abi/arch-x86.ts";
import { off } from "./abi/struct.ts";
import { buildPvHypercallPage } from "./abi/hypercall-page.ts";
import { Domain, GDT_ENTRY, GDT_FRAMES, HV_LAYOUT, HVW_SLOT, PAGE, TSS, TSS_SELECTOR } from "./domain.ts";

const MiB = 1 << 20;
const roundUp = (v: number, a: number) => Math.ceil(v / a) * a;

export interface PvModule { data: Uint8Array; cmdline: string }

export interface PvBuildOptions {
  /** Guest RAM in MiB: nr_pages = memMB * 256 (hypervisor frames come on top). */
  memMB: number;
  cmdline?: string;
  modules?: PvModule[];
  /** Paging mode the caller wants; a kernel that declares the other one is refused. */
  expectPaging?: "pae" | "2level";
  /** Xen debug-build behaviours (multicall poison, argument clobbering). */
  xenDebug?: boolean;
  /** Ring-3 `int 0x80` delivered by the core (Xen's direct trap); default true. */
  directGate?: boolean;
  onOutput?: (bytes: Uint8Array) => void;
  /** The hypervisor log for the guest's console_io text (DomainOptions.onLog). */
  onLog?: (bytes: Uint8Array) => void;
  /** Core build options. */
  wasmPath?: string;
  debug?: boolean;
  /** JIT mode (default: env RINGONE_JIT, else on). */
  jit?: JitMode;
  /** Label for error messages. */
  what?: string;
}

/** Features a kernel may mark required ("!name") and still boot here. */
export const SUPPORTED_FEATURES = ["writable_page_tables", "pae_pgdir_above_4gb"];

// ---- layout -----------------------------------------------------------------------------------------

export interface LayoutParams {
  pae: boolean;
  virtBase: number;
  virtKstart: number;
  virtKend: number;
  nrPages: number;
  /** Byte size of module 0 (after packaging several modules), 0 for none. */
  moduleLen: number;
  /** Kernel asks for an unmapped initrd (XEN_ELFNOTE_MOD_START_PFN != 0). */
  modStartPfn: boolean;
}

export interface PvLayout {
  /** First PFN of the kernel image (the pages below it are padding RAM). */
  kernelPfn: number;
  kernelPages: number;
  /** Mapped module: PFN and pages (pages 0 when none or unmapped). */
  modulePfn: number;
  modulePages: number;
  p2mPfn: number;
  p2mPages: number;
  startInfoPfn: number;
  xenstorePfn: number;
  consolePfn: number;
  ptPfn: number;
  /** Page-table pages: [top level, L2s (PAE), L1s]. */
  ptPages: number;
  l2Pages: number;
  l1Pages: number;
  stackPfn: number;
  /** Virtual end of the initial mapping (4 MiB aligned). */
  virtPgtabEnd: number;
  /** Pages mapped from VIRT_BASE (PFN 0 up). */
  mappedPages: number;
  /** Unmapped module: first PFN and whole pages (0 when none or mapped). */
  unmappedModulePfn: number;
  unmappedModulePages: number;
  /** Virtual address of a PFN inside the region. */
  va(pfn: number): number;
}

/** Page-table pages needed to map [virtBase, end). */
export function countPageTables(pae: boolean, virtBase: number, end: number): { l2: number; l1: number; total: number } {
  if (pae) {
    const l2 = 3 - Math.floor(virtBase / 2 ** 30) + 1; // slots from VIRT_BASE's up to and including 3
    const l1 = Math.ceil((end - Math.floor(virtBase / (2 * MiB)) * 2 * MiB) / (2 * MiB));
    return { l2, l1, total: 1 + l2 + l1 };
  }
  const l1 = Math.ceil((end - Math.floor(virtBase / (4 * MiB)) * 4 * MiB) / (4 * MiB));
  return { l2: 0, l1, total: 1 + l1 };
}

/** Xen's builder layout (spec 3.2), in PFNs (MFN == PFN here). Pure: testable on its own. */
export function computeLayout(p: LayoutParams): PvLayout {
  const vb = p.virtBase;
  const pfnOf = (va: number) => (va - vb) / PAGE;
  let alloc = roundUp(p.virtKend, PAGE);
  const kernelPfn = pfnOf(Math.floor(p.virtKstart / PAGE) * PAGE);
  const kernelPages = pfnOf(alloc) - kernelPfn;
  let modulePfn = 0, modulePages = 0;
  if (p.moduleLen > 0 && !p.modStartPfn) {
    modulePfn = pfnOf(alloc);
    modulePages = Math.ceil(p.moduleLen / PAGE);
    alloc += modulePages * PAGE;
  }
  const p2mPfn = pfnOf(alloc);
  const p2mPages = Math.ceil((p.nrPages * 4) / PAGE);
  alloc += p2mPages * PAGE;
  const startInfoPfn = pfnOf(alloc); alloc += PAGE;
  const xenstorePfn = pfnOf(alloc); alloc += PAGE;
  const consolePfn = pfnOf(alloc); alloc += PAGE;
  const ptPfn = pfnOf(alloc);
  // Page tables + boot stack + 128 pages of slack must fit below a 4 MiB boundary that the tables map.
  let pages = 129;
  let end = 0;
  let t = countPageTables(p.pae, vb, vb);
  for (let i = 0; i < 64; i++) {
    end = roundUp(alloc + pages * PAGE, 4 * MiB);
    t = countPageTables(p.pae, vb, end);
    pages = t.total + 129;
    if (alloc + pages * PAGE <= end) break;
  }
  const stackPfn = ptPfn + t.total;
  const mappedPages = pfnOf(end);
  let unmappedModulePfn = 0, unmappedModulePages = 0;
  if (p.moduleLen > 0 && p.modStartPfn) {
    unmappedModulePfn = mappedPages;
    unmappedModulePages = Math.ceil(p.moduleLen / PAGE);
  }
  return {
    kernelPfn, kernelPages, modulePfn, modulePages, p2mPfn, p2mPages, startInfoPfn, xenstorePfn, consolePfn,
    ptPfn, ptPages: t.total, l2Pages: t.l2, l1Pages: t.l1, stackPfn, virtPgtabEnd: end, mappedPages,
    unmappedModulePfn, unmappedModulePages,
    va: (pfn: number) => (vb + pfn * PAGE) >>> 0,
  };
}

// ---- the kernel image -------------------------------------------------------------------------------

export interface KernelImage {
  elf: Elf32;
  info: XenGuestInfo;
  pae: boolean;
  /** VMASST_TYPE_pae_extended_cr3 from the start (PAE_MODE yes/bimodal, legacy yes[extended-cr3]). */
  extendedCr3: boolean;
  virtBase: number;
  paddrOffset: number;
  virtKstart: number;
  virtKend: number;
  entry: number;
  segments: { pseudoPhys: number; data: Uint8Array; memsz: number }[];
}

/** Parse and check a PV kernel (throws ElfError with a clear message). */
export function readKernel(image: Uint8Array, opts: { expectPaging?: "pae" | "2level"; what?: string } = {}): KernelImage {
  const what = opts.what ?? "kernel";
  const elf = new Elf32(image, what);
  const info = readXenGuestInfo(elf, { what, supportedFeatures: SUPPORTED_FEATURES, expectPae: opts.expectPaging === undefined ? undefined : opts.expectPaging === "pae" });
  if (info.paeMismatch) throw new ElfError(`${what}: ${info.paeMismatch}`);
  const mode = info.paeMode;
  const pae = mode !== "no";
  const extendedCr3 = info.source === "notes" ? pae : mode === "yes[extended-cr3]";
  const virtBase = info.virtBase ?? 0;
  const paddrOffset = info.paddrOffset ?? (info.source === "__xen_guest" ? virtBase : 0);
  const loads = elf.phdrs.filter((p) => p.type === PT_LOAD && (p.flags & 7) !== 0 && p.memsz > 0);
  if (loads.length === 0) throw new ElfError(`${what}: no loadable segments`);
  const virtOffset = virtBase - paddrOffset;
  const pstart = Math.min(...loads.map((p) => p.paddr));
  const pend = Math.max(...loads.map((p) => p.paddr + p.memsz));
  const virtKstart = pstart + virtOffset, virtKend = pend + virtOffset;
  const entry = info.entry ?? elf.entry;
  const hex = (n: number) => "0x" + (n >>> 0).toString(16);
  const b = pae ? arch.X86_32_BOUNDS.pae : arch.X86_32_BOUNDS.nonpae;
  if (virtKstart < virtBase) throw new ElfError(`${what}: the image starts at ${hex(virtKstart)}, below VIRT_BASE ${hex(virtBase)}`);
  if (virtKend > b.hypervisorVirtStart) throw new ElfError(`${what}: the image ends at ${hex(virtKend)}, inside the hypervisor range (from ${hex(b.hypervisorVirtStart)})`);
  if (entry < virtKstart || entry > virtKend) throw new ElfError(`${what}: entry point ${hex(entry)} lies outside the image [${hex(virtKstart)}, ${hex(virtKend)})`);
  if (info.hypercallPage !== undefined && (info.hypercallPage < virtKstart || info.hypercallPage >= virtKend)) {
    throw new ElfError(`${what}: HYPERCALL_PAGE ${hex(info.hypercallPage)} lies outside the image`);
  }
  const segments = loads.map((p) => ({ pseudoPhys: p.paddr + virtOffset - virtBase, data: elf.data.subarray(p.offset, p.offset + p.filesz), memsz: p.memsz }));
  return { elf, info, pae, extendedCr3, virtBase, paddrOffset, virtKstart, virtKend, entry, segments };
}

/** Several modules travel as one multiboot-style package (SIF_MULTIBOOT_MOD; xen.h). */
export function packModules(mods: PvModule[]): Uint8Array {
  const enc = new TextEncoder();
  const listSize = (mods.length + 1) * X.xen_multiboot_mod_list.size;
  const cmdlines = mods.map((m) => enc.encode(m.cmdline + "\0"));
  let p = listSize + cmdlines.reduce((n, c) => n + c.length, 0);
  const placed = mods.map((m) => { p = roundUp(p, PAGE); const at = p; p += m.data.length; return at; });
  const out = new Uint8Array(Math.max(p, 1));
  const dv = new DataView(out.buffer);
  const f = X.xen_multiboot_mod_list.fields;
  let c = listSize;
  mods.forEach((m, i) => {
    const e = i * X.xen_multiboot_mod_list.size;
    dv.setUint32(e + f.mod_start.offset, placed[i], true);
    dv.setUint32(e + f.mod_end.offset, placed[i] + m.data.length - 1, true);
    dv.setUint32(e + f.cmdline.offset, c, true);
    out.set(cmdlines[i], c);
    c += cmdlines[i].length;
    out.set(m.data, placed[i]);
  });
  return out;
}

// ---- building -----------------------------------------------------------------------------------------

export interface BuiltDomain {
  cpu: Cpu;
  domain: Domain;
  kernel: KernelImage;
  layout: PvLayout;
}

/** The core's largest RAM (host/core/cpu.ts). */
export const MAX_MACHINE_MB = 3072;

/** Machine memory in MiB: guest RAM plus whole MiB of hypervisor frames. */
export function machineMegabytes(memMB: number): number {
  for (let extra = 1; ; extra++) {
    const frames = (memMB + extra) * 256;
    if (Domain.fixedHvFrames() + Domain.m2pFramesFor(frames) <= extra * 256) return memMB + extra;
  }
}

/** Flat 4 GiB code/data descriptor (compat Xen's FLAT_* values). */
function flatDesc(dpl: number, code: boolean): [number, number] {
  return [0x0000ffff, (0x00cf9000 | (dpl << 13) | (code ? 0xb00 : 0x300)) >>> 0];
}

export function buildDomain(image: Uint8Array, opts: PvBuildOptions): BuiltDomain {
  const what = opts.what ?? "kernel";
  const k = readKernel(image, { expectPaging: opts.expectPaging, what });
  if (!Number.isInteger(opts.memMB) || opts.memMB < 4) throw new ElfError(`${what}: a PV guest needs at least 4 MiB (--mem ${opts.memMB})`);
  if (machineMegabytes(opts.memMB) > MAX_MACHINE_MB) throw new ElfError(`${what}: --mem ${opts.memMB} leaves no room for the hypervisor's frames (at most ${MAX_MACHINE_MB - machineMegabytes(0)} MiB for a PV guest)`);
  const nrPages = opts.memMB * 256;
  const mods = opts.modules ?? [];
  const module = mods.length === 0 ? undefined : mods.length === 1 ? mods[0].data : packModules(mods);
  const modStartPfn = (k.info.modStartPfn ?? 0) !== 0;
  const layout = computeLayout({
    pae: k.pae, virtBase: k.virtBase, virtKstart: k.virtKstart, virtKend: k.virtKend, nrPages,
    moduleLen: module?.length ?? 0, modStartPfn,
  });
  const hvStart = (k.pae ? arch.X86_32_BOUNDS.pae : arch.X86_32_BOUNDS.nonpae).hypervisorVirtStart;
  if (layout.virtPgtabEnd > hvStart) throw new ElfError(`${what}: the initial mapping would end at 0x${layout.virtPgtabEnd.toString(16)}, inside the hypervisor range`);
  const needPages = layout.mappedPages + layout.unmappedModulePages;
  if (needPages > nrPages) throw new ElfError(`${what}: the initial layout needs ${Math.ceil(needPages / 256)} MiB of guest memory; --mem gives ${opts.memMB} MiB`);

  const cpu = Cpu.create({ memMB: machineMegabytes(opts.memMB), wasmPath: opts.wasmPath, debug: opts.debug, jit: opts.jit });
  const dom = new Domain(cpu, { nrPages, pae: k.pae, xenDebug: opts.xenDebug, directGate: opts.directGate, onOutput: opts.onOutput, onLog: opts.onLog });
  if (k.extendedCr3) dom.vmAssist |= 1 << X.VMASST_TYPE_pae_extended_cr3;
  const mem = dom.mem;
  const ma = (pfn: number) => dom.p2m(pfn) * PAGE;

  // Image.
  for (const s of k.segments) {
    mem.set(s.data, s.pseudoPhys);
    mem.fill(0, s.pseudoPhys + s.data.length, s.pseudoPhys + s.memsz);
  }
  // Module(s).
  let modStart = 0, modLen = 0, flags = 0;
  if (module) {
    if (modStartPfn) {
      mem.set(module, ma(layout.unmappedModulePfn));
      modStart = layout.unmappedModulePfn; modLen = layout.unmappedModulePages * PAGE; flags |= X.SIF_MOD_START_PFN;
    } else {
      mem.set(module, ma(layout.modulePfn));
      modStart = layout.va(layout.modulePfn); modLen = module.length;
    }
    if (mods.length > 1) flags |= X.SIF_MULTIBOOT_MOD;
  }
  // P2M.
  for (let pfn = 0; pfn < nrPages; pfn++) dom.write32(ma(layout.p2mPfn) + pfn * 4, dom.p2m(pfn));

  // Page tables: top level, then L2s (PAE) in slot order, then L1s in address order.
  const vb = k.virtBase;
  const ptMa = (i: number) => ma(layout.ptPfn + i);
  const isPt = (pfn: number) => pfn >= layout.ptPfn && pfn < layout.ptPfn + layout.ptPages;
  const L1_RW = 0x23, L1_RO = 0x21, UPPER = 0x67;
  if (k.pae) {
    const firstSlot = Math.floor(vb / 2 ** 30);
    for (let s = firstSlot; s <= 3; s++) {
      const l2 = ptMa(1 + (s - firstSlot));
      dom.write32(ptMa(0) + s * 8, l2 | UPPER);
    }
    const l1Base = Math.floor(vb / (2 * MiB)) * 2 * MiB;
    for (let i = 0; i < layout.l1Pages; i++) {
      const va = l1Base + i * 2 * MiB;
      const l2 = ptMa(1 + (Math.floor(va / 2 ** 30) - firstSlot));
      dom.write32(l2 + ((va >>> 21) & 0x1ff) * 8, ptMa(1 + layout.l2Pages + i) | UPPER);
    }
    for (let pfn = 0; pfn < layout.mappedPages; pfn++) {
      const va = vb + pfn * PAGE;
      const l1 = ptMa(1 + layout.l2Pages + Math.floor((va - l1Base) / (2 * MiB)));
      dom.write32(l1 + ((va >>> 12) & 0x1ff) * 8, ma(pfn) | (isPt(pfn) ? L1_RO : L1_RW));
    }
  } else {
    const l1Base = Math.floor(vb / (4 * MiB)) * 4 * MiB;
    for (let i = 0; i < layout.l1Pages; i++) {
      const va = l1Base + i * 4 * MiB;
      dom.write32(ptMa(0) + (va >>> 22) * 4, ptMa(1 + i) | UPPER);
    }
    for (let pfn = 0; pfn < layout.mappedPages; pfn++) {
      const va = vb + pfn * PAGE;
      const l1 = ptMa(1 + Math.floor((va - l1Base) / (4 * MiB)));
      dom.write32(l1 + ((va >>> 12) & 0x3ff) * 4, ma(pfn) | (isPt(pfn) ? L1_RO : L1_RW));
    }
  }

  // start_info.
  const si = ma(layout.startInfoPfn);
  const S = X.start_info;
  const magic = new TextEncoder().encode(k.pae ? "xen-3.0-x86_32p" : "xen-3.0-x86_32");
  mem.set(magic, si + off(S, "magic"));
  dom.write32(si + off(S, "nr_pages"), nrPages);
  dom.write32(si + off(S, "shared_info"), dom.sharedInfoMa);
  dom.write32(si + off(S, "flags"), flags);
  dom.write32(si + off(S, "store_mfn"), dom.p2m(layout.xenstorePfn));
  dom.write32(si + off(S, "store_evtchn"), STORE_EVTCHN);
  dom.write32(si + off(S, "console.domU.mfn"), dom.p2m(layout.consolePfn));
  dom.write32(si + off(S, "console.domU.evtchn"), CONSOLE_EVTCHN);
  dom.write32(si + off(S, "pt_base"), layout.va(layout.ptPfn));
  dom.write32(si + off(S, "nr_pt_frames"), layout.ptPages);
  dom.write32(si + off(S, "mfn_list"), layout.va(layout.p2mPfn));
  dom.write32(si + off(S, "mod_start"), modStart);
  dom.write32(si + off(S, "mod_len"), modLen);
  const cmd = new TextEncoder().encode(opts.cmdline ?? "").subarray(0, X.MAX_GUEST_CMDLINE - 1);
  mem.set(cmd, si + off(S, "cmd_line"));

  // Hypercall page.
  if (k.info.hypercallPage !== undefined) {
    const pfn = Math.floor((k.info.hypercallPage - vb) / PAGE);
    mem.set(buildPvHypercallPage(), ma(pfn));
  }

  // shared_info: zero, every vcpu_info masked (3.7).
  mem.fill(0, dom.sharedInfoMa, dom.sharedInfoMa + PAGE);
  for (let i = 0; i < arch.XEN_LEGACY_MAX_VCPUS; i++) {
    mem[dom.sharedInfoMa + i * X.vcpu_info.size + off(X.vcpu_info, "evtchn_upcall_mask")] = 1;
  }

  // Machine GDT (Xen's reserved entries) and TSS.
  mem.fill(0, dom.gdtMa, dom.gdtMa + (GDT_FRAMES + 1) * PAGE);
  dom.setGdtEntry(GDT_ENTRY.xenCs, 0x0000ffff, 0x00af9b00);
  dom.setGdtEntry(GDT_ENTRY.xenDs, 0x0000ffff, 0x00cf9300);
  dom.setGdtEntry(GDT_ENTRY.ring1Cs, ...flatDesc(1, true));
  dom.setGdtEntry(GDT_ENTRY.ring1Ds, ...flatDesc(1, false));
  dom.setGdtEntry(GDT_ENTRY.ring3Cs, ...flatDesc(3, true));
  dom.setGdtEntry(GDT_ENTRY.ring3Ds, ...flatDesc(3, false));
  const tssVirt = HV_LAYOUT.gdtVirt + GDT_FRAMES * PAGE;
  const tssLimit = TSS.SIZE - 1;
  dom.setGdtEntry(GDT_ENTRY.tss, ((tssVirt & 0xffff) << 16) | tssLimit,
    ((tssVirt & 0xff000000) | 0x8900 | ((tssVirt >>> 16) & 0xff)) >>> 0);
  // The LDT slot stays not-present until MMUEXT_SET_LDT (GDT_ENTRY.ldt). TODO(page tables).
  dom.dv.setUint16(dom.tssMa + TSS.IOMAP, TSS.SIZE, true); // no I/O bitmap: every port access #GPs

  // Hypervisor range: M2P (read-only to the kernel) and the GDT + TSS (implicit accesses only).
  dom.setWindow(HVW_SLOT.m2p, dom.m2pVirtStart, dom.m2pWindowBytes, dom.m2pMfn * PAGE, L.HVW_READ);
  dom.setWindow(HVW_SLOT.gdt, HV_LAYOUT.gdtVirt, (GDT_FRAMES + 1) * PAGE, dom.gdtMa, L.HVW_SYSTEM);
  cpu.setState32(L.S.HV_START, hvStart);

  // Initial vCPU state (spec 3.4).
  const v = dom.vcpu;
  const cr4 = (k.pae ? 0x20 : 0) | 0x200; // PAE, OSFXSR (the core has FXSAVE)
  v.virtualCr4 = cr4;
  v.virtualCr0 = 0x80050033;
  cpu.setState32(L.S.CR0, 0x80050033);
  cpu.setState32(L.S.CR4, cr4);
  cpu.setState32(L.S.CR3, ptMa(0));
  cpu.setState32(L.S.EFER, k.pae ? 1 << 11 : 0); // NXE: NX is usable by PAE guests
  cpu.setState32(L.S.GDTR_BASE, HV_LAYOUT.gdtVirt);
  cpu.setState32(L.S.GDTR_LIMIT, 0xffff);
  cpu.setState32(L.S.IDTR_BASE, 0);
  cpu.setState32(L.S.IDTR_LIMIT, 0);
  cpu.core.refresh();
  const load = (sr: number, sel: number) => {
    const r = cpu.core.loadSelector(sr, sel);
    if (r !== 0) throw new Error(`domain builder: loading selector 0x${sel.toString(16)} into segment ${sr} faulted (vector ${(r >> 16) & 0xff}, error 0x${(r & 0xffff).toString(16)})`);
  };
  load(L.SEG_CS, arch.FLAT_KERNEL_CS);
  for (const sr of [L.SEG_SS, L.SEG_DS, L.SEG_ES, L.SEG_FS, L.SEG_GS]) load(sr, arch.FLAT_KERNEL_DS);
  load(L.SEG_LDTR, 0);
  load(L.SEG_TR, TSS_SELECTOR);
  cpu.eip = k.entry;
  cpu.eflags = 0x202;
  for (const r of ["eax", "ebx", "ecx", "edx", "edi", "ebp"] as const) cpu.setReg(r, 0);
  cpu.setReg("esi", layout.va(layout.startInfoPfn));
  cpu.setReg("esp", layout.va(layout.stackPfn + 1));
  v.kernelSs = arch.FLAT_KERNEL_SS;
  v.kernelSp = layout.va(layout.stackPfn + 1);
  dom.syncTssStack();
  cpu.core.flushTlb(0);
  return { cpu, domain: dom, kernel: k, layout };
}

/** Event-channel ports the toolstack gives xenstore and the console (spec 3.8). */
export const STORE_EVTCHN = 1, CONSOLE_EVTCHN = 2;
