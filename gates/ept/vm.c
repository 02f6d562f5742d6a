/*
 * vm.c - the EPT backend in each VM: the gate runtime hooks
 * (gate_vm_init, gate_thread_exit) for images whose compartments are
 * separate VMs.
 *
 * Every VM boots the same image with comp=<name> on its command line.
 * The kernel core (boot, kernel, mm, sched, time) runs in every VM; the
 * other libraries run only in their compartment's VM, and calls to them
 * from elsewhere are mailbox RPCs (rpc.c) through the shared region,
 * mapped here at EPT_SHARED_BASE.
 */
#include <bulkhead/arch.h>
#include <bulkhead/comp.h>
#include <bulkhead/gate.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include <bulkhead/sched.h>
#include <bulkhead/time.h>
#include "ept.h"

#define SPIN_NS	  200000  /* default spin before sleeping: 0.2 ms */
#define LISTEN_NS 1000000 /* new-thread poll when idle: 1 ms */

extern const struct ept_table
	ept_tables[]; /* generated: build/<config>/gates.c */

static unsigned self;

/*
 * This file is linked outside every compartment, where no copy of libc
 * is: the few string helpers it needs are here.
 */
/* The decimal number at the start of s (digits only, no sign). */
static uint64_t parse_decimal(const char *s)
{
	uint64_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint64_t)(*s++ - '0');
	return v;
}

static int same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static void zero(void *p, size_t n)
{
	for (volatile uint8_t *b = p; n--;
	     b++) /* volatile: not a memset call */
		*b = 0;
}

static void plat_pause(void)
{
	__builtin_ia32_pause();
}

static struct ept_msg *plat_my_box(void)
{
	return sched_thread_gate(sched_current());
}

static void plat_set_my_box(struct ept_msg *m)
{
	sched_set_thread_gate(sched_current(), m);
}

static const char *plat_name(unsigned comp)
{
	return comp_config.comps[comp].name;
}

static void plat_report(const char *msg)
{
	pr_err("%s (in compartment %s)\n", msg, comp_config.comps[self].name);
}

__attribute__((noreturn)) static void plat_fail(const char *msg)
{
	panic("%s", msg);
}

/* Let this VM's other threads run (sched_yield's result is POSIX's 0). */
static void plat_yield(void)
{
	sched_yield();
}

static const struct ept_platform kernel_platform = {
	.pause = plat_pause,
	.yield = plat_yield,
	.now_ns = time_now_ns,
	.block = sched_sleep_ns,
	.my_box = plat_my_box,
	.set_my_box = plat_set_my_box,
	.name = plat_name,
	.report = plat_report,
	.fail = plat_fail,
	.copy_in = ept_copy_in,
	.copy_out = ept_copy_out,
	.check_call = ept_check_call,
	.hold = ept_hold,
	.release = ept_release,
};

static void *mirror_main(void *arg)
{
	ept_serve(arg);
	return NULL;
}

/* Give every logical thread that calls into this VM a mirror thread. */
static void *listener_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct ept_msg *m = ept_new_call();

		if (!m) {
			sched_sleep_ns(LISTEN_NS);
			continue;
		}
		sched_thread_t t = sched_create("mirror", mirror_main, m, 0);

		if (!t)
			panic("ept: no memory for a mirror thread");
		sched_detach(t);
	}
	return NULL;
}

/*
 * Unmap the data of every other compartment: in this VM it is only an
 * unused copy, and a pointer to the real one (in its own VM) must fault
 * here rather than read a stale copy.
 */
static void hide_other_compartments(void)
{
	for (unsigned i = 0; i < comp_config.count; i++) {
		const struct comp_desc *c = &comp_config.comps[i];

		if (i == self || c->is_default)
			continue;
		vm_unmap(c->data.start, c->data.end - c->data.start);
		vm_unmap(c->bss.start, c->bss.end - c->bss.start);
	}
}

/* Part c of the shared region (ept.h). */
static uintptr_t part(unsigned c)
{
	return EPT_SHARED_BASE + (uintptr_t)c * EPT_PART_SIZE;
}

_Static_assert(EPT_PART_SIZE *EPT_VMS == EPT_SHARED_SIZE,
	       "the shared region is one part per VM");

/*
 * Map this VM's part of the shared region writable and the other VMs'
 * read-only. QEMU enforces the same (ept-launch.py attaches the others'
 * parts read-only), which is what counts: this VM could change its own
 * page tables. Here it makes a stray write fault at once instead of
 * being dropped by QEMU unseen. Parts of VMs the configuration does
 * not have are left unmapped (no memory is attached there).
 */
static void map_parts(void)
{
	for (unsigned c = 0; c < comp_config.count; c++)
		if (vm_map(part(c), part(c), EPT_PART_SIZE,
			   c == self ? VM_WRITE : 0) != 0)
			panic("ept: cannot map the shared region");
}

