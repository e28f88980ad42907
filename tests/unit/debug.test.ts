/**
 * Gaps closed against the SDM oracle (guest kernels vs Bochs): 4 MiB PDE reserved bits without
 * PSE-36, PAE PDPTE loading (#GP(0) on MOV to CR3), debug registers (execute and data breakpoints,
 * DR7.GD, RF), the TSS T flag, INT1 delivery faults, and alignment checking (#AC).
 * Oracle: the SDM (vol. 3 4.3/4.4.1, 6.15, 7.2.1, 18.2-18.3), values worked by hand.
 */
import { describe, expect, it } from "vitest";
import { flatCpu, identityPaging, w32, r32, EXC, L } from "./ctl-helpers.ts";
import type { Cpu } from "../../host/core/cpu.ts";
import { protectedCpu, segDesc, gateDesc, enterUser, CODE, KSTACK, USTACK, KCS, KDS, UCS, TSS, TSS_SEL, GDT } from "./sys-helpers.ts";

const PD = 0x100000;
const FAULT = L.ExitReason.FAULT, HLT = L.ExitReason.HLT;

function exc(cpu: Cpu) {
  return { exit: cpu.exit32(L.X.REASON), vector: cpu.exit32(L.X.VECTOR), err: cpu.exit32(L.X.ERROR_CODE) };
}

describe("4 MiB pages without PSE-36", () => {
  it("CPUID.1:EDX does not advertise PSE-36 (bit 17)", () => {
    const cpu = flatCpu([0x0f, 0xa2, 0xf4]); // cpuid; hlt
    cpu.setReg("eax", 1);
    expect(cpu.run(10)).toBe(HLT);
    expect(cpu.reg("edx") & (1 << 17)).toBe(0);
    expect(cpu.reg("edx") & (1 << 3)).toBe(8); // PSE
  });

  it("a 4 MiB PDE with bit 21 (or 13) set: #PF err P|RSVD (9), CR2 = address", () => {
    for (const bit of [21, 13]) {
      const cpu = flatCpu([0x8b, 0x03, 0xf4]); // mov eax,[ebx]; hlt
      identityPaging(cpu);
      w32(cpu, PD + 4 * 5, (0x400000 | (1 << bit) | 0x87) >>> 0); // 20-24 MiB -> 4 MiB page
      cpu.setState32(L.S.CR4, 0x10); cpu.core.refresh();
      cpu.interceptExceptions(EXC(14));
      cpu.setReg("ebx", 0x1400010); cpu.setReg("eax", 0x55);
      expect(cpu.run(10)).toBe(FAULT);
      expect(exc(cpu)).toEqual({ exit: FAULT, vector: 14, err: 9 });
      expect(cpu.stateU32(L.S.CR2)).toBe(0x1400010);
      expect(cpu.reg("eax")).toBe(0x55);
      expect(r32(cpu, PD + 4 * 5) & 0x20).toBe(0); // not accessed
    }
  });

  it("bit 12 (PAT) is not reserved", () => {
    const cpu = flatCpu([0x8b, 0x03, 0xf4]);
    identityPaging(cpu);
    w32(cpu, PD + 4 * 1, 0x00001087); // 4-8 MiB -> physical 0, PAT bit set
    cpu.setState32(L.S.CR4, 0x10); cpu.core.refresh();
    w32(cpu, 0x2468, 0xfeedbeef);
    cpu.setReg("ebx", 0x402468);
    expect(cpu.run(10)).toBe(HLT);
    expect(cpu.reg("eax")).toBe(0xfeedbeef);
  });
});

