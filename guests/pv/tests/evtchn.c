/* Event channels and callbacks (spec 6.3, 6.7-6.9): the upcall frame, delivery at the return of
 * a hypercall, masking, unmask delivering a pending port, ABI scan order, loopback interdomain
 * channels (local port pending at bind), IPIs, VIRQ binding errors, close/status/bind_vcpu/reset,
 * the compat call, callback_op and nmi_op errors, hostile arguments. */
#define PVTRAPS_IMPL
#include "pvtraps.h"

#define DOMID_SELF 0x7ff0u
enum { OP_bind_interdomain, OP_bind_virq, OP_bind_pirq, OP_close, OP_send, OP_status, OP_alloc_unbound, OP_bind_ipi, OP_bind_vcpu, OP_unmask, OP_reset, OP_init_control };

static long alloc_unbound(u32 *port) { struct { u16 dom, remote; u32 port; } a = { DOMID_SELF, DOMID_SELF, 0 }; long r = evtchn_op(OP_alloc_unbound, &a); *port = a.port; return r; }
static long send(u32 p) { return evtchn_op(OP_send, &p); }
static long unmask(u32 p) { return evtchn_op(OP_unmask, &p); }
static long close_port(u32 p) { return evtchn_op(OP_close, &p); }
static long bind_ipi(u32 vcpu, u32 *port) { struct { u32 vcpu, port; } b = { vcpu, 0 }; long r = evtchn_op(OP_bind_ipi, &b); if (port) *port = b.port; return r; }
struct status { u16 dom; u16 pad; u32 port, status, vcpu; u32 u0, u1; };
static long status(u32 p, struct status *s) { memset(s, 0, sizeof(*s)); s->dom = DOMID_SELF; s->port = p; return evtchn_op(OP_status, s); }
static void mask(u32 p) { __atomic_fetch_or(&EVTCHN_MASK[p / 32], 1u << (p % 32), __ATOMIC_SEQ_CST); }
static void reset_ev(void) { ev_count = 0; ev_nports = 0; }

extern char hc_after[];

