/**
 * A minimal xenstore for the one guest (io/xs_wire.h, docs/misc/xenstore.txt): a tree of nodes
 * with values, simple permissions, watches and trivial transactions. The guest is domain
 * GUEST_DOMID; paths not starting with "/" are relative to its home /local/domain/<id>.
 *
 * Permissions (simplified): every node may be read; the guest may create, change and remove nodes
 * only under its home path (elsewhere EACCES), and may not remove the home itself.
 */
import type { XsdError } from "../abi/xs_wire.ts";

export class XsError extends Error {
  constructor(readonly code: XsdError) { super(code); }
}

interface Node { value: Uint8Array; children: Set<string>; perms: string[] }

export interface Watch { path: string; token: string; relative: boolean }

const MAX_PATH = 3072; // XENSTORE_ABS_PATH_MAX

export class XenStore {
  private readonly nodes = new Map<string, Node>();
  readonly watches: Watch[] = [];
  private readonly hostWatches: { path: string; cb: (changed: string) => void }[] = [];
  /** Watch events to deliver: [path as the watch names it, token]. */
  readonly events: [string, string][] = [];
  private nextTx = 1;
  readonly home: string;

  constructor(readonly domid: number) {
    this.nodes.set("/", { value: new Uint8Array(0), children: new Set(), perms: ["n0"] });
    this.home = `/local/domain/${domid}`;
  }

  /** Normalise a guest path (relative ones under the home); EINVAL when malformed. */
  abs(path: string): string {
    if (path.startsWith("@")) return path; // special watch paths
    const p = path.startsWith("/") ? path : `${this.home}/${path}`;
    if (p.length > MAX_PATH || (p !== "/" && p.endsWith("/")) || p.includes("//") || !/^[A-Za-z0-9/_@\-.]+$/.test(p)) throw new XsError("EINVAL");
    return p;
  }
  private parent(p: string): string { const i = p.lastIndexOf("/"); return i <= 0 ? "/" : p.slice(0, i); }
  private writable(p: string): boolean { return p.startsWith(this.home + "/"); }

  get(p: string): Node | undefined { return this.nodes.get(p); }

  /** Host-side: create or set a node (parents created), as the toolstack does; no watch fires. */
  set(p: string, value: string | Uint8Array, perms = ["n0", `r${this.domid}`]): void {
    const v = typeof value === "string" ? new TextEncoder().encode(value) : value;
    this.ensure(p, perms);
    this.nodes.get(p)!.value = v;
  }
  /** Host-side: a backend in domain 0 writes a node; the guest's watches fire as for any write. */
  hostWrite(p: string, value: string, perms?: string[]): void {
    this.set(p, value, perms);
    this.fire(p, false);
  }
  /** Host-side: read a node as a string (undefined when absent). */
  readString(p: string): string | undefined {
    const n = this.nodes.get(p);
    return n ? new TextDecoder("latin1").decode(n.value) : undefined;
  }
  /**
   * Host-side watch (a backend's): `cb(path)` runs synchronously after every guest change at,
   * below or above `path` (the guest's request completes after it, as if xenstored had delivered
   * the event to the backend before answering).
   */
  hostWatch(path: string, cb: (changed: string) => void): void { this.hostWatches.push({ path, cb }); }
  private ensure(p: string, perms: string[]): boolean {
    if (this.nodes.has(p)) return false;
    const par = this.parent(p);
    this.ensure(par, perms);
    this.nodes.get(par)!.children.add(p.slice(p.lastIndexOf("/") + 1));
    this.nodes.set(p, { value: new Uint8Array(0), children: new Set(), perms: [...perms] });
    return true;
  }

  read(path: string): Uint8Array {
    const n = this.nodes.get(this.abs(path));
    if (!n) throw new XsError("ENOENT");
    return n.value;
  }
  directory(path: string): string[] {
    const n = this.nodes.get(this.abs(path));
    if (!n) throw new XsError("ENOENT");
    return [...n.children];
  }
  getPerms(path: string): string[] {
    const n = this.nodes.get(this.abs(path));
    if (!n) throw new XsError("ENOENT");
    return n.perms;
  }
  write(path: string, value: Uint8Array): void {
    const p = this.abs(path);
    if (p.startsWith("@")) throw new XsError("EINVAL");
    if (!this.writable(p)) throw new XsError("EACCES");
    this.ensure(p, [`n${this.domid}`]);
    this.nodes.get(p)!.value = value.slice();
    this.fire(p);
  }
  mkdir(path: string): void {
    const p = this.abs(path);
    if (p.startsWith("@")) throw new XsError("EINVAL");
    if (this.nodes.has(p)) return;
    if (!this.writable(p)) throw new XsError("EACCES");
    this.ensure(p, [`n${this.domid}`]);
    this.fire(p);
  }
  rm(path: string): void {
    const p = this.abs(path);
    if (p.startsWith("@") || p === "/") throw new XsError("EINVAL");
    if (!this.nodes.has(p)) {
      if (this.nodes.has(this.parent(p))) return; // removing what is not there is fine when the parent exists
      throw new XsError("ENOENT");
    }
    if (!this.writable(p)) throw new XsError("EACCES");
    const drop = (q: string) => { for (const c of this.nodes.get(q)!.children) drop(`${q}/${c}`); this.nodes.delete(q); };
    drop(p);
    this.nodes.get(this.parent(p))!.children.delete(p.slice(p.lastIndexOf("/") + 1));
    this.fire(p);
  }

  watch(path: string, token: string): void {
    const p = this.abs(path);
    if (this.watches.some((w) => w.path === p && w.token === token)) throw new XsError("EEXIST");
    const w = { path: p, token, relative: !path.startsWith("/") && !path.startsWith("@") };
    this.watches.push(w);
    this.events.push([this.shown(w, p), token]); // a new watch fires once at once
  }
  unwatch(path: string, token: string): void {
    const p = this.abs(path);
    const i = this.watches.findIndex((w) => w.path === p && w.token === token);
    if (i < 0) throw new XsError("ENOENT");
    this.watches.splice(i, 1);
  }
  private shown(w: Watch, p: string): string { return w.relative ? p.slice(this.home.length + 1) : p; }
  /**
   * A change at p fires every watch on p, on an ancestor of p, or on a descendant (removals); a
   * change the guest made also runs the host watches the same way.
   */
  private fire(p: string, byGuest = true): void {
    const under = (a: string, b: string) => a === b || b === "/" || a.startsWith(b + "/");
    for (const w of this.watches) {
      if (w.path.startsWith("@")) continue;
      if (under(p, w.path)) this.events.push([this.shown(w, p), w.token]);
      else if (under(w.path, p)) this.events.push([this.shown(w, w.path), w.token]);
    }
    if (byGuest) for (const h of [...this.hostWatches]) if (under(p, h.path) || under(h.path, p)) h.cb(p);
  }

  transactionStart(): number { return this.nextTx++; }
}
