/**
 * Per-vCPU privileged state the guest kernel sets through hypercalls (spec 5.5): stack_switch (3),
 * fpu_taskswitch (5), set_debugreg (8), get_debugreg (9).
 */
import * as L from "../../isa/layout.ts";
import { XEN_ENODEV, XEN_EPERM, xenErr } from "../abi/errno.ts";
import type { Args, HcResult, HypercallContext } from "../hypercall-types.ts";

const CR0_TS = 8, CR4_DE = 8;
/** DR7: GD (general detect), bit 10 reads as one, bits 11, 12, 14, 15 as zero. */
const DR7_GD = 1 << 13, DR7_ONES = 1 << 10, DR7_ZEROS = (1 << 11) | (1 << 12) | (1 << 14) | (1 << 15);
/** DR6: bits 4-11 and 16-31 read as one, bit 12 as zero; the rest (B0-B3, BD, BS, BT) are status. */
const DR6_ONES = 0xffff0ff0, DR6_STATUS = 0x0000e00f;

/** RPL 0 selectors from a ring-1 kernel are raised to RPL 1 (Xen's stack-selector fixup). */
export function fixupRing1Selector(sel: number): number { return (sel & 3) === 0 ? (sel | 1) & 0xffff : sel & 0xffff; }

export function stackSwitch(hc: HypercallContext, [ss, esp]: Args): HcResult {
  hc.vcpu.kernelSs = fixupRing1Selector(ss);
  hc.vcpu.kernelSp = esp >>> 0;
  hc.dom.syncTssStack();
  return 0;
}

/** Set or clear the virtual CR0.TS and the real CR0.TS the core uses to raise #NM. */
export function setVirtualTs(hc: HypercallContext, on: boolean): void {
  const v = hc.vcpu;
  v.virtualCr0 = on ? v.virtualCr0 | CR0_TS : v.virtualCr0 & ~CR0_TS;
  const cpu = hc.dom.cpu;
  const cr0 = cpu.stateU32(L.S.CR0);
  cpu.setState32(L.S.CR0, on ? cr0 | CR0_TS : cr0 & ~CR0_TS);
}

export function fpuTaskswitch(hc: HypercallContext, [set]: Args): HcResult {
  setVirtualTs(hc, set !== 0);
  return 0;
}

/** Map DR4/DR5 onto DR6/DR7 (when CR4.DE is clear); -1 for an invalid register. */
function debugRegIndex(hc: HypercallContext, reg: number): number {
  if (reg <= 3 || reg === 6 || reg === 7) return reg;
  if (reg === 4 || reg === 5) return (hc.vcpu.virtualCr4 & CR4_DE) ? -1 : reg + 2;
  return -1;
}

export function setDebugreg(hc: HypercallContext, [reg, value]: Args): HcResult {
  const i = debugRegIndex(hc, reg);
  if (i < 0) return xenErr(XEN_ENODEV);
  const v = hc.vcpu;
  let val = value >>> 0;
  if (i <= 3) {
    // A breakpoint address must lie below the hypervisor range (a 4-byte access at it included).
    if (val > hc.dom.hvStart - 4) return xenErr(XEN_EPERM);
  } else if (i === 6) {
    val = ((val & DR6_STATUS) | DR6_ONES) >>> 0;
  } else {
    if (val & DR7_GD) return xenErr(XEN_EPERM);
    for (let n = 0; n < 4; n++) {
      if (((val >>> (n * 2)) & 3) === 0) continue; // slot disabled
      const rw = (val >>> (16 + n * 4)) & 3;
      if (rw === 2 && !(v.virtualCr4 & CR4_DE)) return xenErr(XEN_EPERM); // I/O breakpoints need CR4.DE
    }
    val = (((val & ~DR7_ZEROS) | DR7_ONES) & 0xffffffff) >>> 0;
  }
  v.debugRegs[i] = val;
  // Mirror into the core's debug registers (the core honours them as far as it implements DR7).
  hc.dom.cpu.setState32(L.S.DR + i * 4, val);
  return 0;
}

export function getDebugreg(hc: HypercallContext, [reg]: Args): HcResult {
  const i = debugRegIndex(hc, reg);
  if (i < 0) return xenErr(XEN_ENODEV);
  return hc.vcpu.debugRegs[i] >>> 0;
}
