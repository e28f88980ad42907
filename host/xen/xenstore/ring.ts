/**
 * xenstored's side of the store ring page (start_info.store_mfn, xenstore_domain_interface) and
 * its event channel (start_info.store_evtchn, an interdomain port to this backend in domain 0).
 *
 * Requests are copied out of req[] (indexes first, then the data; a producer more than the ring
 * size ahead is malformed and ignored) into a host buffer, so a message may span several ring
 * fills; each whole message (xsd_sockmsg header + payload of at most XENSTORE_PAYLOAD_MAX) gets a
 * reply with the same type, req_id and tx_id, or XS_ERROR with the error's name. Replies and watch
 * events queue on the host and go into rsp[] as room allows (data, then rsp_prod), and the guest's
 * port is raised. A header announcing a payload over the limit is answered E2BIG and the queue
 * resynchronises after its payload.
 */
import * as W from "../abi/xs_wire.ts";
import { off } from "../abi/struct.ts";
import type { Domain } from "../domain.ts";
import type { EventChannels } from "../events.ts";
import { XenStore, XsError } from "./store.ts";

export const STORE_BACKEND_PORT = 1;
const R = W.xenstore_domain_interface;
const SIZE = W.XENSTORE_RING_SIZE;
const te = new TextEncoder(), td = new TextDecoder("latin1");

export class XenStoreBackend {
  readonly port: number;
  private inBuf: number[] = [];
  private out: number[] = [];
  requests = 0;

  constructor(private readonly dom: Domain, private readonly ev: EventChannels, private readonly ringMa: number, readonly store: XenStore) {
    this.port = ev.bindBackend(() => this.service(), STORE_BACKEND_PORT);
  }

  private rd(f: string): number { return this.dom.read32(this.ringMa + off(R, f)); }
  private wr(f: string, v: number): void { this.dom.write32(this.ringMa + off(R, f), v); }

  service(): void {
    if (!this.ev.backendNotify.has(this.port)) return;
    this.pull();
    this.process();
    this.flushEvents(); // watches fired by the host's own writes (backends changing state)
    this.push();
  }

  private pull(): void {
    const cons = this.rd("req_cons"), prod = this.rd("req_prod");
    const n = (prod - cons) >>> 0;
    if (n === 0 || n > SIZE) return;
    const base = this.ringMa + off(R, "req");
    for (let i = 0; i < n; i++) this.inBuf.push(this.dom.mem[base + (((cons + i) >>> 0) & (SIZE - 1))]);
    this.wr("req_cons", prod);
  }

  private process(): void {
    while (this.inBuf.length >= 16) {
      const h = Uint8Array.from(this.inBuf.slice(0, 16));
      const dv = new DataView(h.buffer);
      const type = dv.getUint32(0, true), reqId = dv.getUint32(4, true), txId = dv.getUint32(8, true), len = dv.getUint32(12, true);
      if (len > W.XENSTORE_PAYLOAD_MAX) {
        this.reply(W.XS_ERROR, reqId, txId, te.encode("E2BIG\0"));
        this.inBuf = []; // cannot resynchronise reliably on a bogus length: drop what is buffered
        return;
      }
      if (this.inBuf.length < 16 + len) return;
      const payload = Uint8Array.from(this.inBuf.slice(16, 16 + len));
      this.inBuf = this.inBuf.slice(16 + len);
      this.requests++;
      try {
        this.reply(type, reqId, txId, this.handle(type, payload));
      } catch (e) {
        if (!(e instanceof XsError)) throw e;
        this.reply(W.XS_ERROR, reqId, txId, te.encode(e.code + "\0"));
      }
      this.flushEvents();
    }
  }

  private flushEvents(): void {
    for (const [p, t] of this.store.events.splice(0)) this.reply(W.XS_WATCH_EVENT, 0, 0, te.encode(`${p}\0${t}\0`));
  }

  private handle(type: number, payload: Uint8Array): Uint8Array {
    const s = this.store;
    const strs = td.decode(payload).split("\0");
    const arg = () => { if (strs.length < 2 || strs[strs.length - 1] !== "") throw new XsError("EINVAL"); return strs[0]; };
    const ok = te.encode("OK\0");
    const list = (xs: string[]) => te.encode(xs.map((x) => x + "\0").join(""));
    switch (type) {
      case W.XS_READ: return s.read(arg());
      case W.XS_DIRECTORY: return list(s.directory(arg()));
      case W.XS_GET_PERMS: return list(s.getPerms(arg()));
      case W.XS_WRITE: {
        const z = payload.indexOf(0);
        if (z < 0) throw new XsError("EINVAL");
        s.write(td.decode(payload.subarray(0, z)), payload.subarray(z + 1));
        return ok;
      }
      case W.XS_MKDIR: s.mkdir(arg()); return ok;
      case W.XS_RM: s.rm(arg()); return ok;
      case W.XS_WATCH: case W.XS_UNWATCH: {
        if (strs.length < 3) throw new XsError("EINVAL");
        if (type === W.XS_WATCH) s.watch(strs[0], strs[1]); else s.unwatch(strs[0], strs[1]);
        return ok;
      }
      case W.XS_TRANSACTION_START: return te.encode(`${s.transactionStart()}\0`);
      case W.XS_TRANSACTION_END: return ok; // changes were applied as they came: commit and abort both succeed
      case W.XS_GET_DOMAIN_PATH: {
        const d = Number(arg());
        if (!/^\d+$/.test(arg())) throw new XsError("EINVAL");
        return te.encode(`/local/domain/${d}\0`);
      }
      case W.XS_RESET_WATCHES: s.watches.length = 0; return ok;
      case W.XS_INTRODUCE: case W.XS_RELEASE: case W.XS_SET_PERMS: case W.XS_SET_TARGET: case W.XS_RESUME:
      case W.XS_IS_DOMAIN_INTRODUCED: case W.XS_CONTROL:
        throw new XsError("EACCES"); // dom0-only operations
      default:
        throw new XsError("EINVAL");
    }
  }

  private reply(type: number, reqId: number, txId: number, payload: Uint8Array): void {
    const h = new DataView(new ArrayBuffer(16));
    h.setUint32(0, type, true); h.setUint32(4, reqId, true); h.setUint32(8, txId, true); h.setUint32(12, payload.length, true);
    for (const b of new Uint8Array(h.buffer)) this.out.push(b);
    for (const b of payload) this.out.push(b);
  }

  private push(): void {
    if (this.out.length === 0) return;
    const cons = this.rd("rsp_cons"), prod = this.rd("rsp_prod");
    const used = (prod - cons) >>> 0;
    if (used > SIZE) return;
    const n = Math.min(SIZE - used, this.out.length);
    if (n === 0) return;
    const base = this.ringMa + off(R, "rsp");
    const bytes = this.out.splice(0, n);
    for (let i = 0; i < n; i++) this.dom.mem[base + (((prod + i) >>> 0) & (SIZE - 1))] = bytes[i];
    this.wr("rsp_prod", (prod + n) >>> 0);
    this.ev.raise(this.port);
  }
}
