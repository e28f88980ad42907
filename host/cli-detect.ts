/** Kernel-type detection for `ringone boot`: multiboot (native PC), Xen PV (Xen ELF notes), or both. */
import { Elf32 } from "./elf/elf32.ts";
import { readXenGuestInfo } from "./elf/xen-notes.ts";
import { findMultibootHeader } from "./loaders/multiboot.ts";

export function detectKernel(image: Uint8Array): { multiboot: boolean; pv: boolean } {
  let pv = false;
  try { readXenGuestInfo(new Elf32(image)); pv = true; } catch { /* not an ELF, or no Xen notes */ }
  let multiboot = false;
  try { multiboot = !!findMultibootHeader(image); } catch { /* malformed header: the loader reports it */ }
  return { multiboot, pv };
}