/*
 * Which compartment this VM is, and the shared region mapped: done on
 * first need, which comes early (the scheduler's first thread name lives
 * in shared memory), before gate_vm_init starts serving calls.
 */
static void vm_early(void)
{
	static int done;
	const char *name = cmdline_get("comp");
	unsigned i;

	if (done)
		return;
	done = 1;
	if (!name)
		panic("ept: no comp=<compartment> on the command line (use "
		      "scripts/ept-launch.py, which starts one VM each)");
	for (i = 0; i < comp_config.count; i++)
		if (same(comp_config.comps[i].name, name))
			break;
	if (i == comp_config.count)
		panic("ept: comp=%s names no compartment of config %s", name,
		      comp_config.name);
	self = i;
	map_parts();
	hide_other_compartments();
}

/* The default compartment's VM, which makes what all share at boot. */
static unsigned home_vm(void)
{
	unsigned def = 0;

	while (def < comp_config.count && !comp_config.comps[def].is_default)
		def++;
	return def;
}

/*
 * One clock rate for all VMs. Each VM measured its TSC's frequency at
 * boot, against the PIT; under TCG with VMs competing for the host's
 * cores the measurements differ by up to a fifth, so a 50 ms timeout
 * waited in one VM could end after 42 ms of another's. The default
 * compartment's VM publishes its figure in its part; every other VM
 * waits for it and counts at that rate from then on. (A default VM that
 * lies can only make the others' clocks wrong: timing, which the threat
 * model leaves out; any figure above zero keeps the arithmetic sound.)
 */
static void share_clock(void)
{
	unsigned def = home_vm();
	uint32_t khz;
	volatile struct ept_part *home = (struct ept_part *)part(def);

	if (def == self) {
		time_keep_rate();
		__atomic_store_n(&home->tsc_khz,
				 (uint32_t)(time_tsc_hz() / 1000),
				 __ATOMIC_RELEASE);
		return;
	}
	while (!(khz = __atomic_load_n(&home->tsc_khz, __ATOMIC_ACQUIRE)))
		sched_sleep_ns(LISTEN_NS);
	time_adopt_tsc_hz((uint64_t)khz * 1000);
}

/* Start serving calls. Returns GATE_VM_APP if this VM runs the
 * application, with GATE_VM_GUEST unless it is the default VM. */
int gate_vm_init(void)
{
	/* ept_spin_us=N: how long a waiter spins before it sleeps (the
	 * default was chosen by measurement; see docs/design.md). */
	const char *spin = cmdline_get("ept_spin_us");
	uint64_t spin_ns = spin ? parse_decimal(spin) * 1000 : SPIN_NS;

	vm_early();
	share_clock();
	ept_copy_init(self, comp_config.count);
	ept_init((void *)EPT_SHARED_BASE, self, ept_tables, comp_config.count,
		 &kernel_platform, spin_ns);
	sched_thread_t t = sched_create("listener", listener_main, NULL, 0);

	if (!t)
		panic("ept: no memory for the listener");
	sched_detach(t);
	pr_info("  ept: this VM is compartment %s; its part of the shared "
		"region at 0x%lx\n",
		comp_config.comps[self].name, (unsigned long)part(self));
	return (comp_config.comps[self].runs_app ? GATE_VM_APP : 0) |
	       (self != home_vm() ? GATE_VM_GUEST : 0);
}

/*
 * The file system is made once, by the default compartment's VM: there
 * the vfs is either local (the kernel core's compartment: the only copy
 * whose data the application's calls reach) or a gate away, served by
 * its VM's listener. Every other VM waits for its word before main runs.
 */
void gate_vm_setup_done(void)
{
	volatile struct ept_part *home = (struct ept_part *)part(home_vm());

	if (self == home_vm()) {
		__atomic_store_n(&home->setup_done, 1, __ATOMIC_RELEASE);
		return;
	}
	while (!__atomic_load_n(&home->setup_done, __ATOMIC_ACQUIRE))
		sched_sleep_ns(LISTEN_NS);
}

/* This VM's arena of the shared heap, in its own part (mm/shared.c takes
 * pages here): the others may read it, only this VM may write it. */
void *gate_shared_pages(size_t count)
{
	static uintptr_t next;
	size_t arena = EPT_PART_SIZE - EPT_ARENA_AT;
	uintptr_t base;

	vm_early();
	base = part(self) + EPT_ARENA_AT;
	if (!next)
		next = base;
	if (next + count * PAGE_SIZE > base + arena)
		return NULL;
	next += count * PAGE_SIZE;
	zero((void *)(next - count * PAGE_SIZE), count * PAGE_SIZE);
	return (void *)(next - count * PAGE_SIZE);
}

void gate_thread_exit(void)
{
	ept_thread_exit();
}
