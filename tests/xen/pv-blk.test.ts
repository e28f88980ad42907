/**
 * The PV block backend (host/xen/backends/blkback.ts).
 *
 * Host-driven: a built (not running) domain whose frontend side the test plays by hand: grant
 * entries written into the guest's grant frame, an unbound port for domain 0, xenstore writes as
 * the guest makes them (they run the backend's watch), blkif requests put on the shared ring and a
 * notification. Checks the xenstore nodes, the state machine, the data that lands in the guest's
 * pages, every error a hostile frontend can provoke, and that nothing is written where Xen would
 * refuse. Guest-driven: guests/pv/tests/blkfront.c, a real frontend, against a synthetic ext2
 * superblock.
 */
import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { PvMachine } from "../../host/xen/pv-machine.ts";
import { backendsOf } from "../../host/xen/install-backends.ts";
import { eventChannels } from "../../host/xen/events.ts";
import { grantTable } from "../../host/xen/grant-table.ts";
import { mmOf } from "../../host/xen/mm/index.ts";
import { PGT } from "../../host/xen/mm/page-info.ts";
import { FileDisk, MemoryDisk, type DiskImage } from "../../host/xen/backends/disk-image.ts";
import { BLK_BACKEND_PORT_BASE, type BlockBackend } from "../../host/xen/backends/blkback.ts";
import * as E from "../../host/xen/abi/event_channel.ts";
import { SHUTDOWN_poweroff } from "../../host/xen/abi/sched.ts";

const root = join(import.meta.dirname, "..", "..");
const elfPath = (name: string, mode: string) => join(root, "guests", "build", "pv", `${name}-${mode}.elf`);
const PAGE = 4096, SECTORS = 2048; // a 1 MiB disk
const te = new TextEncoder();

/** Disk bytes: a position-dependent pattern, so a misplaced sector is visible. */
function patternDisk(sectors = SECTORS, readOnly = true): MemoryDisk {
  const b = new Uint8Array(sectors * 512);
  for (let i = 0; i < b.length; i++) b[i] = (i * 31 + (i >>> 9) * 7) % 251;
  return new MemoryDisk(b, readOnly, "pattern");
}

interface Seg { gref: number; first: number; last: number }
interface Req { op?: number; nseg?: number; id?: [number, number]; sector?: [number, number]; segs?: Seg[] }

/** The test as the frontend of a built domain. */
class Front {
  readonly m: PvMachine;
  readonly blk: BlockBackend;
  readonly nr: number;
  readonly ring: number; // frame numbers (guest RAM, P2M is the identity)
  readonly d0: number;
  readonly d1: number;
  readonly port = 10;
  reqProd = 0;
  rspCons = 0;

  constructor(disk: DiskImage) {
    this.m = new PvMachine(new Uint8Array(readFileSync(elfPath("version", "pae"))), { memMB: 16, disks: [{ disk }] });
    this.blk = backendsOf(this.m)!.disks[0];
    this.nr = this.m.domain.nrPages;
    [this.ring, this.d0, this.d1] = [this.nr - 1, this.nr - 2, this.nr - 3];
    this.grant(8, this.ring);
    this.grant(9, this.d0);
    this.grant(10, this.d1);
    const mem = this.m.domain.mem;
    mem.fill(0, this.ring * PAGE, (this.ring + 1) * PAGE);
    this.w32(this.ring * PAGE + 4, 1); // req_event
    this.w32(this.ring * PAGE + 12, 1); // rsp_event
    mem.fill(0xee, this.d1 * PAGE, (this.d0 + 1) * PAGE);
    Object.assign(this.ev.ports[this.port], { state: E.EVTCHNSTAT_unbound, remoteDom: 0 });
  }
  get ev() { return eventChannels(this.m.domain); }
  get store() { return backendsOf(this.m)!.xenstore.store; }
  get dom() { return this.m.domain; }
  w32(a: number, v: number): void { this.dom.write32(a, v >>> 0); }
  r32(a: number): number { return this.dom.read32(a); }

