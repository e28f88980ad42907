/**
 * host/elf/xen-notes.ts: hand-built ELF files (notes in PT_NOTE, in SHT_NOTE, legacy __xen_guest)
 * with the error cases, plus the real guests fetched by tests/xen/fetch-guests.sh when present.
 */
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Elf32, ElfError } from "../../host/elf/elf32.ts";
import { describeXenGuest, NOTE_TABLE, parseFeatures, parseLegacyXenGuest, readXenGuestInfo } from "../../host/elf/xen-notes.ts";
import * as N from "../../host/xen/abi/elfnote.ts";

// ---- A tiny ELF32 writer ---------------------------------------------------------------------------

type Desc = string | number | bigint | Uint8Array;

function descBytes(d: Desc): Uint8Array {
  if (d instanceof Uint8Array) return d;
  if (typeof d === "string") return new Uint8Array([...Buffer.from(d, "latin1"), 0]);
  if (typeof d === "bigint") { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, d, true); return b; }
  const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, d >>> 0, true); return b;
}

/** One note record; `descsz` overrides the declared payload size (for malformed cases). */
function note(type: number, d: Desc, opts: { name?: string; descsz?: number } = {}): Uint8Array {
  const name = Buffer.from((opts.name ?? "Xen") + "\0", "latin1");
  const desc = descBytes(d);
  const pad = (n: number) => (n + 3) & ~3;
  const out = new Uint8Array(12 + pad(name.length) + pad(desc.length));
  const dv = new DataView(out.buffer);
  dv.setUint32(0, name.length, true);
  dv.setUint32(4, opts.descsz ?? desc.length, true);
  dv.setUint32(8, type, true);
  out.set(name, 12);
  out.set(desc, 12 + pad(name.length));
  return out;
}

const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
};

interface ElfSpec {
  segNotes?: Uint8Array; // PT_NOTE payload
  secNotes?: Uint8Array; // SHT_NOTE section ".note.Xen" payload
  xenGuest?: string; // __xen_guest section (NUL added)
  entry?: number;
  /** Make the file end right after the PT_NOTE payload (for truncation cases). */
  notesLast?: boolean;
}

function buildElf(s: ElfSpec): Uint8Array {
  const code = new Uint8Array(16).fill(0x90);
  const blobs: { name: string; type: number; data: Uint8Array }[] = [{ name: ".text", type: 1, data: code }];
  if (s.secNotes) blobs.push({ name: ".note.Xen", type: 7, data: s.secNotes });
  if (s.xenGuest !== undefined) blobs.push({ name: "__xen_guest", type: 1, data: new Uint8Array([...Buffer.from(s.xenGuest, "latin1"), 0]) });
  const names = ["", ...blobs.map((b) => b.name), ".shstrtab"];
  const shstr = Buffer.from(names.join("\0") + "\0", "latin1");
  const phnum = 1 + (s.segNotes ? 1 : 0);
  let off = 52 + phnum * 32;
  const align = () => { off = (off + 3) & ~3; };
  const placed = blobs.map((b) => { align(); const o = off; off += b.data.length; return { ...b, off: o }; });
  align(); const strOff = off; off += shstr.length;
  align(); const shoff = off; const shnum = names.length; off += shnum * 40;
  let noteOff = 0;
  if (s.segNotes) { align(); noteOff = off; off += s.segNotes.length; }
  const f = new Uint8Array(off);
  const dv = new DataView(f.buffer);
  f.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  dv.setUint16(16, 2, true); dv.setUint16(18, 3, true); dv.setUint32(20, 1, true);
  dv.setUint32(24, s.entry ?? 0xc0100000, true);
  dv.setUint32(28, 52, true); dv.setUint32(32, shoff, true);
  dv.setUint16(40, 52, true); dv.setUint16(42, 32, true); dv.setUint16(44, phnum, true);
  dv.setUint16(46, 40, true); dv.setUint16(48, shnum, true); dv.setUint16(50, shnum - 1, true);
  // PT_LOAD for .text
  let ph = 52;
  const text = placed[0];
  dv.setUint32(ph, 1, true); dv.setUint32(ph + 4, text.off, true); dv.setUint32(ph + 8, 0xc0100000, true); dv.setUint32(ph + 12, 0x00100000, true);
  dv.setUint32(ph + 16, code.length, true); dv.setUint32(ph + 20, 0x1000, true); dv.setUint32(ph + 24, 5, true); dv.setUint32(ph + 28, 0x1000, true);
  if (s.segNotes) {
    ph += 32;
    dv.setUint32(ph, 4, true); dv.setUint32(ph + 4, noteOff, true); dv.setUint32(ph + 16, s.segNotes.length, true); dv.setUint32(ph + 28, 4, true);
    f.set(s.segNotes, noteOff);
  }
  for (const b of placed) f.set(b.data, b.off);
  f.set(shstr, strOff);
  let nameOff = 1;
  placed.forEach((b, i) => {
    const o = shoff + (i + 1) * 40;
    dv.setUint32(o, nameOff, true); dv.setUint32(o + 4, b.type, true); dv.setUint32(o + 16, b.off, true); dv.setUint32(o + 20, b.data.length, true);
    nameOff += b.name.length + 1;
  });
  const so = shoff + (shnum - 1) * 40;
  dv.setUint32(so, nameOff, true); dv.setUint32(so + 4, 3, true); dv.setUint32(so + 16, strOff, true); dv.setUint32(so + 20, shstr.length, true);
  return f;
}

