#!/usr/bin/env node
/**
 * ringone command line. `ringone boot KERNEL` (work in progress: the loaders land with the PV and PC
 * issues); `ringone --version`.
 */
import { Cpu } from "./core/cpu.ts";

function main(argv: string[]): number {
  if (argv[0] === "--version") {
    const cpu = Cpu.create({ memMB: 1 });
    console.log(`ringone 0.1.0 (core: ${cpu.core.tableRows()} instruction forms)`);
    return 0;
  }
  console.error("usage: ringone --version | ringone boot KERNEL (booting lands with the loaders)");
  return 2;
}

process.exitCode = main(process.argv.slice(2));
