/**
 * Returns and callbacks (spec 6.3-6.6): HYPERVISOR_iret (23), set_callbacks (4), callback_op (30),
 * nmi_op (28), and the event upcall at every return to the guest.
 *
 * iret: the guest jumped to hypercall-page stub 23 (push eax; mov eax, 23; int 0x82) with
 * [EAX, EIP, CS, EFLAGS, (ESP, SS)] at its ESP. We pop them, return to ring 1 (ESP += 16) or to
 * ring 2/3 (stack switch), set the real EFLAGS from the popped image (IOPL 0, IF 1; with
 * architectural_iopl the popped IOPL becomes the virtual IOPL) and the virtual IF:
 * evtchn_upcall_mask = !popped IF. An unreadable frame, CS with RPL 0, VM86 or an unloadable
 * selector crash the domain. (VGCF_in_syscall and struct iret_context are x86_64-only.)
 *
 * The upcall: if evtchn_upcall_pending && !evtchn_upcall_mask when the guest is about to resume,
 * build the bounce frame to the event callback with events masked (saved mask 0 in the CS word).
 */
import * as L from "../isa/layout.ts";
import * as X from "./abi/xen.ts";
import * as C from "./abi/callback.ts";
import { FLAT_KERNEL_CS } from "./abi/arch-x86.ts";
import { XEN_EINVAL, XEN_ENOSYS, xenErr } from "./abi/errno.ts";
import { NO_RETURN, type Args, type HcResult, type HypercallContext } from "./hypercall-types.ts";
import { fixupCodeSelector, pushBounceFrame, syncDirectGate, type BounceHost } from "./traps.ts";
import { mmOf } from "./mm/index.ts";
import type { PvMachine } from "./pv-machine.ts";
import type { Domain } from "./domain.ts";
import type { Cpu } from "../core/cpu.ts";

const IF = 1 << 9, IOPL = 3 << 12, VM = 1 << 17;

const frameWords = [0, 0, 0, 0];

export function iret(hc: HypercallContext, _a: Args): HcResult {
  const d = hc.dom, cpu = d.cpu, v = hc.vcpu;
  const esp = cpu.reg("esp");
  const ssBase = cpu.seg(L.SEG_SS).base;
  const w = frameWords;
  try {
    hc.mem.readWords((ssBase + esp) >>> 0, 4, w);
  } catch {
    d.crash(`HYPERVISOR_iret: the iret frame at ESP 0x${esp.toString(16)} cannot be read`);
    return NO_RETURN;
  }
  const eax = w[0], eip = w[1], cs = w[2] & 0xffff, fl = w[3];
  if (d.vmAssist & (1 << X.VMASST_TYPE_architectural_iopl)) { v.iopl = (fl >>> 12) & 3; syncDirectGate(d); }
  if (fl & VM) { d.crash("HYPERVISOR_iret to VM86 mode is not supported"); return NO_RETURN; }
  if ((cs & 3) === 0) { d.crash(`HYPERVISOR_iret to a ring-0 selector (CS 0x${cs.toString(16)})`); return NO_RETURN; }
  let newEsp = (esp + 16) >>> 0, newSs = -1;
  if ((cs & 3) !== 1) {
    try { hc.mem.readWords((ssBase + esp + 16) >>> 0, 2, w); } catch {
      d.crash(`HYPERVISOR_iret: the outer stack words at ESP 0x${(esp + 16).toString(16)} cannot be read`);
      return NO_RETURN;
    }
    newEsp = w[0];
    newSs = w[1] & 0xffff;
  }
  // The return to the guest reloads the data segment registers (still at ring 1, before CS changes).
  const failed = reloadDataSegments(d);
  if (cpu.core.loadSelector(L.SEG_CS, cs) !== 0) { d.crash(`HYPERVISOR_iret: CS 0x${cs.toString(16)} cannot be loaded`); return NO_RETURN; }
  if (newSs >= 0 && cpu.core.loadSelector(L.SEG_SS, newSs) !== 0) { d.crash(`HYPERVISOR_iret: SS 0x${newSs.toString(16)} cannot be loaded`); return NO_RETURN; }
  if ((cs & 3) === 3 && !failed) nullOuterDataSegments(cpu);
  cpu.setReg("esp", newEsp);
  cpu.eip = eip;
  cpu.eflags = ((fl & ~IOPL) | IF | 2) >>> 0;
  cpu.setReg("eax", eax);
  v.upcallMask = (fl & IF) ? 0 : 1;
  // A selector that no longer loads: the failsafe callback, for the context the iret returned to.
  if (failed) deliverFailsafe({ cpu, domain: d, mem: hc.mem }, failed);
  return NO_RETURN;
}

