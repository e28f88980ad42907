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

/**
 * A random program at `base`: straight-line chunks with loops (short ones, and long ones that run
 * many iterations inside one region function across many run() checkpoints), memory traffic near
 * DATA, pushes/pops, shifts and IMUL (custom with dead or live flags), indirect jumps through a
 * table, and self-modifying stores (also inside a loop, patching the loop's own code).
 */
function program(seed: number, base = CODE): number[] {
  const r = rng(seed);
  const out: number[] = [];
  const reg = () => [0, 1, 2, 3, 6, 7][r(6)]; // never ESP/EBP as a general operand
  const imm32 = () => [r(256), 0xffffffff, 0x80000000, 0x7fffffff, r(0x10000)][r(5)];
  const le = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
  // ebp = DATA base for memory operands
  out.push(0xbd, ...le(DATA));
  for (let n = 0; n < 60; n++) {
    const a = reg(), b = reg();
    switch (r(23)) {
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
      case 13: out.push(0xc1, 0xe0 | (r(4) << 3) | a, r(32)); break; // shl/shr/sal/sar r, ib
      case 16: { // long loop: mov ecx,n; l: add a,ecx; shr/sar a,ib; imul b,b,ib; xor a,b; [cmp a,b]; dec ecx; jnz l
        const a = [0, 2, 3, 6, 7][r(5)], b = [0, 2, 3, 6, 7][r(5)]; // ECX is the counter only
        const body = [0x01, 0xc8 | a, 0xc1, 0xe8 | (r(2) ? 0x10 : 0) | a, 1 + r(7), 0x6b, 0xc0 | (b << 3) | b, 3 + r(5), 0x31, 0xc0 | (b << 3) | a];
        if (r(2)) body.push(0x39, 0xc0 | (b << 3) | a);
        body.push(0x49);
        out.push(0xb9, ...le(50 + r(250)), ...body, 0x75, (-(body.length + 2)) & 0xff);
        break;
      }
      case 17: out.push(0x0f, 0xaf, 0xc0 | (a << 3) | b, [0x72, 0x73, 0x70, 0x71][r(4)], 1, 0x90); break; // imul a,b; jc/jnc/jo/jno over 1 (live flags)
      case 18: out.push(0xd1, 0xe0 | (r(4) << 3) | a, 0x0f, 0x90 + r(16), 0xc0 | b); break; // shift a,1; setcc b8 (live flags)
      case 19: { // jmp [DATA+0x200 + edx*4] through a table the program writes: to the next instruction
        const at = base + out.length + 10 + 2 + 7;
        out.push(0xc7, 0x05, ...le(DATA + 0x200), ...le(at), 0x31, 0xd2, 0xff, 0x24, 0x95, ...le(DATA + 0x200));
        break;
      }
      case 21: out.push(0xf7, (r(2) ? 0xd0 : 0xd8) | a, 0x90, 0x0f, 0x1f, 0x40, 0x00); break; // not/neg a; nop; nop dword [eax+0]
      case 22: // shl/shr/sal/sar a, cl, then flags dead (add) or live (jcc)
        out.push(0xd3, 0xe0 | (r(4) << 3) | a, ...(r(2) ? [0x01, 0xc0 | (b << 3) | a] : [0x70 + r(16), 1, 0x90]));
        break;
      case 20: { // SMC in a loop: mov ecx,n; l: mov [imm8 of the add], cl; add eax, imm8; dec ecx; jnz l
        const target = base + out.length + 5 + 6 + 2;
        out.push(0xb9, 2 + r(4), 0, 0, 0, 0x88, 0x0d, ...le(target), 0x83, 0xc0, 0x00, 0x49, 0x75, 0xf4);
        break;
      }
      case 14: out.push(0xe8, 1, 0, 0, 0, 0xc3 - 0xc3 + 0x90, 0x90); out.splice(out.length - 2, 2, 0xeb, 1, 0xc3); break; // call +1: [jmp +1][ret]
      default: {
        // self-modifying store: overwrite the imm8 of a following "add eax, imm8" before it runs
        const at = base + out.length + 7 + 2;
        out.push(0xc6, 0x05, ...le(at), r(256)); // mov byte [at], imm8  (7 + 4 bytes... patched below)
        out.push(0x83, 0xc0, 0x00); // add eax, imm8 (target)
        // fix the address: the imm8 of the add is the last byte
        const addrPos = out.length - 3 - 5;
        const target = base + out.length - 1;
        out.splice(addrPos, 4, ...le(target));
        break;
      }
    }
  }
  out.push(0xf4);
  return out;
}

