/**
 * The PV domain builder: Xen's layout algorithm (spec 3.2, with its worked XTF example), page-table
 * counts for PAE and 2-level, and the errors for kernels that cannot be built.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { computeLayout, countPageTables, buildDomain, packModules } from "../../host/xen/domain-builder.ts";
import { ElfError } from "../../host/elf/elf32.ts";
import { xen_multiboot_mod_list } from "../../host/xen/abi/xen.ts";

const root = join(import.meta.dirname, "..", "..");
const guest = (n: string) => new Uint8Array(readFileSync(join(root, "guests", "build", "pv", `${n}.elf`)));

describe("computeLayout", () => {
  it("reproduces the spec's worked XTF pv32pae example (128 MiB)", () => {
    const l = computeLayout({ pae: true, virtBase: 0, virtKstart: 0x100000, virtKend: 0x110000, nrPages: 32768, moduleLen: 0, modStartPfn: false });
    expect(l.kernelPfn).toBe(0x100);
    expect(l.p2mPfn).toBe(0x110);
    expect(l.p2mPages).toBe(32);
    expect(l.startInfoPfn).toBe(0x130);
    expect(l.xenstorePfn).toBe(0x131);
    expect(l.consolePfn).toBe(0x132);
    expect(l.ptPfn).toBe(0x133);
    expect([l.ptPages, l.l2Pages, l.l1Pages]).toEqual([7, 4, 2]);
    expect(l.stackPfn).toBe(0x13a);
    expect(l.va(l.stackPfn + 1)).toBe(0x13b000);
    expect(l.virtPgtabEnd).toBe(0x400000);
    expect(l.mappedPages).toBe(0x400);
  });
  it("2-level: one L2 and an L1 per 4 MiB", () => {
    const l = computeLayout({ pae: false, virtBase: 0, virtKstart: 0x100000, virtKend: 0x110000, nrPages: 32768, moduleLen: 0, modStartPfn: false });
    expect([l.ptPages, l.l1Pages]).toEqual([2, 1]);
    expect(l.virtPgtabEnd).toBe(0x400000);
  });
  it("a Linux-style VIRT_BASE 0xC0000000 gets a single L2 (slot 3)", () => {
    const t = countPageTables(true, 0xc0000000, 0xc0800000);
    expect(t).toEqual({ l2: 1, l1: 4, total: 6 });
  });
  it("grows virt_pgtab_end by 4 MiB when the tables and slack do not fit", () => {
    // Kernel ending just below 4 MiB: stack + 128 pages cannot fit under 0x400000.
    const l = computeLayout({ pae: true, virtBase: 0, virtKstart: 0x100000, virtKend: 0x3c0000, nrPages: 4096, moduleLen: 0, modStartPfn: false });
    expect(l.virtPgtabEnd).toBe(0x800000);
    expect(l.l1Pages).toBe(4);
    expect(l.va(l.stackPfn + 1) + 128 * 4096).toBeLessThanOrEqual(l.virtPgtabEnd);
  });
  it("places a mapped module after the kernel, an unmapped one after virt_pgtab_end", () => {
    const m = computeLayout({ pae: true, virtBase: 0, virtKstart: 0x100000, virtKend: 0x110000, nrPages: 32768, moduleLen: 5000, modStartPfn: false });
    expect([m.modulePfn, m.modulePages, m.p2mPfn]).toEqual([0x110, 2, 0x112]);
    const u = computeLayout({ pae: true, virtBase: 0, virtKstart: 0x100000, virtKend: 0x110000, nrPages: 32768, moduleLen: 5000, modStartPfn: true });
    expect([u.modulePages, u.p2mPfn, u.unmappedModulePfn, u.unmappedModulePages]).toEqual([0, 0x110, 0x400, 2]);
  });
  it("packs several modules as a multiboot module list", () => {
    const p = packModules([{ data: new Uint8Array([1, 2, 3]), cmdline: "a" }, { data: new Uint8Array([4]), cmdline: "bb" }]);
    const dv = new DataView(p.buffer);
    const e = xen_multiboot_mod_list.size;
    expect(dv.getUint32(0, true)).toBe(4096);
    expect(dv.getUint32(4, true)).toBe(4096 + 2);
    expect(p[4096]).toBe(1);
    expect(dv.getUint32(e, true)).toBe(8192);
    expect(dv.getUint32(2 * e, true)).toBe(0); // terminator
    expect(String.fromCharCode(p[dv.getUint32(e + 8, true)], p[dv.getUint32(e + 8, true) + 1])).toBe("bb");
  });
});

describe("buildDomain errors", () => {
  it("refuses a PAE kernel when 2-level is required, and the reverse", () => {
    expect(() => buildDomain(guest("startinfo-pae"), { memMB: 16, expectPaging: "2level" })).toThrow(ElfError);
    expect(() => buildDomain(guest("startinfo-2l"), { memMB: 16, expectPaging: "pae" })).toThrow(/PAE|pae/);
  });
  it("refuses too little memory with a clear message", () => {
    expect(() => buildDomain(guest("startinfo-pae"), { memMB: 2 })).toThrow(/at least 4 MiB/);
  });
  it("refuses truncated and malformed ELF files with ElfError", () => {
    const img = guest("startinfo-pae");
    expect(() => buildDomain(img.subarray(0, 40), { memMB: 16 })).toThrow(ElfError);
    expect(() => buildDomain(img.subarray(0, 200), { memMB: 16 })).toThrow(ElfError);
    const bad = img.slice(); bad[0] = 0;
    expect(() => buildDomain(bad, { memMB: 16 })).toThrow(/not an ELF/);
  });
  it("refuses an ELF without Xen notes", () => {
    const img = new Uint8Array(readFileSync(join(root, "guests", "build", "pc", "paging.elf")));
    expect(() => buildDomain(img, { memMB: 16 })).toThrow(/not a Xen PV kernel/);
  });
});

describe("initial vCPU state", () => {
  for (const mode of ["pae", "2l"] as const) {
    it(`segment caches come from the machine GDT through the core's loads [${mode}]`, async () => {
      const L = await import("../../host/isa/layout.ts");
      const { cpu, domain, layout } = buildDomain(guest(`startinfo-${mode}`), { memMB: 16 });
      expect(cpu.state32(L.S.CPL)).toBe(1);
      const cs = cpu.seg(L.SEG_CS), ss = cpu.seg(L.SEG_SS), tr = cpu.seg(L.SEG_TR);
      expect(cs.sel).toBe(0xe019);
      expect([cs.base, cs.limit, cs.access & 0xffff]).toEqual([0, 0xffffffff, 0xc0bb]); // G D P DPL1 code R A
      expect([ss.sel, ss.access & 0xffff]).toEqual([0xe021, 0xc0b3]);
      for (const sr of [L.SEG_DS, L.SEG_ES, L.SEG_FS, L.SEG_GS]) expect(cpu.seg(sr).sel).toBe(0xe021);
      expect(tr.access & 0x1f).toBe(0x0b); // busy 32-bit TSS
      expect(cpu.stateU32(L.S.GDTR_LIMIT)).toBe(0xffff);
      expect(cpu.stateU32(L.S.IDTR_LIMIT)).toBe(0);
      expect(cpu.stateU32(L.S.HV_START)).toBe(mode === "pae" ? 0xf5800000 : 0xfc000000);
      expect(cpu.stateU32(L.S.CR4) & 0x20).toBe(mode === "pae" ? 0x20 : 0);
      expect(cpu.stateU32(L.S.EFER) & 0x800).toBe(mode === "pae" ? 0x800 : 0);
      expect(cpu.stateU32(L.S.CR3)).toBe(layout.ptPfn * 4096);
      expect(cpu.eflags).toBe(0x202);
      expect(domain.vcpu.upcallMask).toBe(1);
      expect(domain.vcpu.kernelSs).toBe(0xe021);
      expect(domain.vcpu.kernelSp).toBe(cpu.reg("esp"));
      // Machine frames: guest RAM first, hypervisor frames after it.
      expect(domain.sharedInfoMfn).toBeGreaterThanOrEqual(domain.nrPages);
      expect(domain.m2p(domain.sharedInfoMfn)).toBe(0xffffffff);
      expect(domain.m2p(5)).toBe(5);
    });
  }
});

describe("memory limits", () => {
  it("refuses a --mem that leaves no room for hypervisor frames", () => {
    expect(() => buildDomain(guest("startinfo-pae"), { memMB: 3072 })).toThrow(/no room for the hypervisor/);
  });
});
