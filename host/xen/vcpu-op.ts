/**
 * vcpu_op (24) and set_timer_op (15) (spec 8.3, 9.6), and the per-domain TimeKeeper / event
 * channel wiring they share.
 *
 * One vCPU (id 0): any other id is -ENOENT. vCPU 0 is initialised and up. The timers act on the
 * TimeKeeper (time.ts) and raise VIRQ_TIMER through the event channels (events.ts).
 */
import * as V from "./abi/vcpu.ts";
import * as X from "./abi/xen.ts";
import { XEN_EEXIST, XEN_EINVAL, XEN_ENOENT, XEN_ENOSYS, xenErr } from "./abi/errno.ts";
import type { Domain } from "./domain.ts";
import { eventChannels } from "./events.ts";
import { XenError } from "./guest-memory.ts";
import type { Args, HcResult, HypercallContext } from "./hypercall-types.ts";
import { MS, TimeKeeper } from "./time.ts";

const keepers = new WeakMap<Domain, TimeKeeper>();
/** The domain's TimeKeeper, created (and wired to VIRQ_TIMER) on first use. */
export function timeKeeper(dom: Domain, wallclockNs?: bigint): TimeKeeper {
  let t = keepers.get(dom);
  if (!t) {
    t = new TimeKeeper(dom, wallclockNs);
    t.onTimer = () => eventChannels(dom).sendVirq(X.VIRQ_TIMER);
    keepers.set(dom, t);
  }
  return t;
}

/** set_timer_op(lo, hi): absolute system time; 0 cancels the single-shot timer. */
export function setTimerOp(hc: HypercallContext, [lo, hi]: Args): HcResult {
  timeKeeper(hc.dom).setSingleshot((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
  return 0;
}

/** STIME_DELTA_MAX: the largest period Xen accepts. */
const STIME_DELTA_MAX = (1n << 63n) - 1n;

export function vcpuOp(hc: HypercallContext, [cmd, vcpuid, arg]: Args): HcResult {
  if (vcpuid >>> 0 !== 0) return xenErr(XEN_ENOENT);
  const tk = timeKeeper(hc.dom);
  const m = hc.mem;
  switch (cmd) {
    case V.VCPUOP_initialise: return xenErr(XEN_EEXIST);
    case V.VCPUOP_up: return 0;
    case V.VCPUOP_down:
      hc.dom.blocked = "VCPUOP_down on the only vCPU";
      return 0;
    case V.VCPUOP_is_up: return 1;
    case V.VCPUOP_get_runstate_info: {
      m.copyToGuest(arg, runstateBytes(tk.now()));
      return 0;
    }
    case V.VCPUOP_register_runstate_memory_area: {
      const va = m.readU32(arg + V.vcpu_register_runstate_memory_area.fields.addr.offset);
      tk.runstateVa = va;
      tk.runstateWriter = (a, now) => { try { m.copyToGuest(a, runstateBytes(now)); } catch { /* Xen ignores an unwritable area */ } };
      if (va) tk.runstateWriter(va, tk.now());
      return 0;
    }
    case V.VCPUOP_set_periodic_timer: {
      const period = m.readStruct(arg, V.vcpu_set_periodic_timer.size).getBigUint64(0, true);
      if (period < MS || period > STIME_DELTA_MAX) return xenErr(XEN_EINVAL);
      tk.setPeriodic(period);
      return 0;
    }
    case V.VCPUOP_stop_periodic_timer: tk.setPeriodic(0n); return 0;
    case V.VCPUOP_set_singleshot_timer: {
      const s = m.readStruct(arg, V.vcpu_set_singleshot_timer.size);
      // VCPU_SSHOTTMR_future is ignored (current Xen): a past deadline fires at once. Unlike
      // set_timer_op there is no "0 cancels" and no far-future workaround.
      tk.singleshot = s.getBigUint64(0, true);
      return 0;
    }
    case V.VCPUOP_stop_singleshot_timer: tk.singleshot = undefined; return 0;
    case V.VCPUOP_send_nmi: return xenErr(XEN_ENOSYS); // TODO(traps): virtual NMI delivery
    case V.VCPUOP_get_physid: return xenErr(XEN_EINVAL);
    default: return xenErr(XEN_ENOSYS);
  }
}

/** struct vcpu_runstate_info: always "running" when the guest can look; all time counted as running. */
function runstateBytes(now: bigint): Uint8Array {
  const b = new Uint8Array(V.vcpu_runstate_info.size);
  const dv = new DataView(b.buffer);
  dv.setInt32(0, V.RUNSTATE_running, true);
  dv.setBigUint64(4, 0n, true); // entered "running" at system time 0 (blocked time is not split out)
  dv.setBigUint64(12, now, true);
  return b;
}

export { XenError };
