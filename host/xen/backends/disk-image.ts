/**
 * What a block backend serves: a raw disk image of 512-byte sectors, read-only unless asked
 * otherwise. FileDisk reads and writes the image file in place (positioned I/O, nothing cached);
 * MemoryDisk serves a byte array (tests). A trailing partial sector is not part of the disk.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from "node:fs";

export const SECTOR = 512;

export interface DiskImage {
  /** Whole 512-byte sectors. */
  readonly sectors: number;
  readonly readOnly: boolean;
  /** A short description for xenstore's `params` node. */
  readonly name: string;
  /** Fill `buf` from byte offset `pos` (the caller keeps it inside the disk). */
  read(pos: number, buf: Uint8Array): void;
  /** Write `buf` at byte offset `pos` (never called on a read-only disk). */
  write(pos: number, buf: Uint8Array): void;
}

export class MemoryDisk implements DiskImage {
  readonly sectors: number;
  constructor(readonly bytes: Uint8Array, readonly readOnly = true, readonly name = "memory") {
    this.sectors = Math.floor(bytes.length / SECTOR);
  }
  read(pos: number, buf: Uint8Array): void { buf.set(this.bytes.subarray(pos, pos + buf.length)); }
  write(pos: number, buf: Uint8Array): void { this.bytes.set(buf, pos); }
}

export class FileDisk implements DiskImage {
  readonly sectors: number;
  private fd: number;
  constructor(readonly name: string, readonly readOnly = true) {
    this.fd = openSync(name, readOnly ? "r" : "r+");
    const st = fstatSync(this.fd);
    if (!st.isFile() && !st.isBlockDevice()) { closeSync(this.fd); throw new Error(`${name}: not a regular file`); }
    this.sectors = Math.floor(st.size / SECTOR);
  }
  read(pos: number, buf: Uint8Array): void {
    let done = 0;
    while (done < buf.length) {
      const n = readSync(this.fd, buf, done, buf.length - done, pos + done);
      if (n <= 0) { buf.fill(0, done); return; } // the file shrank under us: zeros
      done += n;
    }
  }
  write(pos: number, buf: Uint8Array): void {
    let done = 0;
    while (done < buf.length) done += writeSync(this.fd, buf, done, buf.length - done, pos + done);
  }
  close(): void { closeSync(this.fd); }
}
