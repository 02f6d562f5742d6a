/*
 * stubs.c - host stand-ins for the kernel symbols that the pure sources
 * under test reference but that only exist in the kernel image: the
 * console side of printk, panic, the generated symbol table and a
 * linker-script symbol. The formatter (kernel/format.c) is the real one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <bulkhead/kernel.h>
#include "../../kernel/ksyms.h"
#include "stubs.h"

int stub_printk_calls;
char stub_printk_last[256];

/*
 * printk: format with the kernel's own formatter (so the text is what the
 * console would show), remember it for the cases, and print it as a KTAP
 * diagnostic line so the runner's output stays valid KTAP.
 */
void printk(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kfmt_vsnprintf(stub_printk_last, sizeof(stub_printk_last), fmt, ap);
	va_end(ap);
	stub_printk_calls++;
	printf("# printk(%d): %s", (int)level, stub_printk_last);
}

/* panic: nothing can continue after one, on the host either. */
void panic(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "panic: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

/*
 * The symbol table that scripts/gen-ksyms.py generates for a kernel image.
 * This one describes a pretend image at 1 MiB, the kernel's load address;
 * test_ksyms.c checks ksyms_format() against it. Sorted by address.
 */
const struct ksym ksyms_table[] = {
	{0x100000, "_start"},
	{0x100040, "kmain"},
	{0x100200, "panic"},
	{0x100380, "kernel_exit"},
};
const unsigned long ksyms_count = ARRAY_SIZE(ksyms_table);

/*
 * The end of the image (a linker-script symbol in the kernel). Any host
 * data address lies far above the pretend image, so every address from
 * the last symbol up to here resolves to it, as in the kernel.
 */
char __kernel_end[1];