const elfOf = (s: ElfSpec) => new Elf32(buildElf(s));

/** The notes a modern 32-bit PV Linux-style kernel carries. */
const linuxNotes = () => cat(
  note(N.XEN_ELFNOTE_GUEST_OS, "linux"),
  note(N.XEN_ELFNOTE_GUEST_VERSION, "2.6"),
  note(N.XEN_ELFNOTE_XEN_VERSION, "xen-3.0"),
  note(N.XEN_ELFNOTE_VIRT_BASE, 0xc0000000),
  note(N.XEN_ELFNOTE_PADDR_OFFSET, 0),
  note(N.XEN_ELFNOTE_ENTRY, 0xc0100000),
  note(N.XEN_ELFNOTE_HYPERCALL_PAGE, 0xc0102000),
  note(N.XEN_ELFNOTE_FEATURES, "!writable_page_tables|pae_pgdir_above_4gb|fancy_future_thing"),
  note(N.XEN_ELFNOTE_SUPPORTED_FEATURES, 0x8801),
  note(N.XEN_ELFNOTE_PAE_MODE, "yes"),
  note(N.XEN_ELFNOTE_LOADER, "generic"),
  note(N.XEN_ELFNOTE_L1_MFN_VALID, cat(descBytes(1n), descBytes(1n))),
  note(N.XEN_ELFNOTE_SUSPEND_CANCEL, 1),
  note(N.XEN_ELFNOTE_MOD_START_PFN, 1),
  note(N.XEN_ELFNOTE_HV_START_LOW, 0xf5800000n),
  note(N.XEN_ELFNOTE_INIT_P2M, 0),
  note(N.XEN_ELFNOTE_BSD_SYMTAB, "no"),
  note(N.XEN_ELFNOTE_INFO, "free text"),
  note(N.XEN_ELFNOTE_PHYS32_ENTRY, 0x1000000),
  note(3, new Uint8Array([1, 2, 3, 4]), { name: "GNU" }), // another owner: skipped
  note(99, 7), // unknown Xen type: kept in unknownNotes
);

const minimal = (extra: Uint8Array[] = []) => cat(
  note(N.XEN_ELFNOTE_GUEST_OS, "XTF"), note(N.XEN_ELFNOTE_XEN_VERSION, "xen-3.0"), note(N.XEN_ELFNOTE_LOADER, "generic"), ...extra,
);

