/**
 * The PV block backend (blkback's part, io/blkif.h): one virtual disk per instance, served from a
 * DiskImage to the guest's blkfront through xenstore, one granted ring page and an event channel.
 * ringone is the hypervisor and domain 0 at once, so "mapping" a grant is resolving it in the
 * guest's grant table with the checks Xen applies (GrantTable.acquire), then touching the frame.
 *
 * Xenstore (what libxl and the backend driver write; the frontend directory belongs to the guest):
 *   /local/domain/<id>/device/vbd/<devid>/   backend, backend-id (0), state (1), virtual-device,
 *                                            device-type; the frontend adds ring-ref,
 *                                            event-channel, protocol and moves its state
 *   /local/domain/0/backend/vbd/<id>/<devid>/ frontend, frontend-id, online, removable, bootable,
 *                                            dev (xvda), type, mode (r or w), device-type,
 *                                            params, sectors, sector-size (512), info
 *                                            (VDISK_READONLY when read-only), state
 * State machine (xenbus, driven by a host watch on the frontend's state):
 *   backend InitWait (2) from the start; frontend Initialised (3) or Connected (4) -> connect:
 *   ring-ref resolved writable through the grant table, event-channel bound (EventChannels.
 *   bindBackendTo), protocol must be x86_32-abi (or absent) -> Connected (4); a failure writes
 *   `error` and goes Closing (5). Frontend Closing -> disconnect, Closing; Closed (or its state
 *   removed) -> disconnect, Closed; Initialising after Closed -> InitWait again (a new frontend,
 *   e.g. the kernel PV GRUB boots, may connect).
 *
 * Requests (on every notification, Linux blkback's checks): a producer index more than the ring
 * size ahead of our consumer is a broken ring and is ignored as a whole; no request is consumed
 * while the response ring would overflow. Each request is copied out of the shared page before it
 * is checked. READ / WRITE: 1..11 segments, first_sect <= last_sect <= 7, the sectors inside the
 * disk, WRITE only on a writable disk, every grant valid for domain 0 (writable for a READ): all
 * checked before any data moves, else BLKIF_RSP_ERROR. Any other operation (none is advertised)
 * gets BLKIF_RSP_EOPNOTSUPP. Responses carry the request's id and operation; the guest's port is
 * raised when rsp_event asks for it (RING_PUSH_RESPONSES_AND_CHECK_NOTIFY), and req_event is set
 * for the next notification (RING_FINAL_CHECK_FOR_REQUESTS).
 */
import * as B from "../abi/blkif.ts";
import { elem, off } from "../abi/struct.ts";
import type { Domain } from "../domain.ts";
import type { EventChannels } from "../events.ts";
import { grantTable, writableFrame } from "../grant-table.ts";
import type { XenStore } from "../xenstore/store.ts";
import { SECTOR, type DiskImage } from "./disk-image.ts";

/** Domain 0's ports for disks start here (xenstore is 1, the console 2). */
export const BLK_BACKEND_PORT_BASE = 3;
/** Linux's xvda: (202 << 8) | (disk 0 << 4). */
export const XVDA_DEVID = 51712;
/** XEN_IO_PROTO_ABI_X86_32: the only request layout served. */
export const PROTO_X86_32 = "x86_32-abi";
const PAGE = 4096;
const SECTORS_PER_PAGE = PAGE / SECTOR;
const BACKEND_DOMID = 0;
const RS = B.BLKIF_RING_SIZE;
const REQ = B.blkif_request, RSP = B.blkif_response, SEG = B.blkif_request_segment, SR = B.blkif_sring;
const ENTRY = SR.fields.ring.size; // sizeof(union blkif_sring_entry)

export interface VbdOptions {
  disk: DiskImage;
  /** xenstore device id (default 51712 + 16 * index: xvda, xvdb, ...). */
  devid?: number;
  /** The `dev` node: GRUB names the disk (xen/<dev>). Default xvda, xvdb, ... */
  dev?: string;
}

interface Connection { ringMfn: number; port: number; reqCons: number; rspProdPvt: number }
interface Segment { mfn: number; first: number; count: number }

export class BlockBackend {
  readonly devid: number;
  readonly dev: string;
  readonly frontDir: string;
  readonly backDir: string;
  readonly backendPort: number;
  readonly disk: DiskImage;
  private conn?: Connection;
  private readonly onNotify = () => this.service();
  readonly stats = { requests: 0, reads: 0, writes: 0, errors: 0, unsupported: 0, sectorsRead: 0, sectorsWritten: 0, brokenRing: 0, connects: 0 };

  constructor(private readonly dom: Domain, private readonly ev: EventChannels, private readonly store: XenStore, opts: VbdOptions, index = 0) {
    this.disk = opts.disk;
    this.devid = opts.devid ?? XVDA_DEVID + 16 * index;
    this.dev = opts.dev ?? `xvd${String.fromCharCode(0x61 + index)}`;
    this.backendPort = BLK_BACKEND_PORT_BASE + index;
    const d = dom.domid;
    this.frontDir = `/local/domain/${d}/device/vbd/${this.devid}`;
    this.backDir = `/local/domain/0/backend/vbd/${d}/${this.devid}`;
    this.seed();
    store.hostWatch(`${this.frontDir}/state`, () => this.frontendChanged());
  }

