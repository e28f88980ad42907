#!/usr/bin/env node
/**
 * ringone command line.
 *   ringone                  boots the bundled demo PV guest (guests/pv/tests/demo.c, PAE build)
 *   ringone boot [KERNEL] [--mem MB] [--cmdline STR] [--module FILE]... [--native | --pv]
 *                [--bios FILE] [--flat ADDR] [--no-apic] [--realtime] [--xen-debug]
 *                [--no-jit | --jit on|off|force] [--max-instructions N] [--stats]
 *                [--disk IMG]... [--disk-rw IMG]...
 * The JIT defaults to env RINGONE_JIT, else on.
 * --disk / --disk-rw give a PV guest raw disk images as xvda, xvdb, ... (PV block backend; --disk
 * opens the image read-only, --disk-rw lets the guest write it in place).
 * A kernel whose ELF carries Xen notes boots as a Xen PV guest (ring 1, ringone in Xen's place);
 * its console ring goes to stdout and its HYPERVISOR_console_io text, as in Xen's log, to stderr
 * with "(d1) " in front of each line. Otherwise it boots on the emulated PC: a
 * multiboot kernel (ELF or a.out kludge), a flat binary (--flat ADDR), or firmware alone (--bios
 * FILE with no kernel); COM1 and the debug ports go to stdout, stdin to COM1's receiver.
 * --pv / --native force the mode where a kernel supports both.
 *
 * Exit status. PV: 0 poweroff, 1 crash (guest-requested or crashed by the hypervisor), 2 reboot,
 * 3 suspend, 4 watchdog, 5 soft_reset, 6 other shutdown reason, 7 instruction limit, 8 blocked
 * forever. Native: 0 halted, 3 triple fault or unhandled exception, 4 instruction limit.
 * Both: 64 for usage errors and malformed kernels (ElfError).
 */
import { existsSync, fstatSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PcMachine } from "./machine.ts";
import { loadMultiboot, findMultibootHeader } from "./loaders/multiboot.ts";
import { loadFlat, parseAddress, checkFirmware, LoadError } from "./loaders/raw.ts";
import { ElfError } from "./elf/elf32.ts";
import { detectKernel } from "./cli-detect.ts";
import { PvMachine } from "./xen/pv-machine.ts";
import { GUEST_DOMID } from "./xen/domain.ts";
import { domainLogWriter } from "./xen/console-log.ts";
import { FileDisk } from "./xen/backends/disk-image.ts";
import { backendsOf } from "./xen/install-backends.ts";
import type { VbdOptions } from "./xen/backends/blkback.ts";
import type { JitMode } from "./jit/jit.ts";
import { loadBinaryen } from "./jit/text.ts";
import type { Cpu } from "./core/cpu.ts";

export const EXIT_USAGE = 64;

interface Args {
  kernel?: string; mem: number; cmdline: string; modules: string[]; max: number; stats: boolean;
  mode?: "native" | "pv"; bios?: string; flat?: number; apic: boolean; realtime?: boolean; xenDebug: boolean;
  jit?: JitMode; disks: { path: string; writable: boolean }[];
}

/** The demo PV guest, relative to the CLI bundle (dist/cli.mjs) or this file (host/cli.ts). */
const DEMO_KERNEL = fileURLToPath(new URL("../guests/build/pv/demo-pae.elf", import.meta.url));

const USAGE = "usage: ringone                (boots the bundled demo PV guest)\n" +
  "       ringone boot [KERNEL] [--mem MB] [--cmdline STR] [--module FILE]... [--native|--pv] [--bios FILE] [--flat ADDR] [--no-apic] [--realtime] [--xen-debug] [--no-jit | --jit on|off|force] [--max-instructions N] [--stats] [--disk IMG]... [--disk-rw IMG]...\n" +
  "  --disk IMG     a raw disk image for a PV guest (xvda, xvdb, ... in order; read-only)\n" +
  "  --disk-rw IMG  the same, writable: the guest's writes go to the file\n" +
  "A PV guest's console ring goes to stdout; its console_io text, as in Xen's log, to stderr as \"(d1) ...\" lines.";