/** DS, ES, FS, GS: the order of the failsafe frame's selector words (lowest address first). */
const DATA_SEGS = [L.SEG_DS, L.SEG_ES, L.SEG_FS, L.SEG_GS] as const;

/**
 * Xen's return to a guest reloads DS, ES, FS and GS from their selectors, so a descriptor the guest
 * changed or removed since it loaded the register (update_descriptor, set_gdt, SET_LDT) is
 * checked again. A selector that no longer loads is replaced by the null selector and the four
 * original selectors are returned (the failsafe callback's frame), else undefined. LDT selectors
 * first get their shadow LDT page loaded, as Xen's own fault on the LDT mapping would.
 */
export function reloadDataSegments(d: Domain): [number, number, number, number] | undefined {
  const cpu = d.cpu, sels = reloadSels;
  for (let i = 0; i < 4; i++) sels[i] = cpu.state32(L.S.SEGS + DATA_SEGS[i] * L.SEG_SIZE + L.SEG.SEL) & 0xffff;
  let failed = false;
  for (let i = 0; i < 4; i++) {
    const sel = sels[i];
    if ((sel & 0xfffc) === 0) continue;
    if (sel & 4) mmOf(d).loadLdtPages(((sel & 0xfff8) / 4096) | 0);
    if (cpu.core.loadSelector(DATA_SEGS[i], sel) !== 0) { cpu.core.loadSelector(DATA_SEGS[i], 0); failed = true; }
  }
  return failed ? [sels[0], sels[1], sels[2], sels[3]] : undefined;
}
const reloadSels = [0, 0, 0, 0];

/**
 * Returning to an outer ring, the CPU (Xen's own iret) loads a null selector into any of ES, DS, FS,
 * GS whose descriptor is more privileged than the new CPL (data or non-conforming code, DPL < CPL).
 */
function nullOuterDataSegments(cpu: Cpu): void {
  for (const sr of [L.SEG_ES, L.SEG_DS, L.SEG_FS, L.SEG_GS]) {
    const s = cpu.seg(sr);
    if ((s.sel & 0xfffc) === 0) continue;
    const dpl = (s.access >>> 5) & 3, conformingCode = (s.access & 0x0c) === 0x0c;
    if (!conformingCode && dpl < 3) cpu.core.loadSelector(sr, 0);
  }
}

// ---- callbacks ------------------------------------------------------------------------------------------

/** set_callbacks (4): event and failsafe entry points; always 0. */
export function setCallbacks(hc: HypercallContext, [ecs, eeip, fcs, feip]: Args): HcResult {
  const v = hc.vcpu;
  v.eventCallback = { cs: fixupCodeSelector(ecs), eip: eeip >>> 0 };
  v.failsafeCallback = { cs: fixupCodeSelector(fcs), eip: feip >>> 0 };
  v.failsafeMasksEvents = false; // Xen registers both with flags 0: CALLBACKF_mask_events cleared
  return 0;
}

/** Extra callbacks Xen keeps for 32-bit PV guests that the Vcpu does not model yet. */
export interface ExtraCallbacks { sysenter?: { cs: number; eip: number }; syscall32?: { cs: number; eip: number }; sysenterMasks?: boolean; syscall32Masks?: boolean }
const extras = new WeakMap<Domain, ExtraCallbacks>();
export function extraCallbacks(d: Domain): ExtraCallbacks {
  let e = extras.get(d);
  if (!e) { e = {}; extras.set(d, e); }
  return e;
}