function expectElfError(fn: () => unknown, re: RegExp): void {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(ElfError);
  expect((err as Error).message).toMatch(re);
}

// ---- Hand-built files --------------------------------------------------------------------------------

describe("Xen ELF notes: decoding", () => {
  it("has a table entry for every XEN_ELFNOTE_* type of elfnote.h", () => {
    for (const [k, v] of Object.entries(N)) {
      if (!k.startsWith("XEN_ELFNOTE_") || k === "XEN_ELFNOTE_MAX") continue;
      expect(NOTE_TABLE[v], k).toBeDefined();
      expect("XEN_ELFNOTE_" + NOTE_TABLE[v].name).toBe(k);
    }
  });

  it("decodes every note kind from a PT_NOTE segment", () => {
    const g = readXenGuestInfo(elfOf({ segNotes: linuxNotes() }));
    expect(g.source).toBe("notes");
    expect(g.guestOs).toBe("linux");
    expect(g.guestVersion).toBe("2.6");
    expect(g.xenVersion).toBe("xen-3.0");
    expect(g.loader).toBe("generic");
    expect(g.virtBase).toBe(0xc0000000);
    expect(g.paddrOffset).toBe(0);
    expect(g.entry).toBe(0xc0100000);
    expect(g.hypercallPage).toBe(0xc0102000);
    expect(g.paeMode).toBe("yes");
    expect(g.features).toEqual([
      { name: "writable_page_tables", required: true, bit: 0 },
      { name: "pae_pgdir_above_4gb", required: false, bit: 4 },
      { name: "fancy_future_thing", required: false },
    ]);
    expect(g.supportedFeatures).toEqual([0x8801]);
    expect(g.requiredFeatureMask).toBe(0x1);
    expect(g.supportedFeatureMask).toBe(0x8811);
    expect(g.l1MfnValid).toEqual([{ mask: 1n, value: 1n }]);
    expect(g.suspendCancel).toBe(1);
    expect(g.modStartPfn).toBe(1);
    expect(g.hvStartLow).toBe(0xf5800000); // 8-byte integer note
    expect(g.initP2m).toBe(0);
    expect(g.bsdSymtab).toBe(false);
    expect(g.info).toEqual(["free text"]);
    expect(g.physEntry).toBe(0x1000000);
    expect(g.unknownNotes).toEqual([{ type: 99, size: 4 }]);
    expect(g.raw.get(N.XEN_ELFNOTE_GUEST_OS)).toBeDefined();
    expect(describeXenGuest(g)).toContain("virt_base=0xc0000000");
  });

  it("reads SHT_NOTE sections when there is no PT_NOTE segment", () => {
    const g = readXenGuestInfo(elfOf({ secNotes: minimal([note(N.XEN_ELFNOTE_HYPERCALL_PAGE, 0x105000)]) }));
    expect(g.guestOs).toBe("XTF");
    expect(g.hypercallPage).toBe(0x105000);
    expect(g.paeMode).toBe("no");
    expect(g.virtBase).toBeUndefined();
  });

  it("prefers PT_NOTE over SHT_NOTE, and notes over __xen_guest", () => {
    const g = readXenGuestInfo(elfOf({
      segNotes: minimal([note(N.XEN_ELFNOTE_GUEST_VERSION, "seg")]),
      secNotes: minimal([note(N.XEN_ELFNOTE_GUEST_VERSION, "sec")]),
      xenGuest: "GUEST_OS=linux,XEN_VER=xen-3.0,LOADER=generic",
    }));
    expect(g.guestVersion).toBe("seg");
    expect(g.source).toBe("notes");
    expect(g.warnings.join()).toMatch(/__xen_guest/);
  });

  it("accepts 1-, 2-, 4- and 8-byte integer notes", () => {
    for (const d of [new Uint8Array([0x12]), new Uint8Array([0x34, 0x12]), descBytes(0x1234), descBytes(0x1234n)]) {
      const g = readXenGuestInfo(elfOf({ segNotes: minimal([note(N.XEN_ELFNOTE_VIRT_BASE, d)]) }));
      expect(g.virtBase).toBe(d.length === 1 ? 0x12 : 0x1234);
    }
  });

  it("normalises PAE_MODE", () => {
    const pae = (s: string) => readXenGuestInfo(elfOf({ segNotes: minimal([note(N.XEN_ELFNOTE_PAE_MODE, s)]) })).paeMode;
    expect(pae("yes")).toBe("yes");
    expect(pae("no")).toBe("no");
    expect(pae("bimodal")).toBe("bimodal");
    expect(pae("yes[extended-cr3]")).toBe("yes[extended-cr3]");
  });

  it("parses feature strings, keeping unknown names", () => {
    expect(parseFeatures("!a|b||!dom0")).toEqual([
      { name: "a", required: true }, { name: "b", required: false }, { name: "dom0", required: true, bit: 11 },
    ]);
  });

  it("reports (does not decide) a PAE mismatch", () => {
    const nonPae = elfOf({ segNotes: minimal() });
    const g = readXenGuestInfo(nonPae, { expectPae: true });
    expect(g.paeMismatch).toMatch(/2-level non-PAE .* but a PAE guest was expected/);
    const g2 = readXenGuestInfo(elfOf({ segNotes: minimal([note(N.XEN_ELFNOTE_PAE_MODE, "yes")]) }), { expectPae: false });
    expect(g2.paeMismatch).toMatch(/kernel is PAE/);
    expect(readXenGuestInfo(elfOf({ segNotes: minimal([note(N.XEN_ELFNOTE_PAE_MODE, "bimodal")]) }), { expectPae: false }).paeMismatch).toBeUndefined();
  });
});

