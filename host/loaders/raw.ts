/**
 * Raw image loaders.
 *
 *  - Firmware (`--bios FILE`): a ROM image whose size is a multiple of 4 KiB (at most 16 MiB) is
 *    mapped just below 4 GiB through the core's ROM window (Cpu `rom` option), and the machine
 *    copies its last 128 KiB into RAM at 0xE0000-0xFFFFF (the shadowed BIOS; see PcMachine). The
 *    CPU starts at the reset vector F000:FFF0, which executes the ROM's last 16 bytes.
 *  - Flat binaries (`--flat ADDR`): the file is copied to guest physical ADDR and the CPU starts
 *    there in 32-bit flat protected mode (the multiboot entry state without the multiboot
 *    registers: CS/DS/ES/FS/GS/SS flat 4 GiB ring-0 segments, paging and interrupts off,
 *    EIP = ADDR, ESP = ADDR so a stack can grow down below the image, other registers zero).
 *    Protected mode rather than real mode because real-mode code can already be run as firmware.
 */
import type { Cpu } from "../core/cpu.ts";

export class LoadError extends Error {}

export function checkFirmware(image: Uint8Array, name = "firmware"): Uint8Array {
  if (image.length === 0 || image.length % 4096 !== 0 || image.length > 16 << 20) {
    throw new LoadError(`${name}: a firmware ROM must be a non-empty multiple of 4 KiB up to 16 MiB (got ${image.length} bytes)`);
  }
  return image;
}

export function parseAddress(s: string): number {
  const v = Number(s);
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new LoadError(`bad address ${s} (use a number such as 0x100000)`);
  return v;
}

export function loadFlat(cpu: Cpu, image: Uint8Array, addr: number): void {
  if (addr + image.length > cpu.ramSize) {
    throw new LoadError(`flat image of ${image.length} bytes at 0x${addr.toString(16)} does not fit in guest RAM (${cpu.ramSize >> 20} MiB)`);
  }
  cpu.writePhys(addr, image);
  cpu.core.setFlat32(0);
  for (const r of ["eax", "ecx", "edx", "ebx", "ebp", "esi", "edi"] as const) cpu.setReg(r, 0);
  cpu.setReg("esp", addr);
  cpu.eip = addr;
  cpu.eflags = 2;
}
