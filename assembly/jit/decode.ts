/**
 * The JIT's view of the decoder (docs/jit.md): jitDecode() decodes ONE instruction at a physical
 * address with the interpreter's own code (prefixes, then the generated decode-only dispatcher,
 * which runs decodeModrm and the immediate fetchers exactly as the executing one does) and fills
 * the JIT_DECODE record (layout.ts JD) for the host compiler: table row, length, prefixes, ModRM,
 * SIB, displacement, immediates. So there is one decoder, and the host never parses x86 bytes.
 *
 * Decoding never walks page tables or raises: the fetch cache is pointed at the block's physical
 * page and leaving it (or the CS limit) ends the decode with row -1 (fetch.ts jitDecoding).
 */
import { STATE, S_EIP, RAM_BASE, JIT_DECODE, JD_ROW, JD_LEN, JD_OPCODE, JD_MODRM, JD_SIB, JD_DISP, JD_IMM, JD_IMM2, JD_OS32, JD_AS32, JD_SEG, JD_REP, JD_LOCK, JD_HAS_MODRM } from "../gen/layout";
import { resetPrefixes, readPrefixes, isPrefix, setOpcode, clearOperands, os32, as32, segOverride, repPrefix, lockPrefix, modrmByte, sibByte, dispVal, imm, imm2, eaOff } from "../cpu/decode";
import { fetch8, setJitDecoding } from "../mmu/fetch";
import { setFetchCache, clearFetchCache } from "../mmu/tlb";
import { segBase, SR_CS } from "../cpu/state";
import { faulted, clearFault } from "../cpu/fault";
import { jitDecodeOp } from "../gen/dispatch";
import { jitRow, setJitRow } from "./decode-state";

export function jitDecode(phys: u32, eip: u32, code32: bool): i32 {
  const savedEip = load<u32>(STATE + S_EIP);
  const lin = segBase(SR_CS) + eip;
  setFetchCache(lin >>> 12, RAM_BASE + (phys & ~0xfff));
  setJitDecoding(true);
  store<u32>(STATE + S_EIP, eip);
  resetPrefixes(code32);
  clearOperands();
  setJitRow(-1);
  let op = fetch8();
  if (isPrefix(op)) op = readPrefixes(op, code32);
  if (!faulted && op == 0x0f) op = 0x100 | fetch8();
  if (!faulted) {
    setOpcode(op);
    jitDecodeOp(op);
  }
  const len = <i32>(load<u32>(STATE + S_EIP) - eip);
  const d = JIT_DECODE;
  store<i32>(d + JD_ROW, faulted ? -1 : jitRow);
  store<i32>(d + JD_LEN, len);
  store<i32>(d + JD_OPCODE, op);
  store<i32>(d + JD_MODRM, modrmByte);
  store<i32>(d + JD_SIB, sibByte);
  store<i32>(d + JD_DISP, modrmByte >= 0 ? dispVal : <i32>eaOff);
  store<i32>(d + JD_IMM, imm);
  store<i32>(d + JD_IMM2, imm2);
  store<i32>(d + JD_OS32, os32 ? 1 : 0);
  store<i32>(d + JD_AS32, as32 ? 1 : 0);
  store<i32>(d + JD_SEG, segOverride);
  store<i32>(d + JD_REP, repPrefix);
  store<i32>(d + JD_LOCK, lockPrefix ? 1 : 0);
  store<i32>(d + JD_HAS_MODRM, modrmByte >= 0 ? 1 : 0);
  clearFault();
  setJitDecoding(false);
  clearFetchCache();
  store<u32>(STATE + S_EIP, savedEip);
  return len;
}
