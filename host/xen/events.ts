/**
 * The 2-level event channel ABI (spec 6.7-6.9): the port table, raising and unmasking ports in
 * shared_info (evtchn_pending / evtchn_mask, vcpu_info.evtchn_pending_sel and
 * evtchn_upcall_pending), and event_channel_op (32) / event_channel_op_compat (16).
 *
 * One domain with one vCPU: interdomain channels can only connect the domain to itself (loopback,
 * remote DOMID_SELF or our own domid); domain 0 "exists" (a domU may leave a port unbound for it)
 * but has no ports of its own; any other domid is -ESRCH.
 *
 * Ports are allocated like Xen: the lowest free port from 1 (port 0 is reserved), the port space
 * growing in buckets of EVTCHNS_PER_BUCKET: a port beyond the allocated buckets is not "valid"
 * (-EINVAL), a free port inside them is "closed".
 */
import * as E from "./abi/event_channel.ts";
import * as X from "./abi/xen.ts";
import { off } from "./abi/struct.ts";
import { XEN_EEXIST, XEN_EINVAL, XEN_ENOENT, XEN_ENOSPC, XEN_ENOSYS, XEN_EPERM, XEN_ESRCH, xenErr } from "./abi/errno.ts";
import type { Domain } from "./domain.ts";
import type { Args, HcResult, HypercallContext } from "./hypercall-types.ts";
import { XenError } from "./guest-memory.ts";

export const NR_PORTS = E.EVTCHN_2L_NR_CHANNELS;
/** Ports per allocation bucket (Xen: a page of struct evtchn). */
export const EVTCHNS_PER_BUCKET = 64;
const DOM0 = 0;

export interface Port {
  state: number; // EVTCHNSTAT_*
  vcpu: number;
  /** unbound: the domain allowed to bind; interdomain: the peer domain. */
  remoteDom: number;
  /** interdomain: the peer port. */
  peer: number;
  virq: number;
}

const closed = (): Port => ({ state: E.EVTCHNSTAT_closed, vcpu: 0, remoteDom: 0, peer: 0, virq: 0 });

export class EventChannels {
  readonly ports: Port[] = [];
  /** virq -> port on vCPU 0 (0 = unbound). */
  readonly virqPort = new Array<number>(X.NR_VIRQS).fill(0);
  /** Ports that became pending since the last check (SCHEDOP_poll wake-up). */
  readonly raised = new Set<number>();
  /**
   * Ports whose peer is a backend in domain 0 (xenstored, xenconsoled: host/xen/backends,
   * host/xen/xenstore): EVTCHNOP_send on them calls the backend instead of raising a local port.
   */
  readonly backendNotify = new Map<number, () => void>();

  constructor(private readonly dom: Domain) { this.grow(); }

  private grow(): void { for (let i = 0; i < EVTCHNS_PER_BUCKET; i++) this.ports.push(closed()); }
  valid(p: number): boolean { return p >>> 0 === p && p < this.ports.length; }

  private allocPort(): number {
    for (let p = 1; p < NR_PORTS; p++) {
      if (p >= this.ports.length) this.grow();
      if (this.ports[p].state === E.EVTCHNSTAT_closed) return p;
    }
    throw new XenError(XEN_ENOSPC);
  }

  // ---- shared_info bitmaps --------------------------------------------------------------------

  private bitAddr(field: "evtchn_pending" | "evtchn_mask", p: number): [number, number] {
    return [this.dom.sharedInfoMa + off(X.shared_info, field) + (p >>> 5) * 4, 1 << (p & 31)];
  }
  private testBit(field: "evtchn_pending" | "evtchn_mask", p: number): boolean {
    const [a, b] = this.bitAddr(field, p);
    return (this.dom.read32(a) & b) !== 0;
  }
  private setBit(field: "evtchn_pending" | "evtchn_mask", p: number, on: boolean): boolean {
    const [a, b] = this.bitAddr(field, p);
    const w = this.dom.read32(a), was = (w & b) !== 0;
    this.dom.write32(a, on ? w | b : w & ~b);
    return was;
  }
  isPending(p: number): boolean { return this.testBit("evtchn_pending", p); }
  isMasked(p: number): boolean { return this.testBit("evtchn_mask", p); }

