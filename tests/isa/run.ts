/**
 * Running cases: the oracle runners (tests/native: x86run64 natively, x86run32 under qemu-i386),
 * ringone (the core, flat 32-bit protected mode at CPL 0, paging off), and the comparison.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Cpu } from "../../host/core/cpu.ts";
import * as L from "../../host/isa/layout.ts";
import { TABLE } from "../../host/isa/x86-table.ts";
import { type Case, type OracleKind, DATA, ARITH_DF, caseLine } from "./cases.ts";
import { hex8, hexBytes } from "./rng.ts";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const RUN64 = join(ROOT, "tests/native/build/x86run64");
export const RUN32 = join(ROOT, "tests/native/build/x86run32");
export const QEMU = process.env.QEMU_I386 ?? "qemu-i386";
/** Where ringone runs the case code (the oracle runners use their own slots in 0x200000-0x2fffff). */
export const CODE = 0x00200000;

export interface Outcome {
  regs: number[];
  flags: number;
  /** Exception vector, or -1 when the code ran to its end. */
  exc: number;
  mem: Uint8Array;
  /** Protocol error (oracle) or unexpected exit (ringone). */
  err?: string;
  raw?: string;
}

export function ensureRunners(): void {
  if (!existsSync(RUN64) || !existsSync(RUN32)) execFileSync("make", ["-s", "-C", join(ROOT, "tests/native")], { stdio: "inherit" });
}

export function oracleCommand(kind: OracleKind): [string, string[]] {
  return kind === "native" ? [RUN64, []] : [QEMU, [RUN32]];
}

/** Shell one-liner that runs one case line on the oracle. */
export function oracleOneLiner(kind: OracleKind, line: string): string {
  return kind === "native"
    ? `echo '${line}' | tests/native/build/x86run64`
    : `echo '${line}' | ${QEMU} tests/native/build/x86run32`;
}

function parseOut(line: string | undefined, memLen: number): Outcome {
  if (!line) return { regs: [], flags: 0, exc: -1, mem: new Uint8Array(0), err: "no output line", raw: "" };
  const f = line.trim().split(/\s+/);
  if (f[0] === "ERR" || f.length !== 12) return { regs: [], flags: 0, exc: -1, mem: new Uint8Array(0), err: line, raw: line };
  const mem = new Uint8Array(memLen);
  if (f[11] !== "-") for (let i = 0; i < memLen; i++) mem[i] = parseInt(f[11].substr(2 * i, 2), 16);
  return {
    regs: f.slice(0, 8).map((x) => parseInt(x, 16) >>> 0),
    flags: parseInt(f[8], 16) >>> 0,
    exc: f[9] === "-" ? -1 : parseInt(f[9], 16),
    mem, raw: line,
  };
}

/** All cases of one oracle in one stdin/stdout exchange. */
export function runOracle(kind: OracleKind, cases: Case[]): Outcome[] {
  if (!cases.length) return [];
  const input = cases.map(caseLine).join("\n") + "\n";
  const [cmd, args] = oracleCommand(kind);
  const out = execFileSync(cmd, args, { input, maxBuffer: 1 << 30, encoding: "utf8" });
  const lines = out.split("\n");
  return cases.map((c, i) => parseOut(lines[i], c.mem.length));
}

/** Selectors qemu-user gives a 32-bit process (ES CS SS DS FS GS), asked once from the runner. */
let qemuSels: number[] | undefined;
export function qemuSelectors(): number[] {
  if (qemuSels) return qemuSels;
  try {
    // mov eax,es; mov ecx,cs; mov edx,ss; mov ebx,ds; mov ebp,fs; mov esi,gs
    const out = execFileSync(QEMU, [RUN32], { input: "8cc08cc98cd28cdb8ce58cee 0 0 0 0 0 0 0 0 0\n", encoding: "utf8" });
    const f = out.trim().split(/\s+/).map((x) => parseInt(x, 16));
    qemuSels = [f[0], f[1], f[2], f[3], f[5], f[6]];
  } catch {
    qemuSels = [0x2b, 0x23, 0x2b, 0x2b, 0, 0x33];
  }
  return qemuSels;
}

/**
 * The runners execute every case after FNINIT (FCW 037F, all tags empty); ringone's reset state is
 * the power-on one (FCW 0040, tags valid). So ringone runs FNINIT (DB E3) first when the table has it.
 */
const PROLOGUE: number[] = TABLE.some((r) => r.id === "FNINIT" || r.handler === "fninit") ? [0xdb, 0xe3] : [];

export class Ringone {
  readonly cpu: Cpu;
  private ram: Uint8Array;
  constructor() {
    this.cpu = Cpu.create({ memMB: 4 });
    this.ram = this.cpu.ram;
  }