describe("PAE PDPTE registers (SDM 4.4.1)", () => {
  const PDPT = 0x102000, PDPT_BAD = 0x102100, PD2 = 0x103000, PD3 = 0x104000;
  /** PAE paging on, 2 MiB identity pages for 0-16 MiB through PD2; PD3 maps 2-4 MiB to 4 MiB. */
  function pae(cpu: Cpu) {
    w32(cpu, PDPT, PD2 | 1);
    for (let i = 0; i < 8; i++) { w32(cpu, PD2 + i * 8, (i << 21) | 0x87); w32(cpu, PD3 + i * 8, ((i ? i + 1 : 0) << 21) | 0x87); }
    w32(cpu, PDPT_BAD, PD2 | 1);
    w32(cpu, PDPT_BAD + 8, PD2 | 3); // bit 1 reserved, present
    cpu.setState32(L.S.CR3, PDPT);
    cpu.setState32(L.S.CR4, 0x20);
    cpu.setState32(L.S.CR0, (cpu.stateU32(L.S.CR0) | 0x80000001) >>> 0);
    cpu.core.refresh();
  }

  it("MOV CR3 with a present PDPTE that has bit 1 set: #GP(0), CR3 unchanged", () => {
    const cpu = flatCpu([0x0f, 0x22, 0xd8, 0xf4]); // mov cr3,eax; hlt
    pae(cpu);
    cpu.interceptExceptions(EXC(13));
    cpu.setReg("eax", PDPT_BAD);
    expect(cpu.run(10)).toBe(FAULT);
    expect(exc(cpu)).toEqual({ exit: FAULT, vector: 13, err: 0 });
    expect(cpu.stateU32(L.S.CR3)).toBe(PDPT);
    expect(cpu.eip).toBe(0x1000);
  });

  it("a not-present PDPTE may hold anything; bits 9-11 are ignored", () => {
    const cpu = flatCpu([0x0f, 0x22, 0xd8, 0xf4]);
    pae(cpu);
    w32(cpu, PDPT_BAD + 8, 0xfffffffe); // not present
    w32(cpu, PDPT_BAD + 16, PD2 | 0xe01);
    cpu.setReg("eax", PDPT_BAD);
    expect(cpu.run(10)).toBe(HLT);
    expect(cpu.stateU32(L.S.CR3)).toBe(PDPT_BAD);
    expect(cpu.stateU32(L.S.PDPTE + 16)).toBe(PD2 | 0xe01);
  });

  it("MOV CR0 enabling paging with PAE loads and checks the PDPTEs", () => {
    const cpu = flatCpu([0x0f, 0x22, 0xc0, 0xf4]); // mov cr0,eax; hlt
    w32(cpu, PDPT_BAD, PD2 | 1); w32(cpu, PDPT_BAD + 8, PD2 | 0x41); // bit 6 reserved
    cpu.setState32(L.S.CR3, PDPT_BAD); cpu.setState32(L.S.CR4, 0x20); cpu.core.refresh();
    cpu.interceptExceptions(EXC(13));
    const cr0 = cpu.stateU32(L.S.CR0);
    cpu.setReg("eax", (cr0 | 0x80000000) >>> 0);
    expect(cpu.run(10)).toBe(FAULT);
    expect(exc(cpu).vector).toBe(13);
    expect(cpu.stateU32(L.S.CR0)).toBe(cr0);
  });

  it("MOV CR4 setting PAE while paging is on checks the PDPTEs at CR3", () => {
    const cpu = flatCpu([0x0f, 0x22, 0xe0, 0xf4]); // mov cr4,eax; hlt
    identityPaging(cpu);
    w32(cpu, PD + 4, 0); w32(cpu, PD + 8, 0x100000 | 0x101); // PD used as PDPT: entry 1 = PD | P | bit 8
    cpu.interceptExceptions(EXC(13));
    cpu.setReg("eax", 0x20);
    expect(cpu.run(10)).toBe(FAULT);
    expect(exc(cpu).vector).toBe(13);
    expect(cpu.stateU32(L.S.CR4)).toBe(0);
  });

  it("walks use the loaded registers: a PDPT edited in memory takes effect at the next CR3 load", () => {
    // mov eax,[ebx]; mov cr3,ecx; mov edx,[ebx]; hlt
    const cpu = flatCpu([0x8b, 0x03, 0x0f, 0x22, 0xd9, 0x8b, 0x13, 0xf4]);
    pae(cpu);
    w32(cpu, 0x200100, 0x11111111); w32(cpu, 0x400100, 0x22222222);
    w32(cpu, PDPT, PD3 | 1); // memory now points at PD3, the register still at PD2
    cpu.setReg("ebx", 0x200100); cpu.setReg("ecx", PDPT);
    expect(cpu.run(10)).toBe(HLT);
    expect(cpu.reg("eax")).toBe(0x11111111);
    expect(cpu.reg("edx")).toBe(0x22222222);
  });
});

