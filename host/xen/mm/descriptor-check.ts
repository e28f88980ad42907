/**
 * Xen's segment-descriptor check for PV guests (spec 5.2), compat flavour: what a guest may put in
 * its GDT and LDT. Pure: returns the descriptor as stored (DPL 0 raised to 1, a flat segment ending
 * above HYPERVISOR_VIRT_START widened to 4 GiB), or null when Xen refuses it.
 *
 *   - not present: accepted unchanged
 *   - present: DPL 0 becomes 1 (the guest kernel runs in ring 1, nothing may be DPL 0)
 *   - code/data (S=1): refused with the L bit; base 0 with a limit past HYPERVISOR_VIRT_START gets
 *     the full 4 GiB limit (old PAE Linux ended its segments at 0xF6800000)
 *   - system (S=0): type 0 accepted as is (the upper half of a 16-byte descriptor); a 32-bit call
 *     gate accepted when its target selector is a guest GDT selector (index < 7168), an LDT selector
 *     or FLAT_KERNEL_CS and its parameter-count bits 7:5 are zero; everything else refused.
 *
 * Call gates are stored as written (DPL raised to 1) and executed by the CPU model; compat Xen
 * instead stores them with DPL 0 and emulates every use (docs/pv-design.md).
 */
import { FIRST_RESERVED_GDT_ENTRY, FLAT_KERNEL_CS } from "../abi/arch-x86.ts";

const P = 0x8000, S = 0x1000, L = 1 << 21, G = 1 << 23;

export function gateSelectorOk(sel: number): boolean {
  return (sel & 4) !== 0 || (sel >>> 3) < FIRST_RESERVED_GDT_ENTRY || sel === FLAT_KERNEL_CS;
}

export function checkDescriptor(lo: number, hi: number, hvStart: number): [number, number] | null {
  lo >>>= 0; hi >>>= 0;
  if (!(hi & P)) return [lo, hi];
  const asWritten = hi;
  if (((hi >>> 13) & 3) === 0) hi = (hi | (1 << 13)) >>> 0;
  if (hi & S) {
    if (hi & L) return null;
    const base = ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0;
    const limitField = (lo & 0xffff) | (hi & 0xf0000);
    const size = (limitField + 1) * (hi & G ? 4096 : 1);
    if (base === 0 && size > hvStart) { lo = (lo | 0xffff) >>> 0; hi = (hi | 0xf0000) >>> 0; }
    return [lo, hi];
  }
  const type = (hi >>> 8) & 0xf;
  if (type === 0) return [lo, asWritten];
  if (type !== 0xc) return null;
  if (!gateSelectorOk(lo >>> 16)) return null;
  if (hi & 0xe0) return null;
  return [lo, hi];
}
