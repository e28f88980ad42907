/**
 * Bad guest behaviour never crashes the host: random instruction streams in real mode and in flat
 * 32-bit protected mode (ring 0 and ring 3), with and without exception interception, always end
 * in a defined exit reason, never a JavaScript exception or a Wasm trap. Seeds are printed on failure.
 */
import { describe, expect, it } from "vitest";
import { Cpu } from "../../host/core/cpu.ts";
import { ExitReason, S, SEG, SEG_CS, SEG_SIZE, X } from "../../host/isa/layout.ts";

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}

const REASONS = new Set<number>(Object.values(ExitReason));

describe("random instruction streams", () => {
  const modes = [
    { name: "real mode", setup: (c: Cpu) => { c.setState32(S.SEGS + SEG_SIZE * SEG_CS + SEG.SEL, 0); c.setState32(S.SEGS + SEG_SIZE * SEG_CS + SEG.BASE, 0); } },
    { name: "flat ring 0", setup: (c: Cpu) => c.core.setFlat32(0) },
    { name: "flat ring 3", setup: (c: Cpu) => c.core.setFlat32(3) },
  ];
  for (const mode of modes) {
    for (const intercept of [0, 0xffffffff]) {
      it(`${mode.name}, intercept=${intercept ? "all" : "none"}`, () => {
        const cpu = Cpu.create({ memMB: 2 });
        for (let seed = 1; seed <= 60; seed++) {
          const r = rng(seed * 7919 + (intercept ? 1 : 0));
          cpu.reset();
          mode.setup(cpu);
          cpu.interceptExceptions(intercept);
          const code = new Uint8Array(4096);
          for (let i = 0; i < code.length; i++) code[i] = r() & 0xff;
          cpu.writePhys(0x8000, code);
          cpu.eip = 0x8000;
          for (let k = 0; k < 8; k++) cpu.setReg(k, r());
          let exit = -1;
          try {
            for (let steps = 0; steps < 20; steps++) {
              exit = cpu.run(2000);
              if (exit === ExitReason.IO) { if (!cpu.exit32(X.IS_OUT)) cpu.answerIn(0); continue; }
              if (exit !== ExitReason.BUDGET && exit !== ExitReason.SOFTINT) break;
            }
          } catch (e) {
            throw new Error(`seed ${seed} (${mode.name}): host exception ${e}`);
          }
          expect(REASONS.has(exit), `seed ${seed}: exit ${exit}`).toBe(true);
        }
      });
    }
  }
});
