/**
 * The hypervisor log's form of a domU's CONSOLEIO_write text: Xen (guest_console_write) prints a
 * guest's console_io lines in its own log with the domain's id in front, "(d1) text", which `xl
 * dmesg` and the serial line show; the domain's console proper is its PV console ring.
 */
export function domainLogWriter(domid: number, write: (bytes: Uint8Array) => void): (bytes: Uint8Array) => void {
  const prefix = new TextEncoder().encode(`(d${domid}) `);
  let atLineStart = true;
  return (bytes) => {
    const out: number[] = [];
    for (const b of bytes) {
      if (atLineStart) { for (const p of prefix) out.push(p); atLineStart = false; }
      out.push(b);
      if (b === 0x0a) atLineStart = true;
    }
    if (out.length > 0) write(Uint8Array.from(out));
  };
}
