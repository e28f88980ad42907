/**
 * sched_op (29) and sched_op_compat (6) (spec 9.1): yield, block, shutdown (ends the run with the
 * reason), poll, shutdown_code, remote_shutdown, watchdog, pin_override.
 *
 * SCHEDOP_block and SCHEDOP_poll do everything that does not need an event source (mask clearing,
 * argument checks, "already pending" returns) and then call the events hooks; without a hook the
 * domain stops with a "blocked" diagnostic instead of pretending an event arrived.
 * TODO(events): install hc.hooks.block / poll / portPending; watchdog expiry needs the timer.
 */
import * as S from "../abi/sched.ts";
import { XEN_EFAULT, XEN_EINVAL, XEN_ENOSPC, XEN_ENOSYS, XEN_EPERM, XEN_ESRCH, xenErr } from "../abi/errno.ts";
import { GUEST_DOMID } from "../domain.ts";
import type { Args, HcResult, HypercallContext } from "../hypercall-types.ts";

/** SCHEDOP_poll: the most ports a guest may list (Xen's limit). */
export const POLL_MAX_PORTS = 128;
/** Ports of the 2-level ABI for a 32-bit guest (a listed port at or above it is -EINVAL). */
export const POLL_PORT_LIMIT = 1024;
/** Watchdog timers per domain (Xen: NR_DOMAIN_WATCHDOG_TIMERS). */
export const WATCHDOG_TIMERS = 2;

function doYield(hc: HypercallContext): number {
  hc.hooks.onYield?.();
  return 0;
}

function doBlock(hc: HypercallContext): number {
  const v = hc.vcpu;
  v.upcallMask = 0; // block enables events (the guest's "sti; hlt")
  if (v.upcallPending) return 0;
  if (hc.hooks.block?.()) return 0;
  hc.dom.blocked = "SCHEDOP_block with nothing that can wake the vCPU (no timer can raise a deliverable event)";
  return 0;
}

function doShutdown(hc: HypercallContext, reason: number): number {
  hc.dom.requestShutdown(reason & 0xff, `guest requested shutdown (${reasonName(reason & 0xff)})`);
  return 0;
}

export function reasonName(r: number): string {
  return ["poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset"][r] ?? `reason ${r}`;
}

export function schedOp(hc: HypercallContext, [cmd, arg]: Args): HcResult {
  switch (cmd) {
    case S.SCHEDOP_yield: return doYield(hc);
    case S.SCHEDOP_block: return doBlock(hc);
    case S.SCHEDOP_shutdown: {
      const reason = hc.mem.readU32(arg + S.sched_shutdown.fields.reason.offset);
      return doShutdown(hc, reason);
    }
    case S.SCHEDOP_shutdown_code: {
      const reason = hc.mem.readU32(arg + S.sched_shutdown.fields.reason.offset);
      hc.dom.shutdownCode = reason & 0xff;
      return 0;
    }
    case S.SCHEDOP_poll: {
      const s = S.sched_poll;
      const p = hc.mem.readStruct(arg, s.size);
      const portsPtr = p.getUint32(s.fields.ports.offset, true);
      const nr = p.getUint32(s.fields.nr_ports.offset, true);
      const timeout = p.getBigUint64(s.fields.timeout.offset, true);
      if (nr > POLL_MAX_PORTS) return xenErr(XEN_EINVAL);
      // Xen's order: the range check on the array, then "an event is deliverable", then each port
      // (-EFAULT unreadable, -EINVAL beyond the 2-level port space, pending -> return).
      if (portsPtr + nr * 4 > hc.dom.hvStart) return xenErr(XEN_EFAULT);
      const v = hc.vcpu;
      if (v.upcallPending && !v.upcallMask) return 0;
      const ports: number[] = [];
      for (let i = 0; i < nr; i++) {
        const pt = hc.mem.readU32(portsPtr + i * 4);
        if (pt >= POLL_PORT_LIMIT) return xenErr(XEN_EINVAL);
        if (hc.hooks.portPending?.(pt)) return 0;
        ports.push(pt);
      }
      if (hc.hooks.poll?.(ports, timeout)) return 0;
      hc.dom.blocked = `SCHEDOP_poll on ${nr} port(s) with nothing that can wake the vCPU`;
      return 0;
    }
    case S.SCHEDOP_remote_shutdown: {
      const s = S.sched_remote_shutdown;
      const p = hc.mem.readStruct(arg, s.size);
      const domid = p.getUint16(s.fields.domain_id.offset, true);
      // Only existing domains can be named (DOMID_SELF is not accepted here); a domU may not shut any down.
      if (domid !== GUEST_DOMID) return xenErr(XEN_ESRCH);
      return xenErr(XEN_EPERM);
    }
    case S.SCHEDOP_watchdog: {
      const s = S.sched_watchdog;
      const p = hc.mem.readStruct(arg, s.size);
      const id = p.getUint32(s.fields.id.offset, true);
      const timeout = p.getUint32(s.fields.timeout.offset, true);
      const wd = hc.dom.watchdogs;
      if (id === 0) {
        const slot = wd.findIndex((t) => t === undefined);
        if (slot < 0) return xenErr(XEN_ENOSPC);
        wd[slot] = timeout; // TODO(events/time): arm a timer that shuts down with SHUTDOWN_watchdog
        return slot + 1;
      }
      if (id > WATCHDOG_TIMERS || wd[id - 1] === undefined) return xenErr(XEN_EINVAL);
      if (timeout === 0) wd[id - 1] = undefined; else wd[id - 1] = timeout;
      return 0;
    }
    case S.SCHEDOP_pin_override: return xenErr(XEN_EPERM);
    default: return xenErr(XEN_ENOSYS);
  }
}

/** The pre-3.0.2 interface: the argument is a value (shutdown takes the reason directly). */
export function schedOpCompat(hc: HypercallContext, [cmd, arg]: Args): HcResult {
  switch (cmd) {
    case S.SCHEDOP_yield: return doYield(hc);
    case S.SCHEDOP_block: return doBlock(hc);
    case S.SCHEDOP_shutdown: return doShutdown(hc, arg);
    default: return xenErr(XEN_ENOSYS);
  }
}
