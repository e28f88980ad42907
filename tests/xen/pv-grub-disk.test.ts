/**
 * PV GRUB boots a kernel from a PV disk: an ext2 image made at test time (mke2fs -d, e2fsprogs)
 * holds /boot/grub/grub.cfg and our blkfront test kernel; PV GRUB (Debian's grub-i386-xen.bin, and
 * an image made with grub-mkimage from grub-xen-bin) finds the disk through xenstore and blkback,
 * reads the config, refuses the 2-level build of the kernel (i386-xen GRUB loads PAE kernels only),
 * loads the PAE build with `linux` (ELF notes, new start_info, P2M, page tables, hypercall page,
 * its relocator's update_va_mapping / mmuext_op switch) and boots it. The kernel then connects to
 * the same disk itself (GRUB handed it back to InitWait) and ends with "Test result: SUCCESS".
 * Skipped (with a message) without a GRUB image or without mke2fs.
 */
import { describe, expect, it } from "vitest";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { PvMachine } from "../../host/xen/pv-machine.ts";
import { SHUTDOWN_poweroff } from "../../host/xen/abi/sched.ts";
import { FileDisk } from "../../host/xen/backends/disk-image.ts";
import { backendsOf } from "../../host/xen/install-backends.ts";
import { mmOf } from "../../host/xen/mm/index.ts";

const root = join(import.meta.dirname, "..", "..");
const DEBIAN = join(root, "guests", "build", "debian", "grub-xen", "usr", "lib", "grub-xen", "grub-i386-xen.bin");
const MODDIR = "/usr/lib/grub/i386-xen";
const KERNEL = (mode: string) => join(root, "guests", "build", "pv", `blkfront-${mode}.elf`);
const GRUB_CFG = `echo "ringone: trying the 2-level kernel"
linux /boot/blkfront-2l.elf
echo "ringone: loading blkfront"
linux /boot/blkfront.elf fs_label=ringone fs_blocks=4096
boot
`;

function makeDisk(dir: string): string | undefined {
  const tree = join(dir, "tree");
  mkdirSync(join(tree, "boot", "grub"), { recursive: true });
  writeFileSync(join(tree, "boot", "grub", "grub.cfg"), GRUB_CFG);
  copyFileSync(KERNEL("pae"), join(tree, "boot", "blkfront.elf"));
  copyFileSync(KERNEL("2l"), join(tree, "boot", "blkfront-2l.elf"));
  const img = join(dir, "disk.img");
  const r = spawnSync("mke2fs", ["-q", "-F", "-t", "ext2", "-L", "ringone", "-d", tree, img, "4M"], { encoding: "utf8" });
  return r.status === 0 ? img : undefined;
}

function images(dir: string): { name: string; path: string }[] {
  const out: { name: string; path: string }[] = [];
  if (existsSync(DEBIAN)) out.push({ name: "grub-xen-host grub-i386-xen.bin", path: DEBIAN });
  if (existsSync(join(MODDIR, "kernel.img"))) {
    // No memdisk config here: an embedded early config finds the disk and points $prefix at it.
    const early = join(dir, "early.cfg"), p = join(dir, "grub-mk.bin");
    writeFileSync(early, "search -s -f /boot/grub/grub.cfg\nset prefix=($root)/boot/grub\n");
    const r = spawnSync("grub-mkimage", ["-O", "i386-xen", "-d", MODDIR, "-o", p, "-c", early, "-p", "/boot/grub",
      "normal", "ext2", "linux", "search", "configfile", "echo"], { encoding: "utf8" });
    if (r.status === 0 && existsSync(p)) out.push({ name: "grub-mkimage -O i386-xen (grub-xen-bin)", path: p });
  }
  return out;
}

const DIR = mkdtempSync(join(tmpdir(), "ringone-grubdisk-"));
const HAVE_KERNELS = existsSync(KERNEL("pae")) && existsSync(KERNEL("2l"));
const DISK = HAVE_KERNELS ? makeDisk(DIR) : undefined;
const IMAGES = images(DIR);
const skip = !HAVE_KERNELS ? "guests/build/pv/blkfront-*.elf missing (make -C guests/pv)"
  : !DISK ? "mke2fs -d failed or is missing (apt-get install e2fsprogs)"
  : IMAGES.length === 0 ? `neither ${DEBIAN} (bash tests/xen/fetch-guests.sh) nor ${MODDIR} (apt-get install grub-xen-bin) with grub-mkimage` : "";
if (skip) console.warn(`pv-grub-disk: skipped: ${skip}`);

describe.skipIf(skip !== "")("PV GRUB boots a kernel from a PV disk", () => {
  for (const img of IMAGES) {
    it(`${img.name}: grub.cfg from xen/xvda, linux + boot our PAE kernel, which reads the disk itself`, () => {
      const m = new PvMachine(new Uint8Array(readFileSync(img.path)), { memMB: 64, disks: [{ disk: new FileDisk(DISK!) }] });
      const r = m.run(600_000_000);
      const out = m.output;
      expect(out, out.slice(-3000)).toContain("Test result: SUCCESS");
      expect(r.reason, r.detail).toBe("shutdown");
      expect(r.shutdownReason).toBe(SHUTDOWN_poweroff);
      expect(r.crashedByHypervisor).toBe(false);
      if (img.path === DEBIAN) expect(out).toContain("Reading (xen/xvda)/boot/grub/grub.cfg");
      const tried = out.indexOf("ringone: trying the 2-level kernel"), refused = out.indexOf("error: incompatible architecture: 1.");
      expect(tried).toBeGreaterThan(0);
      expect(refused).toBeGreaterThan(tried);
      expect(out.indexOf("ringone: loading blkfront")).toBeGreaterThan(refused);
      expect(out).toContain("blkfront: cmdline \"fs_label=ringone fs_blocks=4096\"\n");
      expect(out).toContain("blkfront: superblock magic ef53, 4096 blocks of 1024 bytes, label \"ringone\"");
      const blk = backendsOf(m)!.disks[0];
      // GRUB's connection, then the kernel's; GRUB read the config and both kernels, one page a request.
      expect(blk.stats.connects).toBe(2);
      expect(blk.stats.reads).toBeGreaterThan(2 + (2 * 24 * 1024) / 4096);
      expect(blk.stats).toMatchObject({ errors: 3, unsupported: 1, brokenRing: 0, writes: 0 });
      expect(blk.state).toBe(6);
      expect(mmOf(m.domain).audit()).toEqual([]);
    }, 120_000);
  }
});
