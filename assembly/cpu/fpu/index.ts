/**
 * Barrel of the x87 FPU handlers (docs/fpu.md), re-exported by ops/index.ts for the generated
 * dispatcher. Only handler names are exported, so helpers cannot collide with other families.
 */
export {
  fld_m32, fld_m64, fld_m80, fld_sti, fild_m16, fild_m32, fild_m64, fbld, fst_m32, fst_m64, fstp_m80, fst_sti,
  fist_m16, fist_m32, fistp_m64, fbstp, fxch, fcmov, fldconst, ffree, ffreep, fincstp, fdecstp, fnop,
} from "./loadstore";
export { farith_mem, farith_st0, farith_sti, fchs, fabs, fsqrt, frndint, fscale, fxtract, fprem, fprem1 } from "./arith";
export { fcom_mem, fcom_sti, fcompp, fucom, fcomi, ftst, fxam } from "./compare";
export { fsin, fcos, fsincos, fptan, f2xm1, fpatan, fyl2x, fyl2xp1 } from "./transc";
export {
  fnstenv, fldenv, fnsave, frstor, fxsave, fxrstor, fninit, fnclex, fnop287, fldcw, fnstcw, fnstsw_m16,
  fnstsw_ax, fwait,
} from "./env";