describe("INT1 (ICEBP, F1)", () => {
  it("delivers #DB as a trap: the pushed EIP follows the F1", () => {
    const s = protectedCpu();
    s.idt(1, gateDesc(KCS, 0x4000, 0xe, 0));
    s.code(CODE, [0xf1]);
    s.code(0x4000, [0xf4]);
    expect(s.cpu.run(5)).toBe(HLT);
    expect(s.r32(KSTACK - 12)).toBe(CODE + 1);
  });

  it("a fault while delivering it (#NP on the gate's CS) has EXT=1 and the F1's own EIP", () => {
    const s = protectedCpu();
    s.gdt(0x30, segDesc(0, 0xffffffff, 0xb, 0, { present: false }));
    s.idt(1, gateDesc(0x30, 0x4000, 0xe, 0));
    s.code(CODE, [0x90, 0xf1]);
    s.cpu.interceptExceptions(EXC(11));
    expect(s.cpu.run(5)).toBe(FAULT);
    expect([s.exitVector(), s.exitError()]).toEqual([11, 0x31]);
    expect(s.cpu.eip).toBe(CODE + 1);
  });
});

const DB = 1, AC = 17, RF = 0x10000;
const DR = (n: number) => L.S.DR + n * 4;
function setDr(cpu: Cpu, n: number, v: number) { cpu.setState32(DR(n), v >>> 0); cpu.core.refresh(); }

describe("instruction breakpoints (DR7 RW=00)", () => {
  it("fault before the instruction: EIP at it, DR6.B0 set, nothing executed", () => {
    const cpu = flatCpu([0x40, 0x40, 0xf4]); // inc eax; inc eax; hlt
    setDr(cpu, 0, 0x1001); setDr(cpu, 7, 0x1); // L0, execute
    cpu.interceptExceptions(EXC(DB));
    expect(cpu.run(10)).toBe(FAULT);
    expect(exc(cpu)).toEqual({ exit: FAULT, vector: DB, err: 0 });
    expect(cpu.eip).toBe(0x1001);
    expect(cpu.reg("eax")).toBe(1);
    expect(cpu.stateU32(DR(6)) & 0xf).toBe(1);
  });

  it("a disabled breakpoint (L0=G0=0) or a data breakpoint at the address does not fire", () => {
    for (const dr7 of [0x0, 0x00010001]) {
      const cpu = flatCpu([0x40, 0x40, 0xf4]);
      setDr(cpu, 0, 0x1001); setDr(cpu, 7, dr7);
      cpu.interceptExceptions(EXC(DB));
      expect(cpu.run(10)).toBe(HLT);
      expect(cpu.reg("eax")).toBe(2);
    }
  });

  it("the handler pushes RF=0; IRET with RF=1 in the image resumes past the breakpoint once; G1 works too", () => {
    const s = protectedCpu();
    s.idt(DB, gateDesc(KCS, 0x4000, 0xe, 0));
    // inc dword [0x600]; mov eax,[esp+8]; mov [0x604],eax; or dword [esp+8],0x10000; iret
    s.code(0x4000, [0xff, 0x05, 0x00, 0x06, 0, 0, 0x8b, 0x44, 0x24, 0x08, 0xa3, 0x04, 0x06, 0, 0,
      0x81, 0x4c, 0x24, 0x08, 0x00, 0x00, 0x01, 0x00, 0xcf]);
    s.code(CODE, [0x90, 0x41, 0x41, 0xeb, 0xfc]); // nop; L: inc ecx; inc ecx; jmp L  (breakpoint at L)
    s.cpu.setState32(DR(1), CODE + 1); s.cpu.setState32(DR(7), 0x8); s.cpu.core.refresh(); // G1, execute
    s.cpu.eflags = 0x2;
    s.cpu.run(1 + 1 + 5 + 3); // nop, the #DB fault, the handler (5), inc, inc, jmp
    expect(s.r32(0x600)).toBe(1);
    expect(s.r32(0x604) & RF).toBe(0);
    expect(s.cpu.stateU32(DR(6)) & 0xf).toBe(2);
    expect(s.cpu.reg("ecx")).toBe(2);
    expect(s.cpu.eflags & RF).toBe(0); // cleared after the resumed instruction
    s.cpu.run(2); // back at L: fires again (the fault, then the handler's first instruction)
    expect(s.r32(0x600)).toBe(2);
  });
});

