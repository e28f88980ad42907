/**
 * Xen guest-kernel metadata: the "Xen" ELF notes (xen/elfnote.h) and the legacy `__xen_guest`
 * section string, decoded into one typed XenGuestInfo.
 *
 * Where notes are looked for (the order Xen's loader uses): PT_NOTE segments with a non-zero
 * p_offset; if they hold no "Xen" note, SHT_NOTE sections; if still none, a section named
 * `__xen_guest`. Notes win over `__xen_guest` when both exist.
 *
 * Every note type is decoded through NOTE_TABLE (indexed by type): integers are 1, 2, 4 or 8
 * bytes little-endian; strings are NUL-terminated; SUPPORTED_FEATURES is an array of u32 bitmap
 * words; L1_MFN_VALID an array of (mask, value) pairs. Malformed payloads raise ElfError, except
 * one real-world quirk: Debian's grub-i386-xen.bin declares descsz 12 for its PAE_MODE note but the
 * file ends after "yes\0"; a *string* note whose declared size overruns its container is accepted
 * (with a warning) when its NUL terminator lies inside the file, as Xen's bounded string reader does.
 */
import { Elf32, ElfError, PT_NOTE, SHT_NOTE } from "./elf32.ts";
import * as N from "../xen/abi/elfnote.ts";
import { XENFEAT_BY_NAME } from "../xen/abi/features.ts";

export type NoteKind = "int" | "string" | "u32-array" | "l1-mfn-valid" | "ignored";

export interface NoteSpec { readonly name: string; readonly kind: NoteKind }

/** Every XEN_ELFNOTE_* type of elfnote.h, indexed by type number. */
export const NOTE_TABLE: Readonly<Record<number, NoteSpec>> = {
  [N.XEN_ELFNOTE_INFO]: { name: "INFO", kind: "string" },
  [N.XEN_ELFNOTE_ENTRY]: { name: "ENTRY", kind: "int" },
  [N.XEN_ELFNOTE_HYPERCALL_PAGE]: { name: "HYPERCALL_PAGE", kind: "int" },
  [N.XEN_ELFNOTE_VIRT_BASE]: { name: "VIRT_BASE", kind: "int" },
  [N.XEN_ELFNOTE_PADDR_OFFSET]: { name: "PADDR_OFFSET", kind: "int" },
  [N.XEN_ELFNOTE_XEN_VERSION]: { name: "XEN_VERSION", kind: "string" },
  [N.XEN_ELFNOTE_GUEST_OS]: { name: "GUEST_OS", kind: "string" },
  [N.XEN_ELFNOTE_GUEST_VERSION]: { name: "GUEST_VERSION", kind: "string" },
  [N.XEN_ELFNOTE_LOADER]: { name: "LOADER", kind: "string" },
  [N.XEN_ELFNOTE_PAE_MODE]: { name: "PAE_MODE", kind: "string" },
  [N.XEN_ELFNOTE_FEATURES]: { name: "FEATURES", kind: "string" },
  [N.XEN_ELFNOTE_BSD_SYMTAB]: { name: "BSD_SYMTAB", kind: "string" },
  [N.XEN_ELFNOTE_HV_START_LOW]: { name: "HV_START_LOW", kind: "int" },
  [N.XEN_ELFNOTE_L1_MFN_VALID]: { name: "L1_MFN_VALID", kind: "l1-mfn-valid" },
  [N.XEN_ELFNOTE_SUSPEND_CANCEL]: { name: "SUSPEND_CANCEL", kind: "int" },
  [N.XEN_ELFNOTE_INIT_P2M]: { name: "INIT_P2M", kind: "int" },
  [N.XEN_ELFNOTE_MOD_START_PFN]: { name: "MOD_START_PFN", kind: "int" },
  [N.XEN_ELFNOTE_SUPPORTED_FEATURES]: { name: "SUPPORTED_FEATURES", kind: "u32-array" },
  [N.XEN_ELFNOTE_PHYS32_ENTRY]: { name: "PHYS32_ENTRY", kind: "int" },
  [N.XEN_ELFNOTE_CRASH_INFO]: { name: "CRASH_INFO", kind: "ignored" },
  [N.XEN_ELFNOTE_CRASH_REGS]: { name: "CRASH_REGS", kind: "ignored" },
  [N.XEN_ELFNOTE_DUMPCORE_NONE]: { name: "DUMPCORE_NONE", kind: "ignored" },
  [N.XEN_ELFNOTE_DUMPCORE_HEADER]: { name: "DUMPCORE_HEADER", kind: "ignored" },
  [N.XEN_ELFNOTE_DUMPCORE_XEN_VERSION]: { name: "DUMPCORE_XEN_VERSION", kind: "ignored" },
  [N.XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION]: { name: "DUMPCORE_FORMAT_VERSION", kind: "ignored" },
};

