/**
 * Reproduce one differential case from its protocol line:
 *   npx tsx tests/isa/repro.ts native|qemu '<CODE EAX ECX EDX EBX ESP EBP ESI EDI EFLAGS MEM>' [undefined-flag-letters]
 * Runs the line on the oracle and on ringone and prints both outcomes and the differences
 * (flags masked to CF PF AF ZF SF OF DF minus the given letters, e.g. "A" for logic ops).
 */
import { parseLine, flagBits, type OracleKind } from "./cases.ts";
import { Ringone, runOracle, compare, outcomeLine } from "./run.ts";

const [kind, line, u] = process.argv.slice(2);
if ((kind !== "native" && kind !== "qemu") || !line) {
  console.error("usage: npx tsx tests/isa/repro.ts native|qemu '<case line>' [undefined flags, e.g. AO]");
  process.exit(2);
}
const c = parseLine(line, kind as OracleKind, flagBits(u ?? ""));
const [o] = runOracle(c.oracle, [c]);
const r = new Ringone().run(c);
console.log(`oracle:  ${outcomeLine(o)}`);
console.log(`ringone: ${outcomeLine(r)}`);
const d = compare(c, o, r);
console.log(d.length ? d.map((x) => `diff: ${x}`).join("\n") : "agree");
process.exit(d.length ? 1 : 0);