describe("legacy __xen_guest", () => {
  const S = "GUEST_OS=linux,GUEST_VER=2.6,XEN_VER=xen-3.0,VIRT_BASE=0xC0000000,ELF_PADDR_OFFSET=0xC0000000," +
    "VIRT_ENTRY=0xC0100000,HYPERCALL_PAGE=0x102,FEATURES=writable_page_tables|!pae_pgdir_above_4gb," +
    "PAE=yes[extended-cr3],LOADER=generic,BSD_SYMTAB";

  it("parses the string; HYPERCALL_PAGE is a page number relative to VIRT_BASE", () => {
    const g = readXenGuestInfo(elfOf({ xenGuest: S }));
    expect(g.source).toBe("__xen_guest");
    expect(g.legacyString).toBe(S);
    expect(g.guestOs).toBe("linux");
    expect(g.guestVersion).toBe("2.6");
    expect(g.virtBase).toBe(0xc0000000);
    expect(g.paddrOffset).toBe(0xc0000000);
    expect(g.entry).toBe(0xc0100000);
    expect(g.hypercallPage).toBe(0xc0102000);
    expect(g.paeMode).toBe("yes[extended-cr3]");
    expect(g.bsdSymtab).toBe(true);
    expect(g.features.map((f) => f.name)).toEqual(["writable_page_tables", "pae_pgdir_above_4gb"]);
    expect(g.requiredFeatureMask).toBe(1 << 4);
  });

  it("legacy PAE values: yes[extended-cr3], other yes*, no", () => {
    expect(parseLegacyXenGuest("PAE=yes").paeMode).toBe("yes");
    expect(parseLegacyXenGuest("PAE=yes[foo]").paeMode).toBe("yes");
    expect(parseLegacyXenGuest("PAE=no").paeMode).toBe("no");
    expect(parseLegacyXenGuest("PAE=bimodal").paeMode).toBe("no"); // Xen's legacy parser does not know bimodal
  });

  it("HYPERCALL_PAGE without VIRT_BASE is just the page number << 12; numbers parse like strtoull(.., 0)", () => {
    expect(parseLegacyXenGuest("HYPERCALL_PAGE=0x10").hypercallPage).toBe(0x10000);
    expect(parseLegacyXenGuest("VIRT_BASE=010").virtBase).toBe(8);
    expect(parseLegacyXenGuest("VIRT_BASE=4096").virtBase).toBe(4096);
  });
});

