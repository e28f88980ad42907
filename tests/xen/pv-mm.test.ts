/**
 * Page tables and descriptor tables under Xen's rules (host/xen/mm, hypercalls/mm.ts): our PV test
 * kernels for mmu_update, update_va_mapping, mmuext_op, set_gdt/update_descriptor/SET_LDT and the
 * writable-page-table emulation, each built for PAE and 2-level. After every run the type counts
 * are audited from first principles (Mm.audit) so a bookkeeping slip fails the test even when the
 * guest could not see it.
 */
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PvMachine, type PvRunResult } from "../../host/xen/pv-machine.ts";
import { mmOf } from "../../host/xen/mm/index.ts";
import { PGT } from "../../host/xen/mm/page-info.ts";
import * as L from "../../host/isa/layout.ts";

const root = join(import.meta.dirname, "..", "..");
const elfPath = (name: string, mode: string) => join(root, "guests", "build", "pv", `${name}-${mode}.elf`);

interface Case {
  kernel: string;
  title?: string;
  cmdline?: string;
  exitCode?: number;
  after?: (m: PvMachine, r: PvRunResult, mode: string) => void;
}

function boot(c: Case, mode: string): { m: PvMachine; r: PvRunResult } {
  const p = elfPath(c.kernel, mode);
  expect(existsSync(p), `${p} missing: run "make -C guests/pv"`).toBe(true);
  const m = new PvMachine(new Uint8Array(readFileSync(p)), { memMB: 32, cmdline: c.cmdline });
  return { m, r: m.run(300_000_000) };
}

const CASES: Case[] = [
  { kernel: "mmu" },
  { kernel: "uvm" },
  { kernel: "mmuext" },
  { kernel: "mmuhostile" },
  {
    kernel: "gdt",
    after: (m) => {
      const mm = mmOf(m.domain);
      expect(mm.gdtFrames).toEqual([]);
      expect(mm.ldtEnts).toBe(0);
      expect(mm.stats.ldtPageLoads).toBeGreaterThan(0);
    },
  },
  {
    kernel: "gdt", title: "gdt: an LDT page mapped writable faults at the guest's LDT address", cmdline: "kind=ldtrw", exitCode: 1,
    after: (m, r) => {
      const ldt = m.built.layout.va(m.built.layout.mappedPages - 4);
      expect(r.detail).toContain("#PF (vector 14) error code 0x0000");
      expect(r.detail).toContain(`CR2 0x${(ldt + 8).toString(16).padStart(8, "0")}`);
      expect(m.output).toContain("gdt: loading an LDT selector");
    },
  },
  {
    kernel: "ptwr",
    after: (m) => {
      const mm = mmOf(m.domain);
      expect(mm.stats.ptwrEmulations).toBeGreaterThanOrEqual(6);
      expect(m.domain.vmAssist & 4).toBe(0);
    },
  },
  ...(["invalid", "noassist", "l2"] as const).map((kind): Case => ({
    kernel: "ptwr", title: `ptwr: refused store (${kind}) is a #PF at the entry, which stays intact`, cmdline: `kind=${kind}`, exitCode: 1,
    after: (m, r) => {
      const mt = /ptwr: pte at 0x([0-9a-f]+) old 0x([0-9a-f]+)/.exec(m.output);
      expect(mt, m.output).not.toBeNull();
      const va = parseInt(mt![1], 16), old = parseInt(mt![2], 16);
      expect(r.detail).toContain("#PF (vector 14) error code 0x0003");
      expect(r.detail).toContain(`CR2 0x${va.toString(16).padStart(8, "0")}`);
      const ma = m.mem.translate(va, false);
      expect(m.domain.read32(ma)).toBe(old);
      if (kind === "invalid") expect(mmOf(m.domain).stats.ptwrFailures).toBe(1);
      else expect(mmOf(m.domain).stats.ptwrFailures).toBe(0);
    },
  })),
];

describe("PV page tables: test kernels", () => {
  for (const c of CASES) {
    for (const mode of ["pae", "2l"]) {
      it(`${c.title ?? c.kernel} [${mode}]`, () => {
        const { m, r } = boot(c, mode);
        const want = c.exitCode ?? 0;
        if (want === 0) expect(m.output, r.detail).toContain("Test result: SUCCESS");
        expect(m.output).not.toContain("Test result: FAILURE");
        expect(r.exitCode, `${r.detail}\n${m.output}`).toBe(want);
        expect(mmOf(m.domain).audit()).toEqual([]);
        c.after?.(m, r, mode);
      });
    }
  }
});

describe("PV page tables: the initial state", () => {
  for (const mode of ["pae", "2l"]) {
    it(`the builder's tables are validated, pinned and in CR3 [${mode}]`, () => {
      const m = new PvMachine(new Uint8Array(readFileSync(elfPath("version", mode))), { memMB: 32 });
      const mm = mmOf(m.domain);
      const { layout } = m.built;
      const top = layout.ptPfn;
      expect(mm.baseMfn).toBe(top);
      expect(m.cpu.stateU32(L.S.CR3) >>> 12).toBe(top);
      expect(mm.info.type[top]).toBe(mode === "pae" ? PGT.l3 : PGT.l2);
      expect(mm.info.count[top]).toBe(2); // pin + CR3
      expect(mm.info.pinned[top]).toBe(1);
      const l1First = layout.ptPfn + layout.ptPages - layout.l1Pages;
      for (let i = 0; i < layout.l1Pages; i++) {
        expect(mm.info.type[l1First + i]).toBe(PGT.l1);
        expect(mm.info.count[l1First + i]).toBe(1);
      }
      if (mode === "pae") {
        for (let i = 0; i < layout.l2Pages; i++) expect(mm.info.type[top + 1 + i]).toBe(PGT.l2);
        expect(mm.info.xenL2[top + layout.l2Pages]).toBe(1); // the slot-3 L2
      }
      // Every page of the region except the tables is writable (one RW mapping each).
      expect(mm.info.type[layout.stackPfn]).toBe(PGT.writable);
      expect(mm.info.count[layout.stackPfn]).toBe(1);
      expect(mm.info.type[m.domain.sharedInfoMfn]).toBe(PGT.writable);
      expect(mm.audit()).toEqual([]);
    });
  }
});
