/**
 * ringone's own PV test kernels (guests/pv), each built for PAE and 2-level, booted through the
 * same path as `ringone boot` (PvMachine: domain builder + PV run loop). Every kernel checks one
 * behaviour of the hypervisor itself and ends with "Test result: SUCCESS"; some cases also check
 * hypervisor state or console output from the host side, or expect a particular shutdown.
 */
import { describe, expect, it } from "vitest";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { PvMachine, type PvRunResult } from "../../host/xen/pv-machine.ts";
import * as L from "../../host/isa/layout.ts";
import { TSS } from "../../host/xen/domain.ts";
import { HYPERCALL_BY_NR } from "../../host/xen/hypercall-table.ts";
import { grantTable } from "../../host/xen/grant-table.ts";
import { mmOf } from "../../host/xen/mm/index.ts";

const root = join(import.meta.dirname, "..", "..");
const elfPath = (name: string, mode: string) => join(root, "guests", "build", "pv", `${name}-${mode}.elf`);
const MODES = ["pae", "2l"] as const;
/** Kernels also built with VIRT_BASE 0xC0000000 (Linux-style): NAME-hi-pae.elf, NAME-hi-2l.elf. */
const HI_KERNELS = new Set(["startinfo", "hcpage", "p2m", "module", "modpfn", "hostile"]);

interface Case {
  /** Kernel name (guests/pv/tests/NAME.c). */
  kernel: string;
  title?: string;
  memMB?: number;
  cmdline?: string;
  modules?: { data: Uint8Array; cmdline: string }[];
  input?: string;
  xenDebug?: boolean;
  /** false: ring-3 int 0x80 through the host's #GP path instead of the core's direct gate. */
  directGate?: boolean;
  /** Expected exit code (default 0 with "Test result: SUCCESS"). */
  exitCode?: number;
  /** Host-side setup between the build and the first instruction. */
  before?: (m: PvMachine, mode: string) => void;
  /** Extra host-side checks. */
  after?: (m: PvMachine, r: PvRunResult, mode: string) => void;
}

function boot(c: Case, mode: string): { m: PvMachine; r: PvRunResult } {
  const p = elfPath(c.kernel, mode);
  expect(existsSync(p), `${p} missing: run "make -C guests/pv"`).toBe(true);
  const m = new PvMachine(new Uint8Array(readFileSync(p)), {
    memMB: c.memMB ?? 32, cmdline: c.cmdline, modules: c.modules, xenDebug: c.xenDebug, directGate: c.directGate,
  });
  if (c.input) m.domain.pushConsoleInput(c.input);
  c.before?.(m, mode);
  const r = m.run(200_000_000);
  return { m, r };
}

const MODULE = new TextEncoder().encode("ringone-module-payload\n" + "x".repeat(5000));
const MODULE2 = new TextEncoder().encode("second module\n");