  private selAddr(): number { return this.dom.vcpu.vcpuInfoMa + off(X.vcpu_info, "evtchn_pending_sel"); }
  /** Set bit `w` of the vCPU's pending_sel; true if it was already set. */
  private setSel(w: number): boolean {
    const a = this.selAddr(), v = this.dom.read32(a), b = 1 << w;
    this.dom.write32(a, v | b);
    return (v & b) !== 0;
  }
  private markUpcallPending(): void { this.dom.vcpu.upcallPending = 1; }

  /** evtchn_set_pending (spec 6.7): raise port p. */
  raise(p: number): void {
    if (this.setBit("evtchn_pending", p, true)) return; // edge already recorded
    if (!this.isMasked(p) && !this.setSel(p >>> 5)) this.markUpcallPending();
    this.raised.add(p);
  }

  /** EVTCHNOP_unmask semantics. */
  unmask(p: number): void {
    const wasMasked = this.setBit("evtchn_mask", p, false);
    if (wasMasked && this.isPending(p) && !this.setSel(p >>> 5)) this.markUpcallPending();
  }

  /** Raise a VIRQ on vCPU 0 (no effect when unbound). */
  sendVirq(virq: number): void {
    const p = this.virqPort[virq];
    if (p) this.raise(p);
  }

  /**
   * The toolstack's part (spec 3.8): allocate the lowest free port as an interdomain channel to a
   * backend in domain 0 (peer port = `remotePort` there); the guest's sends call `onNotify`.
   */
  bindBackend(onNotify: () => void, remotePort: number): number {
    const p = this.allocPort();
    Object.assign(this.ports[p], { state: E.EVTCHNSTAT_interdomain, vcpu: 0, remoteDom: DOM0, peer: remotePort });
    this.backendNotify.set(p, onNotify);
    return p;
  }

  /**
   * A backend in domain 0 binds (EVTCHNOP_bind_interdomain from its side) to port `p`, which the
   * guest allocated unbound for domain 0 (EVTCHNOP_alloc_unbound, remote_dom 0) and advertised in
   * xenstore. Anything else (out of range, not unbound, unbound for another domain) is -EINVAL, as
   * Xen answers the binding domain; nothing is raised in the guest (Xen marks the binder's port).
   */
  bindBackendTo(p: number, onNotify: () => void, remotePort: number): number {
    if (!this.valid(p)) return -XEN_EINVAL;
    const c = this.ports[p];
    if (c.state !== E.EVTCHNSTAT_unbound || c.remoteDom !== DOM0) return -XEN_EINVAL;
    Object.assign(c, { state: E.EVTCHNSTAT_interdomain, remoteDom: DOM0, peer: remotePort });
    this.backendNotify.set(p, onNotify);
    return 0;
  }

  /** The backend closes its end: the guest's port goes back to unbound for domain 0 (as in Xen). */
  unbindBackend(p: number, onNotify: () => void): void {
    if (this.backendNotify.get(p) !== onNotify) return; // the guest closed it already
    this.backendNotify.delete(p);
    Object.assign(this.ports[p], { state: E.EVTCHNSTAT_unbound, remoteDom: DOM0, peer: 0 });
  }

  private freePort(p: number): void {
    this.backendNotify.delete(p);
    this.ports[p] = closed();
    this.setBit("evtchn_pending", p, false);
  }

  close(p: number): void {
    if (!this.valid(p)) throw new XenError(XEN_EINVAL);
    const c = this.ports[p];
    switch (c.state) {
      case E.EVTCHNSTAT_closed: throw new XenError(XEN_EINVAL);
      case E.EVTCHNSTAT_virq: this.virqPort[c.virq] = 0; break;
      case E.EVTCHNSTAT_interdomain:
        if (this.backendNotify.has(p)) break; // the peer is in domain 0 (the backend sees the close)
        if (c.peer !== p && this.valid(c.peer)) {
          const peer = this.ports[c.peer];
          peer.state = E.EVTCHNSTAT_unbound; peer.remoteDom = this.dom.domid; peer.peer = 0;
        }
        break;
      default: break;
    }
    this.freePort(p);
  }

  reset(): void {
    for (let p = 1; p < this.ports.length; p++) if (this.ports[p].state !== E.EVTCHNSTAT_closed) this.close(p);
  }

  // ---- hypercalls -----------------------------------------------------------------------------

