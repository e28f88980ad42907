/**
 * The hypervisor's hot paths from the host side, on a built (not run) PV domain: guest-memory
 * access with one page walk per page (GuestMemory), multicall entries read in place and across a
 * page boundary, the dense hypercall table and call counts, the double-precision clock at every
 * exit (TimeKeeper.onResume), and the direct int 0x80 / #PF bounce state the host gives the core.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as L from "../../host/isa/layout.ts";
import * as X from "../../host/xen/abi/xen.ts";
import { PvMachine } from "../../host/xen/pv-machine.ts";
import { EFault } from "../../host/xen/guest-memory.ts";
import { HYPERCALLS, HYPERCALL_BY_NR, HYPERCALL_DENSE } from "../../host/xen/hypercall-table.ts";
import { timeKeeper } from "../../host/xen/vcpu-op.ts";
import { XEN_EFAULT, XEN_EINVAL, xenErr } from "../../host/xen/abi/errno.ts";
import { DIRECT_GATE_VECTOR } from "../../host/xen/traps.ts";

const root = join(import.meta.dirname, "..", "..");
const kernel = (mode: string) => new Uint8Array(readFileSync(join(root, "guests", "build", "pv", `version-${mode}.elf`)));
const XEN_VERSION = ((4 << 16) | 17) >>> 0;

function machine(mode = "pae", directGate?: boolean): PvMachine {
  return new PvMachine(kernel(mode), { memMB: 16, directGate });
}

describe("GuestMemory: one walk per page", () => {
  for (const mode of ["pae", "2l"]) {
    it(`reads and writes within and across pages; a bad page faults before anything is written [${mode}]`, () => {
      const m = machine(mode), lay = m.built.layout, mem = m.mem, d = m.domain;
      const stack = lay.va(lay.stackPfn), ptLast = lay.va(lay.stackPfn - 1); // RW page after a read-only page-table page
      mem.writeU32(stack + 0x10, 0x11223344);
      expect(mem.readU32(stack + 0x10)).toBe(0x11223344);
      expect(d.read32(mem.translate(stack + 0x10, false))).toBe(0x11223344);
      // A dword across the stack page and the next page (both writable: the region continues).
      const next = stack + 4096;
      expect(mem.translate(next, true)).toBeGreaterThan(0);
      mem.writeU32(next - 2, 0xa1b2c3d4);
      expect(mem.readU32(next - 2)).toBe(0xa1b2c3d4);
      expect(mem.readU16(next - 1)).toBe(0xb2c3);
      expect([...mem.copyFromGuest(next - 2, 4)]).toEqual([0xd4, 0xc3, 0xb2, 0xa1]);
      // Write across a read-only page (the last page-table page) into the stack: EFault, nothing written.
      const before = d.read32(mem.translate(stack, false));
      expect(() => mem.writeU32(stack - 2, 0xdeadbeef)).toThrow(EFault);
      expect(() => mem.copyToGuest(stack - 100, new Uint8Array(200).fill(7))).toThrow(EFault);
      expect(d.read32(mem.translate(stack, false))).toBe(before);
      expect(mem.readU32(ptLast + 8)).toBe(d.read32(mem.translate(ptLast + 8, false))); // readable
      expect(mem.structAt(stack + 4096 - 16, 32)).toBe(-1); // crosses a page: the caller copies
      expect(mem.structAt(stack + 32, 32)).toBe(mem.translate(stack + 32, false));
      expect(() => mem.readU32(d.hvStart)).toThrow(EFault);
      expect(() => mem.check(0xfffffffe, 4, false)).toThrow(EFault);
      mem.check(0xfffffff0, 0, true); // empty range: nothing to check
    });
  }
});

describe("multicall and dispatch", () => {
  const ENTRY = X.multicall_entry.size;
  const put = (m: PvMachine, at: number, op: number, args: number[]) => {
    m.mem.writeU32(at, op);
    m.mem.writeU32(at + 4, 0x5a5a5a5a);
    args.forEach((a, i) => m.mem.writeU32(at + 8 + i * 4, a));
  };
  it("runs entries read in place and an entry that crosses a page, writing each result", () => {
    const m = machine();
    const stack = m.built.layout.va(m.built.layout.stackPfn);
    const list = stack + 4096 - ENTRY - 16; // entry 1 crosses into the next page
    put(m, list, X.__HYPERVISOR_xen_version, [0, 0, 0, 0, 0, 0]);
    put(m, list + ENTRY, X.__HYPERVISOR_xen_version, [0, 0, 0, 0, 0, 0]);
    put(m, list + 2 * ENTRY, X.__HYPERVISOR_multicall, [0, 0, 0, 0, 0, 0]);
    put(m, list + 3 * ENTRY, 63, [0, 0, 0, 0, 0, 0]);
    expect(m.hypercall(X.__HYPERVISOR_multicall, [list, 4, 0, 0, 0, 0], false)).toBe(0);
    expect(m.mem.readU32(list + 4)).toBe(XEN_VERSION);
    expect(m.mem.readU32(list + ENTRY + 4)).toBe(XEN_VERSION);
    expect(m.mem.readU32(list + 2 * ENTRY + 4)).toBe(xenErr(XEN_EINVAL)); // nested multicall
    expect(m.mem.readU32(list + 3 * ENTRY + 4)).toBe(xenErr(38)); // -ENOSYS for an unknown number
    expect(m.stats.of(X.__HYPERVISOR_xen_version)).toBe(2);
    expect(m.stats.of(X.__HYPERVISOR_multicall)).toBe(2);
    expect(m.stats.of(63)).toBe(1);
    expect(m.stats.calls.get("xen_version")).toBe(2);
    expect(m.stats.calls.get("multicall")).toBe(2);
    expect(m.stats.batchSizes.get(4)).toBe(1);
  });
  it("an unreadable entry ends the batch with -EFAULT after the entries before it ran", () => {
    const m = machine();
    const lay = m.built.layout;
    const end = lay.va(lay.mappedPages);
    expect(m.mem.translate(end, false)).toBe(-1);
    const list = end - 2 * ENTRY;
    put(m, list, X.__HYPERVISOR_xen_version, [0, 0, 0, 0, 0, 0]);
    put(m, list + ENTRY, X.__HYPERVISOR_xen_version, [0, 0, 0, 0, 0, 0]);
    expect(m.hypercall(X.__HYPERVISOR_multicall, [list, 3, 0, 0, 0, 0], false)).toBe(xenErr(XEN_EFAULT));
    expect(m.mem.readU32(list + 4)).toBe(XEN_VERSION);
    expect(m.mem.readU32(list + ENTRY + 4)).toBe(XEN_VERSION);
    expect(m.stats.batchSizes.get(2)).toBe(1);
  });
  it("the dense table is the declarative table", () => {
    for (const d of HYPERCALLS) expect(HYPERCALL_DENSE[d.nr]).toBe(d);
    HYPERCALL_DENSE.forEach((d, nr) => expect(d).toBe(HYPERCALL_BY_NR.get(nr)));
  });
});

describe("the clock at every exit", () => {
  it("onResume fires a due timer once and refreshes vcpu_time_info only after 1 ms of guest time", () => {
    const m = machine();
    const tk = timeKeeper(m.domain);
    const verAt = m.domain.vcpu.vcpuInfoMa + X.vcpu_info.fields["time.version"].offset;
    let fired = 0;
    tk.onTimer = () => { fired++; };
    tk.setPeriodic(0n);
    const now = tk.now();
    expect(tk.nowNum()).toBe(Number(now));
    tk.singleshot = now + 5000n;
    expect(tk.instructionsToDeadline()).toBe(5000);
    const v0 = m.domain.read32(verAt);
    tk.onResume();
    expect(fired).toBe(0);
    expect(m.domain.read32(verAt)).toBe(v0); // refreshed at build time: not yet due
    tk.advanceTo(now + 5000n);
    expect(tk.instructionsToDeadline()).toBe(1);
    tk.onResume();
    expect(fired).toBe(1);
    expect(tk.singleshot).toBeUndefined();
    expect(tk.instructionsToDeadline()).toBeUndefined();
    expect(m.domain.read32(verAt)).toBe(v0 + 2); // fired: time info rewritten (version +2)
    tk.onResume();
    expect(fired).toBe(1);
    tk.advanceTo(now + 5000n + 1_000_000n);
    tk.onResume();
    expect(m.domain.read32(verAt)).toBe(v0 + 4); // 1 ms later: refreshed
  });
});

describe("the direct int 0x80 gate the core is given", () => {
  const gate = (m: PvMachine) => ({
    flags: m.cpu.state32(L.S.PV_GATE_FLAGS), vector: m.cpu.state32(L.S.PV_GATE_VECTOR), cs: m.cpu.state32(L.S.PV_GATE_CS),
    eip: m.cpu.stateU32(L.S.PV_GATE_EIP), iopl: m.cpu.state32(L.S.PV_GATE_IOPL), mask: m.cpu.stateU32(L.S.PV_MASK_ADDR),
  });
  const table = (m: PvMachine, at: number, entries: [number, number, number, number][]) => {
    entries.forEach(([vec, flags, cs, addr], i) => {
      m.mem.writeU32(at + i * 8, (vec | (flags << 8) | (cs << 16)) >>> 0);
      m.mem.writeU32(at + i * 8 + 4, addr);
    });
    m.mem.writeU32(at + entries.length * 8, 0);
    m.mem.writeU32(at + entries.length * 8 + 4, 0);
    return m.hypercall(X.__HYPERVISOR_set_trap_table, [at, 0, 0, 0, 0, 0], false);
  };
  it("follows set_trap_table, vm_assist and set_iopl", () => {
    const m = machine();
    const at = m.built.layout.va(m.built.layout.stackPfn) + 0x100;
    expect(gate(m).flags).toBe(0);
    expect(table(m, at, [[0x80, 3, 0xe018, 0x123456]])).toBe(0);
    expect(gate(m)).toEqual({ flags: 1, vector: DIRECT_GATE_VECTOR, cs: 0xe019, eip: 0x123456, iopl: 0, mask: m.domain.vcpu.vcpuInfoMa + 1 });
    expect(table(m, at, [[0x80, 3 | 4, 0xe019, 0x2000]])).toBe(0);
    expect(gate(m).flags).toBe(3);
    expect(table(m, at, [[0x80, 1, 0xe019, 0x2000]])).toBe(0);
    expect(gate(m).flags).toBe(0); // DPL 1: ring 3 gets #GP
    expect(table(m, at, [[0x80, 3, 0, 0x2000]])).toBe(0);
    expect(gate(m).flags).toBe(0); // null selector: no handler
    expect(table(m, at, [[0x80, 3, 0xe019, 0x3000], [0x81, 3, 0xe019, 0x4000]])).toBe(0);
    expect(gate(m).flags).toBe(1);
    expect(m.hypercall(X.__HYPERVISOR_vm_assist, [X.VMASST_CMD_enable, X.VMASST_TYPE_architectural_iopl, 0, 0, 0, 0], false)).toBe(0);
    m.mem.writeU32(at + 0x200, 2);
    expect(m.hypercall(X.__HYPERVISOR_physdev_op, [6 /* PHYSDEVOP_set_iopl */, at + 0x200, 0, 0, 0, 0], false)).toBe(0);
    expect(gate(m).iopl).toBe(0x2000);
    expect(m.hypercall(X.__HYPERVISOR_vm_assist, [X.VMASST_CMD_disable, X.VMASST_TYPE_architectural_iopl, 0, 0, 0, 0], false)).toBe(0);
    expect(gate(m).iopl).toBe(0);
    expect(m.hypercall(X.__HYPERVISOR_set_trap_table, [0, 0, 0, 0, 0, 0], false)).toBe(0);
    expect(gate(m).flags).toBe(0);
  });
  it("gives the core trap_table[14] for ring-3 page faults (any DPL) and keeps the virtual CR2 in the core", () => {
    const m = machine();
    const at = m.built.layout.va(m.built.layout.stackPfn) + 0x100;
    const pf = () => [m.cpu.state32(L.S.PV_PF_FLAGS), m.cpu.state32(L.S.PV_PF_CS), m.cpu.stateU32(L.S.PV_PF_EIP), m.cpu.stateU32(L.S.PV_CR2_ADDR)];
    expect(table(m, at, [[14, 0, 0xe019, 0x5000]])).toBe(0);
    expect(pf()).toEqual([1, 0xe019, 0x5000, m.domain.vcpu.vcpuInfoMa + X.vcpu_info.fields["arch.cr2"].offset]);
    expect(table(m, at, [[14, 4, 0xe019, 0x5000]])).toBe(0);
    expect(pf()[0]).toBe(3);
    m.domain.vcpu.cr2 = 0x12345678;
    expect(m.cpu.stateU32(L.S.PV_CR2)).toBe(0x12345678);
    m.cpu.setState32(L.S.PV_CR2, 0x0badf00d);
    expect(m.domain.vcpu.cr2).toBe(0x0badf00d);
    expect(m.hypercall(X.__HYPERVISOR_set_trap_table, [0, 0, 0, 0, 0, 0], false)).toBe(0);
    expect(pf()[0]).toBe(0);
  });
  it("stays off with directGate: false", () => {
    const m = machine("2l", false);
    const at = m.built.layout.va(m.built.layout.stackPfn) + 0x100;
    expect(table(m, at, [[0x80, 3, 0xe019, 0x123456]])).toBe(0);
    expect(gate(m).flags).toBe(0);
    expect(gate(m).eip).toBe(0x123456);
  });
});

