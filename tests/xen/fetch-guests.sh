#!/usr/bin/env bash
# Fetch real Xen PV/PVH guest images from Debian's archive into guests/build/debian/ (git-ignored),
# for the tests in tests/xen/ that read their ELF notes. Nothing is installed system-wide: the
# packages are downloaded with `apt-get download` and unpacked with `dpkg-deb -x`.
#
#   grub-xen-host (amd64 archive)   -> guests/build/debian/grub-xen/.../grub-i386-xen.bin
#   linux-image-686-pae (i386)      -> guests/build/debian/linux/vmlinuz-*-686-pae
#                                      guests/build/debian/linux/vmlinux-686-pae.elf (payload)
#
# The i386 kernel needs the i386 package lists. Rather than `dpkg --add-architecture`, this script
# runs apt with a private state/cache directory and APT::Architectures=i386, so the machine's own
# apt configuration is untouched. The bzImage payload is decompressed with xz/gzip/zstd.
#
# Usage: bash tests/xen/fetch-guests.sh        (idempotent; exits 0 with a message when offline)
set -u
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="$ROOT/guests/build/debian"
mkdir -p "$OUT/debs" "$OUT/grub-xen" "$OUT/linux"

if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
  echo "fetch-guests: apt-get/dpkg-deb not available; skipping" >&2
  exit 0
fi

# ---- GRUB i386-xen (PV) -------------------------------------------------------------------------
if ! ls "$OUT"/grub-xen/usr/lib/grub-xen/grub-i386-xen*.bin >/dev/null 2>&1; then
  ( cd "$OUT/debs" && apt-get download grub-xen-host ) || echo "fetch-guests: could not download grub-xen-host" >&2
  deb=$(ls -t "$OUT"/debs/grub-xen-host_*.deb 2>/dev/null | head -1)
  [ -n "$deb" ] && dpkg-deb -x "$deb" "$OUT/grub-xen"
fi

# ---- Debian i386 686-pae kernel (PVH only since Linux 5.9) -------------------------------------
if ! ls "$OUT"/linux/vmlinux-686-pae.elf >/dev/null 2>&1; then
  APTDIR="$OUT/apt-i386"
  mkdir -p "$APTDIR/lists/partial" "$APTDIR/archives/partial"
  APTOPTS=(-o "APT::Architecture=i386" -o "APT::Architectures::=i386"
           -o "Dir::State::Lists=$APTDIR/lists" -o "Dir::Cache=$APTDIR"
           -o "Dir::State::status=/dev/null" -o "Debug::NoLocking=1")
  apt-get "${APTOPTS[@]}" update -qq >/dev/null 2>&1 || echo "fetch-guests: apt-get update (i386) reported errors; continuing with the lists it got" >&2
  # linux-image-686-pae is a metapackage: find the versioned image it depends on.
  img=$(apt-cache "${APTOPTS[@]}" depends linux-image-686-pae 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
  img=${img%%:*}
  if [ -n "$img" ]; then
    ( cd "$OUT/debs" && apt-get "${APTOPTS[@]}" download "$img:i386" ) || echo "fetch-guests: could not download $img" >&2
  else
    echo "fetch-guests: no linux-image-686-pae in the i386 lists" >&2
  fi
  deb=$(ls -t "$OUT"/debs/linux-image-*-686-pae*_i386.deb 2>/dev/null | head -1)
  if [ -n "$deb" ]; then
    tmp=$(mktemp -d)
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards './boot/vmlinuz-*'
    vmlinuz=$(ls "$tmp"/boot/vmlinuz-* | head -1)
    cp "$vmlinuz" "$OUT/linux/"
    # bzImage: setup_sects at 0x1f1 (0 means 4); payload_offset/length (u32) at 0x248/0x24c,
    # relative to the start of the protected-mode part at (setup_sects+1)*512.
    node --input-type=module -e '
      import { readFileSync, writeFileSync } from "node:fs";
      import { execFileSync } from "node:child_process";
      import { gunzipSync } from "node:zlib";
      const [src, dst] = process.argv.slice(1);
      const b = readFileSync(src);
      let ss = b[0x1f1]; if (ss === 0) ss = 4;
      const pm = (ss + 1) * 512;
      const off = b.readUInt32LE(0x248), len = b.readUInt32LE(0x24c);
      const p = b.subarray(pm + off, pm + off + len);
      const hex = p.subarray(0, 6).toString("hex");
      let elf;
      if (hex.startsWith("1f8b")) elf = gunzipSync(p);
      else if (hex === "fd377a585a00") elf = execFileSync("xz", ["-dc", "--single-stream"], { input: p, maxBuffer: 1 << 28 });
      else if (hex.startsWith("28b52ffd")) elf = execFileSync("zstd", ["-dc"], { input: p, maxBuffer: 1 << 28 });
      else throw new Error("unknown bzImage payload compression (magic " + hex + ")");
      writeFileSync(dst, elf);
      console.log("fetch-guests: " + dst + " (" + elf.length + " bytes, payload magic " + hex + ")");
    ' "$vmlinuz" "$OUT/linux/vmlinux-686-pae.elf" || echo "fetch-guests: bzImage extraction failed" >&2
    rm -rf "$tmp"
  fi
fi

ls -l "$OUT"/grub-xen/usr/lib/grub-xen/ "$OUT"/linux/ 2>/dev/null
exit 0
