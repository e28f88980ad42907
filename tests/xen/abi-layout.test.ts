/**
 * Differential test of host/xen/abi/* against the real Xen public headers (/usr/include/xen,
 * Debian libxen-dev). Every exported numeric constant and every field of every StructLayout in the
 * mirror is turned into a C expression (the constant itself, offsetof, sizeof, element count),
 * compiled with `gcc -m32 -c` into a named section of an object file, and read back with our own
 * ELF reader: nothing 32-bit is ever executed.
 *
 * Builds:
 *   latest  -D__XEN_INTERFACE_VERSION__=0x00040e00 (= __XEN_LATEST_INTERFACE_VERSION__, what
 *           __XEN_TOOLS__ would select): every constant and field must match.
 *   legacy  no define: the header default 0x00000000 that an unversioned guest gets. Names listed
 *           in LEGACY_INTERFACE must have their old value, names in SINCE / fields with `since`
 *           must be absent, everything else must match.
 *   pae     latest + -DCONFIG_X86_PAE: the headers no longer look at it; the output must be
 *           byte-identical to the latest build.
 * No __XEN_TOOLS__ / __XEN__ is needed for anything mirrored, except that errno.h hides EINTR and
 * ERESTART behind __XEN__: they are read through a second expansion of its XEN_ERRNO() list.
 */
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Elf32 } from "../../host/elf/elf32.ts";
import { isStructLayout, type StructLayout } from "../../host/xen/abi/struct.ts";
import * as xen from "../../host/xen/abi/xen.ts";
import * as arch from "../../host/xen/abi/arch-x86.ts";
import * as errno from "../../host/xen/abi/errno.ts";
import * as elfnote from "../../host/xen/abi/elfnote.ts";
import * as features from "../../host/xen/abi/features.ts";
import * as version from "../../host/xen/abi/version.ts";
import * as vcpu from "../../host/xen/abi/vcpu.ts";
import * as sched from "../../host/xen/abi/sched.ts";
import * as event_channel from "../../host/xen/abi/event_channel.ts";
import * as callback from "../../host/xen/abi/callback.ts";
import * as physdev from "../../host/xen/abi/physdev.ts";
import * as memory from "../../host/xen/abi/memory.ts";
import * as grant_table from "../../host/xen/abi/grant_table.ts";
import * as consoleAbi from "../../host/xen/abi/console.ts";
import * as blkif from "../../host/xen/abi/blkif.ts";
import * as hypercallPage from "../../host/xen/abi/hypercall-page.ts";

const HEADERS = "/usr/include/xen";
const MODULES: Record<string, Record<string, unknown>> = {
  xen, arch, errno, elfnote, features, version, vcpu, sched, event_channel, callback, physdev, memory, grant_table, console: consoleAbi, blkif,
};

function haveGcc32(): boolean {
  if (!existsSync(join(HEADERS, "xen.h"))) return false;
  try {
    const d = mkdtempSync(join(tmpdir(), "ringone-gcc-"));
    try {
      writeFileSync(join(d, "t.c"), "int x;\n");
      execFileSync("gcc", ["-m32", "-c", "-o", join(d, "t.o"), join(d, "t.c")], { stdio: "ignore" });
      return true;
    } finally { rmSync(d, { recursive: true, force: true }); }
  } catch { return false; }
}
const CAN = haveGcc32();
if (!CAN) console.warn("abi-layout: skipped: needs gcc -m32 (gcc-multilib) and /usr/include/xen (libxen-dev)");

// ---- What to check ---------------------------------------------------------------------------------

interface Check {
  what: string; // human-readable label
  expr: string; // C constant expression
  expect: bigint; // as u64
  macro?: string; // #ifdef guard (constants only), so absence is detected rather than a compile error
  since?: number; // absent below this interface version
  legacy?: bigint; // value below LEGACY_INTERFACE.below
}

const u64 = (v: number | bigint) => BigInt.asUintN(64, BigInt(v));

function constantChecks(): Check[] {
  const out: Check[] = [];
  for (const [mod, ns] of Object.entries(MODULES)) {
    const legacy = (ns.LEGACY_INTERFACE ?? {}) as Record<string, { below: number; value: number }>;
    const since = (ns.SINCE ?? {}) as Record<string, number>;
    const cexpr = (ns.C_EXPR ?? {}) as Record<string, string>;
    for (const [name, v] of Object.entries(ns)) {
      if (typeof v !== "number" && typeof v !== "bigint") continue;
      const c: Check = { what: `${mod}.${name}`, expr: `(long long)(${name})`, expect: u64(v), macro: name };
      if (mod === "errno") { c.expr = `(long long)RINGONE_${name.slice(4)}`; delete c.macro; }
      if (cexpr[name]) { c.expr = `(long long)(${cexpr[name]})`; delete c.macro; }
      if (since[name] !== undefined) c.since = since[name];
      if (legacy[name]) c.legacy = u64(legacy[name].value);
      out.push(c);
    }
  }
  // Legacy-only names (defined by the header only for old interface versions).
  for (const [mod, ns] of Object.entries(MODULES)) for (const [name, l] of Object.entries((ns.LEGACY_ONLY ?? {}) as Record<string, { value: number }>)) {
    out.push({ what: `${mod}.LEGACY_ONLY.${name}`, expr: `(long long)(${name})`, expect: u64(l.value), macro: name, since: -1, legacy: u64(l.value) });
  }
  return out;
}

