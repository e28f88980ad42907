/**
 * Rows: the x87 FPU (D8-DF escape opcodes, FWAIT 9B, FXSAVE/FXRSTOR 0F AE /0 /1), one row per
 * form: memory forms by ModRM.reg, register forms by ModRM.reg and, for the D9/DA/DB/DE/DF
 * one-byte-suffix forms, by ModRM.rm (SDM vol. 2, table A-7..A-22). Handlers: assembly/cpu/fpu.
 * Values are kept as f64 (docs/fpu.md): rows whose results can differ from the hardware's 80-bit
 * arithmetic say so in `note`, for the differential tests to compare at f64 precision.
 */
import type { Row } from "../table-types.ts";

const F64 = "compare at f64 precision: results are computed in f64, not 80-bit";
const TRANS = "f64 library function (docs/fpu.md): compare loosely, and not FPREM-style exactness";
const PTRS = "image holds FIP/FDP/FCS/FDS, which depend on addresses: mask them";
const ALIAS = "undocumented alias (executes on Intel P6 and later)";

const ARITH = ["FADD", "FMUL", "FCOM", "FCOMP", "FSUB", "FSUBR", "FDIV", "FDIVR"];
const ARITH_R = ["FADD", "FMUL", "FCOM2", "FCOMP3", "FSUBR", "FSUB", "FDIVR", "FDIV"]; // DC/DE register forms
const CMOV = ["FCMOVB", "FCMOVE", "FCMOVBE", "FCMOVU"];
const CMOV_FLAGS = ["C", "Z", "CZ", "P"];

function memGroup(op: number, suffix: string, int: boolean): Row[] {
  return ARITH.map((n, reg): Row => {
    const cmp = reg === 2 || reg === 3;
    const name = int ? n.replace(/^F/, "FI") : n;
    return {
      id: `${name}_${suffix}`, op, reg, mod: "mem", handler: cmp ? "fcom_mem" : "farith_mem",
      ...(cmp ? {} : { note: F64 }),
    };
  });
}

const D9_E: [number, number, string, string, string?][] = [
  // reg, rm, id, handler, note
  [2, 0, "FNOP", "fnop"],
  [4, 0, "FCHS", "fchs"],
  [4, 1, "FABS", "fabs"],
  [4, 4, "FTST", "ftst"],
  [4, 5, "FXAM", "fxam"],
  [5, 0, "FLD1", "fldconst"],
  [5, 1, "FLDL2T", "fldconst"],
  [5, 2, "FLDL2E", "fldconst"],
  [5, 3, "FLDPI", "fldconst"],
  [5, 4, "FLDLG2", "fldconst"],
  [5, 5, "FLDLN2", "fldconst"],
  [5, 6, "FLDZ", "fldconst"],
  [6, 0, "F2XM1", "f2xm1", TRANS],
  [6, 1, "FYL2X", "fyl2x", TRANS],
  [6, 2, "FPTAN", "fptan", TRANS],
  [6, 3, "FPATAN", "fpatan", TRANS],
  [6, 4, "FXTRACT", "fxtract"],
  [6, 5, "FPREM1", "fprem1"],
  [6, 6, "FDECSTP", "fdecstp"],
  [6, 7, "FINCSTP", "fincstp"],
  [7, 0, "FPREM", "fprem"],
  [7, 1, "FYL2XP1", "fyl2xp1", TRANS],
  [7, 2, "FSQRT", "fsqrt", F64],
  [7, 3, "FSINCOS", "fsincos", TRANS],
  [7, 4, "FRNDINT", "frndint"],
  [7, 5, "FSCALE", "fscale"],
  [7, 6, "FSIN", "fsin", TRANS],
  [7, 7, "FCOS", "fcos", TRANS],
];