describe("hypervisor writes into guest RAM drop compiled code over them (docs/jit.md)", () => {
  it("copyToGuest, Domain.write32 and a backend's direct write each invalidate the blocks they overwrite", () => {
    const m = new PvMachine(kernel("pae"), { memMB: 16, jit: "force" });
    const r = m.run();
    expect(r.exitCode, r.detail).toBe(0);
    const jit = m.cpu.jit!;
    const inv = () => jit.snapshot().invalidations;
    const entry = m.built.kernel.entry;
    expect(jit.snapshot().blocks).toBeGreaterThan(0);
    expect(inv()).toBe(0);
    // A hypercall-style copy over the kernel's entry code (the first block compiled).
    m.mem.copyToGuest(entry, new Uint8Array([0x90, 0x90]));
    const after1 = inv();
    expect(after1).toBeGreaterThan(0);
    // The same bytes again: nothing compiled there any more, nothing more to drop.
    m.mem.copyToGuest(entry, new Uint8Array([0x90, 0x90]));
    expect(inv()).toBe(after1);
    // A machine-address write (page-table A/D bits, ring indexes...) over other compiled code, and a
    // backend's DMA-like direct write (wroteRam), elsewhere in the kernel's code.
    const code = (m.built.kernel.entry + 0x40) >>> 0;
    const ma = m.mem.translate(code, false);
    m.domain.write32(ma, m.domain.read32(ma));
    m.domain.wroteRam(ma + 0x40, 0x100);
    expect(inv()).toBeGreaterThan(after1);
  });
});