  get state(): number { return Number(this.store.readString(`${this.backDir}/state`) ?? 0); }
  get connected(): boolean { return this.conn !== undefined; }

  private seed(): void {
    const s = this.store, f = this.frontDir, b = this.backDir, d = this.dom.domid, ro = this.disk.readOnly;
    const front = [`n${d}`, "r0"], back = ["n0", `r${d}`];
    s.set(f, "", front);
    for (const [k, v] of [["backend", b], ["backend-id", String(BACKEND_DOMID)], ["state", String(B.XenbusStateInitialising)],
      ["virtual-device", String(this.devid)], ["device-type", "disk"]]) s.set(`${f}/${k}`, v, front);
    for (const [k, v] of [["frontend", f], ["frontend-id", String(d)], ["online", "1"], ["removable", "0"], ["bootable", "1"],
      ["dev", this.dev], ["type", "file"], ["mode", ro ? "r" : "w"], ["device-type", "disk"], ["params", this.disk.name],
      ["sectors", String(this.disk.sectors)], ["sector-size", String(SECTOR)], ["info", String(ro ? B.VDISK_READONLY : 0)],
      ["state", String(B.XenbusStateInitWait)]]) s.set(`${b}/${k}`, v, back);
  }

  private setState(v: number): void { this.store.hostWrite(`${this.backDir}/state`, String(v), ["n0", `r${this.dom.domid}`]); }

  /** The host watch on the frontend's state. */
  private frontendChanged(): void {
    const raw = this.store.readString(`${this.frontDir}/state`);
    const fs = raw === undefined || !/^\d+$/.test(raw) ? B.XenbusStateUnknown : Number(raw);
    const bs = this.state;
    switch (fs) {
      case B.XenbusStateInitialising:
        if (bs === B.XenbusStateClosed) this.setState(B.XenbusStateInitWait);
        break;
      case B.XenbusStateInitialised: case B.XenbusStateConnected:
        if (bs === B.XenbusStateInitWait) this.connect();
        break;
      case B.XenbusStateClosing:
        this.disconnect();
        if (bs !== B.XenbusStateClosing && bs !== B.XenbusStateClosed) this.setState(B.XenbusStateClosing);
        break;
      case B.XenbusStateClosed: case B.XenbusStateUnknown:
        this.disconnect();
        if (bs !== B.XenbusStateClosed) this.setState(B.XenbusStateClosed);
        break;
      default: break; // Reconfiguring / Reconfigured: nothing to reconfigure
    }
  }

  private fatal(msg: string): void {
    this.store.hostWrite(`${this.backDir}/error`, msg);
    this.setState(B.XenbusStateClosing);
  }

  private connect(): void {
    const rd = (k: string) => this.store.readString(`${this.frontDir}/${k}`);
    const num = (k: string): number | undefined => { const v = rd(k); return v !== undefined && /^\d{1,10}$/.test(v) && Number(v) <= 0xffffffff ? Number(v) : undefined; };
    const ref = num("ring-ref"), port = num("event-channel"), proto = rd("protocol");
    if (ref === undefined) return this.fatal("reading ring-ref");
    if (port === undefined) return this.fatal("reading event-channel");
    if (proto !== undefined && proto !== PROTO_X86_32) return this.fatal(`unknown fe protocol ${proto}`);
    const g = grantTable(this.dom).acquire(ref, BACKEND_DOMID, true);
    if ("status" in g) return this.fatal(`mapping ring-ref ${ref}: grant status ${g.status}`);
    const rc = this.ev.bindBackendTo(port, this.onNotify, this.backendPort);
    if (rc !== 0) return this.fatal(`binding event-channel ${port}: ${rc}`);
    // The frontend initialised the shared ring (SHARED_RING_INIT); the backend starts from its
    // current producer indexes (BACK_RING_ATTACH with the ring as found, as blkback does).
    // BACK_RING_ATTACH: start at the responses already produced (0 on a ring the frontend just
    // initialised); requests past them are still to be served.
    const rsp = this.dom.read32(g.mfn * PAGE + off(SR, "rsp_prod"));
    this.conn = { ringMfn: g.mfn, port, reqCons: rsp, rspProdPvt: rsp };
    this.stats.connects++;
    this.setState(B.XenbusStateConnected);
  }

  private disconnect(): void {
    if (!this.conn) return;
    this.ev.unbindBackend(this.conn.port, this.onNotify);
    this.conn = undefined;
  }

