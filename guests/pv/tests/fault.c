/* Unhandled exceptions crash the domain with a diagnostic (spec 3.4: no trap table yet). The
 * harness checks the exit code (crash) and the diagnostic. Command line "kind=ud|m2pwrite|ring3|hlt". */
#include "pvlib.h"

void test_main(void) {
    const char *k = cmdline_arg("kind");
    if (!k) { fail("no kind"); return; }
    printk("fault: %s\n", k);
    if (!strncmp(k, "ud", 2)) asm volatile("ud2");
    else if (!strncmp(k, "m2pwrite", 8)) *(volatile u32 *)MACH2PHYS_VIRT_START = 1;
    else if (!strncmp(k, "hlt", 3)) asm volatile("hlt");
    else if (!strncmp(k, "ring3", 5)) {
        /* Drop to ring 3 with a plain iret (FLAT_RING3 selectors), then try a hypercall. */
        static u8 ustack[1024];
        asm volatile(
            "pushl $0xe033\n\t"      /* SS */
            "pushl %0\n\t"           /* ESP */
            "pushl $0x202\n\t"       /* EFLAGS */
            "pushl $0xe02b\n\t"      /* CS */
            "pushl $1f\n\t"          /* EIP */
            "iret\n"
            "1: movl $17, %%eax\n\t"
            "int $0x82\n\t"
            "ud2"
            :: "r"(ustack + sizeof(ustack)) : "memory");
    }
    printk("Test result: FAILURE: no fault\n");
}