export function callbackOp(hc: HypercallContext, [cmd, arg]: Args): HcResult {
  const v = hc.vcpu;
  switch (cmd) {
    case C.CALLBACKOP_register: {
      const s = C.callback_register;
      const b = hc.mem.readStruct(arg, s.size);
      const type = b.getUint16(s.fields.type.offset, true), flags = b.getUint16(s.fields.flags.offset, true);
      const cs = fixupCodeSelector(b.getUint32(s.fields["address.cs"].offset, true));
      const eip = b.getUint32(s.fields["address.eip"].offset, true);
      const mask = (flags & C.CALLBACKF_mask_events) !== 0;
      switch (type) {
        case C.CALLBACKTYPE_event: v.eventCallback = { cs, eip }; return 0;
        case C.CALLBACKTYPE_failsafe: v.failsafeCallback = { cs, eip }; v.failsafeMasksEvents = mask; return 0;
        case C.CALLBACKTYPE_sysenter: { const e = extraCallbacks(hc.dom); e.sysenter = { cs, eip }; e.sysenterMasks = mask; return 0; }
        case C.CALLBACKTYPE_syscall32: { const e = extraCallbacks(hc.dom); e.syscall32 = { cs, eip }; e.syscall32Masks = mask; return 0; }
        case C.CALLBACKTYPE_nmi: v.nmiCallback = eip; return 0;
        default: return xenErr(XEN_ENOSYS); // syscall (x86_64 only), sysenter_deprecated, unknown
      }
    }
    case C.CALLBACKOP_unregister: {
      const type = hc.mem.readU16(arg + C.callback_unregister.fields.type.offset);
      switch (type) {
        case C.CALLBACKTYPE_event: case C.CALLBACKTYPE_failsafe: case C.CALLBACKTYPE_sysenter: case C.CALLBACKTYPE_syscall32:
          return xenErr(XEN_EINVAL);
        case C.CALLBACKTYPE_nmi: v.nmiCallback = 0; return 0;
        default: return xenErr(XEN_ENOSYS);
      }
    }
    default: return xenErr(XEN_EINVAL);
  }
}

/** nmi_op (28): documented as dom0 vCPU 0 only; a domU gets -EINVAL for register, unregister is harmless. */
export function nmiOp(hc: HypercallContext, [cmd, arg]: Args): HcResult {
  switch (cmd) {
    case C.XENNMI_register_callback:
      hc.mem.readStruct(arg, C.xennmi_callback.size);
      return xenErr(XEN_EINVAL);
    case C.XENNMI_unregister_callback: hc.vcpu.nmiCallback = 0; return 0;
    default: return xenErr(XEN_ENOSYS);
  }
}

// ---- delivery -------------------------------------------------------------------------------------------

/** Deliver the event upcall if one is pending and events are not masked; true when delivered. */
export function deliverUpcall(m: PvMachine): boolean {
  const v = m.domain.vcpu;
  if (!v.upcallPending || v.upcallMask) return false;
  const cb = v.eventCallback;
  return pushBounceFrame(m, { cs: cb.cs, eip: cb.eip, maskEvents: true, what: "event upcall" });
}

/**
 * The failsafe callback (spec 6.4): the frame with the original DS ES FS GS below it, no error
 * code, CS = FLAT_KERNEL_CS (compat Xen ignores the registered CS), events masked only with
 * CALLBACKF_mask_events. The caller has already loaded null selectors where the reload failed.
 */
export function deliverFailsafe(m: BounceHost, segs: [number, number, number, number]): boolean {
  const v = m.domain.vcpu;
  return pushBounceFrame(m, {
    cs: v.failsafeCallback.cs ? FLAT_KERNEL_CS : 0, eip: v.failsafeCallback.eip,
    maskEvents: v.failsafeMasksEvents, failsafeSegs: segs, what: "failsafe callback",
  });
}
