/**
 * PCI configuration mechanism #1 (ports 0xCF8 address, 0xCFC-0xCFF data; PCI Local Bus spec 3.0,
 * 3.2.2.3.2) with the devices firmware looks for on a PC: an i440FX host bridge at 00:00.0
 * (8086:1237) and a PIIX3 PCI-to-ISA bridge at 00:01.0 (8086:7000). Neither has BARs; their
 * configuration space is plain storage with the read-only header fields protected, so firmware
 * can program the PAM registers (0x59-0x5F: our shadow BIOS area is always RAM, read/write), the
 * PIRQ routing (0x60-0x63) and the like. Other bus/device/function numbers read as all ones.
 */
import type { PortDevice } from "./bus.ts";

export class PciFunction {
  readonly config = new Uint8Array(256);
  /** Bytes the guest may write (1 bit per byte offset). */
  private readonly writable = new Uint8Array(256);
  constructor(readonly name: string, vendor: number, device: number, classCode: number, revision: number, headerType = 0) {
    const c = this.config;
    c[0] = vendor & 0xff; c[1] = vendor >> 8;
    c[2] = device & 0xff; c[3] = device >> 8;
    c[8] = revision;
    c[9] = classCode & 0xff; c[10] = (classCode >> 8) & 0xff; c[11] = classCode >> 16;
    c[0x0e] = headerType;
    c[0x06] = 0x00; c[0x07] = 0x02; // status: DEVSEL medium
    for (const o of [0x04, 0x05, 0x0c, 0x0d, 0x0f]) this.writable[o] = 1;
    for (let o = 0x40; o < 0x100; o++) this.writable[o] = 1;
  }
  read(off: number, size: number): number {
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.config[(off + i) & 0xff] << (8 * i);
    return v >>> 0;
  }
  write(off: number, size: number, value: number): void {
    for (let i = 0; i < size; i++) {
      const o = (off + i) & 0xff;
      if (this.writable[o]) this.config[o] = (value >>> (8 * i)) & 0xff;
    }
  }
}

export class PciBus implements PortDevice {
  readonly name = "pci";
  address = 0;
  /** Functions by (device << 3 | function) on bus 0. */
  readonly functions = new Map<number, PciFunction>();

  constructor() {
    const host = new PciFunction("i440fx", 0x8086, 0x1237, 0x060000, 0x02);
    for (let o = 0x59; o <= 0x5f; o++) host.config[o] = 0x33; // PAM: RAM read/write (shadowed)
    this.functions.set(0, host);
    const isa = new PciFunction("piix3", 0x8086, 0x7000, 0x060100, 0x00, 0x80); // multifunction
    for (let o = 0x60; o <= 0x63; o++) isa.config[o] = 0x80; // PIRQ routing disabled
    this.functions.set(1 << 3, isa);
  }

  private target(): PciFunction | undefined {
    if (!(this.address & 0x80000000)) return undefined;
    if ((this.address >> 16) & 0xff) return undefined; // bus 0 only
    return this.functions.get((this.address >> 8) & 0xff);
  }

  read(port: number, size: number): number {
    if (port >= 0xcf8 && port <= 0xcfb) {
      const v = this.address >>> ((port - 0xcf8) * 8);
      return size === 4 ? v >>> 0 : v & ((1 << (size * 8)) - 1);
    }
    const f = this.target();
    const ones = size === 4 ? 0xffffffff : (1 << (size * 8)) - 1;
    if (!f) return ones;
    return f.read((this.address & 0xfc) + (port - 0xcfc), size);
  }

  write(port: number, size: number, value: number): void {
    if (port >= 0xcf8 && port <= 0xcfb) {
      if (port === 0xcf8 && size === 4) this.address = (value & 0x80fffffc) >>> 0;
      return; // byte/word writes to 0xCF8-0xCFB are not configuration cycles (mechanism #1 probing)
    }
    this.target()?.write((this.address & 0xfc) + (port - 0xcfc), size, value);
  }
}
