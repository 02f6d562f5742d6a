/*
 * panic.c - stopping the machine: kernel_exit, panic and backtraces.
 */
#include <string.h>
#include <bulkhead/arch.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include <bulkhead/sched.h>

#define BACKTRACE_MAX	      16

#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define ACPI_SLP_EN_S5	      0x2000 /* PM1a control: sleep type 5, enable */

/*
 * QEMU's isa-debug-exit makes the process exit with (value << 1) | 1. We
 * write status + 1, so a guest status s becomes the host status 2s + 3 and
 * host statuses 0 and 1 keep their QEMU meanings (normal quit, QEMU error).
 * scripts/qemu-run.sh maps it back. Without that device, a virtual machine
 * is powered off through the PM1a control ports QEMU's machines use (the
 * status is then lost); on bare metal the CPU halts for good.
 */
/*
 * Whether the note may be read now: shared memory, or under ept, where
 * the kernel runs in the caller's own VM, memory mapped there.
 */
static int note_readable(const char *p)
{
	if (!comp_has(COMP_VMS))
		return mm_range_shared(p, KERNEL_NOTE_MAX, 0);
	for (uintptr_t va = (uintptr_t)p & ~(uintptr_t)(PAGE_SIZE - 1);
	     va < (uintptr_t)p + KERNEL_NOTE_MAX; va += PAGE_SIZE)
		if (!vm_lookup(va))
			return 0;
	return 1;
}

/* The last note a compartment left (kernel_note), for a failed exit. */
static const char *note;
static int note_caller;

void(kernel_note)(const char *text, int caller)
{
	note = text;
	note_caller = caller;
}

void kernel_exit(int status)
{
	uint32_t r[4];

	irq_save();
	/* The note is the caller's shared memory, which it may have freed
	 * or rewritten since: read it again only if it is still shared, and
	 * no further than its size. */
	if (status && note && note_readable(note)) {
		char text[KERNEL_NOTE_MAX];

		memcpy(text, note, sizeof(text) - 1);
		text[sizeof(text) - 1] = '\0';
		printk(LOG_ERR, "note from compartment %s: %s\n",
		       comp_name(note_caller), text);
	}
	printk(LOG_INFO, "%s: exit status %d\n", BULKHEAD_NAME, status);
	outl(PORT_DEBUG_EXIT, (uint32_t)(status & 0x7f) + 1);
	cpuid(1, 0, r);
	if (r[2] & CPUID1_ECX_HYPERVISOR) {
		outw(PORT_ACPI_PM1A_Q35, ACPI_SLP_EN_S5);
		outw(PORT_ACPI_PM1A_PIIX, ACPI_SLP_EN_S5);
	}
	for (;;)
		cpu_halt();
}

/* The stack the frame-pointer walk may read: the current thread's. */
static int frame_ok(uintptr_t rbp)
{
	sched_thread_t t = sched_current();
	struct mm_stack s = t ? sched_thread_stack(t) : (struct mm_stack){0, 0};

	return rbp >= s.bottom && rbp + 16 <= s.top && (rbp & 7) == 0;
}

void kernel_backtrace(uintptr_t rbp)
{
	char sym[96];

	if (!frame_ok(rbp))
		return;
	pr_err("  backtrace:\n");
	for (int i = 0; i < BACKTRACE_MAX && frame_ok(rbp); i++) {
		uintptr_t ret = ((uintptr_t *)rbp)[1];

		if (!ret)
			break;
		/* ret - 1 is inside the call: a call to a noreturn function
		 * may be the last instruction of its caller. */
		ksyms_format(ret - 1, sym, sizeof(sym));
		pr_err("    0x%016lx %s\n", ret, sym);
		rbp = ((uintptr_t *)rbp)[0];
	}
}

/*
 * A panic from another compartment: its libc copy (libc/report.c) formats
 * the message in its own domain, so the core never formats with a
 * caller's arguments (a "%s" could name another compartment's memory).
 */
void panic_text(const char *msg)
{
	panic("%s", msg);
}

void panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	sched_thread_t t;

	irq_save();
	va_start(ap, fmt);
	kfmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	t = sched_current();
	pr_err("\nPANIC: %s (thread \"%s\")\n", buf,
	       t ? sched_thread_name(t) : "boot");
	kernel_backtrace((uintptr_t)__builtin_frame_address(0));
	kernel_exit(EXIT_PANIC);
}
