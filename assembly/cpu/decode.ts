/**
 * Per-instruction decode state: prefixes, ModRM/SIB effective address, immediates.
 * The generated dispatcher (gen/dispatch.ts, from host/isa/x86-table.ts) calls decodeModrm() and
 * the immediate fetchers as the table says, then the handler reads these globals. Nothing here is
 * architectural state; it lives in Wasm globals and is rebuilt for every instruction.
 *
 * Effective addresses (SDM vol. 2, 2.1.5): 32-bit forms use SIB and disp8/disp32; 16-bit forms use
 * the BX/BP/SI/DI pairs and wrap at 64 KiB. BP/ESP/EBP bases default to SS.
 */
import { reg32, reg16, SR_DS, SR_SS } from "./state";
import { fetch8, fetch16, fetch32 } from "../mmu/fetch";
import { STATE, S_EIP } from "../gen/layout";
import { raise, GP } from "./fault";

/** Operand size is 32 bits (CS.D xor 0x66 prefix). */
export let os32: bool = true;
/** Address size is 32 bits (CS.D xor 0x67 prefix). */
export let as32: bool = true;
/** Segment override (SR_*), or -1. */
export let segOverride: i32 = -1;
/** REP prefix: 0, 0xF3 (REP/REPE) or 0xF2 (REPNE). */
export let repPrefix: i32 = 0;
export let lockPrefix: bool = false;

/** The opcode being executed: 0x00..0xFF, or 0x100 | byte for the 0F map. */
export let opcode: i32 = 0;
// @ts-ignore: decorator
@inline export function setOpcode(v: i32): void { opcode = v; }
export let modrmByte: i32 = 0;
/** SIB byte and displacement of the last memory operand (the JIT's decoder reads them; -1: no SIB). */
export let sibByte: i32 = -1;
export let dispVal: i32 = 0;
export let modReg: i32 = 0;
export let modRm: i32 = 0;
export let modIsReg: bool = false;
/** Effective offset (already wrapped to the address size) and its segment. */
export let eaOff: u32 = 0;
export let eaSeg: i32 = SR_DS;
/** Base register of a 32-bit effective address (0..7), or -1 (none, or 16-bit addressing). POP Ev uses it. */
export let eaBase: i32 = -1;
export let imm: i32 = 0;
export let imm2: i32 = 0;

/** EIP of the current instruction's first byte (REP string chunks rewind to it). */
export let insnStart: u32 = 0;

export function resetPrefixes(code32: bool): void {
  insnStart = load<u32>(STATE + S_EIP);
  os32 = code32;
  as32 = code32;
  segOverride = -1;
  repPrefix = 0;
  lockPrefix = false;
}
/** Before a decode-only pass (assembly/jit/decode.ts): mark ModRM, SIB and immediates absent. */
export function clearOperands(): void { modrmByte = -1; sibByte = -1; dispVal = 0; imm = 0; imm2 = 0; eaOff = 0; }
/**
 * Load the whole decode state for one instruction run by compiled code's generic path
 * (assembly/jit/enter.ts jitSetup); `packed` is documented there.
 */
export function loadDecode(packed: i32, ea: u32, i1: i32, i2: i32, start: u32): void {
  opcode = packed & 0x1ff;
  const m = (packed >> 9) & 0xff;
  modrmByte = m;
  modReg = (m >> 3) & 7;
  modRm = m & 7;
  modIsReg = (packed & (1 << 26)) != 0;
  os32 = (packed & (1 << 17)) != 0;
  as32 = (packed & (1 << 18)) != 0;
  const so = (packed >> 19) & 7;
  segOverride = so == 7 ? -1 : so;
  const rp = (packed >> 22) & 3;
  repPrefix = rp == 0 ? 0 : (rp == 1 ? 0xf3 : 0xf2);
  lockPrefix = (packed & (1 << 24)) != 0;
  eaSeg = (packed >> 27) & 7;
  eaBase = (packed & (1 << 25)) != 0 ? 4 : -1; // only "the base is ESP" matters (POP Ev)
  eaOff = ea;
  imm = i1;
  imm2 = i2;
  insnStart = start;
}

// @ts-ignore: decorator
@inline export function setOs32(v: bool): void { os32 = v; }
// @ts-ignore: decorator
@inline export function setAs32(v: bool): void { as32 = v; }
// @ts-ignore: decorator
@inline export function setSegOverride(v: i32): void { segOverride = v; }
// @ts-ignore: decorator
@inline export function setRep(v: i32): void { repPrefix = v; }
// @ts-ignore: decorator
@inline export function setLock(v: bool): void { lockPrefix = v; }
// @ts-ignore: decorator
@inline export function setImm(v: i32): void { imm = v; }
// @ts-ignore: decorator
@inline export function setImm2(v: i32): void { imm2 = v; }
// @ts-ignore: decorator
@inline export function setEaOff(v: u32): void { eaOff = v; }

/** The data segment for string sources and plain memory operands: DS unless overridden. */
// @ts-ignore: decorator
@inline export function dataSeg(): i32 { return segOverride >= 0 ? segOverride : SR_DS; }