const CASES: Case[] = [
  { kernel: "startinfo", cmdline: "expect_pages=8192 some words", memMB: 32 },
  { kernel: "startinfo", title: "startinfo (128 MiB)", cmdline: "expect_pages=32768", memMB: 128 },
  { kernel: "hcpage" },
  { kernel: "p2m" },
  { kernel: "module", cmdline: `modlen=${MODULE.length}`, modules: [{ data: MODULE, cmdline: "mod0" }] },
  { kernel: "module", title: "module (two: multiboot package)", cmdline: `mods=2`, modules: [{ data: MODULE, cmdline: "first arg" }, { data: MODULE2, cmdline: "second" }] },
  { kernel: "modpfn", cmdline: `modlen=${MODULE.length}`, modules: [{ data: MODULE, cmdline: "mod0" }] },
  {
    kernel: "console", input: "ringone-input",
    after: (m) => {
      expect(m.output).toContain("console-probe: hello\n");
      expect(m.output).toContain("\nfiltered:abc\n"); // control characters dropped
      expect(m.output).toContain("\n" + "L".repeat(19999) + "\n"); // longer than one chunk: continued
      expect(m.stats.continuations).toBeGreaterThan(0);
    },
  },
  { kernel: "version" },
  { kernel: "multicall", after: (m) => { expect([...m.stats.batchSizes.keys()].some((k) => k >= 64)).toBe(true); } },
  { kernel: "multicall", title: "multicall (Xen debug build: entries poisoned)", cmdline: "debug=1", xenDebug: true },
  { kernel: "vmassist" },
  {
    kernel: "stackswitch",
    after: (m) => {
      const d = m.domain;
      expect(d.vcpu.kernelSs).toBe(0xe021);
      expect(d.vcpu.kernelSp).toBe(0x00abc000);
      expect(d.dv.getUint16(d.tssMa + TSS.SS1, true)).toBe(0xe021);
      expect(d.read32(d.tssMa + TSS.ESP1)).toBe(0x00abc000);
    },
  },
  {
    kernel: "fpu",
    after: (m) => {
      expect(m.domain.vcpu.virtualTs).toBe(true);
      expect(m.cpu.stateU32(L.S.CR0) & 8).toBe(8);
    },
  },
  { kernel: "debugreg" },
  { kernel: "clobber" },
  {
    kernel: "hcbench", title: "hcbench (the hypercall bench's kernel: a warm-up, 256 calls, then 16 batches of 16 separately and as multicalls)",
    cmdline: "n=256 b=16",
    after: (m) => {
      expect(m.stats.calls.get("xen_version")).toBe(256 * 5); // warm-up 16 x 16 in multicalls + 256, then 3 x 256
      expect(m.stats.calls.get("multicall")).toBe(32);
      expect(m.stats.batchSizes.get(16)).toBe(32);
    },
  },
  { kernel: "clobber", title: "clobber (Xen debug build: used argument registers poisoned)", cmdline: "debug=1", xenDebug: true },
  { kernel: "iopl", after: (m) => { expect(m.domain.vcpu.iopl).toBe(1); } },
  { kernel: "memory" },
  { kernel: "shutdown", title: "shutdown poweroff", cmdline: "reason=0", exitCode: 0 },
  { kernel: "shutdown", title: "shutdown reboot", cmdline: "reason=1", exitCode: 2 },
  { kernel: "shutdown", title: "shutdown suspend", cmdline: "reason=2", exitCode: 3 },
  { kernel: "shutdown", title: "shutdown crash", cmdline: "reason=3", exitCode: 1 },
  { kernel: "shutdown", title: "shutdown watchdog", cmdline: "reason=4", exitCode: 4 },
  { kernel: "shutdown", title: "shutdown soft_reset", cmdline: "reason=5", exitCode: 5 },
  { kernel: "shutdown", title: "shutdown reason 77", cmdline: "reason=77", exitCode: 6 },
  { kernel: "shutdown", title: "shutdown via sched_op_compat (reboot)", cmdline: "reason=1 compat=1", exitCode: 2 },
  { kernel: "hostile", input: "zz" },
  { kernel: "badcmd" },
  { kernel: "hugecount" },
  {
    kernel: "fault", title: "fault: #UD with no trap table crashes the domain", cmdline: "kind=ud", exitCode: 1,
    after: (_m, r) => { expect(r.crashedByHypervisor).toBe(true); expect(r.detail).toMatch(/#UD \(vector 6\) error code none at EIP 0x[0-9a-f]{8} \(ring 1\)/); },
  },
  {
    kernel: "fault", title: "fault: writing the M2P is #PF(P|W) at MACH2PHYS_VIRT_START", cmdline: "kind=m2pwrite", exitCode: 1,
    after: (_m, r, mode) => { expect(r.detail).toContain(`#PF (vector 14) error code 0x0003`); expect(r.detail).toContain(`CR2 ${mode === "pae" ? "0xf5800000" : "0xfc000000"}`); },
  },
  {
    kernel: "fault", title: "fault: int 0x82 from ring 3 is #GP(0x412)", cmdline: "kind=ring3", exitCode: 1,
    // Until update_va_mapping exists the guest cannot make pages user-accessible itself: the host
    // sets U/S on the initial L1 entries (what the guest would do with update_va_mapping).
    before: (m) => userMapRegion(m),
    after: (_m, r) => { expect(r.detail).toMatch(/#GP \(vector 13\) error code 0x0412 at EIP 0x[0-9a-f]{8} \(ring 3\)/); },
  },
  {
    kernel: "fault", title: "fault: HLT in ring 1 is #GP(0)", cmdline: "kind=hlt", exitCode: 1,
    after: (_m, r) => { expect(r.detail).toContain("#GP (vector 13) error code 0x0000"); },
  },
  {
    kernel: "block", title: "block with no event source stops the run (mask cleared)", exitCode: 8,
    after: (m, r) => { expect(r.reason).toBe("blocked"); expect(m.domain.vcpu.upcallMask).toBe(0); expect(r.detail).toContain("SCHEDOP_block"); },
  },
  {
    kernel: "block", title: "poll with no event source stops the run", cmdline: "poll=1", exitCode: 8,
    after: (m, r) => { expect(r.detail).toContain("SCHEDOP_poll on 2 port(s)"); expect(m.domain.vcpu.upcallMask).toBe(1); },
  },
  {
    kernel: "block", title: "block returns through the events hook", cmdline: "hooks=1",
    before: (m) => { m.hooks.block = () => true; },
  },
  {
    kernel: "block", title: "poll returns when a listed port is pending", cmdline: "hooks=1 poll=1",
    before: (m) => { m.hooks.portPending = (p) => p === 2; },
  },
  // ---- traps, events, time, privileged operations (traps.ts, iret.ts, events.ts, time.ts, priv-op.ts) ----
  { kernel: "traps", before: (m, mode) => mapSharedInfo(m, "traps", mode) },
  {
    kernel: "traps", title: "traps: a cleared trap table crashes the domain at the next #UD", cmdline: "crash=1", exitCode: 1,
    before: (m, mode) => mapSharedInfo(m, "traps", mode),
    after: (m, r) => { expect(m.output).toContain("traps: all checks passed"); expect(r.detail).toMatch(/#UD \(vector 6\).*no trap handler registered/); },
  },
  // TEMPORARY host-side U/S (until update_va_mapping lands), as the foundation's ring-3 fault test.
  { kernel: "evtchn", before: (m, mode) => mapSharedInfo(m, "evtchn", mode) },
  { kernel: "timer", before: (m, mode) => mapSharedInfo(m, "timer", mode) },
  {
    kernel: "timer", title: "timer: block with VIRQ_TIMER unbound is blocked forever", cmdline: "forever=1", exitCode: 8,
    before: (m, mode) => mapSharedInfo(m, "timer", mode),
    after: (_m, r) => { expect(r.reason).toBe("blocked"); expect(r.detail).toContain("SCHEDOP_block"); },
  },
  { kernel: "privop", before: (m, mode) => mapSharedInfo(m, "privop", mode) },
  {
    kernel: "conring", input: "ping\n",
    after: (m) => {
      expect(m.output).toContain("conring: hello through the ring\nconring: got ping\n"); // one stream by default
      expect(m.output).toContain("0123456789".repeat(300) + "\nconring: wrapped\n");
    },
  },
  { kernel: "xenstore" },
  {
    kernel: "gnttab",
    after: (m) => {
      const f = grantTable(m.domain).frames;
      expect(f.length).toBe(4);
      expect(m.domain.read32(f[0] * 4096 + 8 * 8)).toBe(1); // entry 8 as the guest wrote it through its mapping
      expect(m.domain.read32(f[0] * 4096 + 8 * 8 + 4)).toBe(0x1234);
    },
  },
  { kernel: "ring3", before: (m, mode) => { userMapRegion(m); mapSharedInfo(m, "ring3", mode); } },
  { kernel: "ring3", title: "ring3 (int 0x80 through the host)", directGate: false, before: (m, mode) => { userMapRegion(m); mapSharedInfo(m, "ring3", mode); } },
  { kernel: "syscall", before: (m, mode) => { userMapRegion(m); mapSharedInfo(m, "syscall", mode); } },
  { kernel: "syscall", title: "syscall (int 0x80 through the host)", directGate: false, before: (m, mode) => { userMapRegion(m); mapSharedInfo(m, "syscall", mode); } },
  ...[true, false].map((direct): Case => ({
    kernel: "syscall", title: `syscall: an unwritable kernel stack crashes the domain (direct gate ${direct ? "on" : "off"})`,
    cmdline: "crash=1", exitCode: 1, directGate: direct,
    before: (m, mode) => { userMapRegion(m); mapSharedInfo(m, "syscall", mode); },
    after: (_m, r) => { expect(r.detail).toMatch(/int 0x80 at EIP 0x[0-9a-f]{8} \(ring 3\): the bounce frame cannot be written at e021:3fffffec \(ring 3\)/); },
  })),
  {
    kernel: "failsafe", before: (m, mode) => { userMapRegion(m); mapSharedInfo(m, "failsafe", mode); },
    after: (m) => { expect(m.output).toContain("failsafe: all checks passed"); expect(mmOf(m.domain).audit()).toEqual([]); },
  },
  {
    kernel: "failsafe", title: "failsafe: a bad selector at HYPERVISOR_iret without a failsafe callback crashes the domain",
    cmdline: "nocb=1", exitCode: 1, before: (m, mode) => { userMapRegion(m); mapSharedInfo(m, "failsafe", mode); },
    after: (_m, r) => { expect(r.detail).toContain("failsafe callback: no handler registered"); },
  },
];

describe("int 0x80 and #PF from ring 3: the core's direct bounce against the host's path", () => {
  for (const mode of MODES) {
    it(`same result, one FAULT exit less per int 0x80 and ring-3 #PF delivered [${mode}]`, () => {
      const run = (directGate: boolean) => boot({ kernel: "syscall", directGate, before: (m) => { userMapRegion(m); mapSharedInfo(m, "syscall", mode); } }, mode);
      const on = run(true), off = run(false);
      for (const { m, r } of [on, off]) expect(r.exitCode, `${r.detail}\n${m.output}`).toBe(0);
      const [, n, pf] = /syscall: int80 (\d+) pf (\d+)/.exec(on.m.output)!.map(Number);
      expect([n, pf]).toEqual([9, 3]);
      expect(off.m.output).toContain(`syscall: int80 ${n} pf ${pf}\n`);
      const faults = (m: PvMachine) => m.exitCounts.get(L.ExitReason.FAULT) ?? 0;
      expect(faults(off.m) - faults(on.m)).toBe(n + pf);
      expect(on.m.cpu.state32(L.S.PV_GATE_FLAGS)).toBe(0); // the last trap table has no 0x80 entry
      expect(on.m.cpu.state32(L.S.PV_PF_FLAGS)).toBe(0); // nor a #PF entry
    });
  }
});

describe("PV test kernels", () => {
  for (const c of CASES) {
    for (const mode of HI_KERNELS.has(c.kernel) ? [...MODES, "hi-pae", "hi-2l"] : MODES) {
      it(`${c.title ?? c.kernel} [${mode}]`, () => {
        const { m, r } = boot(c, mode);
        const want = c.exitCode ?? 0;
        if (want === 0) expect(m.output, r.detail).toContain("Test result: SUCCESS");
        expect(m.output).not.toContain("Test result: FAILURE");
        expect(r.exitCode, `${r.detail}\n${m.output}`).toBe(want);
        c.after?.(m, r, mode);
      });
    }
  }
});

describe("ringone boot (CLI) with PV kernels", () => {
  const cli = join(root, "bin", "ringone.mjs");
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, "boot", ...args], { encoding: "utf8" });
  it("boots a PV kernel, prints its console_io text as Xen's log (stderr, \"(d1) \") and exits 0 on poweroff", () => {
    const r = run(elfPath("version", "pae"), "--mem", "16", "--stats");
    expect(r.stderr).toMatch(/^\(d1\) Test result: SUCCESS$/m);
    expect(r.stdout).toBe(""); // no console ring output
    expect(r.stderr).toContain("hypercalls:");
    expect(r.status).toBe(0);
  });
  it("puts the PV console ring on stdout and console_io on stderr, each line once", () => {
    const inFile = join(mkdtempSync(join(tmpdir(), "ringone-conring-")), "in.txt");
    writeFileSync(inFile, "ping\n"); // stdin as a file: the CLI reads a file or FIFO, not a socket
    const fd = openSync(inFile, "r");
    const r = spawnSync(process.execPath, [cli, "boot", elfPath("conring", "pae")], { encoding: "utf8", stdio: [fd, "pipe", "pipe"] });
    closeSync(fd);
    expect(r.stdout).toContain("conring: hello through the ring\nconring: got ping\n");
    expect(r.stdout).not.toContain("Test result");
    expect(r.stderr).toMatch(/^\(d1\) Test result: SUCCESS$/m);
    expect(r.stderr).not.toContain("hello through the ring");
    expect(r.status).toBe(0);
  });
  it("with no arguments boots the bundled demo PV guest: its console ring on stdout, its log on stderr", () => {
    const r = spawnSync(process.execPath, [cli], { encoding: "utf8" });
    expect(r.stderr).toContain("booting the bundled demo PV guest");
    expect(r.stdout).toMatch(/^ringone demo: a Xen PV guest kernel running in ring 1, PAE \(3-level\) paging$/m);
    expect(r.stdout).toContain("a writable mapping of our top-level page table: -16");
    expect(r.stdout).toContain("multicall of 4: results 0x40011 0x40011 0 4096");
    expect(r.stdout).toMatch(/timer: 5 VIRQ_TIMER upcalls on port \d+ while blocked/);
    expect(r.stdout).toContain("work: 9592 primes below 100000");
    expect(r.stdout).toContain("every answer was the one Xen gives");
    expect(r.stderr).toContain("(d1) Test result: SUCCESS");
    expect(r.stderr).not.toContain("FAIL");
    expect(r.stderr).toContain("multicall batch sizes: 4x1");
    expect(r.status).toBe(0);
  });
  it("derives the exit code from the shutdown reason", () => {
    expect(run(elfPath("shutdown", "2l"), "--cmdline", "reason=1").status).toBe(2);
    expect(run(elfPath("shutdown", "pae"), "--cmdline", "reason=3").status).toBe(1);
  });
  it("reports a crashed domain with its diagnostic", () => {
    const r = run(elfPath("fault", "pae"), "--cmdline", "kind=ud");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("domain crashed: unhandled exception #UD");
  });
  it("gives a clear error (no stack trace) for truncated and malformed ELF files", () => {
    const img = readFileSync(elfPath("version", "pae"));
    const dir = join(root, "guests", "build", "pv");
    const trunc = join(dir, "truncated.elf");
    require_write(trunc, img.subarray(0, 300));
    const r = run(trunc);
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/^ringone: .*(runs past the end|truncated|overruns)/m);
    expect(r.stderr).not.toContain("    at ");
    const notelf = join(dir, "garbage.elf");
    require_write(notelf, new Uint8Array(100).fill(7));
    const g = run(notelf);
    expect(g.status).toBe(64);
    expect(g.stderr).toContain("ringone:");
    expect(g.stderr).not.toContain("    at ");
  });
  it("--native refuses a PV kernel that has no multiboot header; --pv forces PV", () => {
    expect(run(elfPath("version", "pae"), "--native").status).toBe(64);
    expect(run(elfPath("version", "pae"), "--pv").status).toBe(0);
  });
});


/** Set U/S in every L1 entry of the initial region (host-side stand-in for update_va_mapping). */
function userMapRegion(m: PvMachine): void {
  const { layout, domain: d } = m.built;
  const esz = d.pae ? 8 : 4;
  for (let i = 0; i < layout.l1Pages; i++) {
    const base = (layout.ptPfn + layout.ptPages - layout.l1Pages + i) * 4096;
    for (let o = 0; o < 4096; o += esz) { const e = d.read32(base + o); if (e & 1) d.write32(base + o, e | 4); }
  }
  m.cpu.core.flushTlb(0);
}
function require_write(p: string, data: Uint8Array): void { writeFileSync(p, data); }

/**
 * TEMPORARY (until update_va_mapping lands): map the shared_info frame at the kernel's
 * `shinfo_page` (found with nm) by editing its initial L1 entry, what the guest's own
 * update_va_mapping(&shinfo_page, shared_info | P|RW|A|D, UVMF_INVLPG) does. Skipped when the
 * hypercall exists (the guest then maps it itself).
 */
function mapSharedInfo(m: PvMachine, kernel: string, mode: string): void {
  if (HYPERCALL_BY_NR.get(14)?.handler) return;
  const nm = spawnSync("nm", [elfPath(kernel, mode)], { encoding: "utf8" });
  const line = nm.stdout.split("\n").find((l) => l.endsWith(" shinfo_page"));
  if (!line) throw new Error(`${kernel}: no shinfo_page symbol`);
  const va = parseInt(line.split(" ")[0], 16);
  const { layout, domain: d } = m.built;
  const esz = d.pae ? 8 : 4, perPage = 4096 / esz;
  // The initial L1 pages map the bootstrap region from VIRT_BASE contiguously.
  const firstL1 = layout.ptPfn + layout.ptPages - layout.l1Pages;
  const span = d.pae ? 2 << 20 : 4 << 20;
  const vpn = (va - Math.floor(layout.va(0) / span) * span) / 4096;
  const ea = (firstL1 + Math.floor(vpn / perPage)) * 4096 + (vpn % perPage) * esz;
  const old = d.read32(ea);
  if (!(old & 1)) throw new Error("shinfo_page is not mapped by the initial tables");
  d.write32(ea, (d.sharedInfoMa | (old & 0xfff)) >>> 0);
  m.cpu.core.flushTlb(0);
}
