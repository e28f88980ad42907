/**
 * Guest memory access from the hypervisor: copy_from_guest / copy_to_guest.
 *
 * A guest pointer is a guest-virtual address. It is translated through the guest's current page
 * tables (the core's CR3, PAE or 2-level by CR4.PAE) with the guest kernel's permissions, as Xen
 * does when it touches guest memory on the guest's behalf: a supervisor access (user pages are
 * fine), writes need RW at every level (Xen runs with CR0.WP=1), and nothing in the hypervisor
 * range (>= HYPERVISOR_VIRT_START) is ever accessible, not even the M2P. Accessed/dirty bits are set
 * as the hardware walk in Xen would set them. Any failure is an EFault, which the hypercall
 * dispatcher turns into -EFAULT: a bad pointer never becomes a host exception.
 */
import * as L from "../isa/layout.ts";
import type { Domain } from "./domain.ts";
import { XEN_EFAULT } from "./abi/errno.ts";

/** A hypercall failure carrying a Xen errno (thrown by handlers, caught by the dispatcher). */
export class XenError extends Error {
  constructor(readonly errno: number, message?: string) { super(message ?? `Xen errno ${errno}`); this.name = "XenError"; }
}
/** A guest pointer that cannot be accessed. */
export class EFault extends XenError {
  constructor(readonly va: number, readonly write: boolean) {
    super(XEN_EFAULT, `guest ${write ? "write" : "read"} at 0x${(va >>> 0).toString(16)} faulted`);
    this.name = "EFault";
  }
}

const P = 1, RW = 2, PS = 0x80, A = 0x20, D = 0x40;
const CR0_PG = 0x80000000, CR4_PAE = 0x20, CR4_PSE = 0x10;

export class GuestMemory {
  /** Machine addresses of the pages of the range being copied (reused: no allocation per access). */
  private readonly pages: number[] = [];

  constructor(private readonly dom: Domain) {}

  private get mem(): Uint8Array { return this.dom.mem; }

  /**
   * Machine address of guest-virtual `va` for a kernel access, or -1 when it would fault.
   * Sets A (and D for writes) like a hardware walk.
   */
  translate(va: number, write: boolean): number {
    va >>>= 0;
    const d = this.dom;
    if (va >= d.hvStart) return -1;
    const cpu = d.cpu;
    const cr0 = cpu.stateU32(L.S.CR0), cr3 = cpu.stateU32(L.S.CR3), cr4 = cpu.stateU32(L.S.CR4);
    const ram = d.mem.length;
    if (!(cr0 & CR0_PG)) return va < ram ? va : -1;
    if (cr4 & CR4_PAE) {
      const l3a = (cr3 & 0xffffffe0) + (va >>> 30) * 8;
      if (l3a + 8 > ram) return -1;
      const l3 = d.read32(l3a), l3h = d.read32(l3a + 4);
      if (!(l3 & P) || (l3 & 0x180) || (l3h & 0xfffffff0)) return -1;
      const l2a = (l3 & 0xfffff000) + ((va >>> 21) & 0x1ff) * 8;
      if (l2a + 8 > ram) return -1;
      const l2 = d.read32(l2a), l2h = d.read32(l2a + 4);
      if (!(l2 & P) || (l2h & 0x000ffff0) || (write && !(l2 & RW))) return -1;
      if (l2 & PS) {
        const ma = (l2 & 0xffe00000) + (va & 0x1fffff);
        if ((l2h & 0xf) || ma >= ram) return -1;
        d.write32(l2a, l2 | A | (write ? D : 0));
        return ma;
      }
      const l1a = (l2 & 0xfffff000) + ((va >>> 12) & 0x1ff) * 8;
      if (l1a + 8 > ram) return -1;
      const l1 = d.read32(l1a), l1h = d.read32(l1a + 4);
      if (!(l1 & P) || (l1h & 0x000ffff0) || (write && !(l1 & RW))) return -1;
      const ma = (l1 & 0xfffff000) + (va & 0xfff);
      if ((l1h & 0xf) || ma >= ram) return -1;
      if (!(l2 & A)) d.write32(l2a, l2 | A);
      const n1 = l1 | A | (write ? D : 0);
      if (n1 !== l1) d.write32(l1a, n1);
      return ma;
    }
    const l2a = (cr3 & 0xfffff000) + (va >>> 22) * 4;
    if (l2a + 4 > ram) return -1;
    const l2 = d.read32(l2a);
    if (!(l2 & P) || (write && !(l2 & RW))) return -1;
    if ((l2 & PS) && (cr4 & CR4_PSE)) {
      const ma = (l2 & 0xffc00000) + (va & 0x3fffff);
      if (ma >= ram) return -1;
      d.write32(l2a, l2 | A | (write ? D : 0));
      return ma;
    }
    const l1a = (l2 & 0xfffff000) + ((va >>> 12) & 0x3ff) * 4;
    if (l1a + 4 > ram) return -1;
    const l1 = d.read32(l1a);
    if (!(l1 & P) || (write && !(l1 & RW))) return -1;
    const ma = (l1 & 0xfffff000) + (va & 0xfff);
    if (ma >= ram) return -1;
    if (!(l2 & A)) d.write32(l2a, l2 | A);
    const n1 = l1 | A | (write ? D : 0);
    if (n1 !== l1) d.write32(l1a, n1);
    return ma;
  }

