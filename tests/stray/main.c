/*
 * stray - an application that contains the two instructions only gates
 * may hold, WRPKRU and XRSTOR, in every place a library can put code. The
 * image link must refuse it, naming each; it is never meant to run.
 * tests/configs/bad/stray.toml puts it in a compartment of its own,
 * stray-core.toml in the kernel core's.
 */
int main(void)
{
	unsigned char area[1024] __attribute__((aligned(64)));

	__asm__ volatile("xor %%ecx, %%ecx\n\t"
			 "xor %%edx, %%edx\n\t"
			 "xor %%eax, %%eax\n\t"
			 "wrpkru"
			 :
			 :
			 : "rax", "rcx", "rdx");
	__asm__ volatile("xrstor %0" : : "m"(area), "a"(-1), "d"(-1));
	return 0;
}

/*
 * The gadget bytes need not be an instruction of their own: 0f 01 ef at
 * offset 1 of a `mov eax, 0xef010f` (b8 0f 01 ef 00), and spread over two
 * instructions, `mov cl, 0x0f` (b1 0f) and `add edi, ebp` (01 ef). Each
 * starts at offset 1 of its symbol.
 */
__asm__(".text\n"
	"stray_in_an_immediate:\n\t"
	"mov $0xef010f, %eax\n\t"
	"ret\n"
	"stray_across_two_instructions:\n\t"
	"mov $0x0f, %cl\n\t"
	"add %ebp, %edi\n\t"
	"ret\n");

/* Boot code: the image's .boot section takes every .boot.text. */
__asm__(".pushsection .boot.text, \"ax\"\n"
	"stray_in_boot_text:\n\t"
	"wrpkru\n\t"
	"ret\n"
	".popsection\n");

/* Code a library files under the gate section's own input name. */
__asm__(".pushsection .gates.text, \"ax\"\n"
	"stray_in_gates_text:\n\t"
	"wrpkru\n\t"
	"ret\n"
	".popsection\n");

/* Code in a section the linker script does not name (an orphan): ld
 * puts it after the common text. */
__asm__(".pushsection .stray_orphan, \"ax\"\n"
	"stray_in_an_orphan:\n\t"
	"wrpkru\n\t"
	"ret\n"
	".popsection\n");
