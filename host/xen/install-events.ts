/**
 * Wires traps, events, time and privileged-op emulation into a PvMachine (called once from its
 * constructor): fault handlers, the bounce, the softint claims for INT3/INTO, CPUID faulting, the
 * return-to-guest work (timers, vcpu_time_info, the event upcall), the run-slice cut at the next
 * timer deadline, and the SCHEDOP_block / SCHEDOP_poll idle hooks.
 */
import { eventChannels, NR_PORTS } from "./events.ts";
import { deliverUpcall } from "./iret.ts";
import { enableCpuidFaulting, forcedCpuid, privOp } from "./priv-op.ts";
import type { PvMachine } from "./pv-machine.ts";
import { bounceException, softIntClaimed, softIntViaGp } from "./traps.ts";
import { timeKeeper } from "./vcpu-op.ts";

export function installTrapsAndEvents(m: PvMachine): void {
  const dom = m.domain, v = dom.vcpu;
  const ev = eventChannels(dom);
  const tk = timeKeeper(dom);

  m.faultHandlers.push(forcedCpuid, softIntViaGp, privOp);
  m.bounceException = bounceException;
  m.onSoftInt = softIntClaimed;
  m.cpu.claimSoftInt(3);
  m.cpu.claimSoftInt(4);
  enableCpuidFaulting(m);

  m.sliceLimit = () => tk.instructionsToDeadline();
  m.beforeResume = (mm) => {
    tk.onResume();
    deliverUpcall(mm);
  };

  m.hooks.portPending = (p) => p < NR_PORTS && ev.valid(p) && ev.isPending(p);

  // SCHEDOP_block: sleep until upcall_pending is set. Only timers can raise anything while the
  // single vCPU sleeps; once a timer expiry failed to wake it (VIRQ_TIMER unbound, its port masked
  // or already pending), later expiries cannot either: blocked forever.
  m.hooks.block = () => {
    const t = tk.nextDeadline();
    if (t === undefined) return false;
    tk.advanceTo(t);
    tk.fireDue();
    return v.upcallPending !== 0;
  };

  // SCHEDOP_poll: sleep until a listed port becomes pending, an upcall becomes pending (Xen kicks
  // the vCPU), or the absolute timeout passes.
  m.hooks.poll = (ports, timeout) => {
    const wasPending = v.upcallPending;
    ev.raised.clear();
    const woke = () => ports.some((p) => ev.raised.has(p)) || (!wasPending && v.upcallPending !== 0);
    if (timeout !== 0n && tk.now() >= timeout) return true;
    const t = tk.nextDeadline();
    if (t !== undefined && (timeout === 0n || t < timeout)) {
      tk.advanceTo(t);
      tk.fireDue();
      if (woke()) return true;
    }
    if (timeout === 0n) return false;
    tk.advanceTo(timeout);
    tk.fireDue();
    return true;
  };
}
