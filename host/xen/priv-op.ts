/**
 * Privileged-instruction emulation and CPUID for a PV guest (spec 5.6, 5.7; after the behaviour of
 * Xen's pv/emul-priv-op.c and cpuid.c). Fault handlers for the PV run loop:
 *
 * - forcedCpuid: #UD at `ud2; .ascii "xen"; cpuid` (0F 0B 78 65 6E 0F A2) -> the PV CPUID policy
 *   for EAX/ECX, EIP += 7. Any other bytes (prefix without the cpuid, plain ud2) leave the #UD.
 * - privOp: #GP(0) at one of the instructions Xen emulates:
 *     IN/OUT/INS/OUTS  virtual IOPL (kernel = ring 1, or 0 with architectural_iopl) or the guest's
 *                      I/O bitmap; a domU owns no ports: reads give all ones, writes are dropped.
 *     CLI/STI          with the I/O permission: ignored (they never touch the event mask).
 *     MOV CRn          kernel only. CR0: read = real CR0 with the virtual TS; write may change TS
 *                      only (else #GP). CR2: the virtual CR2. CR3: xen_pfn_to_cr3 of the current
 *                      base; writes go through privOpHooks.newBasePtr (page-table work), #GP without.
 *                      CR4: reads PAE/MCE/OSFXSR/OSXMMEXCPT of the real CR4 plus the guest's
 *                      TSD/DE/OSXSAVE/FSGSBASE; writes keep only those four.
 *     MOV DRn          kernel only, with set_debugreg / get_debugreg rules (errors -> #GP).
 *     CLTS             fpu_taskswitch(0).   LMSW (register form) as a CR0 write.
 *     WBINVD           no-op.
 *     RDMSR/WRMSR      kernel only; the PV MSR policy below; anything else #GP.
 *     RDTSC            reaches us only with CR4.TSD: kernel gets the TSC, user mode #GP.
 *     CPUID            the core runs with CPUID faulting (S.CPUID_FAULT) so ring 1/3 CPUID lands
 *                      here and returns the same PV policy as the forced-emulation form; with
 *                      the guest's own CPUID faulting on (MSR 0x140 bit 0, offered through
 *                      PLATFORM_INFO bit 31), user-mode CPUID gets #GP(0) instead.
 *   Everything else (HLT, INVD, LGDT, ...) is not emulated: the #GP goes to the guest.
 */
import * as L from "../isa/layout.ts";
import * as X from "./abi/xen.ts";
import { off } from "./abi/struct.ts";
import { XEN_ENODEV, xenErr } from "./abi/errno.ts";
import { xen_pfn_to_cr3 } from "./abi/arch-x86.ts";
import { buildPvHypercallPage } from "./abi/hypercall-page.ts";
import type { GuestFault, PvMachine } from "./pv-machine.ts";
import { setDebugreg, getDebugreg, setVirtualTs } from "./hypercalls/vcpu-state.ts";
import type { HypercallContext } from "./hypercall-types.ts";
import { XEN_MAJOR, XEN_MINOR } from "./hypercalls/version.ts";
import { TSC_KHZ, TSC_SHIFT, TSC_TO_SYSTEM_MUL } from "./time.ts";

/** Hooks the page-table work fills in (MOV to CR3 = MMUEXT_NEW_BASEPTR with the cr3 encoding). */
export const privOpHooks: { newBasePtr?: (m: PvMachine, mfn: number) => boolean } = {};

const CR0_TS = 8;
const CR4 = { TSD: 4, DE: 8, PAE: 0x20, MCE: 0x40, OSFXSR: 0x200, OSXMMEXCPT: 0x400, FSGSBASE: 0x10000, OSXSAVE: 0x40000 } as const;
const CR4_GUEST = CR4.TSD | CR4.DE | CR4.FSGSBASE | CR4.OSXSAVE;
const CR4_HOST = CR4.PAE | CR4.MCE | CR4.OSFXSR | CR4.OSXMMEXCPT;