  /** Resolve a domid argument naming "this domain" (DOMID_SELF or our id), -ESRCH / -EPERM otherwise. */
  private selfDom(dom: number): void {
    if (dom === X.DOMID_SELF || dom === this.dom.domid) return;
    throw new XenError(dom === DOM0 ? XEN_EPERM : XEN_ESRCH);
  }
  private checkVcpu(v: number): void { if (v >>> 0 !== 0) throw new XenError(XEN_ENOENT); }

  op(hc: HypercallContext, cmd: number, arg: number): number {
    const m = hc.mem;
    const rd = (s: { fields: Record<string, { offset: number }> }, f: string) => m.readU32(arg + s.fields[f].offset);
    const rd16 = (s: { fields: Record<string, { offset: number }> }, f: string) => m.readU16(arg + s.fields[f].offset);
    const wr = (s: { fields: Record<string, { offset: number }> }, f: string, v: number) => m.writeU32(arg + s.fields[f].offset, v);
    switch (cmd) {
      case E.EVTCHNOP_alloc_unbound: {
        const s = E.evtchn_alloc_unbound;
        m.check(arg, s.size, false); // Xen copies the whole struct in first (and out after the operation)
        const dom = rd16(s, "dom"), remote = rd16(s, "remote_dom");
        this.selfDom(dom);
        const p = this.allocPort();
        Object.assign(this.ports[p], { state: E.EVTCHNSTAT_unbound, vcpu: 0, remoteDom: remote === X.DOMID_SELF ? this.dom.domid : remote });
        wr(s, "port", p);
        return 0;
      }
      case E.EVTCHNOP_bind_interdomain: {
        const s = E.evtchn_bind_interdomain;
        m.check(arg, s.size, false); // Xen copies the whole struct in first (and out after the operation)
        const rdom = rd16(s, "remote_dom"), rport = rd(s, "remote_port");
        if (rdom !== X.DOMID_SELF && rdom !== this.dom.domid && rdom !== DOM0) throw new XenError(XEN_ESRCH);
        if (rdom === DOM0) throw new XenError(XEN_EINVAL); // domain 0 has no ports here
        const lp = this.allocPort();
        if (!this.valid(rport)) throw new XenError(XEN_EINVAL);
        const r = this.ports[rport];
        if (r.state !== E.EVTCHNSTAT_unbound || r.remoteDom !== this.dom.domid) throw new XenError(XEN_EINVAL);
        Object.assign(this.ports[lp], { state: E.EVTCHNSTAT_interdomain, vcpu: 0, remoteDom: this.dom.domid, peer: rport });
        Object.assign(r, { state: E.EVTCHNSTAT_interdomain, remoteDom: this.dom.domid, peer: lp });
        wr(s, "local_port", lp);
        this.raise(lp); // Xen marks the new local port pending
        return 0;
      }
      case E.EVTCHNOP_bind_virq: {
        const s = E.evtchn_bind_virq;
        m.check(arg, s.size, false); // Xen copies the whole struct in first (and out after the operation)
        const virq = rd(s, "virq"), vcpu = rd(s, "vcpu");
        if (virq >= X.NR_VIRQS) throw new XenError(XEN_EINVAL);
        if (virqIsGlobal(virq) && vcpu !== 0) throw new XenError(XEN_EINVAL);
        this.checkVcpu(vcpu);
        if (this.virqPort[virq]) throw new XenError(XEN_EEXIST);
        const p = this.allocPort();
        Object.assign(this.ports[p], { state: E.EVTCHNSTAT_virq, vcpu, virq });
        this.virqPort[virq] = p;
        wr(s, "port", p);
        return 0;
      }
      case E.EVTCHNOP_bind_ipi: {
        const s = E.evtchn_bind_ipi;
        m.check(arg, s.size, false); // Xen copies the whole struct in first (and out after the operation)
        const vcpu = rd(s, "vcpu");
        this.checkVcpu(vcpu);
        const p = this.allocPort();
        Object.assign(this.ports[p], { state: E.EVTCHNSTAT_ipi, vcpu });
        wr(s, "port", p);
        return 0;
      }
      case E.EVTCHNOP_bind_pirq: {
        m.check(arg, E.evtchn_bind_pirq.size, false); // Xen copies the whole struct in first (and out after the operation)
        return xenErr(XEN_EPERM); // a domU without physical devices has no PIRQ rights
      }
      case E.EVTCHNOP_close: {
        this.close(rd(E.evtchn_close, "port"));
        return 0;
      }
      case E.EVTCHNOP_send: {
        const p = rd(E.evtchn_send, "port");
        if (!this.valid(p)) throw new XenError(XEN_EINVAL);
        const c = this.ports[p];
        switch (c.state) {
          case E.EVTCHNSTAT_interdomain: {
            const b = this.backendNotify.get(p);
            if (b) b(); else this.raise(c.peer);
            return 0;
          }
          case E.EVTCHNSTAT_ipi: this.raise(p); return 0;
          case E.EVTCHNSTAT_unbound: return 0; // silently dropped
          default: throw new XenError(XEN_EINVAL);
        }
      }
      case E.EVTCHNOP_status: {
        const s = E.evtchn_status;
        m.check(arg, s.size, false); // Xen copies the whole struct in first (and out after the operation)
        const dom = rd16(s, "dom"), p = rd(s, "port");
        this.selfDom(dom);
        if (!this.valid(p)) throw new XenError(XEN_EINVAL);
        const c = this.ports[p];
        const out = new Uint8Array(16);
        const dv = new DataView(out.buffer);
        dv.setUint32(0, c.state, true);
        dv.setUint32(4, c.vcpu, true);
        switch (c.state) {
          case E.EVTCHNSTAT_unbound: dv.setUint16(8, c.remoteDom, true); break;
          case E.EVTCHNSTAT_interdomain: dv.setUint16(8, c.remoteDom, true); dv.setUint32(12, c.peer, true); break;
          case E.EVTCHNSTAT_virq: dv.setUint32(8, c.virq, true); break;
          default: break;
        }
        m.copyToGuest(arg + s.fields.status.offset, out);
        return 0;
      }
      case E.EVTCHNOP_bind_vcpu: {
        const s = E.evtchn_bind_vcpu;
        const p = rd(s, "port"), vcpu = rd(s, "vcpu");
        this.checkVcpu(vcpu);
        if (!this.valid(p)) throw new XenError(XEN_EINVAL);
        const c = this.ports[p];
        switch (c.state) {
          case E.EVTCHNSTAT_virq:
            if (!virqIsGlobal(c.virq)) throw new XenError(XEN_EINVAL);
            c.vcpu = vcpu; return 0;
          case E.EVTCHNSTAT_unbound: case E.EVTCHNSTAT_interdomain: case E.EVTCHNSTAT_pirq:
            c.vcpu = vcpu; return 0;
          default: throw new XenError(XEN_EINVAL);
        }
      }
      case E.EVTCHNOP_unmask: {
        const p = rd(E.evtchn_unmask, "port");
        if (!this.valid(p)) throw new XenError(XEN_EINVAL);
        this.unmask(p);
        return 0;
      }
      case E.EVTCHNOP_reset: {
        this.selfDom(rd16(E.evtchn_reset, "dom"));
        this.reset();
        return 0;
      }
      default:
        // init_control / expand_array / set_priority: the FIFO ABI is not offered (guests fall back).
        return xenErr(XEN_ENOSYS);
    }
  }
}

/** Per-vCPU VIRQs are TIMER, DEBUG, XENOPROF, XENPMU; everything else (arch ones included) is global. */
export function virqIsGlobal(virq: number): boolean {
  return !(virq === X.VIRQ_TIMER || virq === X.VIRQ_DEBUG || virq === X.VIRQ_XENOPROF || virq === X.VIRQ_XENPMU);
}

const channels = new WeakMap<Domain, EventChannels>();
export function eventChannels(dom: Domain): EventChannels {
  let c = channels.get(dom);
  if (!c) { c = new EventChannels(dom); channels.set(dom, c); }
  return c;
}

/** event_channel_op (32). */
export function eventChannelOp(hc: HypercallContext, [cmd, arg]: Args): HcResult {
  const r = eventChannels(hc.dom).op(hc, cmd, arg);
  return r;
}

/** event_channel_op_compat (16): struct evtchn_op { cmd; union u } in guest memory; the op works on u in place. */
export function eventChannelOpCompat(hc: HypercallContext, [ptr]: Args): HcResult {
  const cmd = hc.mem.readU32(ptr + off(E.evtchn_op, "cmd"));
  return eventChannels(hc.dom).op(hc, cmd, (ptr + off(E.evtchn_op, "u")) >>> 0);
}