describe("RF and REP string instructions", () => {
  it("a breakpoint on REP STOSB fires once, not again between its chunks (RF=1 while iterations remain)", () => {
    const s = protectedCpu();
    s.idt(DB, gateDesc(KCS, 0x4000, 0xe, 0));
    // inc dword [0x600]; or dword [esp+8],0x10000; iret
    s.code(0x4000, [0xff, 0x05, 0x00, 0x06, 0, 0, 0x81, 0x4c, 0x24, 0x08, 0x00, 0x00, 0x01, 0x00, 0xcf]);
    s.code(CODE, [0xf3, 0xaa, 0xf4]); // rep stosb; hlt
    s.cpu.setState32(DR(0), CODE); s.cpu.setState32(DR(7), 0x1); s.cpu.core.refresh();
    s.cpu.setReg("edi", 0x30000); s.cpu.setReg("ecx", 10000); s.cpu.setReg("eax", 0x5a);
    s.cpu.eflags = 0x2;
    expect(s.cpu.run(100)).toBe(HLT);
    expect(s.r32(0x600)).toBe(1);
    expect(s.cpu.reg("ecx")).toBe(0);
    expect(s.r32(0x30000 + 9996)).toBe(0x5a5a5a5a);
    expect(s.cpu.eflags & RF).toBe(0);
  });
});

