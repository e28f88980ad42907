/**
 * Rows: group 2 shifts and rotates (C0 C1 Ib, D0 D1 by 1, D2 D3 by CL: ROL ROR RCL RCR SHL SHR
 * SAL SAR) and the double shifts SHLD/SHRD (0F A4 A5 AC AD), per the SDM vol. 2 pages
 * "RCL/RCR/ROL/ROR", "SAL/SAR/SHL/SHR", "SHLD" and "SHRD".
 *
 * Conditionally undefined flags cannot be expressed in `flags.u`, so they are spelled out in the
 * notes and the `u` letters are the conservative superset for the form:
 *  - a masked count (count & 1F) of 0 changes no flags (and no register);
 *  - OF is defined only for a masked count of 1, so it is in `u` for the Ib and CL forms;
 *  - AF is undefined for SHL/SHR/SAR with a nonzero count;
 *  - CF is undefined for SHL/SHR when the masked count is >= the operand width (8/16-bit forms;
 *    the core gives the bit a bit-by-bit shift would leave, i.e. 0);
 *  - SHLD/SHRD with a 16-bit operand and a masked count > 16 leave the result and all flags
 *    undefined (the core computes a 48-bit DEST:SRC:DEST shift); generated tests must avoid them.
 */
import type { Row } from "../table-types.ts";

const NAMES = ["ROL", "ROR", "RCL", "RCR", "SHL", "SHR", "SAL", "SAR"];

const CNT_NOTE = "masked count 0 changes no flags; OF defined only for masked count 1";
const SHIFT_CNT_NOTE = CNT_NOTE + "; AF undefined; CF undefined for SHL/SHR when the masked count >= operand width (8/16-bit)";

function flagsFor(name: string, byOne: boolean): Row["flags"] {
  const rot = name.startsWith("RO") || name.startsWith("RC");
  const r = name.startsWith("RC") ? "C" : undefined;
  if (rot) return byOne ? { r, w: "CO" } : { r, w: "CO", u: "O" };
  return byOne ? { w: "CPAZSO", u: "A" } : { w: "CPAZSO", u: "AO" };
}

export const SHIFT_ROWS: Row[] = NAMES.flatMap((name, k): Row[] => {
  const rot = k < 4;
  const alias = k === 6 ? "SAL /6 is an undocumented alias of SHL /4 (Intel and AMD execute it as SHL); " : "";
  const cntNote = alias + (rot ? CNT_NOTE : SHIFT_CNT_NOTE);
  const oneNote = alias ? alias + "by-1 form" : undefined;
  const fc = flagsFor(name, false), f1 = flagsFor(name, true);
  return [
    { id: `${name}_EbIb`, op: 0xc0, reg: k, imm: "Ib", handler: "shift_EbIb", flags: fc, width: 8, note: cntNote },
    { id: `${name}_EvIb`, op: 0xc1, reg: k, imm: "Ib", handler: "shift_EvIb", flags: fc, width: "v", note: cntNote },
    { id: `${name}_Eb1`, op: 0xd0, reg: k, handler: "shift_Eb1", flags: f1, width: 8, note: oneNote },
    { id: `${name}_Ev1`, op: 0xd1, reg: k, handler: "shift_Ev1", flags: f1, width: "v", note: oneNote },
    { id: `${name}_EbCL`, op: 0xd2, reg: k, handler: "shift_EbCL", flags: fc, width: 8, note: cntNote },
    { id: `${name}_EvCL`, op: 0xd3, reg: k, handler: "shift_EvCL", flags: fc, width: "v", note: cntNote },
  ];
});

const DOUBLE_NOTE = "masked count 0 changes nothing; OF defined only for masked count 1; AF undefined; " +
  "16-bit operand with masked count > 16: result and flags undefined (tests must avoid)";
const DFLAGS = { w: "CPAZSO", u: "AO" };

SHIFT_ROWS.push(
  { id: "SHLD_EvGvIb", op: 0x1a4, modrm: true, imm: "Ib", handler: "shld_EvGvIb", flags: DFLAGS, width: "v", note: DOUBLE_NOTE },
  { id: "SHLD_EvGvCL", op: 0x1a5, modrm: true, handler: "shld_EvGvCL", flags: DFLAGS, width: "v", note: DOUBLE_NOTE },
  { id: "SHRD_EvGvIb", op: 0x1ac, modrm: true, imm: "Ib", handler: "shrd_EvGvIb", flags: DFLAGS, width: "v", note: DOUBLE_NOTE },
  { id: "SHRD_EvGvCL", op: 0x1ad, modrm: true, handler: "shrd_EvGvCL", flags: DFLAGS, width: "v", note: DOUBLE_NOTE },
);