/** Xen's PAT value for PV guests. */
export const XEN_MSR_PAT = 0x0000050100070406n;
const MSR = {
  TSC: 0x10, APIC_BASE: 0x1b, MISC_ENABLE: 0x1a0, PERF_CAPABILITIES: 0x345, PAT: 0x277, EFER: 0xc0000080,
  SYSENTER_CS: 0x174, SYSENTER_ESP: 0x175, SYSENTER_EIP: 0x176, XEN_HYPERCALL_PAGE: 0x40000000,
  PLATFORM_INFO: 0xce, MISC_FEATURES_ENABLES: 0x140,
} as const;
/**
 * MSR_INTEL_PLATFORM_INFO.CPUID_FAULTING: Xen offers CPUID faulting to a PV guest when the hardware
 * has it, and ringone's core does (S.CPUID_FAULT); MISC_FEATURES_ENABLES bit 0 turns it on.
 */
const PLATFORM_INFO_CPUID_FAULTING = 1n << 31n, MISC_FEATURES_CPUID_FAULTING = 1n;
/** MISC_ENABLE as a PV guest sees it: BTS and PEBS unavailable. */
const MISC_ENABLE_PV = (1 << 11) | (1 << 12);
/** MSRs the (virtual) host CPU has: a write Xen cannot honour is dropped rather than #GP. */
function hostHasMsr(msr: number): boolean {
  return [MSR.TSC, MSR.APIC_BASE, MSR.SYSENTER_CS, MSR.SYSENTER_ESP, MSR.SYSENTER_EIP, MSR.MISC_ENABLE, MSR.PAT, MSR.EFER, 0xfe, 0x2ff, 0x179, 0x17a].includes(msr) ||
    (msr >= 0x200 && msr <= 0x20f) || msr === 0x250 || msr === 0x258 || msr === 0x259 || (msr >= 0x268 && msr <= 0x26f);
}

// ---- CPUID policy ---------------------------------------------------------------------------------------

/** Leaf 1 EDX bits a PV guest never sees: VME PSE PSE36 PGE MTRR DS ACPI TM1 PBE. */
const PV_HIDE_1D = (1 << 1) | (1 << 3) | (1 << 17) | (1 << 13) | (1 << 12) | (1 << 21) | (1 << 22) | (1 << 29) | (1 << 31);
/** Leaf 1 ECX bits hidden: DTES64 MONITOR DS-CPL VMX SMX EIST TM2 xTPR (and OSXSAVE, recomputed). */
const PV_HIDE_1C = (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 14) | (1 << 27);
const HYPERVISOR_BIT = 1 << 31;
export const XEN_CPUID_BASE = 0x40000000;
export const XEN_CPUID_MAX = 0x40000005;

/** The CPU's own answer (core export), from a snapshot of the four registers. */
function nativeCpuid(m: PvMachine, leaf: number, sub: number): [number, number, number, number] {
  const cpu = m.cpu;
  const save = ["eax", "ebx", "ecx", "edx"].map((r) => cpu.reg(r as "eax"));
  cpu.setReg("eax", leaf); cpu.setReg("ecx", sub);
  cpu.core.cpuidNative();
  const out: [number, number, number, number] = [cpu.reg("eax"), cpu.reg("ebx"), cpu.reg("ecx"), cpu.reg("edx")];
  ["eax", "ebx", "ecx", "edx"].forEach((r, i) => cpu.setReg(r as "eax", save[i]));
  return out;
}

/** flsl: 1-based index of the highest set bit (0 for 0). */
function fls(x: number): number { return x === 0 ? 0 : 32 - Math.clz32(x); }