function parse(argv: string[]): Args {
  const a: Args = { mem: 64, cmdline: "", modules: [], max: 5e9, stats: false, apic: true, xenDebug: false, disks: [] };
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
      case "--native": a.mode = "native"; break;
      case "--pv": a.mode = "pv"; break;
      case "--bios": a.bios = next(); break;
      case "--flat": a.flat = parseAddress(next()); break;
      case "--no-apic": a.apic = false; break;
      case "--realtime": a.realtime = true; break;
      case "--no-realtime": a.realtime = false; break;
      case "--xen-debug": a.xenDebug = true; break;
      case "--disk": a.disks.push({ path: next(), writable: false }); break;
      case "--disk-rw": a.disks.push({ path: next(), writable: true }); break;
      case "--no-jit": a.jit = "off"; break;
      case "--jit": {
        const m = next();
        if (m !== "on" && m !== "off" && m !== "force") throw new UsageError("--jit takes on, off or force");
        a.jit = m;
        break;
      }
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

/** The --stats line for the JIT. */
function jitStats(cpu: Cpu): void {
  const j = cpu.jit?.snapshot();
  if (!j) { process.stderr.write("[ringone] jit off\n"); return; }
  process.stderr.write(`[ringone] jit ${cpu.jit!.mode}: ${j.blocks} blocks in ${j.modules} modules (${j.insnsCustom} custom / ${j.insnsGeneric} generic instructions), ` +
    `compile ${j.compileMs.toFixed(1)} ms + instantiate ${j.instantiateMs.toFixed(1)} ms, ${j.runs} block runs, ${j.bails} bails, ${j.tierUps} tier-ups (${j.tierUpMs.toFixed(1)} ms), ${j.invalidations} invalidations, ${j.flushes} flushes, ${j.failed} failed\n`);
}

/** --module "FILE [args]": the file's bytes and its command line (the file name first). */
function parseModules(a: Args): { data: Uint8Array; cmdline: string }[] {
  return a.modules.map((spec) => {
    const [file, ...rest] = spec.split(" ");
    return { data: readInput(file, "module"), cmdline: [file, ...rest].join(" ") };
  });
}

function openDisks(a: Args): VbdOptions[] {
  return a.disks.map(({ path, writable }) => {
    try { return { disk: new FileDisk(path, !writable) }; } catch (e) { throw new UsageError(`cannot open disk ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
  });
}

function bootPv(a: Args, image: Uint8Array): number {
  const modules = parseModules(a);
  const m = new PvMachine(image, {
    memMB: a.mem, cmdline: a.cmdline, modules, xenDebug: a.xenDebug, what: a.kernel, jit: a.jit,
    // The domain's console (its PV console ring) on stdout; its console_io text is Xen's log on
    // stderr, "(d1) " in front of each line (docs/pv-design.md, "Console").
    onOutput: (b) => process.stdout.write(b), onLog: domainLogWriter(GUEST_DOMID, (b) => process.stderr.write(b)),
    disks: openDisks(a),
  });
  // The PV run is synchronous: console input (the ring's in[], or CONSOLEIO_read) is what stdin
  // holds when it is a file or a pipe, read to its end before the guest starts; a terminal gives none.
  try {
    const st = fstatSync(0);
    if (!process.stdin.isTTY && (st.isFile() || st.isFIFO())) m.domain.pushConsoleInput(readFileSync(0));
  } catch { /* no stdin */ }
  const t0 = performance.now();
  const r = m.run(a.max);
  const ms = performance.now() - t0;
  if (a.stats) {
    process.stderr.write(`\n[ringone] ${r.detail}; ${r.instructions} instructions in ${ms.toFixed(0)} ms (${(Number(r.instructions) / ms / 1000).toFixed(1)} MIPS)\n`);
    for (const l of m.statsReport()) process.stderr.write(`[ringone] ${l}\n`);
    for (const d of backendsOf(m)?.disks ?? []) {
      const s = d.stats;
      process.stderr.write(`[ringone] ${d.dev}: ${s.connects} connections, ${s.requests} requests (${s.reads} reads of ${s.sectorsRead} sectors, ` +
        `${s.writes} writes of ${s.sectorsWritten} sectors, ${s.errors} errors, ${s.unsupported} unsupported), state ${d.state}\n`);
    }
    jitStats(m.cpu);
  }
  if (r.exitCode !== 0) process.stderr.write(`\n[ringone] ${r.detail}\n`);
  return r.exitCode;
}

async function boot(a: Args): Promise<number> {
  if (!a.kernel && !a.bios) throw new UsageError("boot needs a KERNEL file (or --bios FILE)");
  // binaryen's optimiser for compiled modules (docs/jit.md: it does not pay; for measurements).
  if (process.env.RINGONE_JIT_OPT === "1") await loadBinaryen();
  const image = a.kernel ? readInput(a.kernel, "kernel") : undefined;
  if (image && a.flat === undefined) {
    const k = detectKernel(image);
    const mode = a.mode ?? (k.multiboot ? "native" : k.pv ? "pv" : undefined);
    if (mode === undefined) throw new UsageError(`${a.kernel}: neither a multiboot kernel nor a Xen PV kernel (use --flat ADDR for a raw binary)`);
    if (mode === "pv") {
      if (!k.pv) throw new UsageError(`${a.kernel}: --pv given but the kernel has no Xen ELF notes`);
      return bootPv(a, image);
    }
    if (!k.multiboot) throw new UsageError(`${a.kernel}: --native given but the kernel has no multiboot header`);
  }
  if (a.disks.length) throw new UsageError("--disk needs a Xen PV guest (the PC has no disk controller)");
  const rom = a.bios ? checkFirmware(readInput(a.bios, "firmware"), a.bios) : undefined;
  const realtime = a.realtime ?? !!process.stdin.isTTY;
  const m = new PcMachine({
    memMB: a.mem, rom, apic: a.apic, realtime, rtcStart: "host", jit: a.jit,
    onOutput: (b) => process.stdout.write(String.fromCharCode(b)),
  });
  if (image && a.flat !== undefined) loadFlat(m.cpu, image, a.flat);
  else if (image) {
    const modules = parseModules(a);
    loadMultiboot(m.cpu, image, [a.kernel, a.cmdline].filter(Boolean).join(" "), modules);
  }
  // stdin -> COM1. On a terminal, raw mode; Ctrl-] quits.
  let inputOpen = true;
  const stdin = process.stdin;
  if (stdin.isTTY) stdin.setRawMode(true);
  stdin.on("data", (d: Buffer) => {
    if (stdin.isTTY && d.includes(0x1d)) { process.stderr.write("\n[ringone] quit\n"); process.exit(0); }
    m.input(d);
  });
  stdin.on("end", () => { inputOpen = false; });
  stdin.on("error", () => { inputOpen = false; });
  const t0 = performance.now();
  const r = await m.runAsync(a.max, undefined, () => inputOpen);
  const ms = performance.now() - t0;
  if (stdin.isTTY) stdin.setRawMode(false);
  stdin.pause();
  stdin.destroy();
  if (a.stats) {
    process.stderr.write(`\n[ringone] ${r.detail}; ${r.instructions} instructions in ${ms.toFixed(0)} ms (${(Number(r.instructions) / ms / 1000).toFixed(1)} MIPS)\n`);
    process.stderr.write(m.statsText().replace(/^/gm, "[ringone] ") + "\n");
    jitStats(m.cpu);
  }
  if (r.reason === "shutdown" || r.reason === "fault") { process.stderr.write(`\n[ringone] ${r.detail}\n`); return 3; }
  if (r.reason === "limit") { process.stderr.write(`\n[ringone] ${r.detail}\n`); return 4; }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  try {
    if (argv[0] === "--version") { console.log("ringone 0.1.0"); return 0; }
    if (argv[0] === "--help" || argv[0] === "-h") { console.log(USAGE); return 0; }
    if (argv[0] === "boot") return await boot(parse(argv.slice(1)));
    if (argv.length === 0) {
      if (!existsSync(DEMO_KERNEL)) throw new UsageError(`the demo guest ${DEMO_KERNEL} is not built: run \`npm run build:guests\` (needs gcc-multilib)`);
      process.stderr.write(`[ringone] no arguments: booting the bundled demo PV guest (${DEMO_KERNEL}); \`ringone --help\` for usage\n`);
      return await boot(parse([DEMO_KERNEL, "--cmdline", "demo", "--stats"]));
    }
    throw new UsageError(USAGE);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ElfError || e instanceof LoadError) { process.stderr.write(`ringone: ${e.message}\n`); return EXIT_USAGE; }
    if (e instanceof Error && /ROM|firmware/.test(e.message)) { process.stderr.write(`ringone: ${e.message}\n`); return EXIT_USAGE; }
    throw e;
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