describe("data breakpoints", () => {
  const MOV_MEM_EAX = [0xa3, 0x00, 0x30, 0x00, 0x00]; // mov [0x3000],eax
  const MOV_EAX_MEM = [0xa1, 0x00, 0x30, 0x00, 0x00]; // mov eax,[0x3000]

  it("a 4-byte write breakpoint traps after the writing instruction (EIP after it, DR6.B1)", () => {
    const cpu = flatCpu([...MOV_MEM_EAX, 0x90, 0xf4]);
    setDr(cpu, 1, 0x3002); setDr(cpu, 7, 0x00d00004); // L1, write, 4 bytes -> 0x3000..0x3003
    cpu.interceptExceptions(EXC(DB));
    cpu.setReg("eax", 0xabcdef01);
    expect(cpu.run(10)).toBe(FAULT);
    expect(exc(cpu).vector).toBe(DB);
    expect(cpu.eip).toBe(0x1005);
    expect(r32(cpu, 0x3000)).toBe(0xabcdef01);
    expect(cpu.stateU32(DR(6)) & 0xf).toBe(2);
  });

  it("RW=01 ignores reads; RW=11 traps on reads", () => {
    const a = flatCpu([...MOV_EAX_MEM, 0xf4]);
    setDr(a, 0, 0x3000); setDr(a, 7, 0x000d0001); // RW0=01, LEN0=11
    a.interceptExceptions(EXC(DB));
    expect(a.run(10)).toBe(HLT);
    const b = flatCpu([...MOV_EAX_MEM, 0xf4]);
    setDr(b, 0, 0x3000); setDr(b, 7, 0x000f0001); // RW0=11, LEN0=11
    b.interceptExceptions(EXC(DB));
    expect(b.run(10)).toBe(FAULT);
    expect(b.eip).toBe(0x1005);
  });

  it("LEN=01 covers the aligned word: byte at 0x3001 hits, byte at 0x3002 does not", () => {
    for (const [addr, hit] of [[0x3001, true], [0x3002, false]] as const) {
      const cpu = flatCpu([0x88, 0x03, 0xf4]); // mov [ebx],al
      setDr(cpu, 2, 0x3001); setDr(cpu, 7, 0x05000010); // L2, write, 2 bytes -> 0x3000..0x3001
      cpu.interceptExceptions(EXC(DB));
      cpu.setReg("ebx", addr);
      expect(cpu.run(10)).toBe(hit ? FAULT : HLT);
      if (hit) expect(cpu.stateU32(DR(6)) & 0xf).toBe(4);
    }
  });

  it("a write that straddles the breakpoint and a push onto it both hit; a faulting write does not", () => {
    const cpu = flatCpu([0x6a, 0x07, 0xf4]); // push 7
    setDr(cpu, 3, 0x7ffc); setDr(cpu, 7, 0x10000040); // L3, write, 1 byte
    cpu.interceptExceptions(EXC(DB));
    expect(cpu.run(10)).toBe(FAULT);
    expect(cpu.eip).toBe(0x1002);
    expect(cpu.stateU32(DR(6)) & 0xf).toBe(8);
    const p = flatCpu([0x89, 0x03, 0xf4]); // mov [ebx],eax
    identityPaging(p, [0x3]);
    setDr(p, 0, 0x3000); setDr(p, 7, 0x00010001);
    p.interceptExceptions(EXC(DB) | EXC(14));
    p.setReg("ebx", 0x2ffe);
    expect(p.run(10)).toBe(FAULT);
    expect(exc(p).vector).toBe(14);
    p.setReg("ebx", 0x2ffe);
    const q = flatCpu([0x89, 0x03, 0xf4]);
    setDr(q, 0, 0x3000); setDr(q, 7, 0x00010001);
    q.interceptExceptions(EXC(DB));
    q.setReg("ebx", 0x2ffe);
    expect(q.run(10)).toBe(FAULT);
    expect(exc(q).vector).toBe(DB);
  });

  it("single-step and a data hit on the same instruction give one #DB with BS and B0", () => {
    const cpu = flatCpu([...MOV_MEM_EAX, 0xf4]);
    setDr(cpu, 0, 0x3000); setDr(cpu, 7, 0x00010001);
    cpu.eflags = 0x102;
    cpu.interceptExceptions(EXC(DB));
    expect(cpu.run(10)).toBe(FAULT);
    expect(cpu.stateU32(DR(6)) & 0x400f).toBe(0x4001);
  });

  // mov ss,[0x3000]; nop; nop; hlt  and  pop ss; nop; nop; hlt (ESP = 0x3000); [0x3000] = KDS.
  const MOV_SS = [0x8e, 0x15, 0x00, 0x30, 0x00, 0x00], POP_SS = [0x17];
  function movSsCpu(code: number[], eflags = 0x2): Cpu {
    const s = protectedCpu();
    s.code(CODE, [...code, 0x90, 0x90, 0xf4]);
    s.w32(0x3000, KDS);
    if (code === POP_SS) s.cpu.setReg("esp", 0x3000);
    setDr(s.cpu, 0, 0x3000); setDr(s.cpu, 7, 0x000f0001); // L0, read/write, 4 bytes
    s.cpu.eflags = eflags;
    s.cpu.interceptExceptions(EXC(DB));
    return s.cpu;
  }

  it("a read hit by MOV SS or POP SS is held until the next instruction is done (SDM 6.8.3)", () => {
    for (const code of [MOV_SS, POP_SS]) {
      const cpu = movSsCpu(code);
      expect(cpu.run(10)).toBe(FAULT);
      expect(exc(cpu).vector).toBe(DB);
      expect(cpu.eip).toBe(CODE + code.length + 1); // after the first NOP, not after MOV SS
      expect(cpu.stateU32(DR(6)) & 0x400f).toBe(1);
    }
  });

  it("a MOV SS hit and a single step of the next instruction give one #DB after it with BS and B0", () => {
    const cpu = movSsCpu(MOV_SS, 0x102);
    expect(cpu.run(10)).toBe(FAULT);
    expect(cpu.eip).toBe(CODE + MOV_SS.length + 1);
    expect(cpu.stateU32(DR(6)) & 0x400f).toBe(0x4001);
  });
});