describe("Xen ELF notes: errors", () => {
  it("no Xen notes at all", () => {
    expectElfError(() => readXenGuestInfo(elfOf({ segNotes: note(1, 0, { name: "GNU" }) })), /not a Xen PV kernel/);
    expectElfError(() => readXenGuestInfo(elfOf({})), /not a Xen PV kernel/);
  });

  it("a required feature the hypervisor does not support", () => {
    const e = elfOf({ segNotes: minimal([note(N.XEN_ELFNOTE_FEATURES, "pae_pgdir_above_4gb|!supervisor_mode_kernel")]) });
    expectElfError(() => readXenGuestInfo(e, { supportedFeatures: ["writable_page_tables"] }), /kernel requires feature supervisor_mode_kernel which ringone does not support/);
    expect(readXenGuestInfo(e, { supportedFeatures: ["supervisor_mode_kernel"] }).requiredFeatureMask).toBe(1 << 3);
    expect(readXenGuestInfo(e).requiredFeatureMask).toBe(1 << 3); // no set given: nothing is refused
  });

  it("LOADER other than generic (for a non-Linux guest), and a missing LOADER", () => {
    const bad = cat(note(N.XEN_ELFNOTE_GUEST_OS, "XTF"), note(N.XEN_ELFNOTE_XEN_VERSION, "xen-3.0"), note(N.XEN_ELFNOTE_LOADER, "special"));
    expectElfError(() => readXenGuestInfo(elfOf({ segNotes: bad })), /LOADER is "special", not "generic"/);
    const none = cat(note(N.XEN_ELFNOTE_GUEST_OS, "XTF"), note(N.XEN_ELFNOTE_XEN_VERSION, "xen-3.0"));
    expectElfError(() => readXenGuestInfo(elfOf({ segNotes: none })), /LOADER is missing/);
    // Xen's exception: Linux images may omit LOADER.
    const linux = cat(note(N.XEN_ELFNOTE_GUEST_OS, "linux"), note(N.XEN_ELFNOTE_XEN_VERSION, "xen-3.0"));
    expect(readXenGuestInfo(elfOf({ segNotes: linux })).loader).toBeUndefined();
  });

  it("XEN_VERSION other than xen-3.0", () => {
    const e = cat(note(N.XEN_ELFNOTE_GUEST_OS, "XTF"), note(N.XEN_ELFNOTE_XEN_VERSION, "3.0"), note(N.XEN_ELFNOTE_LOADER, "generic"));
    expectElfError(() => readXenGuestInfo(elfOf({ segNotes: e })), /only images built for "xen-3.0"/);
  });

  it("PADDR_OFFSET without VIRT_BASE", () => {
    expectElfError(() => readXenGuestInfo(elfOf({ segNotes: minimal([note(N.XEN_ELFNOTE_PADDR_OFFSET, 0)]) })), /PADDR_OFFSET is set but VIRT_BASE is not/);
  });

  it("integer notes of a wrong size, or too large for a 32-bit guest", () => {
    expectElfError(() => readXenGuestInfo(elfOf({ segNotes: minimal([note(N.XEN_ELFNOTE_ENTRY, new Uint8Array(3))]) })), /ENTRY .* 3-byte payload/);
    expectElfError(() => readXenGuestInfo(elfOf({ segNotes: minimal([note(N.XEN_ELFNOTE_ENTRY, new Uint8Array(16))]) })), /ENTRY .* 16-byte payload/);
    expectElfError(() => readXenGuestInfo(elfOf({ segNotes: minimal([note(N.XEN_ELFNOTE_VIRT_BASE, 0xffffffff80000000n)]) })), /does not fit a 32-bit guest/);
  });

  it("string notes that are unterminated or oversized", () => {
    // Filling descsz exactly with no padding after it: the next note's namesz follows directly.
    const unterminated = cat(minimal(), note(N.XEN_ELFNOTE_GUEST_VERSION, new Uint8Array([0x41, 0x42, 0x43, 0x44])), note(N.XEN_ELFNOTE_INFO, "x"));
    expectElfError(() => readXenGuestInfo(elfOf({ segNotes: unterminated })), /GUEST_VERSION .* not NUL-terminated/);
    // Linux's .ascii FEATURES: unterminated within descsz, NUL padding after it: accepted.
    const linuxStyle = cat(minimal(), note(N.XEN_ELFNOTE_FEATURES, new Uint8Array([0x21, 0x61])), note(N.XEN_ELFNOTE_INFO, "x"));
    const g = readXenGuestInfo(elfOf({ segNotes: linuxStyle }));
    expect(g.featuresRaw).toBe("!a");
    expect(g.warnings.join()).toMatch(/padding byte/);
    expectElfError(() => readXenGuestInfo(elfOf({ segNotes: minimal([note(N.XEN_ELFNOTE_INFO, "x".repeat(5000))]) })), /INFO .* oversized/);
  });

  it("bitmap / pair notes of a wrong size", () => {
    expectElfError(() => readXenGuestInfo(elfOf({ segNotes: minimal([note(N.XEN_ELFNOTE_SUPPORTED_FEATURES, new Uint8Array(6))]) })), /SUPPORTED_FEATURES .* whole 32-bit words/);
    expectElfError(() => readXenGuestInfo(elfOf({ segNotes: minimal([note(N.XEN_ELFNOTE_L1_MFN_VALID, new Uint8Array(12))]) })), /L1_MFN_VALID .* pairs/);
  });

  it("a note whose payload overruns its segment", () => {
    // Integer note declaring 8 bytes while the segment ends after 4.
    const trunc = cat(minimal(), note(N.XEN_ELFNOTE_ENTRY, 0x1000, { descsz: 8 }));
    expectElfError(() => readXenGuestInfo(elfOf({ segNotes: trunc })), /ENTRY .* truncated/);
    // String note without its NUL inside the file.
    const s = cat(minimal(), note(N.XEN_ELFNOTE_GUEST_VERSION, new Uint8Array([0x41, 0x42, 0x43, 0x44]), { descsz: 64 }));
    expectElfError(() => readXenGuestInfo(elfOf({ segNotes: s })), /GUEST_VERSION .* truncated/);
    // A foreign note overrunning: still an error.
    expectElfError(() => readXenGuestInfo(elfOf({ segNotes: cat(minimal(), note(1, 0, { name: "GNU", descsz: 100 })) })), /"GNU" note .* overruns/);
  });

  it("accepts GRUB's quirk: a string note declaring more bytes than the file holds, NUL present", () => {
    const q = cat(minimal(), note(N.XEN_ELFNOTE_PAE_MODE, "yes", { descsz: 12 }));
    const g = readXenGuestInfo(elfOf({ segNotes: q }));
    expect(g.paeMode).toBe("yes");
    expect(g.warnings.join()).toMatch(/PAE_MODE .* declares more bytes/);
  });

  it("a Xen note with no __xen_guest content", () => {
    expectElfError(() => readXenGuestInfo(elfOf({ xenGuest: "" })), /LOADER is missing/);
  });
});

