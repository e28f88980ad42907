/** Barrel of every instruction handler module; the generated dispatcher imports from here. */
export * from "./alu";
export * from "./basic";
export * from "./control";
export * from "./stack";
export * from "./datamove";
export * from "./string";