/** Bounds that keep a hostile file from costing much. */
export const MAX_NOTES = 1024;
export const MAX_STRING_NOTE = 4096;
export const MAX_ARRAY_NOTE = 256;

export type PaeMode = "yes" | "no" | "bimodal" | "yes[extended-cr3]";

export interface XenFeatureRequest {
  /** The name as written (without "!"). */
  name: string;
  required: boolean;
  /** XENFEAT_* bit when the name is one features.h defines; undefined for unknown names (kept). */
  bit?: number;
}

export interface XenGuestInfo {
  /** Where the data came from. */
  source: "notes" | "__xen_guest";
  /** The legacy string verbatim when source is "__xen_guest". */
  legacyString?: string;
  /** Virtual entry point (XEN_ELFNOTE_ENTRY / VIRT_ENTRY); undefined = use e_entry. */
  entry?: number;
  /** Virtual address of the hypercall page (legacy: (page << 12) + VIRT_BASE). */
  hypercallPage?: number;
  virtBase?: number;
  paddrOffset?: number;
  loader?: string;
  guestOs?: string;
  guestVersion?: string;
  xenVersion?: string;
  /** Normalised PAE mode; absent note = "no" (2-level). */
  paeMode: PaeMode;
  /** The PAE string verbatim (note 9 or legacy PAE=). */
  paeModeRaw?: string;
  /** FEATURES string verbatim and parsed ("|"-separated, "!" = required); unknown names kept. */
  featuresRaw?: string;
  features: XenFeatureRequest[];
  /** SUPPORTED_FEATURES note: bitmap words (word i covers XENFEAT bits 32i..32i+31). */
  supportedFeatures?: number[];
  /** Submap 0 the kernel declares supported: named features (supported or required) | the bitmap note. */
  supportedFeatureMask: number;
  /** Submap 0 of features marked required with "!". */
  requiredFeatureMask: number;
  initP2m?: number;
  hvStartLow?: number;
  /** BSD_SYMTAB: true when the note says "yes" (legacy: key present). */
  bsdSymtab?: boolean;
  suspendCancel?: number;
  modStartPfn?: number;
  /** PVH 32-bit physical entry point (XEN_ELFNOTE_PHYS32_ENTRY). */
  physEntry?: number;
  /** L1_MFN_VALID (mask, value) pairs. */
  l1MfnValid?: { mask: bigint; value: bigint }[];
  /** INFO strings, in order. */
  info: string[];
  /** Notes of types elfnote.h does not define (type, payload size). */
  unknownNotes: { type: number; size: number }[];
  /** Every Xen note seen, by type (last one wins, as in Xen). */
  raw: Map<number, Uint8Array>;
  /** Non-fatal findings (quirks, duplicates, PAE mismatch). */
  warnings: string[];
  /** Set when opts.expectPae was given and disagrees with the kernel (reported, not decided). */
  paeMismatch?: string;
}

