#!/usr/bin/env node
/**
 * ringone command line.
 *   ringone boot [KERNEL] [--mem MB] [--cmdline STR] [--module FILE]... [--native | --pv]
 *                [--bios FILE] [--flat ADDR] [--no-apic] [--realtime] [--max-instructions N] [--stats]
 * Boots a kernel on the emulated PC: a multiboot kernel (ELF or a.out kludge), a flat binary
 * (--flat ADDR), or firmware alone (--bios FILE with no kernel). A Xen PV kernel is recognised by
 * its Xen ELF notes. COM1 and the debug ports go to stdout; stdin goes to COM1's receiver.
 */
import { readFileSync } from "node:fs";
import { PcMachine } from "./machine.ts";
import { loadMultiboot, findMultibootHeader } from "./loaders/multiboot.ts";
import { loadFlat, parseAddress, checkFirmware, LoadError } from "./loaders/raw.ts";
import { ElfError } from "./elf/elf32.ts";
import { detectKernel } from "./cli-detect.ts";

interface Args {
  kernel?: string; mem: number; cmdline: string; modules: string[]; max: number; stats: boolean;
  mode?: "native" | "pv"; bios?: string; flat?: number; apic: boolean; realtime?: boolean;
}

const USAGE = "usage: ringone boot [KERNEL] [--mem MB] [--cmdline STR] [--module FILE]... [--native|--pv] [--bios FILE] [--flat ADDR] [--no-apic] [--realtime] [--max-instructions N] [--stats]";

function parse(argv: string[]): Args {
  const a: Args = { mem: 64, cmdline: "", modules: [], max: 5e9, stats: false, apic: true };
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

async function boot(a: Args): Promise<number> {
  if (!a.kernel && !a.bios) throw new UsageError("boot needs a KERNEL file (or --bios FILE)");
  const image = a.kernel ? readInput(a.kernel, "kernel") : undefined;
  if (image && a.flat === undefined) {
    const k = detectKernel(image);
    const mode = a.mode ?? (k.multiboot ? "native" : k.pv ? "pv" : undefined);
    if (mode === undefined) throw new UsageError(`${a.kernel}: neither a multiboot kernel nor a Xen PV kernel (use --flat ADDR for a raw binary)`);
    if (mode === "pv") {
      if (!k.pv) throw new UsageError(`${a.kernel}: --pv given but the kernel has no Xen ELF notes`);
      throw new UsageError(`${a.kernel}: Xen PV kernels are not supported yet${k.multiboot ? " (this one is also multiboot: use --native)" : ""}`);
    }
    if (!k.multiboot) throw new UsageError(`${a.kernel}: --native given but the kernel has no multiboot header`);
  }
  const rom = a.bios ? checkFirmware(readInput(a.bios, "firmware"), a.bios) : undefined;
  const realtime = a.realtime ?? !!process.stdin.isTTY;
  const m = new PcMachine({
    memMB: a.mem, rom, apic: a.apic, realtime, rtcStart: "host",
    onOutput: (b) => process.stdout.write(String.fromCharCode(b)),
  });
  if (image && a.flat !== undefined) loadFlat(m.cpu, image, a.flat);
  else if (image) {
    const modules = a.modules.map((spec) => {
      const [file, ...rest] = spec.split(" ");
      return { data: readInput(file, "module"), cmdline: [file, ...rest].join(" ") };
    });
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
  }
  if (r.reason === "shutdown" || r.reason === "fault") { process.stderr.write(`\n[ringone] ${r.detail}\n`); return 3; }
  if (r.reason === "limit") { process.stderr.write(`\n[ringone] ${r.detail}\n`); return 4; }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  try {
    if (argv[0] === "--version") { console.log("ringone 0.1.0"); return 0; }
    if (argv[0] === "boot") return await boot(parse(argv.slice(1)));
    throw new UsageError(USAGE);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ElfError || e instanceof LoadError) { process.stderr.write(`ringone: ${e.message}\n`); return 2; }
    if (e instanceof Error && /ROM|firmware/.test(e.message)) { process.stderr.write(`ringone: ${e.message}\n`); return 2; }
    throw e;
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
