/** Barrel of every instruction handler module; the generated dispatcher imports from here. */
export * from "./alu";
export * from "./basic";
export * from "./arith";
export * from "./muldiv";
export * from "./shifts";
export * from "./bits";
export * from "./bcd";
export * from "./control";
export * from "./stack";
export * from "./datamove";
export * from "./string";
export * from "./seg"; export * from "./far"; export * from "./int"; export * from "./io"; export * from "./system"; export * from "./msr";
export * from "../fpu/index";
