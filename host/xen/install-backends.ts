/**
 * The toolstack's devices for the one guest: xenstore (port STORE_EVTCHN) and the PV console
 * (port CONSOLE_EVTCHN), bound in that order as the builder promised in start_info, serviced on
 * every notification, at every exit, and before the vCPU sleeps (input or replies may wake it);
 * then one PV disk (blkback) per `disks` entry, which the guest connects through xenstore and
 * which works on the guest's notifications only.
 */
import { BlockBackend, type VbdOptions } from "./backends/blkback.ts";
import { ConsoleBackend } from "./backends/console.ts";
import { CONSOLE_EVTCHN, STORE_EVTCHN } from "./domain-builder.ts";
import { eventChannels } from "./events.ts";
import type { PvMachine } from "./pv-machine.ts";
import { XenStoreBackend } from "./xenstore/ring.ts";
import { XenStore } from "./xenstore/store.ts";

const PAGE = 4096;

export interface Backends { console: ConsoleBackend; xenstore: XenStoreBackend; disks: BlockBackend[] }
export interface BackendOptions { name?: string; disks?: VbdOptions[] }
const installed = new WeakMap<PvMachine, Backends>();
export function backendsOf(m: PvMachine): Backends | undefined { return installed.get(m); }

export function seedStore(s: XenStore, m: PvMachine, name: string): void {
  const d = s.domid, home = s.home, dom = m.domain, L = m.built.layout;
  s.set("/local/domain/0/name", "Domain-0", ["n0"]);
  s.set("/local/domain/0/domid", "0", ["n0"]);
  s.set(`${home}/name`, name);
  s.set(`${home}/domid`, String(d));
  s.set(`${home}/memory/target`, String(dom.nrPages * 4)); // KiB
  s.set(`${home}/console/ring-ref`, String(dom.p2m(L.consolePfn)));
  s.set(`${home}/console/port`, String(CONSOLE_EVTCHN));
  s.set(`${home}/console/type`, "xenconsoled");
  s.set(`${home}/console/limit`, "1048576");
  s.set(`${home}/device`, "", [`n${d}`]);
  s.set(`${home}/data`, "", [`n${d}`]);
}

export function installBackends(m: PvMachine, opts: BackendOptions = {}): Backends {
  const dom = m.domain, ev = eventChannels(dom), L = m.built.layout;
  const store = new XenStore(dom.domid);
  seedStore(store, m, opts.name ?? "ringone-guest");
  const xenstore = new XenStoreBackend(dom, ev, dom.p2m(L.xenstorePfn) * PAGE, store);
  const console = new ConsoleBackend(dom, ev, dom.p2m(L.consolePfn) * PAGE);
  if (xenstore.port !== STORE_EVTCHN || console.port !== CONSOLE_EVTCHN) throw new Error("backend ports differ from start_info");
  const service = () => { xenstore.service(); console.service(); };
  const prev = m.beforeResume;
  m.beforeResume = (mm) => { service(); prev?.(mm); };
  const block = m.hooks.block;
  m.hooks.block = () => {
    service();
    if (dom.vcpu.upcallPending) return true;
    return block ? block() : false;
  };
  const poll = m.hooks.poll;
  m.hooks.poll = (ports, timeout) => {
    ev.raised.clear();
    service();
    if (ports.some((p) => ev.raised.has(p))) return true;
    return poll ? poll(ports, timeout) : false;
  };
  const disks = (opts.disks ?? []).map((d, i) => new BlockBackend(dom, ev, store, d, i));
  const b = { console, xenstore, disks };
  installed.set(m, b);
  return b;
}