export const FPU_ROWS: Row[] = [
  // D8: m32real / ST(0),ST(i)
  ...memGroup(0xd8, "m32", false),
  ...ARITH.map((n, reg): Row => ({
    id: `${n}_ST0_STi`, op: 0xd8, reg, mod: "reg",
    handler: reg === 2 || reg === 3 ? "fcom_sti" : "farith_st0", ...(reg === 2 || reg === 3 ? {} : { note: F64 }),
  })),
  // D9
  { id: "FLD_m32", op: 0xd9, reg: 0, mod: "mem", handler: "fld_m32" },
  { id: "FST_m32", op: 0xd9, reg: 2, mod: "mem", handler: "fst_m32" },
  { id: "FSTP_m32", op: 0xd9, reg: 3, mod: "mem", handler: "fst_m32" },
  { id: "FLDENV", op: 0xd9, reg: 4, mod: "mem", handler: "fldenv", width: "v", note: PTRS },
  { id: "FLDCW", op: 0xd9, reg: 5, mod: "mem", handler: "fldcw" },
  { id: "FNSTENV", op: 0xd9, reg: 6, mod: "mem", handler: "fnstenv", width: "v", note: PTRS },
  { id: "FNSTCW", op: 0xd9, reg: 7, mod: "mem", handler: "fnstcw" },
  { id: "FLD_STi", op: 0xd9, reg: 0, mod: "reg", handler: "fld_sti" },
  { id: "FXCH_STi", op: 0xd9, reg: 1, mod: "reg", handler: "fxch" },
  { id: "FSTP1_STi", op: 0xd9, reg: 3, mod: "reg", handler: "fst_sti", note: ALIAS },
  ...D9_E.map(([reg, rm, id, handler, note]): Row => ({ id, op: 0xd9, reg, rm, handler, ...(note ? { note } : {}) })),
  // DA: m32int / FCMOVcc, FUCOMPP
  ...memGroup(0xda, "m32int", true),
  ...CMOV.map((id, reg): Row => ({ id, op: 0xda, reg, mod: "reg", handler: "fcmov", flags: { r: CMOV_FLAGS[reg] } })),
  { id: "FUCOMPP", op: 0xda, reg: 5, rm: 1, handler: "fucom" },
  // DB
  { id: "FILD_m32int", op: 0xdb, reg: 0, mod: "mem", handler: "fild_m32" },
  { id: "FIST_m32int", op: 0xdb, reg: 2, mod: "mem", handler: "fist_m32" },
  { id: "FISTP_m32int", op: 0xdb, reg: 3, mod: "mem", handler: "fist_m32" },
  { id: "FLD_m80", op: 0xdb, reg: 5, mod: "mem", handler: "fld_m80" },
  { id: "FSTP_m80", op: 0xdb, reg: 7, mod: "mem", handler: "fstp_m80" },
  ...CMOV.map((id, reg): Row => ({
    id: id.replace("FCMOV", "FCMOVN"), op: 0xdb, reg, mod: "reg", handler: "fcmov", flags: { r: CMOV_FLAGS[reg] },
  })),
  { id: "FNENI", op: 0xdb, reg: 4, rm: 0, handler: "fnop287", note: "8087 only; a no-op since the 387" },
  { id: "FNDISI", op: 0xdb, reg: 4, rm: 1, handler: "fnop287", note: "8087 only; a no-op since the 387" },
  { id: "FNCLEX", op: 0xdb, reg: 4, rm: 2, handler: "fnclex" },
  { id: "FNINIT", op: 0xdb, reg: 4, rm: 3, handler: "fninit" },
  { id: "FNSETPM", op: 0xdb, reg: 4, rm: 4, handler: "fnop287", note: "287 only; a no-op since the 387" },
  { id: "FUCOMI_STi", op: 0xdb, reg: 5, mod: "reg", handler: "fcomi", flags: { w: "CPAZSO" } },
  { id: "FCOMI_STi", op: 0xdb, reg: 6, mod: "reg", handler: "fcomi", flags: { w: "CPAZSO" } },
  // DC: m64real / ST(i),ST(0)
  ...memGroup(0xdc, "m64", false),
  ...ARITH_R.map((n, reg): Row => ({
    id: `${n}_STi_ST0`, op: 0xdc, reg, mod: "reg",
    handler: reg === 2 || reg === 3 ? "fcom_sti" : "farith_sti",
    note: reg === 2 || reg === 3 ? ALIAS : F64,
  })),
  // DD
  { id: "FLD_m64", op: 0xdd, reg: 0, mod: "mem", handler: "fld_m64" },
  { id: "FST_m64", op: 0xdd, reg: 2, mod: "mem", handler: "fst_m64" },
  { id: "FSTP_m64", op: 0xdd, reg: 3, mod: "mem", handler: "fst_m64" },
  { id: "FRSTOR", op: 0xdd, reg: 4, mod: "mem", handler: "frstor", width: "v", note: PTRS },
  { id: "FNSAVE", op: 0xdd, reg: 6, mod: "mem", handler: "fnsave", width: "v", note: PTRS },
  { id: "FNSTSW_m16", op: 0xdd, reg: 7, mod: "mem", handler: "fnstsw_m16" },
  { id: "FFREE_STi", op: 0xdd, reg: 0, mod: "reg", handler: "ffree" },
  { id: "FXCH4_STi", op: 0xdd, reg: 1, mod: "reg", handler: "fxch", note: ALIAS },
  { id: "FST_STi", op: 0xdd, reg: 2, mod: "reg", handler: "fst_sti" },
  { id: "FSTP_STi", op: 0xdd, reg: 3, mod: "reg", handler: "fst_sti" },
  { id: "FUCOM_STi", op: 0xdd, reg: 4, mod: "reg", handler: "fucom" },
  { id: "FUCOMP_STi", op: 0xdd, reg: 5, mod: "reg", handler: "fucom" },
  // DE: m16int / ST(i),ST(0) and pop
  ...memGroup(0xde, "m16int", true),
  ...ARITH_R.map((n, reg): Row | null => {
    if (reg === 3) return null;
    const id = reg === 2 ? "FCOMP5_STi" : `${n}P_STi_ST0`;
    return {
      id, op: 0xde, reg, mod: "reg", handler: reg === 2 ? "fcom_sti" : "farith_sti", note: reg === 2 ? ALIAS : F64,
    };
  }).filter((r): r is Row => r !== null),
  { id: "FCOMPP", op: 0xde, reg: 3, rm: 1, handler: "fcompp" },
  // DF
  { id: "FILD_m16int", op: 0xdf, reg: 0, mod: "mem", handler: "fild_m16" },
  { id: "FIST_m16int", op: 0xdf, reg: 2, mod: "mem", handler: "fist_m16" },
  { id: "FISTP_m16int", op: 0xdf, reg: 3, mod: "mem", handler: "fist_m16" },
  { id: "FBLD_m80bcd", op: 0xdf, reg: 4, mod: "mem", handler: "fbld" },
  { id: "FILD_m64int", op: 0xdf, reg: 5, mod: "mem", handler: "fild_m64" },
  { id: "FBSTP_m80bcd", op: 0xdf, reg: 6, mod: "mem", handler: "fbstp" },
  { id: "FISTP_m64int", op: 0xdf, reg: 7, mod: "mem", handler: "fistp_m64" },
  { id: "FFREEP_STi", op: 0xdf, reg: 0, mod: "reg", handler: "ffreep", note: ALIAS },
  { id: "FXCH7_STi", op: 0xdf, reg: 1, mod: "reg", handler: "fxch", note: ALIAS },
  { id: "FSTP8_STi", op: 0xdf, reg: 2, mod: "reg", handler: "fst_sti", note: ALIAS },
  { id: "FSTP9_STi", op: 0xdf, reg: 3, mod: "reg", handler: "fst_sti", note: ALIAS },
  { id: "FNSTSW_AX", op: 0xdf, reg: 4, rm: 0, handler: "fnstsw_ax" },
  { id: "FUCOMIP_STi", op: 0xdf, reg: 5, mod: "reg", handler: "fcomi", flags: { w: "CPAZSO" } },
  { id: "FCOMIP_STi", op: 0xdf, reg: 6, mod: "reg", handler: "fcomi", flags: { w: "CPAZSO" } },
  // FWAIT and FXSAVE/FXRSTOR
  { id: "FWAIT", op: 0x9b, handler: "fwait", note: "#MF for a pending unmasked x87 exception (CR0.NE=1)" },
  { id: "FXSAVE", op: 0x1ae, reg: 0, mod: "mem", handler: "fxsave", note: PTRS },
  { id: "FXRSTOR", op: 0x1ae, reg: 1, mod: "mem", handler: "fxrstor", note: PTRS },
  // Fences (register forms of 0F AE /5 /6 /7): the core executes in order with no store buffer, so
  // they order nothing further. Xen requires SSE2 hardware and PV guests (GRUB) use MFENCE freely.
  { id: "LFENCE", op: 0x1ae, reg: 5, mod: "reg", handler: "nop", note: "serialises nothing more: in-order core" },
  { id: "MFENCE", op: 0x1ae, reg: 6, mod: "reg", handler: "nop", note: "in-order core without a store buffer" },
  { id: "SFENCE", op: 0x1ae, reg: 7, mod: "reg", handler: "nop", note: "in-order core without a store buffer" },
];
