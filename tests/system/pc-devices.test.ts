/**
 * Our own device test kernels (guests/pc-devices/*.asm) on the emulated PC, compared line by line
 * with their output under QEMU (guests/pc-devices/expected/NAME.qemu.txt, recorded by
 * guests/pc-devices/record-expected.sh with -icount shift=0,sleep=off and the same RTC start date).
 * Lines whose values depend on timing print a predicate fixed by the devices' rules (e.g. "99..100
 * PIT interrupts per RTC second"). Lines where QEMU itself departs from the datasheet are listed
 * in ORACLE_DIFFS with the reason and checked against the datasheet value instead.
 * One kernel is booted through the CLI (bin/ringone.mjs) with its serial input on stdin.
 */
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { PcMachine, type MachineOptions } from "../../host/machine.ts";
import { loadMultiboot } from "../../host/loaders/multiboot.ts";

const root = join(import.meta.dirname, "..", "..");
const elf = (n: string) => join(root, "guests", "build", "pc-devices", `${n}.elf`);

/** Expected-output keys where QEMU is not a usable oracle, with the value the datasheet gives. */
const ORACLE_DIFFS: Record<string, Record<string, { want: string; why: string }>> = {
  "pit-rtc": {
    "rtc periodic irqs per second": {
      want: "rtc periodic irqs per second: 1024",
      why: "QEMU's MC146818 under -icount drops periodic interrupts (904 with sleep=on, 524 with sleep=off); " +
        "RS=6 is 1024 Hz, phase-locked to the update cycle, so exactly 1024 fall in one update-to-update second",
    },
  },
};

function boot(name: string, opts: MachineOptions = {}, input?: string): string {
  const m = new PcMachine({ memMB: 32, ...opts });
  if (input) m.input(Buffer.from(input));
  loadMultiboot(m.cpu, new Uint8Array(readFileSync(elf(name))), name);
  const r = m.run(400_000_000, /^DONE$/m);
  expect(r.reason, r.detail).toBe("stopped");
  return m.output.replace(/\r/g, "");
}

function compare(name: string, got: string): void {
  const expected = readFileSync(join(root, "guests", "pc-devices", "expected", `${name}.qemu.txt`), "utf8").trimEnd().split("\n");
  const lines = got.trimEnd().split("\n");
  const diffs = ORACLE_DIFFS[name] ?? {};
  const key = (l: string) => l.split(":")[0];
  const mism: string[] = [];
  expect(lines.length, got).toBe(expected.length);
  expected.forEach((e, i) => {
    const d = diffs[key(e)];
    const want = d ? d.want : e;
    if (lines[i] !== want) mism.push(`expected: ${want}${d ? ` (not QEMU's "${e}": ${d.why})` : ""}\n     got: ${lines[i]}`);
  });
  expect(mism).toEqual([]);
}

describe("PC device kernels against the QEMU oracle", () => {
  it("the kernels are built", () => {
    for (const n of ["pit-rtc", "uart-rx", "apic-timer"]) expect(existsSync(elf(n)), `${elf(n)}: run "make -C guests/pc-devices"`).toBe(true);
  });

  it("pit-rtc: PIT IRQ 0 per RTC second, RTC periodic rate, UIP/UF, date, 8254 status, port 0x61", () => {
    compare("pit-rtc", boot("pit-rtc"));
  });

  it("pit-rtc with the APIC disabled (--no-apic)", () => {
    compare("pit-rtc", boot("pit-rtc", { apic: false }));
  });

  it("uart-rx: receive interrupts from host input, FIFO, LSR, loopback", () => {
    compare("uart-rx", boot("uart-rx", {}, "hello ringone\n"));
  });

  it("apic-timer: virtual wire, self-IPI, TPR, APIC timer calibrated against the PIT", () => {
    compare("apic-timer", boot("apic-timer"));
  });

  it("apic-timer with --no-apic: CPUID hides the APIC and PIC interrupts still flow", () => {
    const out = boot("apic-timer", { apic: false });
    expect(out.trimEnd()).toBe("apic: absent\npit irqs without apic >= 10: 1\nDONE");
  });

  it("the CLI boots a kernel with stdin on COM1 and prints --stats", () => {
    const cli = join(root, "bin", "ringone.mjs");
    const r = spawnSync(process.execPath, [cli, "boot", elf("uart-rx"), "--stats", "--mem", "32"], { input: "hello ringone\n", encoding: "utf8", timeout: 60000 });
    expect(r.status, r.stderr).toBe(0);
    compare("uart-rx", r.stdout.replace(/\r/g, ""));
    expect(r.stderr).toMatch(/MIPS/);
    expect(r.stderr).toMatch(/exits: .*IO=\d+/);
    expect(r.stderr).toMatch(/interrupts delivered: .*IRQ4=\d+/);
  });
});
