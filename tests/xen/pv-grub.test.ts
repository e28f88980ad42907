/**
 * PV GRUB from Debian (grub-i386-xen.bin of grub-xen-host, fetched by tests/xen/fetch-guests.sh;
 * otherwise an image made with grub-mkimage from grub-xen-bin's /usr/lib/grub/i386-xen): it boots in
 * ring 1 through the console ring, xenstore and the grant table, finds no disk, reaches the
 * "grub>" prompt, runs a command typed into the console ring and powers off with `halt`.
 * Skipped (with a message) when neither image can be found or made.
 */
import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { PvMachine } from "../../host/xen/pv-machine.ts";
import { SHUTDOWN_poweroff } from "../../host/xen/abi/sched.ts";

const root = join(import.meta.dirname, "..", "..");
const DEBIAN = join(root, "guests", "build", "debian", "grub-xen", "usr", "lib", "grub-xen", "grub-i386-xen.bin");
const MODDIR = "/usr/lib/grub/i386-xen";

function images(): { name: string; path: string }[] {
  const out: { name: string; path: string }[] = [];
  if (existsSync(DEBIAN)) out.push({ name: "grub-xen-host grub-i386-xen.bin", path: DEBIAN });
  if (existsSync(join(MODDIR, "kernel.img"))) {
    const p = join(mkdtempSync(join(tmpdir(), "ringone-grub-")), "grub-mk.bin");
    const r = spawnSync("grub-mkimage", ["-O", "i386-xen", "-d", MODDIR, "-o", p, "-p", "/boot/grub", "normal", "echo", "halt"], { encoding: "utf8" });
    if (r.status === 0 && existsSync(p)) out.push({ name: "grub-mkimage -O i386-xen (grub-xen-bin)", path: p });
  }
  return out;
}

const IMAGES = images();
if (IMAGES.length === 0) {
  console.warn(`pv-grub: skipped: neither ${DEBIAN} (bash tests/xen/fetch-guests.sh) nor ${MODDIR} (apt-get install grub-xen-bin) with grub-mkimage`);
}

describe.skipIf(IMAGES.length === 0)("PV GRUB (Debian)", () => {
  for (const img of IMAGES) {
    it(`${img.name}: reaches grub>, echoes a typed command through the console ring, halts`, () => {
      const m = new PvMachine(new Uint8Array(readFileSync(img.path)), { memMB: 64 });
      m.domain.pushConsoleInput("echo hello-from-ringone\nhalt\n");
      const r = m.run(600_000_000);
      const out = m.output;
      expect(out, out.slice(-2000)).toContain("grub> ");
      expect(out).toContain("\n\rhello-from-ringone\n\r");
      expect(r.reason, r.detail).toBe("shutdown");
      expect(r.shutdownReason).toBe(SHUTDOWN_poweroff);
      expect(r.crashedByHypervisor).toBe(false);
      if (img.path === DEBIAN) {
        expect(out).toContain("Welcome to GRUB!");
        expect(out).toContain("error: no such device: /boot/grub/grub.cfg.");
        expect(out).toContain("GNU GRUB  version 2.06");
      }
    }, 60_000);
  }
});