  grant(ref: number, frame: number, flags = 1, domid = 0): void {
    const a = grantTable(this.dom).frames[0] * PAGE + ref * 8;
    this.dom.dv.setUint16(a, flags, true);
    this.dom.dv.setUint16(a + 2, domid, true);
    this.w32(a + 4, frame);
  }
  /** A guest xenstore write (relative to the guest's home), as the ring would make it. */
  write(rel: string, v: string): void { this.store.write(rel, te.encode(v)); }
  front(k: string): string | undefined { return this.store.readString(`${this.blk.frontDir}/${k}`); }
  back(k: string): string | undefined { return this.store.readString(`${this.blk.backDir}/${k}`); }
  connect(ringRef = 8, port = this.port, proto = "x86_32-abi"): void {
    const f = `device/vbd/${this.blk.devid}`;
    this.write(`${f}/ring-ref`, String(ringRef));
    this.write(`${f}/event-channel`, String(port));
    this.write(`${f}/protocol`, proto);
    this.write(`${f}/state`, "3");
  }
  setState(s: number): void { this.write(`device/vbd/${this.blk.devid}/state`, String(s)); }

  put(r: Req): void {
    const a = this.ring * PAGE + 64 + (this.reqProd & 31) * 108;
    const mem = this.dom.mem;
    mem.fill(0, a, a + 108);
    const segs = r.segs ?? [];
    mem[a] = r.op ?? 0;
    mem[a + 1] = r.nseg ?? segs.length;
    const [lo, hi] = r.id ?? [0x44332211, 0x88776655];
    this.w32(a + 4, lo); this.w32(a + 8, hi);
    const [slo, shi] = r.sector ?? [0, 0];
    this.w32(a + 12, slo); this.w32(a + 16, shi);
    segs.forEach((s, i) => { this.w32(a + 20 + i * 8, s.gref); mem[a + 24 + i * 8] = s.first; mem[a + 25 + i * 8] = s.last; });
    this.reqProd++;
    this.w32(this.ring * PAGE, this.reqProd);
  }
  kick(): void { this.ev.backendNotify.get(this.port)?.(); }
  get rspProd(): number { return this.r32(this.ring * PAGE + 8); }
  /** Submit one request and return its response [status, op, idLo, idHi]. */
  one(r: Req): [number, number, number, number] {
    this.put(r);
    this.kick();
    expect(this.rspProd, "one response").toBe(this.rspCons + 1);
    const a = this.ring * PAGE + 64 + (this.rspCons++ & 31) * 108;
    return [this.dom.dv.getInt16(a + 10, true), this.dom.mem[a + 8], this.r32(a), this.r32(a + 4)];
  }
  page(frame: number): Uint8Array { return this.dom.mem.slice(frame * PAGE, (frame + 1) * PAGE); }
}

const HAVE_KERNEL = existsSync(elfPath("version", "pae"));
if (!HAVE_KERNEL) console.warn("pv-blk: guests/build/pv missing: run make -C guests/pv");

