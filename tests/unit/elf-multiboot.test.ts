/**
 * The ELF32 reader and the multiboot loader: well-formed kernels load and run; malformed and
 * truncated files are refused with an ElfError that names the problem (never a RangeError).
 * Oracle: the ELF (System V gABI) and Multiboot 0.6.96 specifications.
 */
import { describe, expect, it } from "vitest";
import { Elf32, ElfError } from "../../host/elf/elf32.ts";
import { loadMultiboot, MB_BOOT_MAGIC } from "../../host/loaders/multiboot.ts";
import { PcMachine } from "../../host/machine.ts";

/** A minimal multiboot ELF: one PT_LOAD at 1 MiB holding the header and `code`. */
function makeKernel(code: number[]): Uint8Array {
  const hdr = [0x1badb002, 0x00000003, (-(0x1badb002 + 3)) >>> 0];
  const payload = new Uint8Array(12 + code.length);
  const pv = new DataView(payload.buffer);
  hdr.forEach((v, i) => pv.setUint32(i * 4, v, true));
  payload.set(code, 12);
  const file = new Uint8Array(0x100 + payload.length);
  const dv = new DataView(file.buffer);
  file.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  dv.setUint16(16, 2, true); dv.setUint16(18, 3, true); dv.setUint32(20, 1, true);
  dv.setUint32(24, 0x100000 + 12, true); // entry: after the header
  dv.setUint32(28, 52, true); // phoff
  dv.setUint16(40, 52, true); dv.setUint16(42, 32, true); dv.setUint16(44, 1, true);
  const ph = 52;
  dv.setUint32(ph, 1, true); dv.setUint32(ph + 4, 0x100, true); dv.setUint32(ph + 8, 0x100000, true);
  dv.setUint32(ph + 12, 0x100000, true); dv.setUint32(ph + 16, payload.length, true); dv.setUint32(ph + 20, payload.length + 64, true);
  dv.setUint32(ph + 24, 7, true); dv.setUint32(ph + 28, 0x1000, true);
  file.set(payload, 0x100);
  return file;
}

// mov al, 'H'; out 0xe9, al; mov al, 'i'; out 0xe9, al; hlt
const HELLO = [0xb0, 0x48, 0xe6, 0xe9, 0xb0, 0x69, 0xe6, 0xe9, 0xf4];

describe("multiboot loader", () => {
  it("loads a kernel, sets the boot state and runs it", () => {
    const m = new PcMachine({ memMB: 8 });
    const r = loadMultiboot(m.cpu, makeKernel(HELLO), "k arg=1");
    expect(m.cpu.eip).toBe(0x10000c);
    expect(m.cpu.reg("eax")).toBe(MB_BOOT_MAGIC);
    expect(m.cpu.reg("ebx")).toBe(r.infoAddr);
    const info = new DataView(m.cpu.readPhys(r.infoAddr, 88).buffer);
    expect(info.getUint32(0, true) & 0x45).toBe(0x45); // mem, cmdline, mmap
    expect(info.getUint32(8, true)).toBe(7 * 1024); // mem_upper in KiB above 1 MiB
    const cmd = m.cpu.readPhys(info.getUint32(16, true), 8);
    expect(Buffer.from(cmd).toString("latin1")).toBe("k arg=1\0");
    // The .bss part (memsz > filesz) is zeroed.
    expect(m.cpu.readPhys(0x100000 + 12 + HELLO.length, 64).every((b) => b === 0)).toBe(true);
    const res = m.run(1000);
    expect(res.reason).toBe("halted");
    expect(m.output).toBe("Hi");
  });

  it("places modules page-aligned with their command lines", () => {
    const m = new PcMachine({ memMB: 8 });
    const mod = Uint8Array.from([1, 2, 3, 4, 5]);
    const r = loadMultiboot(m.cpu, makeKernel(HELLO), "", [{ data: mod, cmdline: "initrd x" }]);
    const info = new DataView(m.cpu.readPhys(r.infoAddr, 88).buffer);
    expect(info.getUint32(20, true)).toBe(1);
    const ml = new DataView(m.cpu.readPhys(info.getUint32(24, true), 16).buffer);
    const start = ml.getUint32(0, true);
    expect(start % 4096).toBe(0);
    expect(ml.getUint32(4, true) - start).toBe(5);
    expect([...m.cpu.readPhys(start, 5)]).toEqual([1, 2, 3, 4, 5]);
  });
});

describe("malformed kernels give a clear error", () => {
  const good = makeKernel(HELLO);
  const cases: [string, (f: Uint8Array) => Uint8Array, RegExp][] = [
    ["empty file", () => new Uint8Array(0), /too short/],
    ["bad magic", (f) => { const c = f.slice(); c[1] = 0; return c; }, /not an ELF/],
    ["64-bit class", (f) => { const c = f.slice(); c[4] = 2; return c; }, /not a 32-bit ELF/],
    ["big-endian", (f) => { const c = f.slice(); c[5] = 2; return c; }, /little-endian/],
    ["wrong machine", (f) => { const c = f.slice(); c[18] = 62; return c; }, /EM_386/],
    ["truncated program headers", (f) => f.slice(0, 60), /program header table/],
    ["segment past end of file", (f) => { const c = f.slice(); new DataView(c.buffer).setUint32(52 + 16, 0x10000, true); return c; }, /runs past the end/],
    ["memsz < filesz", (f) => { const c = f.slice(); new DataView(c.buffer).setUint32(52 + 20, 1, true); return c; }, /p_memsz < p_filesz/],
  ];
  for (const [name, mutate, msg] of cases) {
    it(name, () => {
      expect(() => new Elf32(mutate(good))).toThrowError(ElfError);
      expect(() => new Elf32(mutate(good))).toThrowError(msg);
    });
  }

  it("refuses a segment outside guest RAM", () => {
    const c = good.slice();
    new DataView(c.buffer).setUint32(52 + 12, 0x7ff00000, true); // paddr near 2 GiB
    const m = new PcMachine({ memMB: 8 });
    expect(() => loadMultiboot(m.cpu, c, "")).toThrowError(/does not fit in guest RAM/);
  });

  it("refuses a file without a multiboot header", () => {
    const c = good.slice();
    c.fill(0, 0x100, 0x10c);
    const m = new PcMachine({ memMB: 8 });
    expect(() => loadMultiboot(m.cpu, c, "")).toThrowError(/no multiboot header/);
  });

  it("survives every truncation of a valid kernel without an unexpected exception", () => {
    for (let n = 0; n < good.length; n += 7) {
      const m = new PcMachine({ memMB: 4 });
      try { loadMultiboot(m.cpu, good.slice(0, n), ""); } catch (e) { expect(e).toBeInstanceOf(ElfError); }
    }
  });
});
