/**
 * Micro-benchmarks with tinybench: what one trip between the core and the host costs, side by side
 * with the same work done inside the core. Each task is one unit of guest work; tinybench reports
 * the per-call latency and throughput.
 *   - OUT exit round trip: `out 0xe9, al; jmp` executes 2 instructions and returns to the host.
 *   - 2 instructions inside a longer run: the same loop without the OUT, 2,000 instructions per call.
 *   - IN exit with replay: `in al, 0x60` exits, the host answers, the instruction replays.
 *   - PV null hypercall: xen_version(0) through the hypercall page and the host's dispatch.
 *
 *   npm run bench:exits
 */
import { Bench } from "tinybench";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Cpu } from "../host/core/cpu.ts";
import { ExitReason, S } from "../host/isa/layout.ts";
import { PvMachine } from "../host/xen/pv-machine.ts";
import { __HYPERVISOR_xen_version as XEN_VERSION } from "../host/xen/abi/xen.ts";

function flat(code: number[]): Cpu {
  const cpu = Cpu.create({ memMB: 2, jit: "off" });
  cpu.core.setFlat32(0);
  cpu.writePhys(0x1000, Uint8Array.from(code));
  cpu.eip = 0x1000;
  return cpu;
}

const outCpu = flat([0xe6, 0xe9, 0xeb, 0xfc]); // L: out 0xe9, al; jmp L
const loopCpu = flat([0x40, 0xeb, 0xfd]); // L: inc eax; jmp L
const inCpu = flat([0xe4, 0x60, 0xeb, 0xfc]); // L: in al, 0x60; jmp L

const pvKernel = new Uint8Array(readFileSync(join(import.meta.dirname, "..", "guests", "build", "pv", "hcbench-pae.elf")));
const pv = new PvMachine(pvKernel, { memMB: 32, cmdline: "n=100000000 b=32 warm=0", jit: "off" });
let pvYields = 0;
pv.hooks.onYield = () => { pvYields++; };

const bench = new Bench({ time: 800 });
bench
  .add("OUT exit round trip (2 guest instructions per call)", () => {
    if (outCpu.run(1000) !== ExitReason.IO) throw new Error("expected an IO exit");
  })
  .add("2,000 guest instructions in one run() call (no exit)", () => {
    loopCpu.run(2000);
  })
  .add("IN exit, host answer, replay (2 calls into the core)", () => {
    if (inCpu.run(1000) !== ExitReason.IO) throw new Error("expected an IO exit");
    inCpu.answerIn(0x5a);
    inCpu.run(1);
  })
  .add("PV null hypercall (~38 guest instructions + dispatch)", () => {
    const before = pv.stats.of(XEN_VERSION);
    while (pv.stats.of(XEN_VERSION) === before) pv.run(40);
  });

await bench.run();
console.table(bench.table());
void S;
void pvYields;
