/** Barrel of every instruction handler module; the generated dispatcher imports from here. */
export * from "./alu";
export * from "./basic";
export * from "../fpu/index";
