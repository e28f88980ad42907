/** Barrel of every instruction handler module; the generated dispatcher imports from here. */
export * from "./alu";
export * from "./basic";
export * from "./seg"; export * from "./far"; export * from "./int"; export * from "./io"; export * from "./system"; export * from "./msr";