/** The CPUID a PV guest sees for (leaf, subleaf): Xen's filtering plus the hypervisor leaves. */
export function pvCpuid(m: PvMachine, leaf: number, sub: number): [number, number, number, number] {
  leaf >>>= 0; sub >>>= 0;
  if (leaf >= XEN_CPUID_BASE && leaf < 0x40010000) {
    const idx = leaf - XEN_CPUID_BASE;
    switch (idx) {
      case 0: return [XEN_CPUID_MAX, 0x566e6558, 0x65584d4d, 0x4d4d566e]; // "XenVMMXenVMM"
      case 1: return [((XEN_MAJOR << 16) | XEN_MINOR) >>> 0, 0, 0, 0];
      case 2: return [1, XEN_CPUID_BASE, 1 /* MMU_PT_UPDATE_PRESERVE_AD */, 0];
      case 3:
        switch (sub) {
          case 0: return [2 /* host TSC reliable */, 0 /* tsc_mode default */, TSC_KHZ, 0];
          case 1: return [0, 0, TSC_TO_SYSTEM_MUL, TSC_SHIFT & 0xff];
          case 2: return [TSC_KHZ, 0, 0, 0];
          default: return [0, 0, 0, 0];
        }
      case 5: return sub === 0 ? [0, fls(m.domain.machineFrames - 1) + 12, 0, 0] : [0, 0, 0, 0];
      default: return [0, 0, 0, 0]; // 4 is HVM-only; above the maximum: zeros
    }
  }
  const maxBasic = nativeCpuid(m, 0, 0)[0];
  const maxExt = nativeCpuid(m, 0x80000000, 0)[0];
  if (!(leaf <= maxBasic || (leaf >= 0x80000000 && leaf <= maxExt))) return [0, 0, 0, 0];
  const r = nativeCpuid(m, leaf, sub);
  if (leaf === 1) {
    r[1] &= 0x00ffffff; // initial APIC ID 0
    r[2] = ((r[2] & ~PV_HIDE_1C) | HYPERVISOR_BIT | (m.domain.vcpu.virtualCr4 & CR4.OSXSAVE ? 1 << 27 : 0)) >>> 0;
    r[3] = (r[3] & ~PV_HIDE_1D) >>> 0;
  } else if (leaf === 0x80000001) {
    r[3] = (r[3] & ~(1 << 29)) >>> 0; // no long mode for a 32-bit guest
  }
  return r;
}

function emulateCpuid(m: PvMachine, len: number, eip: number): void {
  const cpu = m.cpu;
  const r = pvCpuid(m, cpu.reg("eax"), cpu.reg("ecx"));
  cpu.setReg("eax", r[0]); cpu.setReg("ebx", r[1]); cpu.setReg("ecx", r[2]); cpu.setReg("edx", r[3]);
  cpu.eip = (eip + len) >>> 0;
}

// ---- instruction bytes ------------------------------------------------------------------------------------

/** Up to `n` instruction bytes at CS:EIP (fewer when a page is not readable). */
function fetch(m: PvMachine, eip: number, n: number): number[] {
  const base = m.cpu.seg(L.SEG_CS).base;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    try { out.push(m.mem.copyFromGuest((base + eip + i) >>> 0, 1)[0]); } catch { break; }
  }
  return out;
}

const FORCED = [0x0f, 0x0b, 0x78, 0x65, 0x6e, 0x0f, 0xa2];

/** The guest enabled CPUID faulting and CPUID came from its user mode: #GP(0) instead (Xen). */
function cpuidFaults(m: PvMachine, cpl: number): boolean {
  return m.domain.vcpu.cpuidFaulting && (cpl & 2) !== 0;
}

/**
 * #UD at the forced-emulation prefix followed by cpuid. With the guest's CPUID faulting on, user
 * mode gets #GP(0) at the CPUID after the 5-byte prefix instead, as from Xen's
 * emulate_forced_invalid_op.
 */
export function forcedCpuid(m: PvMachine, f: GuestFault): boolean {
  if (f.vector !== 6) return false;
  const b = fetch(m, f.eip, 7);
  if (b.length < 7 || FORCED.some((x, i) => b[i] !== x)) return false;
  if (cpuidFaults(m, f.cpl)) {
    const eip = (f.eip + 5) >>> 0;
    m.cpu.eip = eip;
    m.handleGuestFault({ ...f, vector: 13, errorCode: 0, hasError: true, eip });
    return true;
  }
  emulateCpuid(m, 7, f.eip);
  return true;
}

// ---- #GP(0): privileged instructions ---------------------------------------------------------------------

function ctx(m: PvMachine): HypercallContext {
  return { dom: m.domain, vcpu: m.domain.vcpu, mem: m.mem, inMulticall: false, call: () => 0, hooks: m.hooks, stats: m.stats };
}

