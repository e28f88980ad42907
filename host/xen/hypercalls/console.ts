/**
 * console_io (18): the hypervisor console (spec 9.3). ringone behaves like a debug build of Xen and
 * lets a domU write (and read): it is the only output channel a guest has before its PV console.
 */
import { CONSOLEIO_read, CONSOLEIO_write } from "../abi/xen.ts";
import { XEN_E2BIG, XEN_ENOSYS, xenErr } from "../abi/errno.ts";
import { continuation, type Args, type HcResult, type HypercallContext } from "../hypercall-types.ts";

/** Bytes copied per invocation; longer writes continue (Xen preempts long writes the same way). */
export const CONSOLE_CHUNK = 16384;

export function consoleIo(hc: HypercallContext, [cmd, count, buf]: Args): HcResult {
  switch (cmd) {
    case CONSOLEIO_write: {
      if (count === 0) return 0;
      const n = Math.min(count, CONSOLE_CHUNK);
      // Like Xen, what was copied before a bad page has been printed; the call then fails.
      const mem = hc.mem;
      let done = 0;
      while (done < n) {
        const step = Math.min(n - done, 4096 - ((buf + done) & 0xfff));
        hc.dom.consoleWrite(mem.copyFromGuest((buf + done) >>> 0, step));
        done += step;
      }
      if (n < count) return continuation([cmd, count - n, (buf + n) >>> 0]);
      return 0;
    }
    case CONSOLEIO_read: {
      if (count > 0x7fffffff) return xenErr(XEN_E2BIG);
      const inq = hc.dom.consoleInput;
      const n = Math.min(count, inq.length);
      if (n === 0) return 0;
      hc.mem.copyToGuest(buf, Uint8Array.from(inq.slice(0, n)));
      inq.splice(0, n);
      return n;
    }
    default:
      return xenErr(XEN_ENOSYS);
  }
}