export function decodeModrm(): void {
  const b = fetch8();
  modrmByte = b;
  modReg = (b >> 3) & 7;
  modRm = b & 7;
  const mod = b >> 6;
  if (mod == 3) { modIsReg = true; return; }
  modIsReg = false;
  eaBase = -1;
  sibByte = -1;
  dispVal = 0;
  let seg = SR_DS;
  let off: u32 = 0;
  if (as32) {
    let rm = b & 7;
    if (rm == 4) {
      const sib = fetch8();
      sibByte = sib;
      const base = sib & 7;
      const index = (sib >> 3) & 7;
      const scale = sib >> 6;
      if (index != 4) off = (<u32>reg32(index)) << scale;
      if (base == 5 && mod == 0) {
        dispVal = fetch32();
        off += <u32>dispVal;
      } else {
        off += <u32>reg32(base);
        eaBase = base;
        if (base == 4 || base == 5) seg = SR_SS;
      }
    } else if (rm == 5 && mod == 0) {
      dispVal = fetch32();
      off = <u32>dispVal;
    } else {
      off = <u32>reg32(rm);
      eaBase = rm;
      if (rm == 5) seg = SR_SS;
    }
    if (mod == 1) { dispVal = <i8>fetch8(); off += <u32>dispVal; }
    else if (mod == 2) { dispVal = fetch32(); off += <u32>dispVal; }
  } else {
    const rm = b & 7;
    switch (rm) {
      case 0: off = <u32>(reg16(3) + reg16(6)); break; // BX+SI
      case 1: off = <u32>(reg16(3) + reg16(7)); break; // BX+DI
      case 2: off = <u32>(reg16(5) + reg16(6)); seg = SR_SS; break; // BP+SI
      case 3: off = <u32>(reg16(5) + reg16(7)); seg = SR_SS; break; // BP+DI
      case 4: off = <u32>reg16(6); break;
      case 5: off = <u32>reg16(7); break;
      case 6:
        if (mod == 0) { dispVal = fetch16(); off = <u32>dispVal; }
        else { off = <u32>reg16(5); seg = SR_SS; }
        break;
      default: off = <u32>reg16(3); break;
    }
    if (mod == 1) { dispVal = <i8>fetch8(); off += <u32>dispVal; }
    else if (mod == 2) { dispVal = fetch16(); off += <u32>dispVal; }
    off &= 0xffff;
  }
  eaOff = off;
  eaSeg = segOverride >= 0 ? segOverride : seg;
}

/**
 * Legacy prefixes (SDM vol. 2, 2.1.1) after the first byte `op` was found to be one: applies them
 * to the decode state and returns the first non-prefix byte; more than 14 prefixes raise #GP(0).
 */
export function readPrefixes(op: i32, code32: bool): i32 {
  let prefixes = 0;
  while (true) {
    switch (op) {
      case 0x66: os32 = !code32; break;
      case 0x67: as32 = !code32; break;
      case 0x26: segOverride = 0; break;
      case 0x2e: segOverride = 1; break;
      case 0x36: segOverride = 2; break;
      case 0x3e: segOverride = 3; break;
      case 0x64: segOverride = 4; break;
      case 0x65: segOverride = 5; break;
      case 0xf0: lockPrefix = true; break;
      case 0xf2: repPrefix = 0xf2; break;
      default: repPrefix = 0xf3; break;
    }
    if (++prefixes >= 15) { raise(GP, 0); return op; }
    op = fetch8();
    if (!isPrefix(op)) return op;
  }
}

/** Bit (op & 31) of word (op >> 5) is set for the legacy prefix bytes 26 2E 36 3E 64 65 66 67 F0 F2 F3. */
// @ts-ignore: decorator
@inline export function isPrefix(op: i32): bool {
  const w = op >> 5;
  const mask: u32 = w == 1 ? 0x40404040 : (w == 3 ? 0xf0 : (w == 7 ? 0xd0000 : 0));
  return (mask & (1 << (op & 31))) != 0;
}

/** Immediate fetchers named after the table's immediate kinds. */
export function fetchIb(): void { imm = fetch8(); }
export function fetchIbs(): void { imm = <i8>fetch8(); }
export function fetchIw(): void { imm = fetch16(); }
export function fetchIz(): void { imm = os32 ? fetch32() : fetch16(); }
export function fetchIzs(): void { imm = os32 ? fetch32() : <i16>fetch16(); }
export function fetchIwIb(): void { imm = fetch16(); imm2 = fetch8(); }
export function fetchAp(): void { imm = os32 ? fetch32() : fetch16(); imm2 = fetch16(); }
export function fetchJb(): void { imm = <i8>fetch8(); }
export function fetchJz(): void { imm = os32 ? fetch32() : <i16>fetch16(); }
/** moffs: an address-size offset with no ModRM; sets eaOff/eaSeg like a memory operand. */
export function fetchO(): void {
  eaOff = as32 ? <u32>fetch32() : <u32>fetch16();
  eaSeg = dataSeg();
  modIsReg = false;
}