describe.skipIf(!HAVE_KERNEL)("PV block backend (host as the frontend)", () => {
  it("seeds the frontend and backend xenstore nodes and waits in InitWait", () => {
    const f = new Front(patternDisk());
    expect(f.blk.frontDir).toBe("/local/domain/1/device/vbd/51712");
    expect(f.blk.backDir).toBe("/local/domain/0/backend/vbd/1/51712");
    expect(f.store.directory("device/vbd")).toEqual(["51712"]);
    expect(f.front("backend")).toBe(f.blk.backDir);
    expect(f.front("backend-id")).toBe("0");
    expect(f.front("state")).toBe("1");
    expect(f.front("virtual-device")).toBe("51712");
    expect(f.back("frontend")).toBe(f.blk.frontDir);
    expect(f.back("frontend-id")).toBe("1");
    expect(f.back("sectors")).toBe(String(SECTORS));
    expect(f.back("sector-size")).toBe("512");
    expect(f.back("info")).toBe("4"); // VDISK_READONLY
    expect(f.back("mode")).toBe("r");
    expect(f.back("dev")).toBe("xvda");
    expect(f.back("state")).toBe("2");
    expect(f.store.getPerms(`${f.blk.frontDir}/state`)).toEqual(["n1", "r0"]);
    const rw = new Front(patternDisk(SECTORS, false));
    expect([rw.back("info"), rw.back("mode")]).toEqual(["0", "w"]);
  });

  it("connects on Initialised, serves a three-segment read into the granted pages and notifies", () => {
    const disk = patternDisk();
    const f = new Front(disk);
    f.connect();
    expect(f.back("state")).toBe("4");
    expect(f.blk.connected).toBe(true);
    const p = f.ev.ports[f.port];
    expect([p.state, p.remoteDom, p.peer]).toEqual([E.EVTCHNSTAT_interdomain, 0, BLK_BACKEND_PORT_BASE]);
    // Disk sectors 100..104 -> d0 sectors 1-3, d1 sector 0, d0 sector 7.
    const r = f.one({ sector: [100, 0], segs: [{ gref: 9, first: 1, last: 3 }, { gref: 10, first: 0, last: 0 }, { gref: 9, first: 7, last: 7 }] });
    expect(r).toEqual([0, 0, 0x44332211, 0x88776655]);
    const d0 = f.page(f.d0), d1 = f.page(f.d1), sec = (n: number) => disk.bytes.subarray(n * 512, (n + 1) * 512);
    expect(d0.subarray(512, 2048)).toEqual(disk.bytes.subarray(100 * 512, 103 * 512));
    expect(d1.subarray(0, 512)).toEqual(sec(103));
    expect(d0.subarray(7 * 512, 8 * 512)).toEqual(sec(104));
    expect(d0.subarray(0, 512).every((b) => b === 0xee)).toBe(true); // untouched
    expect(d0.subarray(2048, 7 * 512).every((b) => b === 0xee)).toBe(true);
    expect(d1.subarray(512).every((b) => b === 0xee)).toBe(true);
    expect(f.ev.isPending(f.port)).toBe(true); // rsp_event asked for it
    expect(f.r32(f.ring * PAGE + 4)).toBe(2); // req_event: notify me at the next request
    expect(f.blk.stats).toMatchObject({ requests: 1, reads: 1, sectorsRead: 5, errors: 0 });
  });

  it("answers every malformed request with an error, moving no data", () => {
    const f = new Front(patternDisk());
    f.connect();
    const pt = f.m.built.layout.ptPfn; // a page-table frame (validated, pinned)
    f.grant(20, 0, 0); // not granted
    f.grant(21, f.d0, 1, 5); // granted to domain 5
    f.grant(22, f.d0, 1 | 4); // read-only: the backend may not write into it
    f.grant(23, f.dom.m2pMfn); // not the guest's frame
    f.grant(24, pt); // a page table
    f.grant(25, f.d0, 2); // GTF_accept_transfer
    const ok = { gref: 9, first: 0, last: 0 };
    const bad: [string, Req, number][] = [
      ["no segments", { nseg: 0, segs: [] }, -1],
      ["12 segments", { segs: Array(12).fill(ok) }, -1],
      ["last_sect 8", { segs: [{ gref: 9, first: 0, last: 8 }] }, -1],
      ["first > last", { segs: [{ gref: 9, first: 3, last: 2 }] }, -1],
      ["past the end", { sector: [SECTORS - 1, 0], segs: [{ gref: 9, first: 0, last: 1 }] }, -1],
      ["sector >= 2^32", { sector: [0, 1], segs: [ok] }, -1],
      ["gref beyond the table", { segs: [{ gref: grantTable(f.dom).entries, first: 0, last: 0 }] }, -1],
      ["gref not granted", { segs: [{ gref: 20, first: 0, last: 0 }] }, -1],
      ["granted to another domain", { segs: [{ gref: 21, first: 0, last: 0 }] }, -1],
      ["read-only grant for a read", { segs: [{ gref: 22, first: 0, last: 0 }] }, -1],
      ["frame not the guest's", { segs: [{ gref: 23, first: 0, last: 0 }] }, -1],
      ["frame is a page table", { segs: [{ gref: 24, first: 0, last: 0 }] }, -1],
      ["transfer grant", { segs: [{ gref: 25, first: 0, last: 0 }] }, -1],
      ["a good segment then a bad one", { segs: [ok, { gref: 20, first: 0, last: 0 }] }, -1],
      ["write to a read-only disk", { op: 1, segs: [ok] }, -1],
      ["write barrier", { op: 2, nseg: 0 }, -2],
      ["flush", { op: 3, nseg: 0 }, -2],
      ["discard", { op: 5, nseg: 0 }, -2],
      ["indirect", { op: 6, nseg: 0 }, -2],
      ["unknown operation", { op: 200, segs: [ok] }, -2],
    ];
    const before = [f.page(f.d0), f.page(f.d1), f.page(pt), f.page(f.dom.m2pMfn)];
    bad.forEach(([what, req, status], i) => {
      const [st, op, lo, hi] = f.one({ ...req, id: [i, 0xbad] });
      expect([what, st, op, lo, hi]).toEqual([what, status, req.op ?? 0, i, 0xbad]);
    });
    expect([f.page(f.d0), f.page(f.d1), f.page(pt), f.page(f.dom.m2pMfn)]).toEqual(before);
    expect(f.blk.stats).toMatchObject({ requests: bad.length, reads: 0, writes: 0, errors: 15, unsupported: 5 });
    expect(mmOf(f.dom).audit()).toEqual([]);
    expect(f.one({ segs: [ok] })[0]).toBe(0); // the ring still works
  });

  it("ignores a ring whose producer runs more than the ring size ahead, and recovers", () => {
    const f = new Front(patternDisk());
    f.connect();
    f.put({ segs: [{ gref: 9, first: 0, last: 0 }] });
    f.w32(f.ring * PAGE, 1 + 33); // req_prod far ahead
    f.kick();
    expect(f.rspProd).toBe(0);
    expect(f.blk.stats.brokenRing).toBe(1);
    expect(f.blk.stats.requests).toBe(0);
    f.w32(f.ring * PAGE, 1);
    f.kick();
    expect(f.rspProd).toBe(1);
    expect(f.blk.stats.reads).toBe(1);
  });

  it("serves 32 queued requests in one notification and wraps the ring indexes", () => {
    const f = new Front(patternDisk());
    // Start both rings near 2^32 as a long-lived frontend would have them.
    const start = 0xfffffff0;
    f.dom.mem.fill(0, f.ring * PAGE, f.ring * PAGE + 16);
    for (const o of [0, 8]) f.w32(f.ring * PAGE + o, start);
    f.w32(f.ring * PAGE + 4, start + 1); f.w32(f.ring * PAGE + 12, start + 1);
    f.reqProd = start; f.rspCons = start;
    f.connect();
    for (let i = 0; i < 32; i++) f.put({ sector: [i, 0], id: [i, 0], segs: [{ gref: 9, first: i & 7, last: i & 7 }] });
    f.kick();
    expect(f.rspProd).toBe((start + 32) >>> 0);
    expect(f.blk.stats.reads).toBe(32);
    expect(f.dom.dv.getInt16(f.ring * PAGE + 64 + ((start + 31) & 31) * 108 + 10, true)).toBe(0);
  });

  it("writes a writable disk from a read-only grant and reads it back", () => {
    const disk = patternDisk(SECTORS, false);
    const f = new Front(disk);
    f.connect();
    f.grant(11, f.d1, 1 | 4); // read-only is enough for a write
    f.dom.mem.fill(0x5a, f.d1 * PAGE + 1024, f.d1 * PAGE + 2048);
    expect(f.one({ op: 1, sector: [7, 0], segs: [{ gref: 11, first: 2, last: 3 }] })).toEqual([0, 1, 0x44332211, 0x88776655]);
    expect(disk.bytes.subarray(7 * 512, 9 * 512).every((b) => b === 0x5a)).toBe(true);
    expect(disk.bytes[6 * 512 + 511]).not.toBe(0x5a);
    expect(disk.bytes[9 * 512]).not.toBe(0x5a);
    expect(f.one({ sector: [8, 0], segs: [{ gref: 9, first: 5, last: 5 }] })[0]).toBe(0);
    expect(f.page(f.d0).subarray(5 * 512, 6 * 512).every((b) => b === 0x5a)).toBe(true);
    expect(f.blk.stats).toMatchObject({ writes: 1, sectorsWritten: 2, reads: 1 });
  });

  it("stops writing into the ring once the guest makes its frame a page table", () => {
    const f = new Front(patternDisk());
    f.connect();
    const info = mmOf(f.dom).info;
    info.type[f.ring] = PGT.l1; info.count[f.ring] = 1; // as if pinned as an L1 table
    f.put({ segs: [{ gref: 9, first: 0, last: 0 }] });
    f.kick();
    expect(f.rspProd).toBe(0);
    expect(f.blk.stats.requests).toBe(0);
    info.type[f.ring] = PGT.none; info.count[f.ring] = 0;
    f.kick();
    expect(f.rspProd).toBe(1);
  });

  it("refuses to connect with a bad ring-ref, port or protocol (error node, Closing)", () => {
    const cases: [string, (f: Front) => void, RegExp][] = [
      ["ring-ref not granted", (f) => f.connect(30), /ring-ref 30/],
      ["ring-ref read-only", (f) => { f.grant(8, f.ring, 1 | 4); f.connect(); }, /ring-ref 8/],
      ["port not unbound", (f) => f.connect(8, 11), /event-channel 11/],
      ["port unbound for another domain", (f) => { f.ev.ports[f.port].remoteDom = 7; f.connect(); }, /event-channel 10/],
      ["64-bit protocol", (f) => f.connect(8, 10, "x86_64-abi"), /protocol x86_64-abi/],
    ];
    for (const [what, go, msg] of cases) {
      const f = new Front(patternDisk());
      go(f);
      expect([what, f.back("state")]).toEqual([what, "5"]);
      expect(f.back("error")).toMatch(msg);
      expect(f.blk.connected).toBe(false);
      expect(f.ev.backendNotify.has(f.port)).toBe(false);
    }
    const f = new Front(patternDisk());
    f.write(`device/vbd/${f.blk.devid}/state`, "3"); // no ring-ref at all
    expect([f.back("state"), f.back("error")]).toEqual(["5", "reading ring-ref"]);
  });

  it("disconnects on Closing/Closed, returns the port, and reconnects after Initialising", () => {
    const f = new Front(patternDisk());
    // A guest watch on the backend's state sees every backend transition.
    f.store.watch(`${f.blk.backDir}/state`, "t");
    f.store.events.length = 0;
    f.connect();
    expect(f.store.events.splice(0)).toEqual([[`${f.blk.backDir}/state`, "t"]]);
    f.setState(5);
    expect(f.back("state")).toBe("5");
    expect([f.ev.ports[f.port].state, f.ev.ports[f.port].remoteDom]).toEqual([E.EVTCHNSTAT_unbound, 0]);
    f.put({ segs: [{ gref: 9, first: 0, last: 0 }] });
    f.blk.service();
    expect(f.rspProd).toBe(0); // not served any more
    f.setState(6);
    expect(f.back("state")).toBe("6");
    f.setState(1);
    expect(f.back("state")).toBe("2");
    f.connect();
    expect(f.back("state")).toBe("4");
    expect(f.blk.stats.connects).toBe(2);
    f.kick();
    expect(f.rspProd).toBe(1); // the queued request, served after the reconnection
  });

  it("stops serving when the guest closes its port", () => {
    const f = new Front(patternDisk());
    f.connect();
    f.ev.close(f.port);
    f.put({ segs: [{ gref: 9, first: 0, last: 0 }] });
    f.blk.service();
    expect(f.rspProd).toBe(0);
    expect(f.blk.connected).toBe(false);
  });
});

