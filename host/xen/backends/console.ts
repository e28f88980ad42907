/**
 * The PV console backend (xenconsoled's part, io/console.h): the ring page the builder allocated
 * (start_info.console.domU.mfn) and its event channel, an interdomain port whose peer is this
 * backend in domain 0.
 *
 * Output: whenever the guest notifies the port, and at every exit, the bytes out[out_cons ..
 * out_prod) go to the domain's console sink and out_cons advances (indexes are read first, then
 * the data, as the ring's barriers require; a producer index more than the ring size ahead of the
 * consumer is malformed and ignored, as xenconsoled does). Input: once the guest has used the ring
 * (its first notification), pending console input is copied into in[] at in_prod (data first, then
 * the index) as far as there is room, and the guest's port is raised.
 */
import { MASK_XENCONS_IDX, XENCONS_IN_SIZE, XENCONS_OUT_SIZE, xencons_interface as C } from "../abi/console.ts";
import { off } from "../abi/struct.ts";
import type { Domain } from "../domain.ts";
import type { EventChannels } from "../events.ts";

/** Domain 0's port for the console (reported by EVTCHNOP_status as the peer). */
export const CONSOLE_BACKEND_PORT = 2;

export class ConsoleBackend {
  readonly port: number;
  /** The guest has notified the port at least once: input now goes to the ring. */
  connected = false;
  bytesOut = 0;
  bytesIn = 0;

  constructor(private readonly dom: Domain, private readonly ev: EventChannels, private readonly ringMa: number) {
    this.port = ev.bindBackend(() => this.notify(), CONSOLE_BACKEND_PORT);
  }

  private rd(f: string): number { return this.dom.read32(this.ringMa + off(C, f)); }
  private wr(f: string, v: number): void { this.dom.write32(this.ringMa + off(C, f), v); }
  private get bound(): boolean { return this.ev.backendNotify.has(this.port); }

  /** The guest's EVTCHNOP_send on the console port. */
  notify(): void {
    this.connected = true;
    this.service();
  }

  /** Drain output and deliver input (called on notifications and at every exit). */
  service(): void {
    if (!this.bound) return;
    this.drainOutput();
    if (this.connected) this.deliverInput();
  }

  private drainOutput(): void {
    const cons = this.rd("out_cons"), prod = this.rd("out_prod");
    const n = (prod - cons) >>> 0;
    if (n === 0 || n > XENCONS_OUT_SIZE) return;
    const base = this.ringMa + off(C, "out");
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) bytes[i] = this.dom.mem[base + MASK_XENCONS_IDX((cons + i) >>> 0, XENCONS_OUT_SIZE)];
    this.wr("out_cons", prod);
    this.bytesOut += n;
    this.dom.consoleWrite(bytes, true);
  }

  private deliverInput(): void {
    const q = this.dom.consoleInput;
    if (q.length === 0) return;
    const cons = this.rd("in_cons"), prod = this.rd("in_prod");
    const used = (prod - cons) >>> 0;
    if (used > XENCONS_IN_SIZE) return; // malformed indexes: leave the ring alone
    const n = Math.min(XENCONS_IN_SIZE - used, q.length);
    if (n === 0) return;
    const base = this.ringMa + off(C, "in");
    const bytes = q.splice(0, n);
    for (let i = 0; i < n; i++) this.dom.mem[base + MASK_XENCONS_IDX((prod + i) >>> 0, XENCONS_IN_SIZE)] = bytes[i];
    this.wr("in_prod", (prod + n) >>> 0);
    this.bytesIn += n;
    this.ev.raise(this.port);
  }
}
