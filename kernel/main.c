/*
 * main.c - the boot story of Bulkhead, one subsystem at a time.
 *
 * boot/entry.asm arrives here in long mode on the boot stack, with
 * interrupts off and a temporary 4 GiB identity map.
 */
#include <string.h>
#include <bulkhead/arch.h>
#include <bulkhead/boot.h>
#include <bulkhead/comp.h>
#include <bulkhead/fs.h>
#include <bulkhead/initrd.h>
#include <bulkhead/kernel.h>
#include <bulkhead/libc.h>
#include <bulkhead/mm.h>
#include <bulkhead/sched.h>
#include <bulkhead/time.h>
#include <bulkhead/trap.h>
#include <bulkhead/gate.h>

#define MAIN_ARGS_MAX 32

extern char boot_stack_bottom[], boot_stack_top[]; /* boot/entry.asm */

static struct boot_info boot;

static void set_log_level(void)
{
	const char *v = cmdline_get("loglevel");

	if (!v)
		return;
	if (strcmp(v, "err") == 0)
		printk_set_level(LOG_ERR);
	else if (strcmp(v, "warn") == 0)
		printk_set_level(LOG_WARN);
	else if (strcmp(v, "info") == 0)
		printk_set_level(LOG_INFO);
	else if (strcmp(v, "debug") == 0)
		printk_set_level(LOG_DEBUG);
	else
		pr_warn("cmdline: loglevel=%s is not err, warn, info or debug; "
			"keeping info\n",
			v);
}

static void banner(void)
{
	uint64_t khz = time_tsc_hz() / 1000;

	pr_info("%s %s (config %s, backend %s, app %s)\n", BULKHEAD_NAME,
		BULKHEAD_VERSION, comp_config.name, comp_config.backend,
		comp_config.app);
	pr_info("  memory %lu MiB usable, TSC %lu.%03lu MHz (%s), %s%s%s\n",
		(unsigned long)(mm_total_bytes() >> 20),
		(unsigned long)(khz / 1000), (unsigned long)(khz % 1000),
		time_tsc_source(), boot.loader,
		boot.loader_name[0] ? " from " : "", boot.loader_name);
	if (boot.nmodules)
		pr_info("  initrd %ld bytes at 0x%lx\n", initrd_size(),
			(unsigned long)initrd_addr());
	else
		pr_info("  initrd none\n");
	comp_print_layout();
}

/* argv[0] is the app; the words after "--" on the command line follow. */
static int app_args(char **argv)
{
	const char *want = cmdline_get("app");

	if (want && strcmp(want, comp_config.app) != 0)
		panic("cmdline: app=%s, but image %s holds app %s", want,
		      comp_config.name, comp_config.app);
	argv[0] = (char *)comp_config.app;
	int argc = 1 + cmdline_argv(argv + 1, MAIN_ARGS_MAX - 2);

	argv[argc] = NULL;
	return argc;
}

void kmain(uint32_t magic, uintptr_t info)
{
	char *argv[MAIN_ARGS_MAX];

	console_init(); /* COM1 and VGA: printk works from here on */
	gdt_init();	/* GDT and a TSS holding the interrupt stacks */
	trap_init();	/* IDT for all 256 vectors, PIC remapped */
	boot_info_init(magic, info, &boot); /* memory map, command line */
	cmdline_init(boot.cmdline);
	set_log_level();
	harden_init();	    /* canaries seeded before any compartment runs */
	initrd_init(&boot); /* the boot module: a cpio archive, or stop */
	/* Pages, W^X tables, heap; the initrd kept, read-only. */
	mm_init(boot.ram, boot.nram, BOOT_MAX_REGIONS, &boot.module,
		boot.nmodules ? 1 : 0);
	trap_init_stacks(); /* interrupt stacks with guard pages */
	gate_protect();	    /* the backend's isolation (mpk: keys on
			     * every page, the core's domain);
			     * before any gate can run */
	time_init();	    /* TSC calibration, periodic timer */
	/* This context becomes thread "boot". */
	sched_init((uintptr_t)boot_stack_bottom, (uintptr_t)boot_stack_top);
	irq_enable();
	libc_init(); /* newlib's per-thread state and stdio */
	banner();

	/* ept: which VM is this? Only the application's runs main; the
	 * others serve calls until they are stopped. */
	int vm = gate_vm_init();

	/* The root file system: ramfs, /dev, /tmp and the initrd's files.
	 * Under ept, made by the kernel core's default VM (wherever the vfs
	 * is, the call reaches it there), and waited for by the others. */
	if (!(vm & GATE_VM_GUEST))
		vfs_init();
	gate_vm_setup_done();
	if (!(vm & GATE_VM_APP))
		for (;;)
			sched_sleep_ns(NSEC_PER_SEC);

	int argc = app_args(argv);

	kernel_exit(libc_run_main(comp_config.app, argc, argv,
				  comp_config.main_stack));
}
