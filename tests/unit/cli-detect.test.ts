/** `ringone boot` kernel detection: Xen notes select the PV loader, a multiboot header the PC; --pv/--native force. */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { detectKernel } from "../../host/cli-detect.ts";

/** An ELF32 kernel with one PT_LOAD at 1 MiB and a PT_NOTE holding a Xen GUEST_OS note; optionally a multiboot header. */
function kernel(multiboot: boolean): Uint8Array {
  const file = new Uint8Array(0x400);
  const dv = new DataView(file.buffer);
  file.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  dv.setUint16(16, 2, true); dv.setUint16(18, 3, true); dv.setUint32(20, 1, true);
  dv.setUint32(24, 0x100000, true); dv.setUint32(28, 52, true);
  dv.setUint16(40, 52, true); dv.setUint16(42, 32, true); dv.setUint16(44, 2, true);
  // PT_LOAD: file 0x200.. at 0x100000
  let ph = 52;
  dv.setUint32(ph, 1, true); dv.setUint32(ph + 4, 0x200, true); dv.setUint32(ph + 8, 0x100000, true);
  dv.setUint32(ph + 12, 0x100000, true); dv.setUint32(ph + 16, 0x200, true); dv.setUint32(ph + 20, 0x200, true);
  dv.setUint32(ph + 24, 5, true); dv.setUint32(ph + 28, 0x1000, true);
  // PT_NOTE at 0x100: namesz 4 "Xen\0", descsz 8 "linux\0\0\0", type 6 (XEN_ELFNOTE_GUEST_OS)
  ph += 32;
  dv.setUint32(ph, 4, true); dv.setUint32(ph + 4, 0x100, true); dv.setUint32(ph + 16, 24, true); dv.setUint32(ph + 20, 24, true); dv.setUint32(ph + 28, 4, true);
  dv.setUint32(0x100, 4, true); dv.setUint32(0x104, 8, true); dv.setUint32(0x108, 6, true);
  file.set([0x58, 0x65, 0x6e, 0], 0x10c);
  file.set([0x6c, 0x69, 0x6e, 0x75, 0x78, 0, 0, 0], 0x110);
  if (multiboot) [0x1badb002, 0, (-0x1badb002) >>> 0].forEach((v, i) => dv.setUint32(0x200 + i * 4, v, true));
  file[0x20c] = 0xf4;
  return file;
}

describe("kernel detection", () => {
  it("Xen notes make a PV kernel; a multiboot header a native one; both are possible", () => {
    expect(detectKernel(kernel(false))).toEqual({ multiboot: false, pv: true });
    expect(detectKernel(kernel(true))).toEqual({ multiboot: true, pv: true });
  });

  it("the CLI sends Xen-noted kernels to the PV loader (which names what is missing), and --native boots a dual kernel natively", () => {
    const dir = mkdtempSync(join(tmpdir(), "ringone-"));
    const cli = join(import.meta.dirname, "..", "..", "bin", "ringone.mjs");
    const pv = join(dir, "pv.elf"), dual = join(dir, "dual.elf");
    writeFileSync(pv, kernel(false)); writeFileSync(dual, kernel(true));
    let r = spawnSync(process.execPath, [cli, "boot", pv], { encoding: "utf8", input: "" });
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/^ringone: .*pv\.elf: XEN_VERSION is missing/);
    r = spawnSync(process.execPath, [cli, "boot", dual, "--pv"], { encoding: "utf8", input: "" });
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/dual\.elf: XEN_VERSION is missing/);
    r = spawnSync(process.execPath, [cli, "boot", dual, "--native", "--max-instructions", "1000"], { encoding: "utf8", input: "" });
    expect(r.status, r.stderr).not.toBe(64); // it ran (the tiny kernel halts or runs off)
  });
});