function structs(): [string, StructLayout][] {
  const out: [string, StructLayout][] = [];
  for (const [mod, ns] of Object.entries(MODULES)) {
    for (const [name, v] of Object.entries(ns)) if (isStructLayout(v)) out.push([`${mod}.${name}`, v]);
  }
  return out;
}

function structChecks(): Check[] {
  const out: Check[] = [];
  for (const [label, s] of structs()) {
    out.push({ what: `sizeof(${s.c}) [${label}]`, expr: `(long long)sizeof(${s.c})`, expect: BigInt(s.size), since: s.since });
    for (const [f, d] of Object.entries(s.fields)) {
      const since = d.since ?? s.since;
      const m = `(((${s.c} *)0)->${f})`;
      out.push({ what: `offsetof(${s.c}, ${f})`, expr: `(long long)offsetof(${s.c}, ${f})`, expect: BigInt(d.offset), since });
      out.push({ what: `sizeof(${s.c}.${f})`, expr: `(long long)sizeof${m}`, expect: BigInt(d.size), since });
      if (d.count !== undefined) out.push({ what: `count(${s.c}.${f})`, expr: `(long long)(sizeof${m} / sizeof(${m}[0]))`, expect: BigInt(d.count), since });
    }
  }
  return out;
}

// ---- Compile and read back ---------------------------------------------------------------------------

const PRELUDE = `#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/elfnote.h>
#include <xen/features.h>
#include <xen/version.h>
#include <xen/vcpu.h>
#include <xen/sched.h>
#include <xen/event_channel.h>
#include <xen/callback.h>
#include <xen/nmi.h>
#include <xen/physdev.h>
#include <xen/memory.h>
#include <xen/grant_table.h>
#include <xen/io/console.h>
#include <xen/io/blkif.h>
#include <xen/io/xenbus.h>
#include <xen/errno.h>
/* Second expansion of errno.h's list, with the hypervisor-internal entries visible. */
#define __XEN__ 1
#define XEN_ERRNO(name, value) RINGONE_##name = value,
enum ringone_errno {
#include <xen/errno.h>
RINGONE_errno_end };
#undef __XEN__
`;

interface BuildResult { values: bigint[]; present: boolean[]; prefix: string; raw: Uint8Array }

