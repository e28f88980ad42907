/**
 * MMIO exits with the in-order replay log, and the firmware ROM window below 4 GiB: a device sees
 * every access once and in program order; an instruction commits only when its MMIO values are
 * known; execution starts at the reset vector F000:FFF0 inside the ROM.
 */
import { describe, expect, it } from "vitest";
import { PcMachine } from "../../host/machine.ts";
import type { MmioDevice } from "../../host/pc/mmio.ts";

class Recorder implements MmioDevice {
  readonly name = "rec";
  log: string[] = [];
  regs = new Map<number, number>();
  read(a: number, s: number) { this.log.push(`r${s}@${a.toString(16)}`); return this.regs.get(a) ?? 0x1000 + (a & 0xfff); }
  write(a: number, s: number, v: number) { this.log.push(`w${s}@${a.toString(16)}=${v.toString(16)}`); this.regs.set(a, v); }
}

function flat(code: number[]) {
  const m = new PcMachine({ memMB: 4, apic: false }); // the local APIC would claim 0xFEE00000
  const dev = new Recorder();
  m.mmio.register(dev, 0xfee00000, 0x1000);
  m.cpu.core.setFlat32(0);
  m.cpu.writePhys(0x1000, Uint8Array.from(code));
  m.cpu.eip = 0x1000;
  return { m, dev };
}

describe("MMIO", () => {
  it("reads and writes reach the device once each, in order", () => {
    // mov ebx, 0xfee00020; mov eax, [ebx]; add eax, 5; mov [ebx+0x10], eax; mov ecx, [ebx+0x10]; hlt
    const { m, dev } = flat([0xbb, 0x20, 0x00, 0xe0, 0xfe, 0x8b, 0x03, 0x83, 0xc0, 0x05, 0x89, 0x43, 0x10, 0x8b, 0x4b, 0x10, 0xf4]);
    expect(m.run(100).reason).toBe("halted");
    expect(dev.log).toEqual(["r4@fee00020", "w4@fee00030=1025", "r4@fee00030"]);
    expect(m.cpu.reg("eax")).toBe(0x1025);
    expect(m.cpu.reg("ecx")).toBe(0x1025);
  });

  it("a read-modify-write on MMIO is one read then one write", () => {
    // mov ebx, 0xfee00040; add dword [ebx], 3; hlt
    const { m, dev } = flat([0xbb, 0x40, 0x00, 0xe0, 0xfe, 0x83, 0x03, 0x03, 0xf4]);
    m.run(100);
    expect(dev.log).toEqual(["r4@fee00040", "w4@fee00040=1043"]);
  });

  it("unclaimed MMIO reads as all ones", () => {
    // mov ebx, 0xd0000000; mov ax, [ebx]; hlt
    const { m } = flat([0xbb, 0x00, 0x00, 0x00, 0xd0, 0x66, 0x8b, 0x03, 0xf4]);
    m.cpu.setReg("eax", 0x12345678);
    m.run(100);
    expect(m.cpu.reg("eax")).toBe(0x1234ffff);
  });
});

describe("firmware ROM", () => {
  it("starts at the reset vector in the ROM and reads ROM data; ROM writes are ignored", () => {
    const rom = new Uint8Array(64 * 1024);
    // At F000:FFF0 (ROM offset 0xfff0): jmp short to 0xffe0 (offset -0x12 from 0xfff2).
    rom.set([0xeb, 0xee], 0xfff0);
    // At 0xffe0: mov ax, [cs:0xfff8]; mov [cs:0xfff8], bx; mov cx, [cs:0xfff8]; hlt
    rom.set([0x2e, 0xa1, 0xf8, 0xff, 0x2e, 0x89, 0x1e, 0xf8, 0xff, 0x2e, 0x8b, 0x0e, 0xf8, 0xff, 0xf4], 0xffe0);
    rom.set([0x34, 0x12], 0xfff8);
    const m = new PcMachine({ memMB: 4, rom });
    m.cpu.setReg("ebx", 0xbeef);
    const r = m.run(100);
    expect(r.reason).toBe("halted");
    expect(m.cpu.reg("eax") & 0xffff).toBe(0x1234);
    expect(m.cpu.reg("ecx") & 0xffff).toBe(0x1234);
  });
});
