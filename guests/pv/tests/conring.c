/* The PV console ring (io/console.h) and its event channel: the port from start_info is an
 * interdomain channel to domain 0; output written to out[] and notified is consumed (out_cons
 * catches up, the host checks the text); input (the harness's "ping\n") arrives in in[] with the
 * port raised; malformed producer indexes are ignored. */
#define PVTRAPS_IMPL
#include "pvtraps.h"

struct xencons { char in[1024]; char out[2048]; volatile u32 in_cons, in_prod, out_cons, out_prod; };
enum { OP_send = 4, OP_status = 5 };

static struct xencons *ring;
static long notify(void) { u32 p = start_info->console_evtchn; return evtchn_op(OP_send, &p); }
static void ring_write(const char *s) {
    u32 prod = ring->out_prod;
    for (; *s; s++) ring->out[prod++ & 2047] = *s;
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* data before the index */
    ring->out_prod = prod;
    notify();
}

void test_main(void) {
    map_shared_info();
    check_eq(register_callbacks(), 0, "set_callbacks");
    check_eq(vcpu_op(7, 0, 0), 0, "stop the periodic timer");
    u32 port = start_info->console_evtchn;
    check_eq(port, 2, "console port");
    struct { u16 dom; u16 pad; u32 port, status, vcpu; u32 u0, u1; } st = { 0x7ff0, 0, port, 0, 0, 0, 0 };
    check_eq(evtchn_op(OP_status, &st), 0, "status of the console port");
    check_eq(st.status, 2, "interdomain");
    check_eq((u16)st.u0, 0, "peer is domain 0");
    ring = mfn_to_virt(start_info->console_mfn);
    check(ring != NULL, "console page mapped");

    V_MASK = 0;
    ev_count = 0; ev_nports = 0;
    ring_write("conring: hello through the ring\n");
    check_eq(ring->out_cons, ring->out_prod, "output consumed");
    /* The first notification connects the ring: the pending input arrives and the port fires. */
    int spins = 0;
    while (ring->in_cons == ring->in_prod && spins++ < 10) HC2(sched_op, 1, 0); /* block */
    check_eq(ring->in_prod - ring->in_cons, 5, "five input bytes");
    check(ev_count >= 1 && ev_ports[0] == port, "input raised the console port (%u upcalls)", ev_count);
    char got[8] = { 0 };
    u32 c = ring->in_cons;
    for (int i = 0; i < 5; i++) got[i] = ring->in[c++ & 1023];
    ring->in_cons = c;
    check_eq(memcmp(got, "ping\n", 5), 0, "input bytes");
    ring_write("conring: got ");
    ring_write(got);

    /* Wrap-around: 3000 bytes in chunks cross the end of out[]. */
    for (int k = 0; k < 30; k++) ring_write("0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"); /* 100 each */
    ring_write("\nconring: wrapped\n");
    check_eq(ring->out_cons, ring->out_prod, "all consumed");

    /* Hostile: a producer index more than the ring ahead is ignored (no output, cons unchanged). */
    u32 cons = ring->out_cons;
    ring->out_prod = cons + 5000;
    notify();
    check_eq(ring->out_cons, cons, "malformed producer ignored");
    ring->out_prod = cons;
    V_MASK = 1;
}