/** The I/O permission Xen checks: virtual IOPL, then the guest's I/O bitmap (bits clear = allowed). */
function ioAllowed(m: PvMachine, cpl: number, port: number, bytes: number): boolean {
  const d = m.domain, v = d.vcpu;
  const kernel = (cpl & 2) === 0;
  const need = kernel ? ((d.vmAssist & (1 << X.VMASST_TYPE_architectural_iopl)) ? 0 : 1) : 3;
  if (v.iopl >= need) return true;
  if (port + bytes > v.iobitmap.nrPorts) return false;
  let lo = 0xff, hi = 0xff;
  try { lo = m.mem.copyFromGuest((v.iobitmap.ptr + (port >>> 3)) >>> 0, 1)[0]; hi = m.mem.copyFromGuest((v.iobitmap.ptr + (port >>> 3) + 1) >>> 0, 1)[0]; } catch { /* unreadable: refused */ }
  const x = lo | (hi << 8);
  return ((x >>> (port & 7)) & ((1 << bytes) - 1)) === 0;
}

const ONES = [0, 0xff, 0xffff, 0, 0xffffffff];

export function privOp(m: PvMachine, f: GuestFault): boolean {
  if (f.vector !== 13 || f.errorCode !== 0) return false;
  const cpu = m.cpu, d = m.domain, v = d.vcpu;
  const kernel = (f.cpl & 2) === 0;
  const b = fetch(m, f.eip, 15);
  let i = 0, opsize = 4, rep = false;
  // Prefixes (segment overrides matter only for OUTS, which we treat as DS-relative when absent).
  let seg = -1;
  for (; i < b.length; i++) {
    const p = b[i];
    if (p === 0x66) opsize = 2;
    else if (p === 0xf3 || p === 0xf2) rep = true;
    else if (p === 0x26) seg = L.SEG_ES; else if (p === 0x2e) seg = L.SEG_CS; else if (p === 0x36) seg = L.SEG_SS;
    else if (p === 0x3e) seg = L.SEG_DS; else if (p === 0x64) seg = L.SEG_FS; else if (p === 0x65) seg = L.SEG_GS;
    else if (p === 0x67 || p === 0xf0) { /* address size / lock: not emulated forms */ return false; }
    else break;
  }
  if (i >= b.length) return false;
  const op = b[i];
  const done = (len: number) => { cpu.eip = (f.eip + len) >>> 0; return true; };

  // Port I/O.
  const io = (port: number, size: number, isIn: boolean, len: number): boolean => {
    if (!ioAllowed(m, f.cpl, port, size)) return false;
    if (isIn) {
      if (size === 4) cpu.setReg("eax", ONES[4]);
      else cpu.setReg("eax", (cpu.reg("eax") & ~ONES[size]) | ONES[size]);
    }
    return done(len);
  };
  const sz = (wide: boolean) => (wide ? opsize : 1);
  switch (op) {
    case 0xe4: case 0xe5: if (i + 1 >= b.length) return false; return io(b[i + 1], sz(op === 0xe5), true, i + 2);
    case 0xe6: case 0xe7: if (i + 1 >= b.length) return false; return io(b[i + 1], sz(op === 0xe7), false, i + 2);
    case 0xec: case 0xed: return io(cpu.reg("edx") & 0xffff, sz(op === 0xed), true, i + 1);
    case 0xee: case 0xef: return io(cpu.reg("edx") & 0xffff, sz(op === 0xef), false, i + 1);
    case 0x6c: case 0x6d: case 0x6e: case 0x6f: {
      const size = sz(op & 1 ? true : false), isIn = op < 0x6e, port = cpu.reg("edx") & 0xffff;
      if (!ioAllowed(m, f.cpl, port, size)) return false;
      const step = (cpu.eflags & (1 << 10)) ? -size : size;
      let count = rep ? cpu.reg("ecx") : 1;
      // Bounded work per exit: a long REP continues at the same instruction (EIP unchanged).
      for (let n = 0; count > 0 && n < 4096; n++, count--) {
        try {
          if (isIn) {
            const edi = cpu.reg("edi");
            m.mem.copyToGuest((cpu.seg(L.SEG_ES).base + edi) >>> 0, new Uint8Array(size).fill(0xff));
            cpu.setReg("edi", edi + step);
          } else {
            const esi = cpu.reg("esi");
            m.mem.copyFromGuest((cpu.seg(seg >= 0 ? seg : L.SEG_DS).base + esi) >>> 0, size);
            cpu.setReg("esi", esi + step);
          }
        } catch {
          return false; // TODO: deliver the #PF with the exact error code; #GP for now
        }
        if (rep) cpu.setReg("ecx", count - 1);
      }
      if (rep && count > 0) { cpu.eip = f.eip; return true; }
      return done(i + 1);
    }
    case 0xfa: case 0xfb: // CLI / STI: ignored when the I/O permission (IOPL) allows them
      return ioAllowedIopl(m, f.cpl) ? done(i + 1) : false;
    case 0x0f: break;
    default: return false;
  }
  if (i + 1 >= b.length) return false;
  const op2 = b[i + 1];
  const modrm = b[i + 2] ?? -1;
  const rm = modrm & 7, reg = (modrm >> 3) & 7;
  const regForm = modrm >= 0xc0;
  switch (op2) {
    case 0xa2: if (cpuidFaults(m, f.cpl)) return false; emulateCpuid(m, i + 2, f.eip); return true;
    case 0x06: if (!kernel) return false; setVirtualTs(ctx(m), false); return done(i + 2); // CLTS
    case 0x09: if (!kernel) return false; return done(i + 2); // WBINVD
    case 0x31: { // RDTSC (CR4.TSD set)
      if (!kernel) return false;
      const t = m.domain.cpu.instructions + ((BigInt(cpu.stateU32(L.S.TSC_HI)) << 32n) | BigInt(cpu.stateU32(L.S.TSC_LO)));
      cpu.setReg("eax", Number(t & 0xffffffffn)); cpu.setReg("edx", Number((t >> 32n) & 0xffffffffn));
      return done(i + 2);
    }
    case 0x20: { // MOV r32, CRn
      if (!kernel || !regForm) return false;
      let val: number;
      switch (reg) {
        case 0: val = (cpu.stateU32(L.S.CR0) & ~CR0_TS) | (v.virtualCr0 & CR0_TS); break;
        case 2: val = v.cr2; break;
        case 3: val = xen_pfn_to_cr3(cpu.stateU32(L.S.CR3) >>> 12); break;
        case 4: val = (cpu.stateU32(L.S.CR4) & CR4_HOST) | (v.virtualCr4 & CR4_GUEST); break;
        default: return false;
      }
      cpu.setReg(rm, val >>> 0);
      return done(i + 3);
    }
    case 0x22: { // MOV CRn, r32
      if (!kernel || !regForm) return false;
      const val = cpu.reg(rm);
      switch (reg) {
        case 0: return writeCr0(m, val) && done(i + 3);
        case 2:
          v.cr2 = val;
          d.write32(v.vcpuInfoMa + off(X.vcpu_info, "arch.cr2"), val);
          return done(i + 3);
        case 3: {
          const hook = privOpHooks.newBasePtr;
          if (!hook) return false; // TODO(page tables): MMUEXT_NEW_BASEPTR
          return hook(m, ((val >>> 12) | (val << 20)) >>> 0) && done(i + 3);
        }
        case 4: {
          v.virtualCr4 = val & CR4_GUEST;
          // CR4.TSD is enforced by the core (ring-3 RDTSC faults and reaches us for the check).
          const cr4 = cpu.stateU32(L.S.CR4);
          cpu.setState32(L.S.CR4, (val & CR4.TSD) ? cr4 | CR4.TSD : cr4 & ~CR4.TSD);
          return done(i + 3);
        }
        default: return false;
      }
    }
    case 0x21: { // MOV r32, DRn
      if (!kernel || !regForm) return false;
      const r = getDebugreg(ctx(m), [reg]) as number;
      if (r === xenErr(XEN_ENODEV)) return false;
      cpu.setReg(rm, r >>> 0);
      return done(i + 3);
    }
    case 0x23: { // MOV DRn, r32
      if (!kernel || !regForm) return false;
      const r = setDebugreg(ctx(m), [reg, cpu.reg(rm)]);
      if (r !== 0) return false;
      return done(i + 3);
    }
    case 0x01: { // LMSW r16 (0F 01 /6, register form only)
      if (!kernel || !regForm || reg !== 6) return false;
      const cr0 = (cpu.stateU32(L.S.CR0) & ~CR0_TS) | (v.virtualCr0 & CR0_TS);
      const nv = ((cr0 & ~0xe) | (cpu.reg(rm) & 0xf) | (cr0 & 1)) >>> 0;
      return writeCr0(m, nv) && done(i + 3);
    }
    case 0x32: { // RDMSR
      if (!kernel) return false;
      const r = readMsr(m, cpu.reg("ecx"));
      if (r === undefined) return false;
      cpu.setReg("eax", Number(r & 0xffffffffn)); cpu.setReg("edx", Number(r >> 32n));
      return done(i + 2);
    }
    case 0x30: { // WRMSR
      if (!kernel) return false;
      const val = (BigInt(cpu.reg("edx")) << 32n) | BigInt(cpu.reg("eax"));
      return writeMsr(m, cpu.reg("ecx"), val) && done(i + 2);
    }
    default: return false;
  }
}