describe("DR7.GD general detect", () => {
  it("MOV from a DR with GD=1 is a #DB fault with DR6.BD; the handler entry clears GD; RF=1 is pushed", () => {
    const s = protectedCpu();
    s.idt(DB, gateDesc(KCS, 0x4000, 0xe, 0));
    s.code(0x4000, [0x0f, 0x21, 0xfb, 0xf4]); // mov ebx,dr7; hlt
    s.code(CODE, [0x0f, 0x21, 0xc0, 0xf4]); // mov eax,dr0
    s.cpu.setState32(DR(7), 0x2000); s.cpu.core.refresh();
    s.cpu.eflags = 0x2;
    expect(s.cpu.run(10)).toBe(HLT);
    expect(s.r32(KSTACK - 12)).toBe(CODE); // a fault: EIP of the MOV
    expect(s.r32(KSTACK - 4) & RF).toBe(RF); // fault-class, not an instruction breakpoint
    expect(s.cpu.stateU32(DR(6)) & 0x2000).toBe(0x2000);
    expect(s.cpu.reg("ebx") & 0x2000).toBe(0);
    expect(s.cpu.reg("ebx") & 0x400).toBe(0x400);
  });

  it("MOV to a DR is checked too; intercepted, GD stays set", () => {
    const cpu = flatCpu([0x0f, 0x23, 0xf8, 0xf4]); // mov dr7,eax
    setDr(cpu, 7, 0x2000);
    cpu.interceptExceptions(EXC(DB));
    cpu.setReg("eax", 0);
    expect(cpu.run(10)).toBe(FAULT);
    expect(cpu.eip).toBe(0x1000);
    expect(cpu.stateU32(DR(7)) & 0x2000).toBe(0x2000);
  });
});

describe("TSS T flag", () => {
  it("a task switch into a TSS with T=1 raises #DB (DR6.BT) before the new task's first instruction", () => {
    const s = protectedCpu();
    const T2 = 0x20000;
    s.gdt(0x30, segDesc(T2, 0x67, 0x9, 0, { s: false, big: false }));
    s.w32(T2 + 0x20, 0x5000); s.w32(T2 + 0x24, 0x2); s.w32(T2 + 0x38, 0x7000);
    s.w16(T2 + 0x64, 1); // T
    [KDS, KCS, KDS, KDS, KDS, KDS].forEach((v, i) => s.w16(T2 + 0x48 + i * 4, v));
    s.code(0x5000, [0x40, 0xf4]); // inc eax; hlt
    s.code(CODE, [0xea, 0, 0, 0, 0, 0x30, 0]); // jmp 0x30:0
    s.cpu.interceptExceptions(EXC(DB));
    s.cpu.setReg("eax", 0);
    expect(s.cpu.run(10)).toBe(FAULT);
    expect(exc(s.cpu).vector).toBe(DB);
    expect(s.cpu.eip).toBe(0x5000);
    expect(s.seg(L.SEG_TR).sel).toBe(0x30);
    expect(s.cpu.stateU32(DR(6)) & 0x8000).toBe(0x8000);
    expect(s.cpu.reg("eax")).toBe(0);
  });
});