/** A 4 MiB disk whose sector 2 holds an ext2 superblock (what blkfront.c checks) and a pattern elsewhere. */
function ext2ishDisk(label: string): MemoryDisk {
  const d = patternDisk(8192);
  const sb = d.bytes.subarray(1024, 2048);
  sb.fill(0);
  const dv = new DataView(sb.buffer, sb.byteOffset);
  dv.setUint32(4, 4096, true); // s_blocks_count
  dv.setUint32(24, 0, true); // s_log_block_size: 1 KiB
  dv.setUint16(56, 0xef53, true); // s_magic
  sb.set(te.encode(label), 120); // s_volume_name
  return d;
}

describe.skipIf(!HAVE_KERNEL)("PV block backend (guest blkfront)", () => {
  for (const mode of ["pae", "2l"]) {
    it(`blkfront-${mode}: connects, reads the superblock, gets the errors, closes`, () => {
      const m = new PvMachine(new Uint8Array(readFileSync(elfPath("blkfront", mode))), {
        memMB: 32, cmdline: "fs_label=ringone fs_blocks=4096", disks: [{ disk: ext2ishDisk("ringone") }],
      });
      const r = m.run(100_000_000);
      expect(m.output, m.output).toContain("Test result: SUCCESS");
      expect(m.output).toContain("blkfront: superblock magic ef53, 4096 blocks of 1024 bytes, label \"ringone\"");
      expect(r.shutdownReason).toBe(SHUTDOWN_poweroff);
      const blk = backendsOf(m)!.disks[0];
      expect(blk.stats).toMatchObject({ connects: 1, reads: 2, sectorsRead: 4, errors: 3, unsupported: 1, brokenRing: 0 });
      expect(blk.state).toBe(6);
      expect(mmOf(m.domain).audit()).toEqual([]);
    });
  }
});

