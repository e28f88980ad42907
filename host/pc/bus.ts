/**
 * The I/O port bus: devices register handlers for port ranges; unclaimed reads return all ones and
 * unclaimed writes are dropped, as on a PC's ISA bus.
 */
export interface PortDevice {
  readonly name: string;
  read(port: number, size: number): number;
  write(port: number, size: number, value: number): void;
}

export class PortBus {
  private readonly map = new Map<number, PortDevice>();
  /** Counts of accesses by port, for --stats. */
  readonly counts = new Map<number, number>();

  register(dev: PortDevice, first: number, count = 1): void {
    for (let p = first; p < first + count; p++) {
      const old = this.map.get(p);
      if (old) throw new Error(`port 0x${p.toString(16)} is claimed by both ${old.name} and ${dev.name}`);
      this.map.set(p, dev);
    }
  }

  read(port: number, size: number): number {
    this.counts.set(port, (this.counts.get(port) ?? 0) + 1);
    const d = this.map.get(port);
    if (!d) return size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
    return d.read(port, size);
  }

  write(port: number, size: number, value: number): void {
    this.counts.set(port, (this.counts.get(port) ?? 0) + 1);
    this.map.get(port)?.write(port, size, value);
  }
}