// ---- Real guests (tests/xen/fetch-guests.sh) -----------------------------------------------------------

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const GRUB = join(ROOT, "guests/build/debian/grub-xen/usr/lib/grub-xen/grub-i386-xen.bin");
const GRUB_PVH = join(ROOT, "guests/build/debian/grub-xen/usr/lib/grub-xen/grub-i386-xen_pvh.bin");
const LINUX = join(ROOT, "guests/build/debian/linux/vmlinux-686-pae.elf");
for (const [f, n] of [[GRUB, "grub-i386-xen.bin"], [LINUX, "vmlinux-686-pae.elf"]] as const) {
  if (!existsSync(f)) console.warn(`xen-notes: skipping the ${n} test: run tests/xen/fetch-guests.sh to fetch it`);
}

describe.skipIf(!existsSync(GRUB))("Debian grub-xen-host: grub-i386-xen.bin", () => {
  it("declares a generic-loader PAE GRUB at virtual 0 with no hypercall page", () => {
    const elf = new Elf32(new Uint8Array(readFileSync(GRUB)), "grub-i386-xen.bin");
    const g = readXenGuestInfo(elf, { expectPae: true, supportedFeatures: [] });
    console.log(`grub-i386-xen.bin: ${describeXenGuest(g)}; warnings: ${g.warnings.join("; ") || "none"}`);
    expect(g.guestOs).toBe("GRUB");
    expect(g.loader).toBe("generic");
    expect(g.xenVersion).toBe("xen-3.0");
    expect(g.entry).toBe(0);
    expect(g.virtBase).toBe(0);
    expect(g.paeMode).toBe("yes");
    expect(g.hypercallPage).toBeUndefined();
    expect(g.features).toEqual([]);
    expect(g.paeMismatch).toBeUndefined();
    expect(g.warnings.join()).toMatch(/PAE_MODE .* declares more bytes/); // the descsz-12 quirk
  });
});

