/** Xen's log form of a domU's console_io text (host/xen/console-log.ts): "(dN) " at each line start. */
import { describe, expect, it } from "vitest";
import { domainLogWriter } from "../../host/xen/console-log.ts";

describe("domainLogWriter", () => {
  it("prefixes every line once, also when lines are split across writes", () => {
    const out: string[] = [];
    const w = domainLogWriter(1, (b) => out.push(Buffer.from(b).toString("latin1")));
    const enc = (s: string) => new TextEncoder().encode(s);
    w(enc("Hello, "));
    w(enc("world\nsecond"));
    w(enc(" line\n\n"));
    w(new Uint8Array(0));
    w(enc("x"));
    expect(out.join("")).toBe("(d1) Hello, world\n(d1) second line\n(d1) \n(d1) x");
    const d7: string[] = [];
    domainLogWriter(7, (b) => d7.push(Buffer.from(b).toString()))(enc("a\nb\n"));
    expect(d7.join("")).toBe("(d7) a\n(d7) b\n");
  });
});