export interface XenNoteOptions {
  /** Label for messages (default "kernel"). */
  what?: string;
  /**
   * Feature names the hypervisor supports. When given, every "!name" the kernel marks required
   * must be in it, else ElfError "kernel requires feature X which ringone does not support".
   */
  supportedFeatures?: Iterable<string>;
  /** What the caller is prepared to build (true = PAE, false = 2-level); a mismatch is reported in paeMismatch. */
  expectPae?: boolean;
  /**
   * Load as PVH: as in Xen, an image with PHYS32_ENTRY then needs no LOADER / XEN_VERSION
   * checks (they apply to classic PV only); PHYS32_ENTRY becomes mandatory.
   */
  pvh?: boolean;
}

interface RawNote { type: number; desc: Uint8Array; where: string; truncated: boolean; /** File offset just past the declared payload. */ descEnd: number }

/** Walk the note records in [off, off+size) of the file; `label` names the container in errors. */
function walkNotes(elf: Elf32, off: number, size: number, label: string, what: string, out: RawNote[], counter: { n: number }): void {
  const data = elf.data;
  const end = off + size;
  let p = off;
  while (p + 12 <= end) {
    if (++counter.n > MAX_NOTES) throw new ElfError(`${what}: more than ${MAX_NOTES} ELF notes; refusing the file`);
    const namesz = elf.u32(p), descsz = elf.u32(p + 4), type = elf.u32(p + 8);
    const nameOff = p + 12;
    const descOff = nameOff + ((namesz + 3) & ~3);
    if (namesz > size || nameOff + namesz > end) throw new ElfError(`${what}: note at offset 0x${p.toString(16)} in ${label} has a name (namesz ${namesz}) that overruns it`);
    const name = elf.cstr(nameOff, nameOff + namesz);
    const next = descOff + ((descsz + 3) & ~3);
    const where = `${label}, offset 0x${p.toString(16)}`;
    if (descOff + descsz > end || descsz > data.length) {
      if (name !== "Xen") throw new ElfError(`${what}: "${name}" note at ${where} has a payload (descsz ${descsz}) that overruns its container`);
      // Keep what the file actually holds; decoding decides whether that is acceptable.
      const avail = Math.max(0, Math.min(descOff + descsz, data.length) - descOff);
      out.push({ type, desc: data.subarray(descOff, descOff + avail), where, truncated: true, descEnd: descOff + avail });
      return;
    }
    if (name === "Xen") out.push({ type, desc: data.subarray(descOff, descOff + descsz), where, truncated: false, descEnd: descOff + descsz });
    p = next;
  }
}

function collectXenNotes(elf: Elf32, what: string): RawNote[] {
  const counter = { n: 0 };
  const out: RawNote[] = [];
  elf.phdrs.forEach((ph, i) => {
    if (ph.type === PT_NOTE && ph.offset !== 0) walkNotes(elf, ph.offset, ph.filesz, `PT_NOTE segment ${i}`, what, out, counter);
  });
  if (out.length) return out;
  for (const s of elf.shdrs) {
    if (s.type === SHT_NOTE) walkNotes(elf, s.offset, s.size, `SHT_NOTE section "${s.name}"`, what, out, counter);
  }
  return out;
}

function hex(n: number | bigint): string { return "0x" + n.toString(16); }

function decodeInt(n: RawNote, spec: NoteSpec, what: string): number {
  const d = n.desc;
  if (n.truncated) throw new ElfError(`${what}: Xen note ${spec.name} at ${n.where} is truncated (${d.length} bytes present)`);
  const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
  switch (d.length) {
    case 1: return d[0];
    case 2: return dv.getUint16(0, true);
    case 4: return dv.getUint32(0, true);
    case 8: {
      const v = dv.getBigUint64(0, true);
      if (v > 0xffffffffn) throw new ElfError(`${what}: Xen note ${spec.name} at ${n.where} holds ${hex(v)}, which does not fit a 32-bit guest`);
      return Number(v);
    }
    default:
      throw new ElfError(`${what}: Xen note ${spec.name} at ${n.where} has a ${d.length}-byte payload; an integer note must be 1, 2, 4 or 8 bytes`);
  }
}