function makeCpu(mode: "off" | "force", code: number[], base = CODE): Cpu {
  const cpu = Cpu.create({ memMB: 1, jit: mode });
  cpu.core.setFlat32(0);
  cpu.writePhys(base, new Uint8Array(code));
  cpu.eip = base;
  cpu.setReg("esp", STACK);
  cpu.interceptExceptions(0xffffffff);
  return cpu;
}

function state(cpu: Cpu): string {
  const regs = Array.from({ length: 8 }, (_, i) => cpu.reg(i).toString(16)).join(" ");
  const mem = Buffer.from(cpu.readPhys(DATA, 256)).toString("hex") + Buffer.from(cpu.readPhys(STACK - 64, 64)).toString("hex");
  return `eip=${cpu.eip.toString(16)} fl=${(cpu.eflags & 0x8d5).toString(16)} ${regs} icount=${cpu.instructions} ${mem}`;
}

/**
 * Random program `seed` on the interpreter and the forced JIT side by side, in chunks of
 * `chunk(ref)` instructions, with the full state compared after every chunk; returns the chunks run
 * and the JIT's statistics.
 */
function compareRuns(seed: number, base: number, maxChunks: number, chunk: (ref: Cpu) => number) {
  const code = program(seed, base);
  const a = makeCpu("off", code, base), b = makeCpu("force", code, base);
  let chunks = 0;
  while (chunks < maxChunks) {
    const n = chunk(a);
    const ea = a.run(n), eb = b.run(n);
    chunks++;
    expect(eb).toBe(ea);
    expect(state(b)).toBe(state(a));
    if (ea !== L.ExitReason.BUDGET) break;
  }
  return { chunks, stats: b.jit!.snapshot() };
}
// Every third program starts 0x180 bytes before a page boundary, so its code crosses it.
const baseOf = (seed: number) => (seed % 3 === 0 ? CODE + 0xe80 : CODE);
const title = (seed: number) => `random program ${seed}${baseOf(seed) !== CODE ? " (crossing a page)" : ""}`;

describe("forced JIT against the interpreter", () => {
  for (let seed = 1; seed <= 40; seed++) {
    it(title(seed), () => {
      const r = rng(seed * 7919);
      expect(compareRuns(seed, baseOf(seed), 400, () => 1 + r(40)).stats.blocks).toBeGreaterThan(0);
    });
  }
});

describe("forced JIT against the interpreter, full state compared after every block", () => {
  // The same programs, run block by block: each chunk is the block the interpreter is about to run
  // (decoded at its EIP: flat, no paging, so the physical address is the EIP), so the compiled
  // side runs whole blocks and regions and is compared at every block boundary.
  for (let seed = 1; seed <= 40; seed++) {
    it(title(seed), () => {
      const { chunks, stats } = compareRuns(seed, baseOf(seed), 5000, (a) => Math.max(1, decodeBlock(a, a.eip, a.eip, 3).length));
      expect(chunks).toBeGreaterThan(3);
      expect(stats.runs).toBeGreaterThan(0);
    });
  }
});

