/** The port 0xE9 debug console (Bochs/QEMU convention): bytes written appear on the output; reads return 0xE9. */
import type { PortDevice } from "./bus.ts";

export class DebugCon implements PortDevice {
  readonly name = "debugcon";
  constructor(private readonly out: (byte: number) => void) {}
  read(): number { return 0xe9; }
  write(_port: number, _size: number, value: number): void { this.out(value & 0xff); }
}
