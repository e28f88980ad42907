/**
 * System-level tests: our own multiboot kernels (guests/pc/*.asm) exercise protection, paging,
 * exceptions, task switches, v86 and real mode, and print what they observe on COM1. Each kernel's
 * output on ringone is compared line by line with guests/pc/expected/NAME.expected.txt, recorded
 * under Bochs (an SDM-faithful emulator); where Bochs and QEMU disagree, the SDM decided (see
 * guests/pc/expected/README.md). Lines ringone does not match yet are listed in KNOWN_GAPS with the
 * reason; a listed line that starts matching fails the test too, so the list stays honest.
 */
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PcMachine } from "../../host/machine.ts";
import { loadMultiboot } from "../../host/loaders/multiboot.ts";

const root = join(import.meta.dirname, "..", "..");
const KERNELS = ["seg-limits", "priv-transitions", "paging", "pae", "exceptions", "tasks", "v86", "realmode"];

/** Expected-output line prefixes (up to the colon) that ringone does not reproduce yet, and why. */
const KNOWN_GAPS: Record<string, Record<string, string>> = {};

function boot(name: string): string {
  const m = new PcMachine({ memMB: 32 });
  loadMultiboot(m.cpu, new Uint8Array(readFileSync(join(root, "guests", "build", "pc", `${name}.elf`))), name);
  m.run(200_000_000, /^DONE\r?$/m);
  return m.output.replace(/\r/g, "");
}

const key = (line: string) => line.split(":")[0];

describe("guest kernels against the Bochs/SDM oracle", () => {
  for (const name of KERNELS) {
    it(name, () => {
      const elf = join(root, "guests", "build", "pc", `${name}.elf`);
      expect(existsSync(elf), `${elf} missing: run "make -C guests"`).toBe(true);
      const expected = readFileSync(join(root, "guests", "pc", "expected", `${name}.expected.txt`), "utf8").replace(/\r/g, "").trimEnd().split("\n");
      const got = boot(name).trimEnd().split("\n");
      const gaps = KNOWN_GAPS[name] ?? {};
      const gotByKey = new Map(got.map((l) => [key(l), l]));
      const mismatches: string[] = [];
      const fixedGaps: string[] = [];
      for (const line of expected) {
        const k = key(line);
        const actual = gotByKey.get(k);
        if (k in gaps) { if (actual === line) fixedGaps.push(k); continue; }
        if (actual !== line) mismatches.push(`expected: ${line}\n     got: ${actual ?? "(missing)"}`);
      }
      expect(mismatches, `${name}: lines differ from the oracle`).toEqual([]);
      expect(fixedGaps, `${name}: these known gaps now match: remove them from KNOWN_GAPS`).toEqual([]);
      // Nothing printed beyond the oracle's lines (e.g. UNEXPECTED exceptions) outside the gaps.
      const extra = got.filter((l) => !expected.some((e) => key(e) === key(l)) && !Object.keys(gaps).length);
      expect(extra, `${name}: unexpected extra output`).toEqual([]);
    });
  }
});