  /** Drain the request ring (the guest's EVTCHNOP_send on our port). */
  service(): void {
    const c = this.conn;
    if (!c) return;
    if (this.ev.backendNotify.get(c.port) !== this.onNotify) { this.conn = undefined; return; } // the guest closed the port
    // Xen's mapping would hold the ring frame's writable type: we hold none, so refuse to write
    // into a frame the guest has since made a page table or descriptor page (it stays ignored).
    if (!writableFrame(this.dom, c.ringMfn)) { this.stats.brokenRing++; return; }
    const base = c.ringMfn * PAGE;
    for (;;) {
      const rp = this.dom.read32(base + off(SR, "req_prod"));
      if (((rp - c.reqCons) >>> 0) > RS) { this.stats.brokenRing++; return; } // RING_REQUEST_PROD_OVERFLOW
      while (c.reqCons !== rp && ((c.reqCons - c.rspProdPvt) >>> 0) < RS) {
        const slot = base + elem(SR, "ring", 0) + (c.reqCons & (RS - 1)) * ENTRY;
        const req = this.dom.mem.slice(slot, slot + REQ.size);
        c.reqCons = (c.reqCons + 1) >>> 0;
        this.respond(c, req, this.handle(req));
      }
      this.pushResponses(c);
      // RING_FINAL_CHECK_FOR_REQUESTS: ask for a notification at the next request, then look again.
      this.dom.write32(base + off(SR, "req_event"), (c.reqCons + 1) >>> 0);
      const again = this.dom.read32(base + off(SR, "req_prod"));
      if (again === c.reqCons || ((c.reqCons - c.rspProdPvt) >>> 0) >= RS) return;
    }
  }

  /** One request: the BLKIF_RSP_* status. */
  private handle(req: Uint8Array): number {
    this.stats.requests++;
    const dv = new DataView(req.buffer, req.byteOffset, req.byteLength);
    const op = req[off(REQ, "operation")];
    if (op !== B.BLKIF_OP_READ && op !== B.BLKIF_OP_WRITE) { this.stats.unsupported++; return B.BLKIF_RSP_EOPNOTSUPP; }
    const write = op === B.BLKIF_OP_WRITE;
    const fail = () => { this.stats.errors++; return B.BLKIF_RSP_ERROR; };
    if (write && this.disk.readOnly) return fail();
    const nseg = req[off(REQ, "nr_segments")];
    if (nseg === 0 || nseg > B.BLKIF_MAX_SEGMENTS_PER_REQUEST) return fail();
    const secLo = dv.getUint32(off(REQ, "sector_number"), true), secHi = dv.getUint32(off(REQ, "sector_number") + 4, true);
    if (secHi !== 0) return fail();
    const gt = grantTable(this.dom);
    const segs: Segment[] = [];
    let total = 0;
    for (let i = 0; i < nseg; i++) {
      const s = elem(REQ, "seg", i);
      const gref = dv.getUint32(s + off(SEG, "gref"), true), first = req[s + off(SEG, "first_sect")], last = req[s + off(SEG, "last_sect")];
      if (last >= SECTORS_PER_PAGE || first > last) return fail();
      const g = gt.acquire(gref, BACKEND_DOMID, !write); // a READ writes into the guest's page
      if ("status" in g) return fail();
      segs.push({ mfn: g.mfn, first, count: last - first + 1 });
      total += last - first + 1;
    }
    if (secLo + total > this.disk.sectors) return fail();
    let pos = secLo * SECTOR;
    for (const s of segs) {
      const at = s.mfn * PAGE + s.first * SECTOR, len = s.count * SECTOR;
      if (write) this.disk.write(pos, this.dom.mem.subarray(at, at + len));
      else { this.disk.read(pos, this.dom.mem.subarray(at, at + len)); this.dom.wroteRam(at, len); } // DMA-like: drop stale compiled code
      pos += len;
    }
    if (write) { this.stats.writes++; this.stats.sectorsWritten += total; } else { this.stats.reads++; this.stats.sectorsRead += total; }
    return B.BLKIF_RSP_OKAY;
  }

  private respond(c: Connection, req: Uint8Array, status: number): void {
    const at = c.ringMfn * PAGE + elem(SR, "ring", 0) + (c.rspProdPvt & (RS - 1)) * ENTRY;
    const mem = this.dom.mem;
    mem.fill(0, at, at + RSP.size);
    mem.set(req.subarray(off(REQ, "id"), off(REQ, "id") + 8), at + off(RSP, "id"));
    mem[at + off(RSP, "operation")] = req[off(REQ, "operation")];
    this.dom.dv.setInt16(at + off(RSP, "status"), status, true);
    c.rspProdPvt = (c.rspProdPvt + 1) >>> 0;
  }

  /** RING_PUSH_RESPONSES_AND_CHECK_NOTIFY, then the notification. */
  private pushResponses(c: Connection): void {
    const base = c.ringMfn * PAGE;
    const old = this.dom.read32(base + off(SR, "rsp_prod")), now = c.rspProdPvt;
    if (old === now) return;
    this.dom.write32(base + off(SR, "rsp_prod"), now);
    const ev = this.dom.read32(base + off(SR, "rsp_event"));
    if (((now - ev) >>> 0) < ((now - old) >>> 0)) this.ev.raise(c.port);
  }
}
