/**
 * CPUID faulting offered to a PV guest (host/xen/priv-op.ts): Xen gives a PV guest
 * MSR_INTEL_PLATFORM_INFO.CPUID_FAULTING when the hardware has it (ringone's core does), and
 * MSR_MISC_FEATURES_ENABLES bit 0 then makes user-mode CPUID, plain or forced-emulation, #GP(0);
 * kernel-mode CPUID keeps being emulated. XTF's cpuid-faulting test checks the same from the guest.
 */
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PvMachine, type GuestFault } from "../../host/xen/pv-machine.ts";
import { readMsr, writeMsr, privOp, forcedCpuid } from "../../host/xen/priv-op.ts";

const root = join(import.meta.dirname, "..", "..");
const kernel = join(root, "guests", "build", "pv", "version-pae.elf");

/** A guest whose start_info page holds `code`; returns the machine and the code's address. */
function machineWith(code: number[]): { m: PvMachine; at: number } {
  expect(existsSync(kernel), `${kernel} missing: run "make -C guests/pv"`).toBe(true);
  const m = new PvMachine(new Uint8Array(readFileSync(kernel)), { memMB: 16 });
  const at = m.built.layout.va(m.built.layout.startInfoPfn) + 0x800;
  m.mem.copyToGuest(at, Uint8Array.from(code));
  return { m, at };
}

const fault = (vector: number, eip: number, cpl: number): GuestFault =>
  ({ vector, errorCode: 0, hasError: vector === 13, eip, cr2: 0, cpl });

describe("PV CPUID faulting", () => {
  it("PLATFORM_INFO offers it; MISC_FEATURES_ENABLES takes bit 0 only", () => {
    const { m } = machineWith([0x90]);
    expect(readMsr(m, 0xce)).toBe(1n << 31n);
    expect(readMsr(m, 0x140)).toBe(0n);
    expect(writeMsr(m, 0x140, 2n)).toBe(false); // reserved bit: #GP
    expect(writeMsr(m, 0xce, 0n)).toBe(false); // PLATFORM_INFO is read-only
    expect(writeMsr(m, 0x140, 1n)).toBe(true);
    expect(readMsr(m, 0x140)).toBe(1n);
    expect(m.domain.vcpu.cpuidFaulting).toBe(true);
    expect(writeMsr(m, 0x140, 0n)).toBe(true);
    expect(m.domain.vcpu.cpuidFaulting).toBe(false);
  });

  it("with it on, user CPUID is left as #GP(0); kernel CPUID is still emulated", () => {
    const { m, at } = machineWith([0x0f, 0xa2]);
    writeMsr(m, 0x140, 1n);
    m.cpu.setReg("eax", 0); m.cpu.eip = at;
    expect(privOp(m, fault(13, at, 3))).toBe(false); // not emulated: the #GP goes to the guest
    expect(m.cpu.eip).toBe(at);
    expect(privOp(m, fault(13, at, 1))).toBe(true);
    expect(m.cpu.eip).toBe(at + 2);
    expect(m.cpu.reg("ebx")).toBe(0x756e6547); // "Genu"
    writeMsr(m, 0x140, 0n);
    m.cpu.setReg("eax", 0); m.cpu.eip = at;
    expect(privOp(m, fault(13, at, 3))).toBe(true); // off again: user CPUID emulated
  });

  it("forced-emulation CPUID from user mode: #GP(0) at the CPUID after the prefix", () => {
    const { m, at } = machineWith([0x0f, 0x0b, 0x78, 0x65, 0x6e, 0x0f, 0xa2]);
    writeMsr(m, 0x140, 1n);
    const seen: GuestFault[] = [];
    m.faultHandlers.unshift((_m, f) => { if (f.vector === 13) { seen.push(f); return true; } return false; });
    m.cpu.eip = at;
    expect(forcedCpuid(m, fault(6, at, 3))).toBe(true);
    expect(seen.map((f) => [f.vector, f.errorCode, f.eip - at])).toEqual([[13, 0, 5]]);
    expect(m.cpu.eip).toBe(at + 5);
    m.cpu.setReg("eax", 0); m.cpu.eip = at;
    expect(forcedCpuid(m, fault(6, at, 1))).toBe(true); // kernel: emulated past all 7 bytes
    expect(m.cpu.eip).toBe(at + 7);
    expect(seen.length).toBe(1);
  });
});
