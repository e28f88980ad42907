/**
 * Multiboot v1 loader (Multiboot Specification 0.6.96): finds the header in the first 8 KiB, loads
 * an ELF32 kernel by its program headers or an a.out-kludge image by the header's addresses, places
 * modules, the command line, a BIOS-style memory map and the multiboot information structure in
 * guest RAM, and sets the entry state (EAX = 0x2BADB002, EBX = info, flat 32-bit protected mode,
 * paging and interrupts off).
 */
import { Elf32, ElfError, PT_LOAD } from "../elf/elf32.ts";
import type { Cpu } from "../core/cpu.ts";

export const MB_MAGIC = 0x1badb002, MB_BOOT_MAGIC = 0x2badb002;

export interface MultibootHeader { offset: number; flags: number; headerAddr: number; loadAddr: number; loadEndAddr: number; bssEndAddr: number; entryAddr: number; }

export function findMultibootHeader(image: Uint8Array): MultibootHeader | undefined {
  const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const end = Math.min(image.length, 8192) - 12;
  for (let o = 0; o <= end; o += 4) {
    if (dv.getUint32(o, true) !== MB_MAGIC) continue;
    const flags = dv.getUint32(o + 4, true);
    if (((MB_MAGIC + flags + dv.getUint32(o + 8, true)) >>> 0) !== 0) continue;
    const h: MultibootHeader = { offset: o, flags, headerAddr: 0, loadAddr: 0, loadEndAddr: 0, bssEndAddr: 0, entryAddr: 0 };
    if (flags & 0x10000) {
      if (o + 32 > image.length) throw new ElfError("multiboot header with the address fields (flag 16) is truncated");
      h.headerAddr = dv.getUint32(o + 12, true);
      h.loadAddr = dv.getUint32(o + 16, true);
      h.loadEndAddr = dv.getUint32(o + 20, true);
      h.bssEndAddr = dv.getUint32(o + 24, true);
      h.entryAddr = dv.getUint32(o + 28, true);
    }
    return h;
  }
  return undefined;
}

export interface MultibootModule { data: Uint8Array; cmdline: string; }
export interface MultibootResult { entry: number; infoAddr: number; kernelEnd: number; }

class Placer {
  constructor(public next: number, private cpu: Cpu) {}
  put(data: Uint8Array, align = 4): number {
    this.next = Math.ceil(this.next / align) * align;
    const at = this.next;
    this.cpu.writePhys(at, data);
    this.next += data.length;
    return at;
  }
  str(s: string): number { return this.put(new TextEncoder().encode(s + "\0"), 1); }
}

