/**
 * The MMIO bus: devices claim physical address ranges outside RAM and ROM (the local APIC at
 * 0xFEE00000, for example). Unclaimed reads return all ones and unclaimed writes are dropped.
 */
export interface MmioDevice {
  readonly name: string;
  read(addr: number, size: number): number;
  write(addr: number, size: number, value: number): void;
}

interface Range { start: number; end: number; dev: MmioDevice; }

export class MmioBus {
  private readonly ranges: Range[] = [];

  register(dev: MmioDevice, start: number, length: number): void {
    const end = start + length;
    for (const r of this.ranges) {
      if (start < r.end && r.start < end) throw new Error(`MMIO range of ${dev.name} overlaps ${r.dev.name}`);
    }
    this.ranges.push({ start, end, dev });
  }

  private find(addr: number): Range | undefined {
    for (const r of this.ranges) if (addr >= r.start && addr < r.end) return r;
    return undefined;
  }

  read(addr: number, size: number): number {
    const r = this.find(addr);
    return r ? r.dev.read(addr, size) : size === 4 ? 0xffffffff : (1 << (size * 8)) - 1;
  }

  write(addr: number, size: number, value: number): void {
    this.find(addr)?.dev.write(addr, size, value);
  }
}
