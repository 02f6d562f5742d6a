/*
 * Boot: page tables (W^X, user pages everywhere, guard pages), control
 * registers, command line and the consoles.
 */
#include <stdio.h>
#include <string.h>
#include <bulkhead/arch.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include "ktest.h"

extern struct mm_heap libc_heap; /* this compartment's heap (libc/malloc.c) */

extern char boot_stack_guard[], boot_stack_bottom[];

static const int some_constant = 42;
static int some_variable = 1;

TEST(boot, text_is_rx)
{
	uint64_t pte = vm_lookup((uintptr_t)&vm_lookup);

	KT_ASSERT(pte & PTE_P);
	KT_ASSERT(!(pte & PTE_W));
	KT_ASSERT(!(pte & PTE_NX));
}

TEST(boot, rodata_is_read_only_nx)
{
	uint64_t pte = vm_lookup((uintptr_t)&some_constant);

	KT_ASSERT(pte & PTE_P);
	KT_ASSERT(!(pte & PTE_W));
	KT_ASSERT(pte & PTE_NX);
}

TEST(boot, data_bss_heap_stack_are_rw_nx)
{
	static char bss_thing[64];
	char local;
	void *heap = mm_heap_alloc(&libc_heap, 64);
	uintptr_t addrs[] = {(uintptr_t)&some_variable, (uintptr_t)bss_thing,
			     (uintptr_t)heap, (uintptr_t)&local};

	for (unsigned i = 0; i < ARRAY_SIZE(addrs); i++) {
		uint64_t pte = vm_lookup(addrs[i]);

		KT_ASSERT(pte & PTE_P);
		KT_ASSERT(pte & PTE_W);
		KT_ASSERT(pte & PTE_NX);
	}
	mm_heap_free(&libc_heap, heap);
}

TEST(boot, every_level_is_a_user_page)
{
	char local;
	uintptr_t addrs[] = {(uintptr_t)&vm_lookup, (uintptr_t)&some_constant,
			     (uintptr_t)&some_variable, (uintptr_t)&local,
			     0xb8000};

	for (unsigned i = 0; i < ARRAY_SIZE(addrs); i++)
		KT_ASSERT(vm_walk_all_user(addrs[i]));
}

TEST(boot, control_registers)
{
	KT_ASSERT(read_cr0() & CR0_WP);
	KT_ASSERT(read_cr0() & CR0_PG);
	KT_ASSERT(!(read_cr4() & CR4_SMEP));
	KT_ASSERT(!(read_cr4() & CR4_SMAP));
	KT_ASSERT(read_cr4() & CR4_PAE);
	KT_ASSERT(rdmsr(MSR_EFER) & EFER_NXE);
}

TEST(boot, null_page_and_boot_stack_guard_unmapped)
{
	KT_EXPECT_EQ(vm_lookup(0), 0);
	KT_EXPECT_EQ(vm_lookup((uintptr_t)boot_stack_guard), 0);
	KT_ASSERT(vm_lookup((uintptr_t)boot_stack_bottom) & PTE_P);
}

/* The runner boots every suite with "bootmark=seen -- one two". */
TEST(boot, command_line)
{
	char *argv[4];

	KT_ASSERT(cmdline_get("bootmark") != NULL);
	KT_EXPECT_STR(cmdline_get("bootmark"), "seen");
	KT_ASSERT(cmdline_get("nosuchkey") == NULL);
	KT_EXPECT_EQ(cmdline_argv(argv, 4), 2);
	KT_EXPECT_STR(argv[0], "one");
	KT_EXPECT_STR(argv[1], "two");
}

TEST(boot, printk_levels_filter)
{
	char tail[256];

	printk_set_level(LOG_WARN);
	pr_info("ktest-info-hidden\n");
	pr_warn("ktest-warn-shown\n");
	printk_set_level(LOG_INFO);
	size_t n = printk_log_tail(tail, sizeof(tail) - 1);

	tail[n] = '\0';
	KT_ASSERT(strstr(tail, "ktest-warn-shown") != NULL);
	KT_ASSERT(strstr(tail, "ktest-info-hidden") == NULL);
}

/* Text written to the console reaches the VGA text buffer too. */
TEST(boot, vga_console_mirrors_output)
{
	const volatile uint16_t *vga = (const volatile uint16_t *)0xb8000;
	const char *mark = "vga-mark-7341";
	char screen[80 * 25 + 1];

	pr_info("%s\n", mark);
	for (int i = 0; i < 80 * 25; i++)
		screen[i] = (char)(vga[i] & 0xff);
	screen[80 * 25] = '\0';
	KT_ASSERT(strstr(screen, mark) != NULL);
}