function decodeString(n: RawNote, spec: NoteSpec, elf: Elf32, what: string, warnings: string[]): string {
  const d = n.desc;
  if (d.length > MAX_STRING_NOTE) throw new ElfError(`${what}: Xen note ${spec.name} at ${n.where} is oversized (${d.length} bytes; limit ${MAX_STRING_NOTE})`);
  let len = d.indexOf(0);
  if (len < 0) {
    if (n.truncated) throw new ElfError(`${what}: Xen note ${spec.name} at ${n.where} is truncated (its payload runs past the end of the file)`);
    // Xen reads a C string, so a payload that fills descsz exactly is accepted when the byte
    // after it (alignment padding) is NUL: Linux emits FEATURES with .ascii, not .asciz.
    if (n.descEnd < elf.data.length && elf.data[n.descEnd] === 0) {
      warnings.push(`Xen note ${spec.name} at ${n.where} is not NUL-terminated within descsz; the padding byte after it terminates it`);
      len = d.length;
    } else {
      throw new ElfError(`${what}: Xen note ${spec.name} at ${n.where} is not NUL-terminated`);
    }
  } else if (n.truncated) {
    warnings.push(`Xen note ${spec.name} at ${n.where} declares more bytes than its container holds; using the NUL-terminated string that is present`);
  }
  let s = "";
  for (let i = 0; i < len; i++) s += String.fromCharCode(d[i]);
  return s;
}

/** Parse a FEATURES string ("a|!b|c") into requests; unknown names are kept with bit undefined. */
export function parseFeatures(str: string): XenFeatureRequest[] {
  const out: XenFeatureRequest[] = [];
  for (const item of str.split("|")) {
    const t = item.trim();
    if (!t) continue;
    const required = t.startsWith("!");
    const name = required ? t.slice(1) : t;
    const bit = Object.prototype.hasOwnProperty.call(XENFEAT_BY_NAME, name) ? XENFEAT_BY_NAME[name] : undefined;
    out.push({ name, required, ...(bit !== undefined ? { bit } : {}) });
  }
  return out;
}

function normalisePae(raw: string | undefined, legacy: boolean): PaeMode {
  if (raw === undefined) return "no";
  if (raw === "yes[extended-cr3]") return "yes[extended-cr3]";
  if (!legacy && raw.includes("bimodal")) return "bimodal";
  if (legacy ? raw.startsWith("yes") : raw === "yes") return "yes";
  return "no";
}

/** C strtoull(s, NULL, 0) for the legacy string: 0x hex, leading 0 octal, else decimal; stops at junk. */
function strtoul0(s: string): number {
  const t = s.trim();
  const m = /^0[xX]([0-9a-fA-F]+)/.exec(t) ?? /^(0[0-7]*)/.exec(t) ?? /^([0-9]+)/.exec(t);
  if (!m) return 0;
  const v = t.startsWith("0x") || t.startsWith("0X") ? BigInt("0x" + m[1]) : m[1].startsWith("0") ? BigInt("0o" + (m[1].slice(1) || "0")) : BigInt(m[1]);
  return Number(BigInt.asUintN(32, v));
}

function emptyInfo(source: XenGuestInfo["source"]): XenGuestInfo {
  return { source, paeMode: "no", features: [], supportedFeatureMask: 0, requiredFeatureMask: 0, info: [], unknownNotes: [], raw: new Map(), warnings: [] };
}

