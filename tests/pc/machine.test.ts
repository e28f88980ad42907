/**
 * The PC machine around the core: virtual time (HLT fast-forward, TSC consistency, run budgets at
 * timer deadlines), the A20 gate through port 0x92 and the 8042, resets, --no-apic, the flat and
 * firmware loaders, and SeaBIOS (Debian's seabios package) starting up to its boot-device search.
 */
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { PcMachine, type MachineOptions } from "../../host/machine.ts";
import { S } from "../../host/isa/layout.ts";
import { loadFlat } from "../../host/loaders/raw.ts";
import { PIT_HZ } from "../../host/pc/pit.ts";
import { timeOfCycle, NS_PER_TICK } from "../../host/pc/clock.ts";

/** Flat 32-bit machine with a GDT (0x08 code, 0x10 data) and an IDT whose vector 0x20 does EOI + IRET. */
function flat(code: number[], opts: MachineOptions = {}) {
  const m = new PcMachine({ memMB: 4, ...opts });
  const cpu = m.cpu;
  const gdt = new DataView(new ArrayBuffer(24));
  gdt.setBigUint64(8, 0x00cf9a000000ffffn, true);
  gdt.setBigUint64(16, 0x00cf92000000ffffn, true);
  cpu.writePhys(0x1800, new Uint8Array(gdt.buffer));
  const idt = new DataView(new ArrayBuffer(256 * 8));
  const handler = 0x3000;
  idt.setUint16(0x20 * 8, handler & 0xffff, true);
  idt.setUint16(0x20 * 8 + 2, 0x08, true);
  idt.setUint16(0x20 * 8 + 4, 0x8e00, true);
  idt.setUint16(0x20 * 8 + 6, handler >>> 16, true);
  cpu.writePhys(0x2000, new Uint8Array(idt.buffer));
  cpu.writePhys(handler, Uint8Array.from([0xb0, 0x20, 0xe6, 0x20, 0xcf])); // mov al,0x20; out 0x20,al; iret
  loadFlat(cpu, Uint8Array.from(code), 0x1000);
  cpu.setState32(S.GDTR_BASE, 0x1800); cpu.setState32(S.GDTR_LIMIT, 23);
  cpu.setState32(S.IDTR_BASE, 0x2000); cpu.setState32(S.IDTR_LIMIT, 256 * 8 - 1);
  cpu.setReg("esp", 0x8000);
  return m;
}

function initPic(m: PcMachine) {
  for (const [p, v] of [[0x20, 0x11], [0x21, 0x20], [0x21, 4], [0x21, 1], [0xa0, 0x11], [0xa1, 0x28], [0xa1, 2], [0xa1, 1], [0x21, 0xfe], [0xa1, 0xff]]) m.bus.write(p, 1, v);
}

describe("virtual time", () => {
  it("HLT with IF=1 fast-forwards to the PIT deadline; the interrupt arrives on time and the TSC follows", () => {
    // sti; hlt; rdtsc; cli; hlt
    const m = flat([0xfb, 0xf4, 0x0f, 0x31, 0xfa, 0xf4]);
    initPic(m);
    m.bus.write(0x43, 1, 0x34); m.bus.write(0x40, 1, 1193 & 0xff); m.bus.write(0x40, 1, 1193 >> 8); // 1 kHz
    const r = m.run(1_000_000);
    expect(r.reason).toBe("halted");
    expect(r.instructions).toBeLessThan(20n); // nothing spun
    const edge = timeOfCycle(1 + 1193, PIT_HZ);
    const tsc = m.cpu.reg("eax");
    expect(tsc * NS_PER_TICK).toBeGreaterThanOrEqual(edge);
    expect(tsc * NS_PER_TICK).toBeLessThan(edge + 20 * NS_PER_TICK);
    expect(m.irqStats.delivered.get("IRQ0")).toBe(1);
  });

  it("a busy guest gets its timer interrupts at the right instruction counts", () => {
    // sti; loop: inc ebx; jmp loop   (IRQ0 handler counts nothing; we count delivered IRQs)
    const m = flat([0xfb, 0x43, 0xeb, 0xfd]);
    initPic(m);
    m.bus.write(0x43, 1, 0x34); m.bus.write(0x40, 1, 1193 & 0xff); m.bus.write(0x40, 1, 1193 >> 8);
    m.run(10_000_000); // 100 ms of virtual time at 10 ns per instruction
    const n = m.irqStats.delivered.get("IRQ0");
    expect(n).toBe(Math.floor((Math.floor(0.1 * PIT_HZ) - 1) / 1193)); // one per PIT period
  });
});