describe("alignment check (#AC)", () => {
  const AM = 1 << 18, ACF = 0x40000;
  function acCpu(code: number[], cpl: number, am: boolean, acFlag: boolean) {
    const cpu = flatCpu(code, cpl);
    if (am) cpu.setState32(L.S.CR0, (cpu.stateU32(L.S.CR0) | AM) >>> 0);
    cpu.eflags = 0x2 | (acFlag ? ACF : 0);
    cpu.core.refresh();
    cpu.interceptExceptions(EXC(AC) | EXC(13));
    return cpu;
  }
  const MOV_EAX_EBX = [0x8b, 0x03, 0xf4], MOV_AX_EBX = [0x66, 0x8b, 0x03, 0xf4], MOV_AL_EBX = [0x8a, 0x03, 0xf4];

  it("CPL 3, AM=1, AC=1: a dword at 0x3001 is #AC(0) with nothing done; 0x3004 is fine", () => {
    const cpu = acCpu(MOV_EAX_EBX, 3, true, true);
    cpu.setReg("ebx", 0x3001); cpu.setReg("eax", 0x55);
    expect(cpu.run(10)).toBe(FAULT);
    expect(exc(cpu)).toEqual({ exit: FAULT, vector: AC, err: 0 });
    expect(cpu.eip).toBe(0x1000);
    expect(cpu.reg("eax")).toBe(0x55);
    const ok = acCpu(MOV_EAX_EBX, 3, true, true);
    ok.setReg("ebx", 0x3004);
    ok.run(10);
    expect(exc(ok).vector).toBe(13); // reached the HLT (#GP at CPL 3)
    expect(ok.eip).toBe(0x1002);
  });

  it("words need 2-byte alignment; bytes never fault; a misaligned push faults", () => {
    const w = acCpu(MOV_AX_EBX, 3, true, true);
    w.setReg("ebx", 0x3003);
    w.run(10);
    expect(exc(w).vector).toBe(AC);
    const w2 = acCpu(MOV_AX_EBX, 3, true, true);
    w2.setReg("ebx", 0x3002);
    w2.run(10);
    expect(exc(w2).vector).toBe(13); // reached the HLT
    const b = acCpu(MOV_AL_EBX, 3, true, true);
    b.setReg("ebx", 0x3003);
    b.run(10);
    expect(exc(b).vector).toBe(13);
    const p = acCpu([0x50, 0xf4], 3, true, true); // push eax
    p.setReg("esp", 0x7ffe);
    p.run(10);
    expect(exc(p).vector).toBe(AC);
    expect(p.reg("esp")).toBe(0x7ffe);
  });

  it("no #AC with AM=0, with AC=0, or at CPL 0", () => {
    for (const [cpl, am, ac] of [[3, false, true], [3, true, false], [0, true, true]] as const) {
      const cpu = acCpu(MOV_EAX_EBX, cpl, am, ac);
      cpu.setReg("ebx", 0x3001);
      const r = cpu.run(10);
      if (cpl === 0) expect(r).toBe(HLT); else expect(exc(cpu).vector).toBe(13);
    }
  });

  it("POPFD setting AC arms the check at once; #AC wins over #PF on a misaligned access", () => {
    // push 0x40202; popfd; mov eax,[ebx]
    const cpu = acCpu([0x68, 0x02, 0x02, 0x04, 0x00, 0x9d, 0x8b, 0x03, 0xf4], 3, true, false);
    cpu.setReg("ebx", 0x3002);
    cpu.run(10);
    expect(exc(cpu).vector).toBe(AC);
    expect(cpu.eip).toBe(0x1006);
    const pf = acCpu(MOV_EAX_EBX, 3, true, true);
    identityPaging(pf, [0x3]);
    pf.interceptExceptions(EXC(AC) | EXC(14));
    pf.setReg("ebx", 0x3001);
    pf.run(10);
    expect(exc(pf).vector).toBe(AC);
  });
  it("CMPXCHG8B needs 8-byte alignment: m64 at 0x3004 is #AC(0) with memory and EDX:EAX unchanged", () => {
    const cpu = acCpu([0x0f, 0xc7, 0x0b, 0xf4], 3, true, true); // cmpxchg8b [ebx]
    w32(cpu, 0x3004, 1); w32(cpu, 0x3008, 2);
    cpu.setReg("ebx", 0x3004); cpu.setReg("eax", 1); cpu.setReg("edx", 2); cpu.setReg("ecx", 9);
    cpu.run(10);
    expect(exc(cpu).vector).toBe(AC);
    expect([r32(cpu, 0x3004), r32(cpu, 0x3008)]).toEqual([1, 2]);
    const ok = acCpu([0x0f, 0xc7, 0x0b, 0xf4], 3, true, true);
    ok.setReg("ebx", 0x3008);
    ok.run(10);
    expect(exc(ok).vector).toBe(13); // reached the HLT
  });
});
