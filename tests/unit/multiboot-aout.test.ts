/**
 * The multiboot a.out kludge (Multiboot 0.6.96, 3.1.3: header flag 16 with header_addr, load_addr,
 * load_end_addr, bss_end_addr, entry_addr), on hand-built images that are not ELF files.
 */
import { describe, expect, it } from "vitest";
import { loadMultiboot, MB_BOOT_MAGIC } from "../../host/loaders/multiboot.ts";
import { ElfError } from "../../host/elf/elf32.ts";
import { PcMachine } from "../../host/machine.ts";
import { detectKernel } from "../../host/cli-detect.ts";

/**
 * An image loaded at 0x200000: 16 bytes of padding (the header sits at file offset 16, so
 * header_addr - load_addr = 16), the header, code at entry, data, then `extra` trailing bytes
 * past load_end_addr that must not be loaded; bss up to bss_end.
 */
function aout(opts: { loadEnd?: boolean; bssEnd?: number; extra?: number } = {}): Uint8Array {
  const LOAD = 0x200000;
  const code = [
    0x66, 0xba, 0xf8, 0x03, // mov dx, 0x3f8
    0xb0, 0x4b, 0xee, // mov al, 'K'; out dx, al
    0xa1, 0x00, 0x01, 0x20, 0x00, // mov eax, [0x200100]  (data)
    0x8b, 0x1d, 0x00, 0x02, 0x20, 0x00, // mov ebx, [0x200200] (bss)
    0x89, 0xd9, // mov ecx, ebx
    0xfa, 0xf4, // cli; hlt
  ];
  const body = new Uint8Array(0x104 + (opts.extra ?? 0));
  const dv = new DataView(body.buffer);
  const flags = 0x00010003;
  const hdr = [0x1badb002, flags, (-(0x1badb002 + flags)) >>> 0, LOAD + 16, LOAD,
    opts.loadEnd ? LOAD + 0x104 : 0, opts.bssEnd ?? LOAD + 0x1000, LOAD + 0x40];
  hdr.forEach((v, i) => dv.setUint32(16 + i * 4, v >>> 0, true));
  body.set(code, 0x40);
  dv.setUint32(0x100, 0x600dda7a, true);
  if (opts.extra) body.fill(0xee, 0x104);
  return body;
}

describe("multiboot a.out kludge", () => {
  it("loads by the header's addresses, zeroes the bss and enters at entry_addr", () => {
    const m = new PcMachine({ memMB: 8 });
    m.cpu.ram.fill(0xff, 0x200000, 0x202000);
    const r = loadMultiboot(m.cpu, aout(), "k");
    expect(r.entry).toBe(0x200040);
    expect(m.cpu.reg("eax")).toBe(MB_BOOT_MAGIC);
    m.run(100);
    expect(m.output).toBe("K");
    expect(m.cpu.reg("eax")).toBe(0x600dda7a);
    expect(m.cpu.reg("ecx")).toBe(0); // bss zeroed
    expect(m.cpu.ram[0x200fff]).toBe(0); // zeroed up to bss_end_addr
  });

  it("load_end_addr limits what is copied from the file", () => {
    const m = new PcMachine({ memMB: 8 });
    loadMultiboot(m.cpu, aout({ loadEnd: true, extra: 64 }), "k");
    expect(m.cpu.ram[0x200103]).toBe(0x60);
    expect(m.cpu.ram[0x200104]).toBe(0); // the trailing 0xEE bytes were not loaded (bss)
  });

  it("refuses inconsistent addresses", () => {
    const m = new PcMachine({ memMB: 8 });
    expect(() => loadMultiboot(m.cpu, aout({ bssEnd: 0x200010 }), "k")).toThrow(ElfError);
  });

  it("is detected as a multiboot kernel (and not as Xen PV)", () => {
    expect(detectKernel(aout())).toEqual({ multiboot: true, pv: false });
  });
});