describe("exactness", () => {
  it("a loop runs inside one region function call, and run(n) still stops after exactly n instructions", () => {
    // mov ecx,1000; l: add eax,ecx; dec ecx; jnz l; hlt
    const code = [0xb9, 0xe8, 0x03, 0, 0, 0x01, 0xc8, 0x49, 0x75, 0xfb, 0xf4];
    const cpu = makeCpu("force", code), ref = makeCpu("off", code);
    expect(cpu.run(137)).toBe(L.ExitReason.BUDGET);
    expect(ref.run(137)).toBe(L.ExitReason.BUDGET);
    expect(cpu.instructions).toBe(137n);
    expect(state(cpu)).toBe(state(ref));
    expect(cpu.run(100000)).toBe(L.ExitReason.HLT);
    expect(cpu.reg("eax")).toBe(500500);
    expect(cpu.instructions).toBe(BigInt(1 + 3 * 1000 + 1));
    // 3000 loop instructions in a handful of region calls (the budget cap returns every 2^16)
    expect(cpu.jit!.snapshot().runs).toBeLessThan(10);
  });
  it("a store into the running block takes effect before the patched instruction runs", () => {
    // mov byte [CODE+9], 5 ; add eax, 0 (imm patched to 5) ; hlt -- warmed so the block is compiled
    const code = [0xc6, 0x05, ...[CODE + 9, 0, 0, 0].flatMap((v, i) => (i === 0 ? [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24] : [])), 5, 0x83, 0xc0, 0x00, 0xf4];
    const cpu = makeCpu("force", code);
    expect(cpu.run(100)).toBe(L.ExitReason.HLT);
    expect(cpu.reg("eax")).toBe(5);
    const s = cpu.jit!.snapshot();
    expect(s.invalidations).toBeGreaterThan(0);
  });
  it("accesses off the inline TLB path (a dword crossing a page, data beside code) bail to the interpreter and match it", () => {
    const le = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24];
    // mov ecx,200; l: mov eax,[DATA+0xffe]; add [CODE+0x100],eax; mov [DATA+8],ecx; dec ecx; jnz l; hlt
    const code = [0xb9, 200, 0, 0, 0, 0x8b, 0x05, ...le(DATA + 0xffe), 0x01, 0x05, ...le(CODE + 0x100), 0x89, 0x0d, ...le(DATA + 8), 0x49, 0x75, 0xeb, 0xf4];
    const cpus = (["off", "force"] as const).map((mode) => {
      const cpu = makeCpu(mode, code);
      cpu.writePhys(DATA + 0xffe, new Uint8Array([0x11, 0x22, 0x33, 0x44]));
      expect(cpu.run(10000)).toBe(L.ExitReason.HLT);
      return cpu;
    });
    const [ref, jit] = cpus;
    expect(state(jit)).toBe(state(ref));
    expect(Buffer.from(jit.readPhys(CODE + 0x100, 4)).readUInt32LE(0)).toBe((0x44332211 * 200) >>> 0);
    const s = jit.jit!.snapshot();
    // Every iteration enters the compiled loop and bails at the page-crossing read (the interpreter
    // then finishes the iteration); the data write beside the code invalidates nothing.
    expect(s.bails).toBeGreaterThanOrEqual(200);
    expect(s.runs).toBeGreaterThanOrEqual(200);
    expect(s.invalidations).toBe(0);
  });
  it("an interrupt pending at STI is taken right after the next instruction, even where compiled code would run on past a CLI", () => {
    // sti ; inc eax ; cli ; inc ebx ; hlt -- IRQ 0x30 pending with IF=0; the empty IDT turns its
    // delivery into #GP(0x30*8+2+1), intercepted: the exit shows exactly where it was taken.
    for (const mode of ["off", "force"] as const) {
      const cpu = makeCpu(mode, [0xfb, 0x40, 0xfa, 0x43, 0xf4]);
      cpu.eflags = 0x2;
      cpu.setState32(L.S.IRQ_VECTOR, 0x30);
      expect(cpu.run(100), mode).toBe(L.ExitReason.FAULT);
      expect([cpu.exit32(L.X.VECTOR), cpu.exit32(L.X.ERROR_CODE)], mode).toEqual([13, 0x30 * 8 + 2 + 1]);
      expect([cpu.reg("eax"), cpu.reg("ebx"), cpu.eip], mode).toEqual([1, 0, CODE + 2]);
    }
  });
  it("a hot region module is compiled again with TurboFan between runs and its slots swapped, mid-loop, with no change in behaviour", () => {
    // mov ecx,1000000; l: add eax,ecx; dec ecx; jnz l; hlt -- 120 run() calls of 1000 instructions
    // (forced mode compiles an entry at every place a run() stops, so the samples spread over a few modules)
    const code = [0xb9, 0x40, 0x42, 0x0f, 0x00, 0x01, 0xc8, 0x49, 0x75, 0xfb, 0xf4];
    const cpu = makeCpu("force", code), ref = makeCpu("off", code);
    for (let n = 0; n < 120; n++) {
      expect(cpu.run(1000)).toBe(ref.run(1000));
      expect(state(cpu)).toBe(state(ref));
    }
    expect(cpu.jit!.snapshot().tierUps).toBeGreaterThan(0);
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
    "generic-rotate": [0xc1, 0xc0, 0x03, 0xf4], // rol eax,3 (generic); hlt
    "shift-dead-flags": [0xc1, 0xe0, 0x03, 0x0f, 0xaf, 0xc3, 0xd1, 0xfa, 0x01, 0xd0, 0xf4], // shl eax,3; imul eax,ebx; sar edx,1 (flags dead); add eax,edx; hlt
  };
  for (const [name, code] of Object.entries(blocks)) {
    it(name, async () => {
      await loadBinaryen();
      const cpu = makeCpu("force", code);
      const key = cpu.core.jitStateKey();
      const insns = decodeBlock(cpu, CODE, CODE, key);
      const b = new ModuleBuilder({ optimize: false, key });
      b.build([insns]);
      await expect(b.text()).toMatchFileSnapshot(`./__snapshots__/${name}.wat`);
    });
  }
});
