#!/usr/bin/env node
/**
 * ringone command line.
 *   ringone boot KERNEL [--mem MB] [--cmdline STR] [--module FILE]... [--max-instructions N] [--stats]
 *                       [--no-jit | --jit on|off|force]   (default: env RINGONE_JIT, else on)
 * Boots a multiboot kernel on the emulated PC and prints its console (COM1, port 0xE9) to stdout.
 * (Xen PV kernels: the PV issue.)
 */
import { readFileSync } from "node:fs";
import { PcMachine } from "./machine.ts";
import { loadMultiboot, findMultibootHeader } from "./loaders/multiboot.ts";
import { ElfError } from "./elf/elf32.ts";
import type { JitMode } from "./jit/jit.ts";

interface Args { kernel?: string; mem: number; cmdline: string; modules: string[]; max: number; stats: boolean; jit?: JitMode; }

function parse(argv: string[]): Args {
  const a: Args = { mem: 64, cmdline: "", modules: [], max: 5e9, stats: false };
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

function boot(a: Args): number {
  if (!a.kernel) throw new UsageError("boot needs a KERNEL file");
  const image = readInput(a.kernel, "kernel");
  if (!findMultibootHeader(image)) throw new UsageError(`${a.kernel}: not a multiboot kernel (Xen PV kernels are not supported yet)`);
  const m = new PcMachine({ memMB: a.mem, jit: a.jit, onOutput: (b) => process.stdout.write(String.fromCharCode(b)) });
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
    const j = m.cpu.jit?.snapshot();
    if (j) {
      process.stderr.write(`[ringone] jit ${m.cpu.jit!.mode}: ${j.blocks} blocks in ${j.modules} modules (${j.insnsCustom} custom / ${j.insnsGeneric} generic instructions), ` +
        `compile ${j.compileMs.toFixed(1)} ms + instantiate ${j.instantiateMs.toFixed(1)} ms, ${j.runs} block runs, ${j.invalidations} invalidations, ${j.flushes} flushes, ${j.failed} failed\n`);
    } else process.stderr.write("[ringone] jit off\n");
  }
  if (r.reason === "shutdown" || r.reason === "fault") { process.stderr.write(`\n[ringone] ${r.detail}\n`); return 3; }
  if (r.reason === "limit") { process.stderr.write(`\n[ringone] ${r.detail}\n`); return 4; }
  return 0;
}

function main(argv: string[]): number {
  try {
    if (argv[0] === "--version") { console.log("ringone 0.1.0"); return 0; }
    if (argv[0] === "boot") return boot(parse(argv.slice(1)));
    throw new UsageError("usage: ringone boot KERNEL [--mem MB] [--cmdline STR] [--module FILE]... [--stats] [--no-jit | --jit on|off|force]");
  } catch (e) {
    if (e instanceof UsageError || e instanceof ElfError) { process.stderr.write(`ringone: ${e.message}\n`); return 2; }
    throw e;
  }
}

process.exitCode = main(process.argv.slice(2));
