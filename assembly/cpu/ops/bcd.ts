/**
 * Decimal and ASCII adjust (SDM vol. 2 pages DAA, DAS, AAA, AAS, AAM, AAD), following the SDM
 * pseudocode. Undefined flags get a fixed choice: DAA/DAS OF = 0; AAA/AAS SF ZF PF from AL and
 * OF = 0; AAM as a logical result in AL (CF OF AF = 0); AAD as the 8-bit ADD AL + AH * imm8.
 */
import { imm } from "../decode";
import { reg8, reg16, setReg16, setReg8, EAX } from "../state";
import { raise, DE } from "../fault";
import { getCF, getAF, setArith, setLazy, szp, CF, AF, L_LOGIC, L_ADD } from "../flags";

/** 27: decimal adjust AL after addition. */
export function daa(): void {
  const old = reg8(EAX);
  const oldCf = getCF();
  let al = old;
  let f = 0;
  if ((al & 0xf) > 9 || getAF()) { al = (al + 6) & 0xff; f |= AF; }
  if (old > 0x99 || oldCf) { al = (al + 0x60) & 0xff; f |= CF; }
  setReg8(EAX, al);
  setArith(f | szp(al, 0));
}

/** 2F: decimal adjust AL after subtraction. */
export function das(): void {
  const old = reg8(EAX);
  const oldCf = getCF();
  let al = old;
  let f = 0;
  if ((al & 0xf) > 9 || getAF()) {
    if (oldCf || al < 6) f |= CF;
    al = (al - 6) & 0xff;
    f |= AF;
  }
  if (old > 0x99 || oldCf) { al = (al - 0x60) & 0xff; f |= CF; }
  setReg8(EAX, al);
  setArith(f | szp(al, 0));
}

/** 37: ASCII adjust after addition: AX += 106H when adjusting (a carry out of AL reaches AH). */
export function aaa(): void {
  let ax = reg16(EAX);
  let f = 0;
  if ((ax & 0xf) > 9 || getAF()) { ax += 0x106; f = AF | CF; }
  ax &= 0xff0f;
  setReg16(EAX, ax);
  setArith(f | szp(ax & 0xff, 0));
}

/** 3F: ASCII adjust after subtraction: AX -= 6, then AH -= 1, when adjusting. */
export function aas(): void {
  let ax = reg16(EAX);
  let f = 0;
  if ((ax & 0xf) > 9 || getAF()) { ax = ax - 6 - 0x100; f = AF | CF; }
  ax &= 0xff0f;
  setReg16(EAX, ax);
  setArith(f | szp(ax & 0xff, 0));
}

/** D4 ib: AH = AL / imm8, AL = AL % imm8; #DE when imm8 = 0. */
export function aam(): void {
  const base = imm & 0xff;
  if (base == 0) { raise(DE, 0); return; }
  const al = reg8(EAX);
  const r = al % base;
  setReg16(EAX, ((al / base) << 8) | r);
  setLazy(L_LOGIC, 0, r, r, r);
}

/** D5 ib: AL = (AL + AH * imm8) & FF, AH = 0. */
export function aad(): void {
  const al = reg8(EAX);
  const p = (reg8(4) * (imm & 0xff)) & 0xff;
  const r = (al + p) & 0xff;
  setReg16(EAX, r);
  setLazy(L_ADD, 0, al + p, al, p);
}