  /** Set up a case: flat 32-bit segments at CPL 0, IF=1 (as in user mode), data and code. */
  load(c: Case, code: number[] = [...PROLOGUE, ...c.code, 0xf4]): void {
    const cpu = this.cpu;
    cpu.reset();
    cpu.core.setFlat32(0);
    if (c.oracle === "qemu") {
      // so that PUSH Sreg / MOV r,Sreg store what qemu-user's selectors are
      const sels = qemuSelectors();
      for (let i = 0; i < 6; i++) cpu.setState32(L.S.SEGS + i * L.SEG_SIZE + L.SEG.SEL, sels[i]);
    }
    const ram = this.ram;
    ram.fill(0, DATA, DATA + 0x10000);
    ram.set(c.mem, DATA);
    ram.fill(0xcc, CODE, CODE + 256);
    ram.set(code, CODE);
    for (let r = 0; r < 8; r++) cpu.setReg(r, c.regs[r]);
    cpu.eflags = (c.flags & ARITH_DF) | 0x202;
    cpu.eip = CODE;
    cpu.interceptExceptions(0xffffffff);
    // INT3/INTO are software interrupts: they reach the host through the SOFTINT claim (an
    // EXCEPTIONS intercept alone still goes through the IDT gate checks, and this harness has no IDT)
    cpu.claimSoftInt(3);
    cpu.claimSoftInt(4);
  }

  run(c: Case): Outcome {
    this.load(c);
    const cpu = this.cpu;
    const exit = cpu.run(20000);
    const regs = Array.from({ length: 8 }, (_, r) => cpu.reg(r));
    const flags = cpu.eflags;
    const mem = this.ram.slice(DATA, DATA + c.mem.length);
    if (exit === L.ExitReason.HLT) return { regs, flags, exc: -1, mem };
    if (exit === L.ExitReason.FAULT) return { regs, flags, exc: cpu.exit32(L.X.VECTOR), mem };
    if (exit === L.ExitReason.SOFTINT && (cpu.exit32(L.X.VECTOR) === 3 || cpu.exit32(L.X.VECTOR) === 4)) {
      return { regs, flags, exc: cpu.exit32(L.X.VECTOR), mem };
    }
    const name = Object.entries(L.ExitReason).find(([, v]) => v === exit)?.[0] ?? String(exit);
    return { regs, flags, exc: -1, mem, err: `exit ${name} at eip ${hex8(cpu.eip)}` };
  }
}

export function outcomeLine(o: Outcome): string {
  if (o.err && !o.regs.length) return o.err;
  return [
    ...o.regs.map(hex8), hex8(o.flags), o.exc < 0 ? "-" : o.exc.toString(16).padStart(2, "0"),
    o.mem.length ? hexBytes(o.mem) : "-", o.err ? `(${o.err})` : "",
  ].join(" ").trim();
}

const RN = ["EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI"];
const FLAG_NAMES: [number, string][] = [[0x1, "CF"], [0x4, "PF"], [0x10, "AF"], [0x40, "ZF"], [0x80, "SF"], [0x400, "DF"], [0x800, "OF"]];

export function flagNames(bits: number): string {
  return FLAG_NAMES.filter(([b]) => bits & b).map(([, n]) => n).join(",") || "none";
}

/** Differences between the oracle's and ringone's outcome; empty when they agree. */
export function compare(c: Case, o: Outcome, r: Outcome): string[] {
  const d: string[] = [];
  if (o.err) return [`oracle error: ${o.err}`];
  if (r.err) d.push(`ringone ${r.err}`);
  if (o.exc !== r.exc) {
    const v = (x: number) => (x < 0 ? "none" : `#${x}`);
    d.push(`exception oracle=${v(o.exc)} ringone=${v(r.exc)}`);
  }
  for (let i = 0; i < 8; i++) {
    if (o.regs[i] !== r.regs[i]) d.push(`${RN[i]} oracle=${hex8(o.regs[i])} ringone=${hex8(r.regs[i])}`);
  }
  const mask = ARITH_DF & ~c.undef;
  const x = (o.flags ^ r.flags) & mask;
  if (x) d.push(`EFLAGS&${mask.toString(16)} oracle=${hex8(o.flags & mask)} ringone=${hex8(r.flags & mask)} (differ: ${flagNames(x)})`);
  const ign = new Uint8Array(c.mem.length);
  for (const [off, len] of c.memIgnore ?? []) ign.fill(1, off, Math.min(off + len, c.mem.length));
  for (let i = 0; i < c.mem.length; i++) {
    if (o.mem[i] !== r.mem[i] && !ign[i]) {
      let j = i;
      while (j < c.mem.length && o.mem[j] !== r.mem[j] && !ign[j]) j++;
      d.push(`MEM[+0x${i.toString(16)}..] oracle=${hexBytes(o.mem.subarray(i, Math.min(j, i + 8)))} ringone=${hexBytes(r.mem.subarray(i, Math.min(j, i + 8)))}`);
      i = j;
    }
  }
  return d;
}