/** Parse the legacy `__xen_guest` string ("KEY=VALUE,KEY=VALUE,FLAG,..."). */
export function parseLegacyXenGuest(str: string): XenGuestInfo {
  const g = emptyInfo("__xen_guest");
  g.legacyString = str;
  let hypercallPfn: number | undefined;
  for (const item of str.split(",")) {
    if (!item) continue;
    const eq = item.indexOf("=");
    // Xen truncates keys to 31 and values to 127 characters.
    const key = (eq < 0 ? item : item.slice(0, eq)).slice(0, 31);
    const value = eq < 0 ? "" : item.slice(eq + 1).slice(0, 127);
    switch (key) {
      case "GUEST_OS": g.guestOs = value; break;
      case "GUEST_VER": g.guestVersion = value; break;
      case "XEN_VER": g.xenVersion = value; break;
      case "LOADER": g.loader = value; break;
      case "VIRT_BASE": g.virtBase = strtoul0(value); break;
      case "ELF_PADDR_OFFSET": g.paddrOffset = strtoul0(value); break;
      case "VIRT_ENTRY": g.entry = strtoul0(value); break;
      case "HYPERCALL_PAGE": hypercallPfn = strtoul0(value); break;
      case "FEATURES": g.featuresRaw = value; g.features = parseFeatures(value); break;
      case "PAE": g.paeModeRaw = value; break;
      case "BSD_SYMTAB": g.bsdSymtab = true; break;
      default: if (key !== "PT_MODE_WRITABLE") g.warnings.push(`__xen_guest: unknown key "${key}" ignored`);
    }
  }
  g.paeMode = normalisePae(g.paeModeRaw, true);
  // HYPERCALL_PAGE is a page number; Xen adds VIRT_BASE when that is set.
  if (hypercallPfn !== undefined) g.hypercallPage = ((hypercallPfn * 4096) + (g.virtBase ?? 0)) >>> 0;
  return g;
}