describe.skipIf(!existsSync(GRUB_PVH))("Debian grub-xen-host: grub-i386-xen_pvh.bin", () => {
  it("is a PVH image (PHYS32_ENTRY)", () => {
    const elf = new Elf32(new Uint8Array(readFileSync(GRUB_PVH)), "grub-i386-xen_pvh.bin");
    // As a classic PV image it is refused (no LOADER note); as PVH it loads.
    expect(() => readXenGuestInfo(elf)).toThrow(/LOADER is missing/);
    const g = readXenGuestInfo(elf, { pvh: true });
    console.log(`grub-i386-xen_pvh.bin: ${describeXenGuest(g)}; warnings: ${g.warnings.join("; ") || "none"}`);
    expect(g.physEntry).toBeDefined();
  });
});

describe.skipIf(!existsSync(LINUX))("Debian linux-image-686-pae (ELF payload of the bzImage)", () => {
  it("declares PVH-only Linux: PHYS32_ENTRY, no ENTRY/HYPERCALL_PAGE, PAE, virt base 0xC0000000", () => {
    const elf = new Elf32(new Uint8Array(readFileSync(LINUX)), "vmlinux-686-pae");
    const g = readXenGuestInfo(elf, { expectPae: true, supportedFeatures: ["writable_page_tables"] });
    console.log(`vmlinux-686-pae: ${describeXenGuest(g)}; e_entry=0x${elf.entry.toString(16)}; warnings: ${g.warnings.join("; ") || "none"}`);
    expect(g.guestOs).toBe("linux");
    expect(g.guestVersion).toBe("2.6");
    expect(g.xenVersion).toBe("xen-3.0");
    expect(g.loader).toBe("generic");
    expect(g.virtBase).toBe(0xc0000000);
    expect(g.paddrOffset).toBe(0);
    expect(g.paeMode).toBe("yes");
    expect(g.featuresRaw).toBe("!writable_page_tables|pae_pgdir_above_4gb");
    expect(g.supportedFeatures).toEqual([0x8801]);
    expect(g.hvStartLow).toBe(0xf5800000);
    expect(g.l1MfnValid).toEqual([{ mask: 1n, value: 1n }]);
    expect(g.suspendCancel).toBe(1);
    expect(g.modStartPfn).toBe(1);
    expect(g.entry).toBeUndefined();
    expect(g.hypercallPage).toBeUndefined();
    expect(g.physEntry).toBeDefined();
    expect(g.warnings.join()).toMatch(/boots as PVH/);
  });
});