describe.skipIf(!HAVE_KERNEL)("ringone boot --disk (CLI)", () => {
  const cli = join(root, "bin", "ringone.mjs");
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, "boot", ...args], { encoding: "utf8" });
  const dir = mkdtempSync(join(tmpdir(), "ringone-blkcli-"));
  const img = join(dir, "disk.img");
  writeFileSync(img, ext2ishDisk("clidisk").bytes);

  it("serves a raw image file read-only to a PV guest", () => {
    const before = readFileSync(img);
    const r = run(elfPath("blkfront", "pae"), "--disk", img, "--cmdline", "fs_label=clidisk fs_blocks=4096", "--stats");
    expect(r.stderr).toContain("(d1) Test result: SUCCESS"); // console_io: Xen's log, on stderr
    expect(r.stderr).toContain("[ringone] xvda: 1 connections, 6 requests (2 reads of 4 sectors, 0 writes of 0 sectors, 3 errors, 1 unsupported), state 6");
    expect(r.status).toBe(0);
    expect(readFileSync(img).equals(before)).toBe(true);
  });
  it("usage errors: a missing image, --disk for a native kernel; --help names the options", () => {
    const missing = run(elfPath("version", "pae"), "--disk", join(dir, "nope.img"));
    expect(missing.status).toBe(64);
    expect(missing.stderr).toMatch(/^ringone: cannot open disk .*nope\.img: ENOENT/m);
    const native = run(join(root, "guests", "build", "bench", "bench-kernel.elf"), "--disk", img);
    expect(native.status).toBe(64);
    expect(native.stderr).toContain("--disk needs a Xen PV guest");
    const help = spawnSync(process.execPath, [cli, "--help"], { encoding: "utf8" });
    expect(help.stdout).toContain("--disk IMG");
    expect(help.stdout).toContain("--disk-rw IMG");
  });
});

describe("disk images", () => {
  it("FileDisk: whole sectors only, positioned reads and (with --disk-rw) writes in place", () => {
    const p = join(mkdtempSync(join(tmpdir(), "ringone-filedisk-")), "d.img");
    const bytes = patternDisk(8).bytes;
    writeFileSync(p, Buffer.concat([bytes, Buffer.alloc(100, 1)])); // a trailing partial sector
    const ro = new FileDisk(p);
    expect([ro.sectors, ro.readOnly, ro.name]).toEqual([8, true, p]);
    const buf = new Uint8Array(1024);
    ro.read(3 * 512, buf);
    expect(buf).toEqual(bytes.subarray(3 * 512, 5 * 512));
    ro.close();
    const rw = new FileDisk(p, false);
    rw.write(5 * 512, new Uint8Array(512).fill(0x77));
    rw.close();
    const after = readFileSync(p);
    expect(after.subarray(5 * 512, 6 * 512).every((b) => b === 0x77)).toBe(true);
    expect(after.subarray(0, 5 * 512).equals(Buffer.from(bytes.subarray(0, 5 * 512)))).toBe(true);
    expect(after.length).toBe(8 * 512 + 100);
  });
});