function applyNotes(notes: RawNote[], elf: Elf32, what: string): XenGuestInfo {
  const g = emptyInfo("notes");
  for (const n of notes) {
    const spec = NOTE_TABLE[n.type];
    if (!spec) { g.unknownNotes.push({ type: n.type, size: n.desc.length }); continue; }
    if (spec.kind === "ignored") continue;
    if (g.raw.has(n.type) && n.type !== N.XEN_ELFNOTE_INFO) g.warnings.push(`Xen note ${spec.name} appears more than once; the last one wins`);
    g.raw.set(n.type, n.desc);
    switch (spec.kind) {
      case "int": {
        const v = decodeInt(n, spec, what);
        switch (n.type) {
          case N.XEN_ELFNOTE_ENTRY: g.entry = v; break;
          case N.XEN_ELFNOTE_HYPERCALL_PAGE: g.hypercallPage = v; break;
          case N.XEN_ELFNOTE_VIRT_BASE: g.virtBase = v; break;
          case N.XEN_ELFNOTE_PADDR_OFFSET: g.paddrOffset = v; break;
          case N.XEN_ELFNOTE_HV_START_LOW: g.hvStartLow = v; break;
          case N.XEN_ELFNOTE_SUSPEND_CANCEL: g.suspendCancel = v; break;
          case N.XEN_ELFNOTE_INIT_P2M: g.initP2m = v; break;
          case N.XEN_ELFNOTE_MOD_START_PFN: g.modStartPfn = v; break;
          case N.XEN_ELFNOTE_PHYS32_ENTRY: g.physEntry = v; break;
        }
        break;
      }
      case "string": {
        const s = decodeString(n, spec, elf, what, g.warnings);
        switch (n.type) {
          case N.XEN_ELFNOTE_INFO: g.info.push(s); break;
          case N.XEN_ELFNOTE_XEN_VERSION: g.xenVersion = s; break;
          case N.XEN_ELFNOTE_GUEST_OS: g.guestOs = s; break;
          case N.XEN_ELFNOTE_GUEST_VERSION: g.guestVersion = s; break;
          case N.XEN_ELFNOTE_LOADER: g.loader = s; break;
          case N.XEN_ELFNOTE_PAE_MODE: g.paeModeRaw = s; break;
          case N.XEN_ELFNOTE_FEATURES: g.featuresRaw = s; g.features = parseFeatures(s); break;
          case N.XEN_ELFNOTE_BSD_SYMTAB: g.bsdSymtab = s === "yes"; break;
        }
        break;
      }
      case "u32-array": {
        const d = n.desc;
        if (n.truncated) throw new ElfError(`${what}: Xen note ${spec.name} at ${n.where} is truncated`);
        if (d.length % 4 !== 0 || d.length === 0) throw new ElfError(`${what}: Xen note ${spec.name} at ${n.where} has a ${d.length}-byte payload; expected whole 32-bit words`);
        if (d.length / 4 > MAX_ARRAY_NOTE) throw new ElfError(`${what}: Xen note ${spec.name} at ${n.where} is oversized (${d.length} bytes)`);
        const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
        g.supportedFeatures = Array.from({ length: d.length / 4 }, (_, i) => dv.getUint32(i * 4, true));
        break;
      }
      case "l1-mfn-valid": {
        const d = n.desc;
        if (n.truncated) throw new ElfError(`${what}: Xen note ${spec.name} at ${n.where} is truncated`);
        // (mask, value) pairs of maddr-sized words: 8 bytes each for PAE/compat, 4 for 2-level.
        const w = d.length % 16 === 0 ? 8 : d.length % 8 === 0 ? 4 : 0;
        if (!w || d.length === 0) throw new ElfError(`${what}: Xen note ${spec.name} at ${n.where} has a ${d.length}-byte payload; expected (mask, value) pairs`);
        if (d.length / (2 * w) > MAX_ARRAY_NOTE) throw new ElfError(`${what}: Xen note ${spec.name} at ${n.where} is oversized (${d.length} bytes)`);
        const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
        const rd = (o: number) => (w === 8 ? dv.getBigUint64(o, true) : BigInt(dv.getUint32(o, true)));
        g.l1MfnValid = [];
        for (let o = 0; o < d.length; o += 2 * w) g.l1MfnValid.push({ mask: rd(o), value: rd(o + w) });
        break;
      }
    }
  }
  g.paeMode = normalisePae(g.paeModeRaw, false);
  return g;
}

/**
 * Read and validate a PV kernel's Xen metadata. Throws ElfError when the file is not a Xen PV
 * kernel, a note is malformed, the loader/version checks Xen applies fail, or a required feature
 * is not in opts.supportedFeatures.
 */