  /**
   * Machine address of [va, va+len) when it lies in one page (the common case: one walk for a whole
   * struct); throws EFault when that page cannot be accessed; -1 when the range crosses a page.
   */
  private onePage(va: number, len: number, write: boolean): number {
    va >>>= 0;
    if ((va & 0xfff) + len > 4096) return -1;
    const ma = this.translate(va, write);
    if (ma < 0) throw new EFault(va, write);
    return ma;
  }

  /** Translate every page of [va, va+len) into this.pages; throws EFault on the first bad page. */
  private walk(va: number, len: number, write: boolean): number {
    va >>>= 0;
    if (len < 0 || va + len > 0x100000000) throw new EFault(va, write);
    let p = va, n = 0;
    const end = va + len;
    while (p < end) {
      const ma = this.translate(p, write);
      if (ma < 0) throw new EFault(p, write);
      this.pages[n++] = ma;
      p += 4096 - (p & 0xfff);
    }
    return n;
  }

  /** copy_from_guest: all-or-nothing read of `len` bytes. */
  copyFromGuest(va: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    const n = this.walk(va, len, false);
    let o = 0, p = va >>> 0;
    for (let i = 0; i < n; i++) {
      const k = Math.min(len - o, 4096 - (p & 0xfff)), ma = this.pages[i];
      out.set(this.mem.subarray(ma, ma + k), o);
      o += k; p += k;
    }
    return out;
  }
  /**
   * copy_to_guest: every page is checked before anything is written, so a bad pointer leaves guest
   * memory untouched.
   */
  copyToGuest(va: number, data: Uint8Array): void {
    const len = data.length, n = this.walk(va, len, true);
    let o = 0, p = va >>> 0;
    for (let i = 0; i < n; i++) {
      const k = Math.min(len - o, 4096 - (p & 0xfff));
      this.mem.set(data.subarray(o, o + k), this.pages[i]);
      this.dom.wroteRam(this.pages[i], k);
      o += k; p += k;
    }
  }
  /** Check that [va, va+len) is readable (or writable) without copying. */
  check(va: number, len: number, write: boolean): void { this.walk(va, len, write); }

  readU32(va: number): number {
    const ma = this.onePage(va, 4, false);
    if (ma >= 0) return this.dom.read32(ma);
    const b = this.copyFromGuest(va, 4);
    return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  }
  readU16(va: number): number {
    const ma = this.onePage(va, 2, false);
    if (ma >= 0) return this.dom.dv.getUint16(ma, true);
    const b = this.copyFromGuest(va, 2);
    return b[0] | (b[1] << 8);
  }
  writeU32(va: number, v: number): void {
    const ma = this.onePage(va, 4, true);
    if (ma >= 0) { this.dom.write32(ma, v); return; }
    this.copyToGuest(va, Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff));
  }
  /**
   * Machine address of a `len`-byte guest struct for reading in place when it lies in one page
   * (the caller reads it with the domain's DataView before anything can change the mapping), else
   * -1 (use readStruct). Throws EFault for an unreadable page.
   */
  structAt(va: number, len: number): number { return this.onePage(va, len, false); }
  /**
   * copy_from_guest of `n` little-endian u32 words into `out` (no allocation: one walk when they lie
   * in one page). All or nothing: throws EFault before `out` is touched.
   */
  readWords(va: number, n: number, out: number[]): number[] {
    const ma = this.onePage(va, n * 4, false);
    if (ma >= 0) {
      const dv = this.dom.dv;
      for (let i = 0; i < n; i++) out[i] = dv.getUint32(ma + i * 4, true);
      return out;
    }
    const s = this.readStruct(va, n * 4);
    for (let i = 0; i < n; i++) out[i] = s.getUint32(i * 4, true);
    return out;
  }
  /** Read a struct of u32 fields at the given byte offsets (one copy). */
  readStruct(va: number, size: number): DataView {
    const b = this.copyFromGuest(va, size);
    return new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
}

/** A fixed-size, NUL-padded string buffer (xen_extraversion_t and friends). */
export function cbuf(s: string, size: number): Uint8Array {
  const b = new Uint8Array(size);
  const e = new TextEncoder().encode(s);
  b.set(e.subarray(0, size - 1));
  return b;
}
