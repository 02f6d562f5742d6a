/*
 * stray - an application that contains the two instructions only gates
 * may hold, WRPKRU and XRSTOR. The image link must refuse it; it is never
 * meant to run.
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