export function loadMultiboot(cpu: Cpu, image: Uint8Array, cmdline: string, modules: MultibootModule[] = []): MultibootResult {
  const h = findMultibootHeader(image);
  if (!h) throw new ElfError("no multiboot header in the first 8 KiB");
  if (h.flags & 0x4) throw new ElfError("the kernel asks for a video mode (multiboot flag 2), which ringone does not provide");
  let entry: number, kernelEnd = 0;
  const ram = cpu.ramSize;
  const checkRange = (addr: number, len: number, what: string) => {
    if (addr < 0x1000 || addr + len > ram) throw new ElfError(`${what} at 0x${addr.toString(16)} (+0x${len.toString(16)}) does not fit in guest RAM (${ram >> 20} MiB)`);
  };
  if (h.flags & 0x10000) {
    const fileOff = h.offset - (h.headerAddr - h.loadAddr);
    const loadEnd = h.loadEndAddr === 0 ? h.loadAddr + (image.length - fileOff) : h.loadEndAddr;
    const bssEnd = h.bssEndAddr === 0 ? loadEnd : h.bssEndAddr;
    if (fileOff < 0 || loadEnd < h.loadAddr || fileOff + (loadEnd - h.loadAddr) > image.length || bssEnd < loadEnd) {
      throw new ElfError("multiboot a.out-kludge addresses are inconsistent with the file");
    }
    checkRange(h.loadAddr, bssEnd - h.loadAddr, "kernel image");
    cpu.writePhys(h.loadAddr, image.subarray(fileOff, fileOff + (loadEnd - h.loadAddr)));
    cpu.ram.fill(0, loadEnd, bssEnd);
    entry = h.entryAddr;
    kernelEnd = bssEnd;
  } else {
    const elf = new Elf32(image);
    const loads = elf.phdrs.filter((p) => p.type === PT_LOAD && p.memsz > 0);
    if (loads.length === 0) throw new ElfError("kernel ELF has no loadable segments");
    for (const p of loads) {
      checkRange(p.paddr, p.memsz, "kernel segment");
      cpu.writePhys(p.paddr, image.subarray(p.offset, p.offset + p.filesz));
      cpu.ram.fill(0, p.paddr + p.filesz, p.paddr + p.memsz);
      kernelEnd = Math.max(kernelEnd, p.paddr + p.memsz);
    }
    entry = elf.entry;
    // Multiboot uses physical addresses; translate a virtual entry through the segment holding it.
    const seg = loads.find((p) => entry >= p.vaddr && entry < p.vaddr + p.memsz);
    if (seg && seg.vaddr !== seg.paddr) entry = entry - seg.vaddr + seg.paddr;
  }
  // Modules, command lines and the info structure go after the kernel, page aligned.
  const place = new Placer(Math.ceil(kernelEnd / 4096) * 4096, cpu);
  const modList = new Uint8Array(16 * modules.length);
  const mdv = new DataView(modList.buffer);
  modules.forEach((m, i) => {
    const start = place.put(m.data, 4096);
    const end = start + m.data.length;
    const cl = place.str(m.cmdline);
    mdv.setUint32(i * 16, start, true);
    mdv.setUint32(i * 16 + 4, end, true);
    mdv.setUint32(i * 16 + 8, cl, true);
  });
  const modsAddr = modules.length ? place.put(modList) : 0;
  const cmdAddr = place.str(cmdline);
  // BIOS-style memory map (size field precedes each 20-byte entry).
  const ranges: [number, number, number][] = [[0, 0x9fc00, 1], [0x9fc00, 0x400, 2], [0xf0000, 0x10000, 2], [0x100000, ram - 0x100000, 1]];
  const mmap = new Uint8Array(24 * ranges.length);
  const mm = new DataView(mmap.buffer);
  ranges.forEach(([base, len, type], i) => {
    mm.setUint32(i * 24, 20, true);
    mm.setUint32(i * 24 + 4, base, true);
    mm.setUint32(i * 24 + 12, len, true);
    mm.setUint32(i * 24 + 20, type, true);
  });
  const mmapAddr = place.put(mmap);
  const info = new Uint8Array(88);
  const iv = new DataView(info.buffer);
  iv.setUint32(0, 0x1 | 0x4 | 0x40 | (modules.length ? 0x8 : 0) | 0x200, true);
  iv.setUint32(4, 639, true);
  iv.setUint32(8, (ram - 0x100000) >> 10, true);
  iv.setUint32(16, cmdAddr, true);
  iv.setUint32(20, modules.length, true);
  iv.setUint32(24, modsAddr, true);
  iv.setUint32(44, mmap.length, true);
  iv.setUint32(48, mmapAddr, true);
  const loaderName = place.str("ringone");
  iv.setUint32(64, loaderName, true);
  const infoAddr = place.put(info);
  if (place.next > ram) throw new ElfError("kernel, modules and boot information do not fit in guest RAM");
  cpu.core.setFlat32(0);
  cpu.eip = entry >>> 0;
  cpu.setReg("eax", MB_BOOT_MAGIC);
  cpu.setReg("ebx", infoAddr);
  cpu.eflags = 2;
  return { entry, infoAddr, kernelEnd };
}
