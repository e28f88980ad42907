/**
 * multicall (13) (spec 7): run `nr` struct multicall_entry from guest memory, in order, each
 * exactly as if the guest had issued the hypercall with args[0..4] in EBX..EDI, through the same
 * hypercall table. Only each entry's `result` is written back (with the Xen debug option, the rest
 * of the entry is then poisoned with 0xAA, as debug builds of Xen do). A failing entry does not stop
 * the batch. Nesting is refused: a multicall inside a multicall gets -EINVAL as its result.
 *
 * Long batches are preempted the way Xen does it: after MULTICALL_CHUNK entries the multicall
 * continues (EIP back on `int 0x82`, EBX advanced, ECX reduced), so one exit never does unbounded
 * work, whatever `nr` is. A sub-call that wants a continuation itself has its entry's arguments
 * updated in guest memory and the multicall resumes at that entry.
 */
import { multicall_entry } from "./abi/xen.ts";
import { XEN_EINVAL, xenErr } from "./abi/errno.ts";
import { continuation, type Args, type HcResult, type HypercallContext } from "./hypercall-types.ts";

export const MULTICALL_CHUNK = 64;
const ENTRY = multicall_entry.size;
const F = multicall_entry.fields;
const NARGS = F.args.count!;
const OP = F.op.offset, ARGS = F.args.offset, RESULT = F.result.offset;
export const POISON = 0xaa;

/** One argument array for every entry (nesting is refused, so one level suffices). */
const entryArgs: number[] = new Array<number>(NARGS).fill(0);

function record(hc: HypercallContext, done: number): void {
  hc.stats.batchSizes.set(done, (hc.stats.batchSizes.get(done) ?? 0) + 1);
}

/** Read entry `at` (op and args) into entryArgs; returns op. One page walk when it lies in one page. */
function readEntry(hc: HypercallContext, at: number): number {
  const ma = hc.mem.structAt(at, ENTRY);
  if (ma >= 0) {
    const dv = hc.dom.dv;
    for (let i = 0; i < NARGS; i++) entryArgs[i] = dv.getUint32(ma + ARGS + i * 4, true);
    return dv.getUint32(ma + OP, true);
  }
  const e = hc.mem.readStruct(at, ENTRY);
  for (let i = 0; i < NARGS; i++) entryArgs[i] = e.getUint32(ARGS + i * 4, true);
  return e.getUint32(OP, true);
}

export function multicall(hc: HypercallContext, [list, nr]: Args): HcResult {
  if (hc.inMulticall) return xenErr(XEN_EINVAL);
  let done = 0;
  try {
    for (; done < nr; done++) {
      if (done === MULTICALL_CHUNK || hc.dom.shutdown || hc.dom.blocked) break;
      const at = (list + done * ENTRY) >>> 0;
      const op = readEntry(hc, at);
      const r = hc.call(op, entryArgs, true);
      if (typeof r === "object" && r.kind === "continue") {
        // Save the sub-call's remaining work in its entry and resume the multicall there.
        const b = new Uint8Array(r.args.length * 4);
        const dv = new DataView(b.buffer);
        r.args.forEach((v, i) => dv.setUint32(i * 4, v >>> 0, true));
        hc.mem.copyToGuest(at + ARGS, b);
        record(hc, done);
        return continuation([at, nr - done]);
      }
      if (typeof r === "object") { done++; record(hc, done); return r; } // noreturn (iret): ends the batch
      hc.mem.writeU32(at + RESULT, r);
      if (hc.dom.xenDebug) {
        hc.mem.copyToGuest(at + OP, new Uint8Array(F.op.size).fill(POISON));
        hc.mem.copyToGuest(at + ARGS, new Uint8Array(F.args.size).fill(POISON));
      }
    }
  } catch (e) {
    record(hc, done);
    throw e; // EFault -> -EFAULT for the multicall (entries before it have run)
  }
  record(hc, done);
  if (done < nr && !hc.dom.shutdown && !hc.dom.blocked) return continuation([(list + done * ENTRY) >>> 0, nr - done]);
  return 0;
}

export type { Args };
