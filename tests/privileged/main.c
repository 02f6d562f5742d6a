/*
 * main.c - an application holding privileged instructions, which no
 * compartment but the kernel core may: in an mpk image (where all code
 * runs in ring 0) it must not link, and the scan names each one
 * (tests/configs/bad/privileged.toml). Never run.
 */
#include <stdint.h>

int main(int argc, char **argv)
{
	(void)argv;
	if (argc > 1000) {
		uint64_t cr4 = 0;

		/* Keys off: CR4.PKE cleared. */
		__asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
		/* An MSR written (EFER, say). */
		__asm__ volatile("wrmsr" : : "c"(0xc0000080), "a"(0), "d"(0));
		/* A port written. */
		__asm__ volatile("outb %%al, $0x80" : : "a"(0));
		/* A new IDT. */
		__asm__ volatile("lidt (%0)" : : "r"(&cr4));
		/* XCR0 changed. */
		__asm__ volatile("xsetbv" : : "c"(0), "a"(3), "d"(0));
		/* Supervisor state, PKRU among it, restored from memory. */
		__asm__ volatile("xrstors (%0)"
				 :
				 : "r"(&cr4), "a"(~0u), "d"(~0u));
	}
	return 0;
}