void test_main(void) {
    map_shared_info();
    check_eq(V_MASK, 1, "events masked at start");
    check_eq(register_callbacks(), 0, "set_callbacks");
    check_eq(vcpu_op(7, 0, 0), 0, "stop the default periodic timer");

    /* Loopback: alloc_unbound(remote = self), bind_interdomain to it: the local port is pending. */
    u32 a = 0, b = 0;
    check_eq(alloc_unbound(&a), 0, "alloc_unbound");
    check_eq(a, 3, "lowest free port is 3 (1 and 2: xenstore and console)");
    struct { u16 rdom; u16 pad; u32 rport, lport; } bi = { DOMID_SELF, 0, a, 0 };
    reset_ev();
    check_eq(evtchn_op(OP_bind_interdomain, &bi), 0, "bind_interdomain (loopback)");
    b = bi.lport;
    check_eq(b, 4, "local port 4");
    check(EVTCHN_PENDING[0] & (1u << b), "bound local port pending");
    check_eq(ev_count, 0, "no upcall while masked");
    check_eq(V_PENDING, 1, "upcall_pending set");
    /* Unmasking by hand does not trap; the next hypercall's return delivers (frame EIP after int 0x82). */
    V_MASK = 0;
    check_eq(ev_count, 0, "no upcall before a hypervisor entry");
    u32 r_eax = 0;
    asm volatile("movl $17, %%eax; xorl %%ebx, %%ebx; xorl %%ecx, %%ecx; call hypercall_page + 17 * 32\n hc_after: movl %%eax, %0"
                 : "=m"(r_eax) :: "eax", "ebx", "ecx", "edx", "memory");
    check_eq(ev_count, 1, "upcall after the hypercall returned");
    check_eq(ev_ports[0], b, "port delivered");
    check_eq(ev_frame[0], (u32)hypercall_page + 17 * 32 + 7, "upcall frame EIP: right after the stub's int 0x82");
    check_eq(r_eax, (4 << 16) | 17, "EAX holds the hypercall result");
    check_eq(ev_frame[1], FLAT_KERNEL_CS, "upcall frame CS, saved mask 0");
    check(ev_frame[2] & 0x200, "frame IF set (events were enabled)");
    check_eq(ev_mask_in_handler, 1, "events masked in the callback");
    check_eq(V_MASK, 0, "mask restored by HYPERVISOR_iret");

    /* Send on either end raises the other. */
    reset_ev();
    check_eq(send(a), 0, "send a");
    check_eq(ev_nports, 1, "one port"); check_eq(ev_ports[0], b, "send a -> b");
    reset_ev();
    check_eq(send(b), 0, "send b");
    check_eq(ev_ports[0], a, "send b -> a");

    /* Masked port: pending but no upcall; EVTCHNOP_unmask delivers. */
    mask(a);
    reset_ev();
    check_eq(send(b), 0, "send to masked a");
    check_eq(ev_count, 0, "masked: no upcall");
    check(EVTCHN_PENDING[0] & (1u << a), "masked port pending");
    check_eq(unmask(a), 0, "unmask");
    check_eq(ev_count, 1, "unmask delivered the pending port");
    check_eq(ev_ports[0], a, "unmasked port");

    /* Order: IPIs on higher ports raised while events are masked come out in bit order. */
    u32 i1, i2, i3;
    check_eq(bind_ipi(0, &i1), 0, "bind_ipi");
    check_eq(bind_ipi(0, &i2), 0, "bind_ipi 2");
    check_eq(bind_ipi(0, &i3), 0, "bind_ipi 3");
    check(i1 == 5 && i2 == 6 && i3 == 7, "ipi ports %u %u %u", i1, i2, i3);
    V_MASK = 1;
    reset_ev();
    check_eq(send(i3), 0, "send i3"); check_eq(send(i1), 0, "send i1"); check_eq(send(i2), 0, "send i2");
    check_eq(send(i2), 0, "send i2 again (edge already recorded)");
    check_eq(ev_count, 0, "masked");
    V_MASK = 0;
    HC2(xen_version, 0, 0);
    check_eq(ev_count, 1, "one upcall for three ports");
    check_eq(ev_nports, 3, "three ports");
    check(ev_ports[0] == i1 && ev_ports[1] == i2 && ev_ports[2] == i3, "scan order %u %u %u", ev_ports[0], ev_ports[1], ev_ports[2]);

    /* A port in the second word. */
    u32 ports[40]; u32 n = 0, hi = 0;
    while (n < 40) { check_eq(bind_ipi(0, &ports[n]), 0, "bind many"); if (ports[n] >= 32) { hi = ports[n]; break; } n++; }
    reset_ev();
    check_eq(send(hi), 0, "send port >= 32");
    check_eq(ev_nports, 1, "one"); check_eq(ev_ports[0], hi, "port >= 32 delivered");

    /* status. */
    struct status s;
    check_eq(status(a, &s), 0, "status a"); check_eq(s.status, 2, "interdomain"); check_eq((u16)s.u0, 1, "peer dom = our domid"); check_eq(s.u1, b, "peer port");
    check_eq(status(i1, &s), 0, "status ipi"); check_eq(s.status, 5, "ipi");
    check_eq(status(60, &s), 0, "status of a free port"); check_eq(s.status, 0, "closed");
    check_eq(status(1023, &s), -EINVAL, "status of a port beyond the allocated buckets");
    s.dom = 0; s.port = a;
    check_eq(evtchn_op(OP_status, &s), -EPERM, "status of dom0's port");
    s.dom = 77; s.port = a;
    check_eq(evtchn_op(OP_status, &s), -ESRCH, "status of a nonexistent domain");

    /* VIRQs. */
    u32 tport;
    check_eq(bind_virq(0, 0, &tport), 0, "bind VIRQ_TIMER");
    check_eq(bind_virq(0, 0, NULL), -EEXIST, "VIRQ_TIMER again");
    check_eq(bind_virq(24, 0, NULL), -EINVAL, "virq 24");
    check_eq(bind_virq(0xffffffff, 0, NULL), -EINVAL, "virq -1");
    check_eq(bind_virq(2, 1, NULL), -EINVAL, "global VIRQ_CONSOLE on vCPU 1");
    check_eq(bind_virq(1, 1, NULL), -ENOENT, "VIRQ_DEBUG on vCPU 1");
    check_eq(bind_virq(1, 0, NULL), 0, "VIRQ_DEBUG");
    check_eq(status(tport, &s), 0, "status virq"); check_eq(s.status, 4, "virq"); check_eq(s.u0, 0, "virq number");
    check_eq(send(tport), -EINVAL, "send on a VIRQ port");
    { struct { u32 port, vcpu; } bv = { tport, 0 }; check_eq(evtchn_op(OP_bind_vcpu, &bv), -EINVAL, "bind_vcpu of a per-vCPU virq"); }
    { struct { u32 port, vcpu; } bv = { a, 0 }; check_eq(evtchn_op(OP_bind_vcpu, &bv), 0, "bind_vcpu interdomain"); }
    { struct { u32 port, vcpu; } bv = { a, 3 }; check_eq(evtchn_op(OP_bind_vcpu, &bv), -ENOENT, "bind_vcpu to vCPU 3"); }
    { struct { u32 port, vcpu; } bv = { i1, 0 }; check_eq(evtchn_op(OP_bind_vcpu, &bv), -EINVAL, "bind_vcpu ipi"); }
    check_eq(bind_ipi(1, NULL), -ENOENT, "bind_ipi on vCPU 1");
    { struct { u32 pirq, flags, port; } bp = { 1, 0, 0 }; check_eq(evtchn_op(OP_bind_pirq, &bp), -EPERM, "bind_pirq"); }
    { u32 x[6] = { 0 }; check_eq(evtchn_op(OP_init_control, x), -ENOSYS, "FIFO not offered"); }
    check_eq(evtchn_op(99, &s), -ENOSYS, "unknown cmd");

    /* Close: the peer reverts to unbound; sending on it is dropped (0); closed ports are -EINVAL. */
    check_eq(close_port(b), 0, "close b");
    check_eq(status(a, &s), 0, "status a"); check_eq(s.status, 1, "a unbound again"); check_eq((u16)s.u0, 1, "accepting our domid");
    check_eq(send(a), 0, "send on unbound: dropped");
    check_eq(send(b), -EINVAL, "send on closed");
    check_eq(close_port(b), -EINVAL, "close closed");
    check_eq(unmask(5000), -EINVAL, "unmask beyond the port space");
    check_eq(send(5000), -EINVAL, "send beyond the port space");
    check_eq(close_port(0), -EINVAL, "close port 0");
    /* Rebinding VIRQ_TIMER after closing its port. */
    check_eq(close_port(tport), 0, "close timer port");
    check_eq(bind_virq(0, 0, &tport), 0, "rebind VIRQ_TIMER");
    /* bind_interdomain errors. */
    bi.rdom = DOMID_SELF; bi.rport = i1;
    check_eq(evtchn_op(OP_bind_interdomain, &bi), -EINVAL, "bind_interdomain to a non-unbound port");
    bi.rdom = 9; bi.rport = a;
    check_eq(evtchn_op(OP_bind_interdomain, &bi), -ESRCH, "bind_interdomain to a nonexistent domain");
    { struct { u16 dom, remote; u32 port; } au = { 0, DOMID_SELF, 0 }; check_eq(evtchn_op(OP_alloc_unbound, &au), -EPERM, "alloc_unbound for dom0"); }

    /* The compat hypercall: struct evtchn_op { cmd; union }. */
    {
        struct { u32 cmd; u32 vcpu, port; u32 pad[4]; } op = { OP_bind_ipi, 0, 0, { 0 } };
        check_eq(hypercall(HC_event_channel_op_compat, (ulong)&op, 0, 0, 0, 0), 0, "compat bind_ipi");
        check(op.port > 0, "compat port %u", op.port);
        reset_ev();
        struct { u32 cmd; u32 port; u32 pad[5]; } sd = { OP_send, op.port, { 0 } };
        check_eq(hypercall(HC_event_channel_op_compat, (ulong)&sd, 0, 0, 0, 0), 0, "compat send");
        check_eq(ev_ports[0], op.port, "compat send delivered");
    }

    /* Hostile pointers: -EFAULT, nothing allocated, the guest's memory untouched. */
    check_eq(evtchn_op(OP_alloc_unbound, (void *)0x40000000), -EFAULT, "alloc_unbound bad pointer");
    check_eq(evtchn_op(OP_send, (void *)HYPERVISOR_VIRT_START), -EFAULT, "send pointer in the hypervisor range");
    check_eq(hypercall(HC_event_channel_op_compat, 0x40000000, 0, 0, 0, 0), -EFAULT, "compat bad pointer");

    /* reset closes everything. */
    { u16 d = DOMID_SELF; check_eq(evtchn_op(OP_reset, &d), 0, "reset"); }
    check_eq(status(a, &s), 0, "status after reset"); check_eq(s.status, 0, "closed after reset");
    check_eq(bind_virq(0, 0, &tport), 0, "VIRQ_TIMER free after reset");
    check_eq(tport, 1, "port 1 reused");

    /* callback_op. */
    struct { u16 type, flags; u32 cs, eip; } cb = { 0, 0, FLAT_KERNEL_CS, (u32)ev_callback_entry };
    check_eq(HC2(callback_op, 0, &cb), 0, "register event");
    cb.type = 1; cb.eip = (u32)failsafe_entry; cb.flags = 1;
    check_eq(HC2(callback_op, 0, &cb), 0, "register failsafe (mask events)");
    cb.type = 5; check_eq(HC2(callback_op, 0, &cb), 0, "register sysenter");
    cb.type = 7; check_eq(HC2(callback_op, 0, &cb), 0, "register syscall32");
    cb.type = 2; check_eq(HC2(callback_op, 0, &cb), -ENOSYS, "register syscall (x86_64 only)");
    cb.type = 3; check_eq(HC2(callback_op, 0, &cb), -ENOSYS, "register sysenter_deprecated");
    cb.type = 4; check_eq(HC2(callback_op, 0, &cb), 0, "register nmi");
    cb.type = 9; check_eq(HC2(callback_op, 0, &cb), -ENOSYS, "register unknown type");
    { u32 t = 0; check_eq(HC2(callback_op, 1, &t), -EINVAL, "unregister event"); t = 4; check_eq(HC2(callback_op, 1, &t), 0, "unregister nmi"); t = 2; check_eq(HC2(callback_op, 1, &t), -ENOSYS, "unregister syscall"); }
    check_eq(HC2(callback_op, 2, &cb), -EINVAL, "callback_op bad cmd");
    check_eq(HC2(callback_op, 0, 0x40000000), -EFAULT, "callback_op bad pointer");
    { u32 h[2] = { 0x1234, 0 }; check_eq(hypercall(HC_nmi_op, 0, (ulong)h, 0, 0, 0), -EINVAL, "nmi_op register (domU)"); }

    /* The callback registered with callback_op (RPL 0 selector raised to 1) still delivers. */
    cb.type = 0; cb.cs = 0xe018; cb.eip = (u32)ev_callback_entry;
    check_eq(HC2(callback_op, 0, &cb), 0, "register event with RPL 0");
    u32 ip;
    check_eq(bind_ipi(0, &ip), 0, "ipi");
    reset_ev();
    check_eq(send(ip), 0, "send");
    check_eq(ev_count, 1, "delivered through the re-registered callback");
    V_MASK = 1;
}
