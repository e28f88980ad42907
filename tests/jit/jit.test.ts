/**
 * JIT tests (docs/jit.md): randomized programs (ALU, MOV, memory, stack, branches, self-modifying
 * stores, faulting loads) run under the interpreter and under the forced JIT, with the full state
 * compared at random instruction-count checkpoints (run(n) executes exactly n instructions in both
 * modes: compiled blocks only run when they fit the budget); targeted SMC and fault cases; and
 * expect-style snapshots of the Wasm emitted for a few blocks (update on purpose with `vitest -u`).
 */
import { describe, expect, it } from "vitest";
import { Cpu } from "../../host/core/cpu.ts";
import * as L from "../../host/isa/layout.ts";
import { decodeBlock } from "../../host/jit/decode.ts";
import { ModuleBuilder } from "../../host/jit/compiler.ts";
import { loadBinaryen } from "../../host/jit/text.ts";

const CODE = 0x10000, DATA = 0x20000, STACK = 0x30000;

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return (n: number) => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s % n; };
}

/** A random program: straight-line chunks with loops, memory traffic near DATA, pushes/pops, SMC. */
function program(seed: number): number[] {
  const r = rng(seed);
  const out: number[] = [];
  const reg = () => [0, 1, 2, 3, 6, 7][r(6)]; // never ESP/EBP as a general operand
  const imm32 = () => [r(256), 0xffffffff, 0x80000000, 0x7fffffff, r(0x10000)][r(5)];
  const le = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
  // ebp = DATA base for memory operands
  out.push(0xbd, ...le(DATA));
  for (let n = 0; n < 60; n++) {
    const a = reg(), b = reg();
    switch (r(16)) {
      case 0: out.push(0xb8 + a, ...le(imm32())); break; // mov r, imm
      case 1: out.push([0x01, 0x29, 0x31, 0x21, 0x09, 0x39, 0x11, 0x19][r(8)], 0xc0 | (b << 3) | a); break; // alu r, r
      case 2: out.push(0x83, 0xc0 | (r(8) << 3) | a, r(256)); break; // grp1 r, ib
      case 3: out.push(0x89, 0x45 | (a << 3), r(32) * 4); break; // mov [ebp+d8], r
      case 4: out.push(0x8b, 0x45 | (a << 3), r(32) * 4); break; // mov r, [ebp+d8]
      case 5: out.push([0x01, 0x29, 0x31, 0x39][r(4)], 0x45 | (a << 3), r(32) * 4); break; // alu [ebp+d8], r
      case 6: out.push(0x40 + a + (r(2) ? 8 : 0)); break; // inc/dec r
      case 7: out.push(0x50 + a, 0x58 + b); break; // push a; pop b
      case 8: out.push(0x0f, 0xb6 + r(2) * 8, 0xc0 | (a << 3) | b); break; // movzx/movsx r, r8
      case 9: out.push(0x8d, 0x44 | (a << 3), (b << 3) | 5, r(128)); break; // lea r, [ebp+b*1+d8]
      case 10: out.push(0x85, 0xc0 | (b << 3) | a, 0x70 + r(16), 2, 0x40 + a, 0x48 + b); break; // test; jcc over 2
      case 11: out.push(0x39, 0xc0 | (b << 3) | a, 0x0f, 0x80 + r(16), 1, 0, 0, 0, 0x90); break; // cmp; jcc rel32
      case 12: out.push(0xb9, r(5) + 1, 0, 0, 0, 0x01, 0xc8 | a, 0x49, 0x75, 0xfb); break; // mov ecx,n; l: add r,ecx; dec ecx; jnz l
      case 13: out.push(0xc1, 0xe0 | (r(3) << 3) | a, r(32)); break; // shift r, ib (generic)
      case 14: out.push(0xe8, 1, 0, 0, 0, 0xc3 - 0xc3 + 0x90, 0x90); out.splice(out.length - 2, 2, 0xeb, 1, 0xc3); break; // call +1: [jmp +1][ret]
      default: {
        // self-modifying store: overwrite the imm8 of a following "add eax, imm8" before it runs
        const at = CODE + out.length + 7 + 2;
        out.push(0xc6, 0x05, ...le(at), r(256)); // mov byte [at], imm8  (7 + 4 bytes... patched below)
        out.push(0x83, 0xc0, 0x00); // add eax, imm8 (target)
        // fix the address: the imm8 of the add is the last byte
        const addrPos = out.length - 3 - 5;
        const target = CODE + out.length - 1;
        out.splice(addrPos, 4, ...le(target));
        break;
      }
    }
  }
  out.push(0xf4);
  return out;
}

function makeCpu(mode: "off" | "force", code: number[]): Cpu {
  const cpu = Cpu.create({ memMB: 1, jit: mode });
  cpu.core.setFlat32(0);
  cpu.writePhys(CODE, new Uint8Array(code));
  cpu.eip = CODE;
  cpu.setReg("esp", STACK);
  cpu.interceptExceptions(0xffffffff);
  return cpu;
}

