#!/usr/bin/env node
/**
 * ringone command line.
 *   ringone boot KERNEL [--mem MB] [--cmdline STR] [--module FILE]... [--max-instructions N] [--stats]
 *                       [--pv | --native] [--xen-debug]
 * A kernel whose ELF carries Xen notes boots as a Xen PV guest (ring 1, ringone in Xen's place) and
 * its console (HYPERVISOR_console_io) goes to stdout; otherwise a multiboot kernel boots on the
 * emulated PC (COM1 and port 0xE9 to stdout). --pv / --native force the mode.
 *
 * Exit status. PV: 0 poweroff, 1 crash (guest-requested or crashed by the hypervisor), 2 reboot,
 * 3 suspend, 4 watchdog, 5 soft_reset, 6 other shutdown reason, 7 instruction limit, 8 blocked
 * forever. Native: 0 halted, 3 triple fault or unhandled exception, 4 instruction limit.
 * Both: 64 for usage errors and malformed kernels (ElfError).
 */
import { readFileSync } from "node:fs";
import { PcMachine } from "./machine.ts";
import { loadMultiboot, findMultibootHeader } from "./loaders/multiboot.ts";
import { Elf32, ElfError } from "./elf/elf32.ts";
import { PvMachine } from "./xen/pv-machine.ts";

export const EXIT_USAGE = 64;

interface Args { kernel?: string; mem: number; cmdline: string; modules: string[]; max: number; stats: boolean; mode?: "pv" | "native"; xenDebug: boolean; }

function parse(argv: string[]): Args {
  const a: Args = { mem: 64, cmdline: "", modules: [], max: 5e9, stats: false, xenDebug: false };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${v} needs a value`);
      return argv[++i];
    };
    switch (v) {
      case "--mem": a.mem = Number(next()); if (!Number.isInteger(a.mem)) throw new UsageError("--mem takes a whole number of MiB"); break;
      case "--cmdline": a.cmdline = next(); break;
      case "--module": a.modules.push(next()); break;
      case "--max-instructions": a.max = Number(next()); break;
      case "--stats": a.stats = true; break;
      case "--pv": a.mode = "pv"; break;
      case "--native": a.mode = "native"; break;
      case "--xen-debug": a.xenDebug = true; break;
      default:
        if (v.startsWith("-")) throw new UsageError(`unknown option ${v}`);
        if (a.kernel) throw new UsageError(`unexpected argument ${v}`);
        a.kernel = v;
    }
  }
  return a;
}

class UsageError extends Error {}

function readInput(path: string, what: string): Uint8Array {
  try { return new Uint8Array(readFileSync(path)); } catch (e) { throw new UsageError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`); }
}

/** Decide PV vs native: Xen notes (or a __xen_guest section) make it PV. */
function detectMode(image: Uint8Array, what: string): "pv" | "native" {
  let elf: Elf32;
  try { elf = new Elf32(image, what); } catch (e) {
    if (e instanceof ElfError && findMultibootHeader(image)) return "native";
    throw e;
  }
  let xen: boolean;
  try { xen = elf.notes().some((n) => n.name === "Xen") || elf.section("__xen_guest") !== undefined; } catch (e) {
    if (!(e instanceof ElfError)) throw e;
    xen = !findMultibootHeader(image); // malformed notes: let the PV loader report them
  }
  if (xen) return "pv";
  if (findMultibootHeader(image)) return "native";
  throw new ElfError(`${what}: neither a Xen PV kernel (no Xen ELF notes) nor a multiboot kernel`);
}

function bootPv(a: Args, image: Uint8Array): number {
  const modules = a.modules.map((spec) => {
    const [file, ...rest] = spec.split(" ");
    return { data: readInput(file, "module"), cmdline: [file, ...rest].join(" ") };
  });
  const m = new PvMachine(image, {
    memMB: a.mem, cmdline: a.cmdline, modules, xenDebug: a.xenDebug, what: a.kernel,
    onOutput: (b) => process.stdout.write(b),
  });
  const t0 = performance.now();
  const r = m.run(a.max);
  const ms = performance.now() - t0;
  if (a.stats) {
    process.stderr.write(`\n[ringone] ${r.detail}; ${r.instructions} instructions in ${ms.toFixed(0)} ms (${(Number(r.instructions) / ms / 1000).toFixed(1)} MIPS)\n`);
    for (const l of m.statsReport()) process.stderr.write(`[ringone] ${l}\n`);
  }
  if (r.exitCode !== 0) process.stderr.write(`\n[ringone] ${r.detail}\n`);
  return r.exitCode;
}

function boot(a: Args): number {
  if (!a.kernel) throw new UsageError("boot needs a KERNEL file");
  const image = readInput(a.kernel, "kernel");
  const mode = a.mode ?? detectMode(image, a.kernel);
  if (mode === "pv") return bootPv(a, image);
  if (!findMultibootHeader(image)) throw new UsageError(`${a.kernel}: not a multiboot kernel`);
  const m = new PcMachine({ memMB: a.mem, onOutput: (b) => process.stdout.write(String.fromCharCode(b)) });
  const modules = a.modules.map((spec) => {
    const [file, ...rest] = spec.split(" ");
    return { data: readInput(file, "module"), cmdline: [file, ...rest].join(" ") };
  });
  loadMultiboot(m.cpu, image, [a.kernel, a.cmdline].filter(Boolean).join(" "), modules);
  const t0 = performance.now();
  const r = m.run(a.max);
  const ms = performance.now() - t0;
  if (a.stats) {
    process.stderr.write(`\n[ringone] ${r.detail}; ${r.instructions} instructions in ${ms.toFixed(0)} ms (${(Number(r.instructions) / ms / 1000).toFixed(1)} MIPS)\n`);
  }
  if (r.reason === "shutdown" || r.reason === "fault") { process.stderr.write(`\n[ringone] ${r.detail}\n`); return 3; }
  if (r.reason === "limit") { process.stderr.write(`\n[ringone] ${r.detail}\n`); return 4; }
  return 0;
}

function main(argv: string[]): number {
  try {
    if (argv[0] === "--version") { console.log("ringone 0.1.0"); return 0; }
    if (argv[0] === "boot") return boot(parse(argv.slice(1)));
    throw new UsageError("usage: ringone boot KERNEL [--mem MB] [--cmdline STR] [--module FILE]... [--max-instructions N] [--stats] [--pv | --native] [--xen-debug]");
  } catch (e) {
    if (e instanceof UsageError || e instanceof ElfError) { process.stderr.write(`ringone: ${e.message}\n`); return EXIT_USAGE; }
    throw e;
  }
}

process.exitCode = main(process.argv.slice(2));