function ioAllowedIopl(m: PvMachine, cpl: number): boolean {
  const d = m.domain;
  const need = (cpl & 2) === 0 ? ((d.vmAssist & (1 << X.VMASST_TYPE_architectural_iopl)) ? 0 : 1) : 3;
  return d.vcpu.iopl >= need;
}

/** CR0 write: only TS may differ from the current (virtual) CR0, and it is fpu_taskswitch. */
function writeCr0(m: PvMachine, val: number): boolean {
  const cur = (m.cpu.stateU32(L.S.CR0) & ~CR0_TS) | (m.domain.vcpu.virtualCr0 & CR0_TS);
  if (((val ^ cur) & ~CR0_TS) !== 0) return false;
  setVirtualTs(ctx(m), (val & CR0_TS) !== 0);
  return true;
}

/** Xen's PV RDMSR policy (undefined = #GP). */
export function readMsr(m: PvMachine, msr: number): bigint | undefined {
  const cpu = m.cpu;
  switch (msr >>> 0) {
    case MSR.EFER: return BigInt(cpu.stateU32(L.S.EFER) & ~0x500); // LME / LMA hidden
    case MSR.PAT: return XEN_MSR_PAT;
    case MSR.APIC_BASE: return 0xfee00900n;
    case MSR.TSC: return m.domain.cpu.instructions + ((BigInt(cpu.stateU32(L.S.TSC_HI)) << 32n) | BigInt(cpu.stateU32(L.S.TSC_LO)));
    case MSR.MISC_ENABLE: return BigInt(MISC_ENABLE_PV);
    case MSR.PERF_CAPABILITIES: return 0n;
    case MSR.PLATFORM_INFO: return PLATFORM_INFO_CPUID_FAULTING;
    case MSR.MISC_FEATURES_ENABLES: return m.domain.vcpu.cpuidFaulting ? MISC_FEATURES_CPUID_FAULTING : 0n;
    default: return undefined;
  }
}

