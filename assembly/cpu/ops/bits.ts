/**
 * Bit tests and scans, byte swap and the condition-code forms (SDM vol. 2 pages BT, BTS, BTR,
 * BTC, BSF, BSR, BSWAP, SETcc, CMOVcc).
 *
 * BT*: CF = the selected bit, ZF unaffected, OF SF AF PF undefined (left unchanged). With a memory
 * operand and a register bit offset, the offset is signed and addresses beyond the operand:
 * EA + 4 * (offset SAR 5) (32-bit) or EA + 2 * (offset SAR 4) (16-bit), bit offset & 31 / & 15.
 * BSF/BSR: a zero source sets ZF and leaves the destination unchanged (what P6 does; the SDM says
 * undefined); the other flags are left unchanged.
 */
import { opcode, modReg, modIsReg, imm, os32, as32, eaSeg, eaOff } from "../decode";
import { writeE8, readEv, rmwEv, writeEv, readGv, writeGv } from "../operands";
import { reg32, setReg32, setReg16 } from "../state";
import { faulted } from "../fault";
import { setEflagsBits, testCC, CF, ZF } from "../flags";
import { read16, read32, write16, write32, rmwRead16, rmwRead32 } from "../../mmu/access";

export const BT_TEST = 0, BT_SET = 1, BT_RESET = 2, BT_COMPLEMENT = 3;

// @ts-ignore: decorator
@inline function btApply(k: i32, v: i32, bit: i32): i32 {
  const m = 1 << bit;
  return k == BT_SET ? v | m : (k == BT_RESET ? v & ~m : v ^ m);
}

/** 0F A3 AB B3 BB: BT BTS BTR BTC Ev,Gv (operation from opcode bits 3..4). */
export function bt_EvGv(): void {
  const k = (opcode >> 3) & 3;
  let v: i32, bit: i32;
  if (modIsReg) {
    bit = readGv() & (os32 ? 31 : 15);
    v = readEv();
    if (k != BT_TEST) writeEv(btApply(k, v, bit));
  } else {
    const off: i32 = os32 ? readGv() : <i32><i16>readGv();
    let addr: u32 = eaOff + <u32>(os32 ? (off >> 5) << 2 : (off >> 4) << 1);
    if (!as32) addr &= 0xffff;
    bit = off & (os32 ? 31 : 15);
    if (k == BT_TEST) {
      v = os32 ? read32(eaSeg, addr) : read16(eaSeg, addr);
      if (faulted) return;
    } else {
      v = os32 ? rmwRead32(eaSeg, addr) : rmwRead16(eaSeg, addr);
      if (faulted) return;
      if (os32) write32(eaSeg, addr, btApply(k, v, bit));
      else write16(eaSeg, addr, btApply(k, v, bit));
    }
  }
  setEflagsBits(((v >>> bit) & 1) != 0 ? CF : 0, CF);
}

/** 0F BA /4-/7 Ib: the bit offset is imm8 modulo the operand width. */
export function bt_EvIb(): void {
  const k = modReg - 4;
  const bit = imm & (os32 ? 31 : 15);
  const v = k == BT_TEST ? readEv() : rmwEv();
  if (faulted) return;
  if (k != BT_TEST) writeEv(btApply(k, v, bit));
  setEflagsBits(((v >>> bit) & 1) != 0 ? CF : 0, CF);
}

/** 0F BC: index of the lowest set bit. */
export function bsf_GvEv(): void {
  const v = readEv(); // zero-extended for 16-bit operands
  if (faulted) return;
  if (v == 0) { setEflagsBits(ZF, ZF); return; }
  writeGv(ctz<i32>(v));
  setEflagsBits(0, ZF);
}
/** 0F BD: index of the highest set bit. */
export function bsr_GvEv(): void {
  const v = readEv();
  if (faulted) return;
  if (v == 0) { setEflagsBits(ZF, ZF); return; }
  writeGv(31 - clz<i32>(v));
  setEflagsBits(0, ZF);
}

/** 0F C8+r. A 16-bit operand size is undefined in the SDM; P6-and-later parts clear the low word. */
export function bswap_R(): void {
  const r = opcode & 7;
  if (os32) setReg32(r, bswap<i32>(reg32(r)));
  else setReg16(r, 0);
}

/** 0F 90-9F: Eb = condition ? 1 : 0 (ModRM.reg ignored). */
export function setcc_Eb(): void { writeE8(testCC(opcode & 15) ? 1 : 0); }

/** 0F 40-4F: the source is read (and may fault) whatever the condition. */
export function cmovcc_GvEv(): void {
  const v = readEv();
  if (faulted) return;
  if (testCC(opcode & 15)) writeGv(v);
}

