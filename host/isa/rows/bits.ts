/**
 * Rows: bit tests and scans, byte swap and the condition-code forms (SDM vol. 2 pages BT, BTS,
 * BTR, BTC, BSF, BSR, BSWAP, SETcc, CMOVcc): 0F A3 AB B3 BB (Ev,Gv), 0F BA /4-/7 (Ev,Ib),
 * 0F BC BD, 0F C8-CF, 0F 90-9F, 0F 40-4F.
 */
import type { Row } from "../table-types.ts";

const CC = ["O", "NO", "B", "AE", "E", "NE", "BE", "A", "S", "NS", "P", "NP", "L", "GE", "LE", "G"];
const CC_FLAGS = ["O", "O", "C", "C", "Z", "Z", "CZ", "CZ", "S", "S", "P", "P", "SO", "SO", "ZSO", "ZSO"];
const BT_NAMES = ["BT", "BTS", "BTR", "BTC"];
const BT_OPS = [0x1a3, 0x1ab, 0x1b3, 0x1bb];
/** CF is the selected bit; ZF is unaffected; OF SF AF PF are undefined. */
const BT_FLAGS = { w: "CPASO", u: "PASO" };
const R = ["EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI"];

export const BIT_ROWS: Row[] = [
  ...BT_NAMES.map((n, i): Row => ({
    id: `${n}_EvGv`, op: BT_OPS[i], modrm: true, handler: "bt_EvGv", flags: BT_FLAGS, lock: i > 0, width: "v",
    note: "with a memory operand the signed bit offset in Gv also selects the word/dword (EA + (off SAR 4/5) * 2/4)",
  })),
  ...BT_NAMES.map((n, i): Row => ({
    id: `${n}_EvIb`, op: 0x1ba, reg: 4 + i, imm: "Ib", handler: "bt_EvIb", flags: BT_FLAGS, lock: i > 0, width: "v",
    note: "bit offset is imm8 modulo the operand width (no displacement); 0F BA /0-/3 are #UD",
  })),
  {
    id: "BSF_GvEv", op: 0x1bc, modrm: true, handler: "bsf_GvEv", flags: { w: "CPAZSO", u: "CPASO" }, width: "v",
    note: "source 0: ZF=1 and the destination is unchanged (SDM: undefined; what Intel and AMD processors do)",
  },
  {
    id: "BSR_GvEv", op: 0x1bd, modrm: true, handler: "bsr_GvEv", flags: { w: "CPAZSO", u: "CPASO" }, width: "v",
    note: "source 0: ZF=1 and the destination is unchanged (SDM: undefined; what Intel and AMD processors do)",
  },
  ...R.map((r, i): Row => ({
    id: `BSWAP_${r}`, op: 0x1c8 + i, handler: "bswap_R", width: 32,
    note: "16-bit operand size is undefined in the SDM (the core clears the low word, as Intel and AMD processors do); tests use 32 bits only",
  })),
  ...CC.map((cc, i): Row => ({
    id: `SET${cc}_Eb`, op: 0x190 + i, modrm: true, handler: "setcc_Eb", flags: { r: CC_FLAGS[i] }, width: 8,
    note: "ModRM.reg is ignored",
  })),
  ...CC.map((cc, i): Row => ({
    id: `CMOV${cc}_GvEv`, op: 0x140 + i, modrm: true, handler: "cmovcc_GvEv", flags: { r: CC_FLAGS[i] }, width: "v",
    note: "a memory source is read (and may fault) even when the condition is false; a false condition leaves the destination unchanged",
  })),
];