describe("A20, reset and the 8042", () => {
  it("port 0x92 bit 1 closes the A20 gate: 0x100010 aliases 0x10", () => {
    // mov al,0; out 0x92,al; mov byte [0x100010],0xAA; mov al,2; out 0x92,al; mov al,[0x100010]; cli; hlt
    const m = flat([0xb0, 0x00, 0xe6, 0x92, 0xc6, 0x05, 0x10, 0x00, 0x10, 0x00, 0xaa, 0xb0, 0x02, 0xe6, 0x92, 0xa0, 0x10, 0x00, 0x10, 0x00, 0xfa, 0xf4]);
    // The gate is the OR of port 0x92 bit 1 and the 8042 output port bit 1: clear the latter first.
    m.bus.write(0x64, 1, 0xd1); m.bus.write(0x60, 1, 0xdd);
    expect(m.cpu.state32(S.A20)).toBe(1);
    m.run(1000);
    expect(m.cpu.ram[0x10]).toBe(0xaa);
    expect(m.cpu.ram[0x100010]).toBe(0);
    expect(m.cpu.reg("eax") & 0xff).toBe(0);
    expect(m.cpu.state32(S.A20)).toBe(1);
  });

  it("8042: self-test, output port A20 (0xD1), status bits, and 0xFE resets", () => {
    const m = flat([0xb0, 0xfe, 0xe6, 0x64, 0xfa, 0xf4]); // mov al,0xfe; out 0x64,al; cli; hlt
    m.bus.write(0x64, 1, 0xaa);
    expect(m.bus.read(0x64, 1) & 1).toBe(1);
    expect(m.bus.read(0x60, 1)).toBe(0x55);
    expect(m.bus.read(0x64, 1) & 0x05).toBe(0x04); // OBF clear, system flag set
    m.bus.write(0x92, 1, 0x00); // port 0x92's A20 bit off: the 8042 alone decides
    m.bus.write(0x64, 1, 0xd1); m.bus.write(0x60, 1, 0xdd); // A20 off (reset line high)
    expect(m.cpu.state32(S.A20)).toBe(0);
    m.bus.write(0x64, 1, 0xd1); m.bus.write(0x60, 1, 0xdf);
    expect(m.cpu.state32(S.A20)).toBe(1);
    m.bus.write(0x60, 1, 0xff); // keyboard reset
    expect([m.bus.read(0x60, 1), m.bus.read(0x60, 1)]).toEqual([0xfa, 0xaa]);
    expect(m.run(1000).reason).toBe("reset"); // no firmware to restart: the run ends
  });

  it("with firmware, a reset restarts at the reset vector", () => {
    const rom = new Uint8Array(0x10000).fill(0x90);
    // at F000:FFF0 (ROM offset 0xFFF0): inc byte [0x500]... real mode: inc byte [0x0500]; cmp byte [0x500],2; jb -> reset via 0x92; cli; hlt
    const code = [0xfe, 0x06, 0x00, 0x05, 0x80, 0x3e, 0x00, 0x05, 0x02, 0x73, 0x04, 0xb0, 0x01, 0xe6, 0x92, 0xfa, 0xf4];
    // place at 0xFFE0 and jump there from the reset vector
    rom.set(code, 0xffd0);
    rom.set([0xeb, 0xde], 0xfff0); // jmp short 0xffd0
    const m = new PcMachine({ memMB: 4, rom });
    const r = m.run(10_000);
    expect(r.reason).toBe("halted");
    expect(m.cpu.ram[0x500]).toBe(2); // ran twice: the RAM survived the reset
  });
});

describe("APIC presence", () => {
  it("--no-apic hides CPUID.1:EDX.APIC and zeroes the APIC base; the default shows both", () => {
    for (const apic of [true, false]) {
      const m = flat([0xb8, 1, 0, 0, 0, 0x0f, 0xa2, 0xfa, 0xf4], { apic }); // mov eax,1; cpuid; cli; hlt
      m.run(100);
      expect((m.cpu.reg("edx") >> 9) & 1).toBe(apic ? 1 : 0);
      expect(m.cpu.stateU32(S.APIC_BASE)).toBe(apic ? 0xfee00900 : 0);
    }
  });
});

describe("loaders", () => {
  it("--flat: a raw binary at an address, entered in 32-bit flat protected mode", () => {
    const m = new PcMachine({ memMB: 4 });
    // mov dx,0x3f8; mov al,'F'; out dx,al; mov eax,esp; cli; hlt
    loadFlat(m.cpu, Uint8Array.from([0x66, 0xba, 0xf8, 0x03, 0xb0, 0x46, 0xee, 0x89, 0xe0, 0xfa, 0xf4]), 0x20000);
    m.run(100);
    expect(m.output).toBe("F");
    expect(m.cpu.reg("eax")).toBe(0x20000);
  });

  const bios = "/usr/share/seabios/bios.bin";
  it.skipIf(!existsSync(bios))("SeaBIOS starts: banner on port 0x402, POST, and the boot-device search", () => {
    const m = new PcMachine({ memMB: 32, rom: new Uint8Array(readFileSync(bios)) });
    const r = m.run(100_000_000, /No bootable device|Booting from Floppy/);
    const out = m.output;
    expect(r.reason, out).toBe("stopped");
    expect(out).toMatch(/^SeaBIOS \(version /m);
    expect(out).toMatch(/RamSize: 0x02000000/);
    expect(out).toMatch(/PCI: init bdf=00:00.0 id=8086:1237/);
    expect(out).toMatch(/CPU Mhz=100\b/); // the TSC calibrated against the PIT: 100 MHz nominal
    expect(out).toMatch(/PS2 keyboard initialized/);
  });
});