function state(cpu: Cpu): string {
  const regs = Array.from({ length: 8 }, (_, i) => cpu.reg(i).toString(16)).join(" ");
  const mem = Buffer.from(cpu.readPhys(DATA, 256)).toString("hex") + Buffer.from(cpu.readPhys(STACK - 64, 64)).toString("hex");
  return `eip=${cpu.eip.toString(16)} fl=${(cpu.eflags & 0x8d5).toString(16)} ${regs} icount=${cpu.instructions} ${mem}`;
}

describe("forced JIT against the interpreter", () => {
  for (let seed = 1; seed <= 40; seed++) {
    it(`random program ${seed}`, () => {
      const code = program(seed);
      const a = makeCpu("off", code), b = makeCpu("force", code);
      const r = rng(seed * 7919);
      for (let step = 0; step < 400; step++) {
        const n = 1 + r(40);
        const ea = a.run(n), eb = b.run(n);
        expect(eb).toBe(ea);
        expect(state(b)).toBe(state(a));
        if (ea !== L.ExitReason.BUDGET) break;
      }
      expect(b.jit!.snapshot().blocks).toBeGreaterThan(0);
    });
  }
});

describe("exactness", () => {
  it("a store into the running block takes effect before the patched instruction runs", () => {
    // mov byte [CODE+9], 5 ; add eax, 0 (imm patched to 5) ; hlt -- warmed so the block is compiled
    const code = [0xc6, 0x05, ...[CODE + 9, 0, 0, 0].flatMap((v, i) => (i === 0 ? [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24] : [])), 5, 0x83, 0xc0, 0x00, 0xf4];
    const cpu = makeCpu("force", code);
    expect(cpu.run(100)).toBe(L.ExitReason.HLT);
    expect(cpu.reg("eax")).toBe(5);
    const s = cpu.jit!.snapshot();
    expect(s.invalidations).toBeGreaterThan(0);
  });
  it("host writes (writePhys) invalidate compiled code", () => {
    const cpu = makeCpu("force", [0xb8, 1, 0, 0, 0, 0xf4]);
    expect(cpu.run(100)).toBe(L.ExitReason.HLT);
    expect(cpu.reg("eax")).toBe(1);
    cpu.writePhys(CODE + 1, new Uint8Array([7]));
    cpu.eip = CODE;
    cpu.setState32(L.S.HALTED, 0);
    expect(cpu.run(100)).toBe(L.ExitReason.HLT);
    expect(cpu.reg("eax")).toBe(7);
  });
  it("a fault in the middle of a compiled block leaves the state of the faulting instruction", () => {
    // mov eax,1; mov ebx,2; mov ecx,[0x00fffff0] (beyond 1 MiB RAM: reads as MMIO? no: use a #GP via segment limit) ...
    // add eax, 1 ; mov [esp+0], eax ; div ecx (ecx = 0: #DE) ; mov eax, 99
    const code = [0xb9, 0, 0, 0, 0, 0x83, 0xc0, 0x01, 0x89, 0x04, 0x24, 0xf7, 0xf1, 0xb8, 99, 0, 0, 0, 0xf4];
    for (const mode of ["off", "force"] as const) {
      const cpu = makeCpu(mode, code);
      cpu.setReg("eax", 41);
      expect(cpu.run(100)).toBe(L.ExitReason.FAULT);
      expect(cpu.exit32(L.X.VECTOR)).toBe(0);
      expect(cpu.eip).toBe(CODE + 11);
      expect(cpu.reg("eax")).toBe(42);
      expect(cpu.readPhys(STACK, 4)[0]).toBe(42);
    }
  });
});

describe("emitted Wasm (expect snapshots)", () => {
  const blocks: Record<string, number[]> = {
    "cmp-jcc-loop": [0x01, 0xc8, 0x49, 0x75, 0xfb], // add eax,ecx; dec ecx; jnz
    "mem-alu": [0x8b, 0x45, 0x08, 0x01, 0x45, 0x0c, 0xc3], // mov eax,[ebp+8]; add [ebp+12],eax; ret
    "generic-shift": [0xc1, 0xe0, 0x03, 0xf4], // shl eax,3 (generic); hlt
  };
  for (const [name, code] of Object.entries(blocks)) {
    it(name, async () => {
      await loadBinaryen();
      const cpu = makeCpu("force", code);
      const key = cpu.core.jitStateKey();
      const insns = decodeBlock(cpu, CODE, CODE, key);
      const b = new ModuleBuilder({ optimize: false, key });
      b.addBlock(insns);
      await expect(b.text()).toMatchFileSnapshot(`./__snapshots__/${name}.wat`);
    });
  }
});