export function readXenGuestInfo(elf: Elf32, opts: XenNoteOptions = {}): XenGuestInfo {
  const what = opts.what ?? "kernel";
  const notes = collectXenNotes(elf, what);
  const legacySec = elf.section("__xen_guest");
  let g: XenGuestInfo;
  if (notes.length) {
    g = applyNotes(notes, elf, what);
    if (legacySec) g.warnings.push("both Xen ELF notes and a __xen_guest section are present; the notes are used");
  } else if (legacySec) {
    if (legacySec.type === 8 /* NOBITS */ || legacySec.size === 0) throw new ElfError(`${what}: the __xen_guest section is empty`);
    if (legacySec.size > MAX_STRING_NOTE) throw new ElfError(`${what}: the __xen_guest section is oversized (${legacySec.size} bytes)`);
    g = parseLegacyXenGuest(elf.cstr(legacySec.offset, legacySec.offset + legacySec.size));
  } else {
    throw new ElfError(`${what}: not a Xen PV kernel (no "Xen" ELF notes and no __xen_guest section)`);
  }

  // Feature bitmaps (submap 0).
  for (const f of g.features) {
    if (f.bit === undefined || f.bit >= 32) continue;
    g.supportedFeatureMask |= 1 << f.bit;
    if (f.required) g.requiredFeatureMask |= 1 << f.bit;
  }
  if (g.supportedFeatures?.length) g.supportedFeatureMask |= g.supportedFeatures[0];
  g.supportedFeatureMask >>>= 0;
  g.requiredFeatureMask >>>= 0;

  // The checks Xen's loader applies to PV images.
  const isPvhOnly = g.physEntry !== undefined && g.entry === undefined && g.hypercallPage === undefined;
  if (opts.pvh) {
    if (g.physEntry === undefined) throw new ElfError(`${what}: not a PVH kernel (no XEN_ELFNOTE_PHYS32_ENTRY note)`);
  } else if (!(g.loader ?? "").startsWith("generic") && !(g.guestOs ?? "").startsWith("linux")) {
    throw new ElfError(`${what}: LOADER is ${g.loader === undefined ? "missing" : `"${g.loader}"`}, not "generic" (only generic-loader and Linux images can be loaded)`);
  }
  if (!opts.pvh && !(g.xenVersion ?? "").startsWith("xen-3.0")) {
    throw new ElfError(`${what}: XEN_VERSION is ${g.xenVersion === undefined ? "missing" : `"${g.xenVersion}"`}; only images built for "xen-3.0" can be loaded`);
  }
  if (!opts.pvh && g.paddrOffset !== undefined && g.virtBase === undefined) {
    throw new ElfError(`${what}: PADDR_OFFSET is set but VIRT_BASE is not`);
  }
  if (opts.supportedFeatures !== undefined) {
    const ok = new Set(opts.supportedFeatures);
    for (const f of g.features) {
      if (f.required && !ok.has(f.name)) throw new ElfError(`${what}: kernel requires feature ${f.name} which ringone does not support`);
    }
  }
  if (isPvhOnly && !opts.pvh) g.warnings.push("kernel has PHYS32_ENTRY but no ENTRY or HYPERCALL_PAGE note: it boots as PVH, not as a classic PV guest");
  if (opts.expectPae !== undefined) {
    const kernelPae = g.paeMode !== "no";
    const flexible = g.paeMode === "bimodal";
    if (!flexible && kernelPae !== opts.expectPae) {
      g.paeMismatch = kernelPae
        ? `kernel is PAE (PAE_MODE "${g.paeModeRaw}") but a 2-level (non-PAE) guest was expected`
        : `kernel is 2-level non-PAE (PAE_MODE ${g.paeModeRaw === undefined ? "absent" : `"${g.paeModeRaw}"`}) but a PAE guest was expected`;
      g.warnings.push(g.paeMismatch);
    }
  }
  return g;
}

/** One-line human summary (for CLI output and test reports). */
export function describeXenGuest(g: XenGuestInfo): string {
  const h = (v: number | undefined) => (v === undefined ? "-" : hex(v));
  const feats = g.features.map((f) => (f.required ? "!" : "") + f.name).join("|") || "-";
  return [
    `source=${g.source}`, `guest_os=${g.guestOs ?? "-"}`, `guest_version=${g.guestVersion ?? "-"}`, `xen_version=${g.xenVersion ?? "-"}`,
    `loader=${g.loader ?? "-"}`, `pae=${g.paeMode}${g.paeModeRaw !== undefined ? ` ("${g.paeModeRaw}")` : ""}`, `virt_base=${h(g.virtBase)}`,
    `paddr_offset=${h(g.paddrOffset)}`, `entry=${h(g.entry)}`, `hypercall_page=${h(g.hypercallPage)}`, `features=${feats}`,
    `supported_features=${g.supportedFeatures ? g.supportedFeatures.map(hex).join(",") : "-"}`, `hv_start_low=${h(g.hvStartLow)}`,
    `phys32_entry=${h(g.physEntry)}`, `mod_start_pfn=${h(g.modStartPfn)}`, `suspend_cancel=${h(g.suspendCancel)}`,
  ].join(" ");
}
