/**
 * A bounds-checked ELF32 reader (little-endian, i386). Every offset is checked against the file
 * before it is read; a malformed file gives an ElfError naming the problem, never a RangeError or a
 * partial load. Program headers, section headers and notes (PT_NOTE and SHT_NOTE) are decoded.
 */

export class ElfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ElfError";
  }
}

export interface ProgramHeader {
  type: number; offset: number; vaddr: number; paddr: number; filesz: number; memsz: number; flags: number; align: number;
}
export interface SectionHeader {
  name: string; type: number; flags: number; addr: number; offset: number; size: number;
}
export interface ElfNote { name: string; type: number; desc: Uint8Array; }

export const PT_LOAD = 1, PT_NOTE = 4, SHT_NOTE = 7;

export class Elf32 {
  readonly data: Uint8Array;
  readonly dv: DataView;
  readonly entry: number;
  readonly machine: number;
  readonly type: number;
  readonly phdrs: ProgramHeader[] = [];
  readonly shdrs: SectionHeader[] = [];

  constructor(data: Uint8Array, what = "kernel") {
    this.data = data;
    this.dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    if (data.length < 52) throw new ElfError(`${what}: file too short for an ELF header (${data.length} bytes)`);
    if (data[0] !== 0x7f || data[1] !== 0x45 || data[2] !== 0x4c || data[3] !== 0x46) throw new ElfError(`${what}: not an ELF file (bad magic)`);
    if (data[4] !== 1) throw new ElfError(`${what}: not a 32-bit ELF (EI_CLASS=${data[4]}); ringone runs i386 kernels`);
    if (data[5] !== 1) throw new ElfError(`${what}: not little-endian (EI_DATA=${data[5]})`);
    this.type = this.u16(16);
    this.machine = this.u16(18);
    if (this.machine !== 3) throw new ElfError(`${what}: e_machine is ${this.machine}, not EM_386 (3)`);
    this.entry = this.u32(24);
    const phoff = this.u32(28), shoff = this.u32(32);
    const phentsize = this.u16(42), phnum = this.u16(44), shentsize = this.u16(46), shnum = this.u16(48), shstrndx = this.u16(50);
    if (phnum > 0) {
      if (phentsize < 32) throw new ElfError(`${what}: e_phentsize ${phentsize} is too small`);
      this.need(phoff, phentsize * phnum, "program header table");
      for (let i = 0; i < phnum; i++) {
        const o = phoff + i * phentsize;
        const ph: ProgramHeader = {
          type: this.u32(o), offset: this.u32(o + 4), vaddr: this.u32(o + 8), paddr: this.u32(o + 12),
          filesz: this.u32(o + 16), memsz: this.u32(o + 20), flags: this.u32(o + 24), align: this.u32(o + 28),
        };
        if (ph.type === PT_LOAD || ph.type === PT_NOTE) this.need(ph.offset, ph.filesz, `segment ${i}`);
        if (ph.type === PT_LOAD && ph.memsz < ph.filesz) throw new ElfError(`${what}: segment ${i} has p_memsz < p_filesz`);
        this.phdrs.push(ph);
      }
    }
    if (shnum > 0 && shoff !== 0) {
      if (shentsize < 40) throw new ElfError(`${what}: e_shentsize ${shentsize} is too small`);
      this.need(shoff, shentsize * shnum, "section header table");
      const raw: { nameOff: number; type: number; flags: number; addr: number; offset: number; size: number }[] = [];
      for (let i = 0; i < shnum; i++) {
        const o = shoff + i * shentsize;
        raw.push({ nameOff: this.u32(o), type: this.u32(o + 4), flags: this.u32(o + 8), addr: this.u32(o + 12), offset: this.u32(o + 16), size: this.u32(o + 20) });
      }
      const strtab = shstrndx < raw.length ? raw[shstrndx] : undefined;
      for (const s of raw) {
        let name = "";
        if (strtab && strtab.type !== 8 && s.nameOff < strtab.size && strtab.offset + strtab.size <= data.length) {
          name = this.cstr(strtab.offset + s.nameOff, strtab.offset + strtab.size);
        }
        if (s.type !== 8 /* NOBITS */ && s.type !== 0) this.need(s.offset, s.size, `section "${name}"`);
        this.shdrs.push({ name, type: s.type, flags: s.flags, addr: s.addr, offset: s.offset, size: s.size });
      }
    }
  }

  private need(off: number, len: number, what: string): void {
    if (off + len > this.data.length || off < 0 || len < 0) {
      throw new ElfError(`${what} at offset 0x${off.toString(16)} (+${len}) runs past the end of the file (${this.data.length} bytes)`);
    }
  }
  u16(o: number): number { return this.dv.getUint16(o, true); }
  u32(o: number): number { return this.dv.getUint32(o, true); }
  cstr(o: number, end: number): string {
    let s = "";
    for (let i = o; i < end && this.data[i] !== 0; i++) s += String.fromCharCode(this.data[i]);
    return s;
  }

  /** Notes from PT_NOTE segments, or from SHT_NOTE sections when there are none. */
  notes(): ElfNote[] {
    const out: ElfNote[] = [];
    const parse = (off: number, size: number) => {
      let p = off;
      const end = off + size;
      while (p + 12 <= end) {
        const namesz = this.u32(p), descsz = this.u32(p + 4), type = this.u32(p + 8);
        const nameOff = p + 12, descOff = nameOff + ((namesz + 3) & ~3);
        const next = descOff + ((descsz + 3) & ~3);
        if (next > end || namesz > size || descsz > size) throw new ElfError(`note at offset 0x${p.toString(16)} overruns its segment`);
        out.push({ name: this.cstr(nameOff, nameOff + namesz), type, desc: this.data.subarray(descOff, descOff + descsz) });
        p = next;
      }
    };
    const seg = this.phdrs.filter((p) => p.type === PT_NOTE);
    if (seg.length) for (const p of seg) parse(p.offset, p.filesz);
    else for (const s of this.shdrs.filter((s) => s.type === SHT_NOTE)) parse(s.offset, s.size);
    return out;
  }

  section(name: string): SectionHeader | undefined { return this.shdrs.find((s) => s.name === name); }
}
