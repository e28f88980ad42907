/** Rows: the eight ALU operations (00-3D) and group 1 (80-83). */
import type { Row } from "../table-types.ts";

const NAMES = ["ADD", "OR", "ADC", "SBB", "AND", "SUB", "XOR", "CMP"];
const LOGIC = new Set(["OR", "AND", "XOR"]);

function flagsFor(name: string): Row["flags"] {
  const r = name === "ADC" || name === "SBB" ? "C" : "";
  return LOGIC.has(name) ? { r, w: "CPAZSO", u: "A" } : { r, w: "CPAZSO" };
}

export const ALU_ROWS: Row[] = NAMES.flatMap((name, k): Row[] => {
  const base = k << 3;
  const lock = name !== "CMP";
  const flags = flagsFor(name);
  return [
    { id: `${name}_EbGb`, op: base + 0, modrm: true, handler: "alu_EbGb", flags, lock, width: 8 },
    { id: `${name}_EvGv`, op: base + 1, modrm: true, handler: "alu_EvGv", flags, lock, width: "v" },
    { id: `${name}_GbEb`, op: base + 2, modrm: true, handler: "alu_GbEb", flags, width: 8 },
    { id: `${name}_GvEv`, op: base + 3, modrm: true, handler: "alu_GvEv", flags, width: "v" },
    { id: `${name}_ALIb`, op: base + 4, imm: "Ib", handler: "alu_ALIb", flags, width: 8 },
    { id: `${name}_eAXIz`, op: base + 5, imm: "Iz", handler: "alu_eAXIz", flags, width: "v" },
    { id: `${name}_EbIb`, op: 0x80, reg: k, imm: "Ib", handler: "grp1_EbIb", flags, lock, width: 8 },
    {
      id: `${name}_EbIb_82`, op: 0x82, reg: k, imm: "Ib", handler: "grp1_EbIb", flags, lock, width: 8, oracle: "qemu",
      note: "82 is an alias of 80 in 32-bit mode; #UD in 64-bit mode, so the host CPU cannot check it",
    },
    { id: `${name}_EvIz`, op: 0x81, reg: k, imm: "Iz", handler: "grp1_EvI", flags, lock, width: "v" },
    { id: `${name}_EvIbs`, op: 0x83, reg: k, imm: "Ibs", handler: "grp1_EvI", flags, lock, width: "v" },
  ];
});