/** Xen's PV WRMSR policy: the hypercall-page MSR; host MSRs are accepted and dropped; others #GP. */
export function writeMsr(m: PvMachine, msr: number, val: bigint): boolean {
  msr >>>= 0;
  if (msr === MSR.XEN_HYPERCALL_PAGE) {
    if ((val & 0xfffn) !== 0n) return false; // only page 0 exists
    const gfn = Number(val >> 12n);
    if (!m.domain.isGuestFrame(gfn)) return false;
    m.domain.mem.set(buildPvHypercallPage(), m.domain.p2m(gfn) * 4096);
    return true;
  }
  if (msr === MSR.MISC_FEATURES_ENABLES) {
    if ((val & ~MISC_FEATURES_CPUID_FAULTING) !== 0n) return false; // reserved bits: #GP
    m.domain.vcpu.cpuidFaulting = (val & MISC_FEATURES_CPUID_FAULTING) !== 0n;
    return true;
  }
  if (msr >= 0x40000000 && msr < 0x40000200) return false;
  return hostHasMsr(msr);
}

/** Turn on CPUID faulting in the core so ring-1/ring-3 CPUID reaches the PV policy. */
export function enableCpuidFaulting(m: PvMachine): void { m.cpu.setState32(L.S.CPUID_FAULT, 1); }