function build(checks: Check[], defines: string[], legacyBuild = false): BuildResult {
  const dir = mkdtempSync(join(tmpdir(), "ringone-xenabi-"));
  try {
    let c = PRELUDE;
    c += `__attribute__((used, section(".xenabi"))) static const long long vals[] = {\n`;
    for (const k of checks) {
      if (!k.macro && legacyBuild && k.since !== undefined && k.since > 0) c += `  0, 0, /* ${k.what}: not in this interface version */\n`;
      else if (k.macro) c += `#ifdef ${k.macro}\n  ${k.expr}, 1,\n#else\n  0, 0,\n#endif\n`;
      else c += `  ${k.expr}, 1,\n`;
    }
    c += `};\n__attribute__((used, section(".xenabi_str"))) static const char prefix[] = XEN_EMULATE_PREFIX;\n`;
    const src = join(dir, "abi.c"), obj = join(dir, "abi.o");
    writeFileSync(src, c);
    try {
      execFileSync("gcc", ["-m32", "-std=gnu11", "-c", "-O0", ...defines, "-o", obj, src], { stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      const err = e as { stderr?: Buffer };
      throw new Error(`gcc -m32 ${defines.join(" ")} failed:\n${err.stderr?.toString() ?? String(e)}`);
    }
    const elf = new Elf32(new Uint8Array(readFileSync(obj)), "abi.o");
    const sec = elf.section(".xenabi"), str = elf.section(".xenabi_str");
    if (!sec || !str) throw new Error("abi.o lacks the .xenabi sections");
    expect(sec.size).toBe(checks.length * 16);
    const values: bigint[] = [], present: boolean[] = [];
    for (let i = 0; i < checks.length; i++) {
      values.push(elf.dv.getBigUint64(sec.offset + i * 16, true));
      present.push(elf.dv.getBigUint64(sec.offset + i * 16 + 8, true) === 1n);
    }
    const prefix = elf.cstr(str.offset, str.offset + str.size);
    return { values, present, prefix, raw: elf.data.slice(sec.offset, sec.offset + sec.size) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function mismatches(checks: Check[], r: BuildResult, legacyBuild: boolean): string[] {
  const bad: string[] = [];
  checks.forEach((k, i) => {
    const hidden = legacyBuild ? k.since !== undefined && k.since > 0 : k.since === -1;
    if (hidden) {
      if (k.macro && r.present[i]) bad.push(`${k.what}: expected absent in this build, header defines it as ${r.values[i]}`);
      return;
    }
    if (!r.present[i]) { bad.push(`${k.what}: not defined by the headers`); return; }
    const want = legacyBuild && k.legacy !== undefined ? k.legacy : k.expect;
    if (r.values[i] !== want) bad.push(`${k.what}: mirror 0x${want.toString(16)}, header 0x${r.values[i].toString(16)}`);
  });
  return bad;
}

// ---- Tests -------------------------------------------------------------------------------------------

describe.skipIf(!CAN)("Xen ABI mirror vs /usr/include/xen (gcc -m32)", () => {
  const consts = constantChecks();
  const fields = structChecks();
  const all = [...consts, ...fields];
  const LATEST = ["-D__XEN_INTERFACE_VERSION__=0x00040e00"];
  let latest: BuildResult | undefined;
  const getLatest = () => (latest ??= build(all, LATEST));

  it("mirrors a substantial part of the ABI", () => {
    // Guard against the enumeration silently finding nothing.
    expect(consts.length).toBeGreaterThan(400);
    expect(structs().length).toBeGreaterThan(60);
    expect(fields.length).toBeGreaterThan(700);
  });

  it("every constant matches at the latest interface version", () => {
    const r = getLatest();
    expect(mismatches(consts, { ...r, values: r.values.slice(0, consts.length), present: r.present.slice(0, consts.length) }, false)).toEqual([]);
  });

  it("every struct size, field offset, field size and array length matches (latest interface)", () => {
    const r = getLatest();
    const n = consts.length;
    expect(mismatches(fields, { ...r, values: r.values.slice(n), present: r.present.slice(n) }, false)).toEqual([]);
  });

  it("the legacy default interface (0x00000000) differs only where the mirror says", () => {
    const r = build(all, [], true);
    expect(mismatches(all, r, true)).toEqual([]);
  });

  it("CONFIG_X86_PAE changes nothing in the headers (PAE and non-PAE bounds are separate names)", () => {
    const r = build(all, [...LATEST, "-DCONFIG_X86_PAE"]);
    expect(Buffer.from(r.raw).equals(Buffer.from(getLatest().raw))).toBe(true);
  });

  it("XEN_EMULATE_PREFIX is the byte string the mirror gives", () => {
    const text = getLatest().prefix;
    const bytes = [...text.matchAll(/0x([0-9a-f]{2})/gi)].map((m) => parseInt(m[1], 16));
    expect(bytes).toEqual([...arch.XEN_EMULATE_PREFIX_BYTES]);
  });

  it("__XEN_LATEST_INTERFACE_VERSION__ is the version the latest build uses", () => {
    const src = readFileSync(join(HEADERS, "xen-compat.h"), "utf8");
    expect(src).toMatch(new RegExp(`__XEN_LATEST_INTERFACE_VERSION__\\s+0x0*${xen.__XEN_LATEST_INTERFACE_VERSION__.toString(16)}\\b`, "i"));
  });

  it("the int 0x82 / TRAP_INSTR facts are not header facts (absent from every public header)", () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d)) {
        const p = join(d, e);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith(".h")) files.push(p);
      }
    };
    walk(HEADERS);
    const hits = files.filter((f) => /TRAP_INSTR|\$0x82|HYPERCALL_VECTOR/.test(readFileSync(f, "utf8")));
    expect(hits).toEqual([]);
  });
});

describe("hypercall page", () => {
  it("builds 128 stubs of 32 bytes, iret (23) as push eax; mov eax,23; int 0x82", () => {
    const p = hypercallPage.buildPvHypercallPage();
    expect(p.length).toBe(4096);
    expect([...p.subarray(2 * 32, 2 * 32 + 9)]).toEqual([0xb8, 2, 0, 0, 0, 0xcd, 0x82, 0xc3, 0xcc]);
    expect([...p.subarray(23 * 32, 23 * 32 + 9)]).toEqual([0x50, 0xb8, 23, 0, 0, 0, 0xcd, 0x82, 0xcc]);
    expect([...p.subarray(127 * 32, 127 * 32 + 8)]).toEqual([0xb8, 127, 0, 0, 0, 0xcd, 0x82, 0xc3]);
    expect(p[4095]).toBe(0xcc);
  });

  it("cr3 packing round-trips MFNs above 2^20", () => {
    expect(arch.xen_pfn_to_cr3(0x123456)).toBe(0x23456001);
    expect(arch.xen_cr3_to_pfn(0x23456001)).toBe(0x123456);
  });
});
