/** Kernel-type detection for `ringone boot`: multiboot (native PC), Xen PV (Xen ELF notes), or both. */
import { Elf32 } from "./elf/elf32.ts";
import { readXenGuestInfo } from "./elf/xen-notes.ts";
import { findMultibootHeader } from "./loaders/multiboot.ts";

export function detectKernel(image: Uint8Array): { multiboot: boolean; pv: boolean } {
  // PV = the ELF carries Xen notes (or a __xen_guest section), even if they are invalid: the PV
  // loader reports what is wrong with them.
  let pv = false;
  let elf: Elf32 | undefined;
  try { elf = new Elf32(image); } catch { /* not an ELF (a.out-kludge multiboot, raw) */ }
  if (elf) {
    try { readXenGuestInfo(elf); pv = true; } catch (e) { pv = !/not a Xen PV kernel/.test(String((e as Error).message)); }
  }
  let multiboot = false;
  try { multiboot = !!findMultibootHeader(image); } catch { /* malformed header: the loader reports it */ }
  return { multiboot, pv };
}
