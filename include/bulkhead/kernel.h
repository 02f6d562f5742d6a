/*
 * kernel.h - the kernel core library: console, printk, panic, exit,
 * command line, kernel symbols and fw_cfg.
 */
#ifndef BULKHEAD_KERNEL_H
#define BULKHEAD_KERNEL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define BULKHEAD_NAME	    "Bulkhead"
#define BULKHEAD_VERSION    "0.1.0"

/* Guest exit statuses reported through isa-debug-exit (see kernel_exit). */
#define EXIT_OK		    0
#define EXIT_FAILURE_STATUS 1
#define EXIT_PANIC	    125 /* a panic or an unexpected fault */

/* printk levels: lower is more important. */
enum log_level {
	LOG_ERR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

/* Console: COM1 and VGA text mode, whichever exist. */
void console_init(void);
void console_write(const char *s, size_t len);
int console_read_char(void); /* -1 when no byte is waiting */

/* Formatting without libc: safe in fault handlers (no locks, no heap). */
int kfmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int kfmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void printk_set_level(enum log_level level);
void printk(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* printk(level, "%s", msg): how other compartments print (libc/report.c). */
void printk_text(enum log_level level, const char *msg);
/* Copy the last `size` bytes of printk output (a 16 KiB ring) into buf. */
size_t printk_log_tail(char *buf, size_t size);
#define pr_err(...)   printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  printk(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)

/* Stop the machine with a guest exit status (QEMU isa-debug-exit). */
__attribute__((noreturn)) void kernel_exit(int status);
/*
 * Leave a note (at most KERNEL_NOTE_MAX bytes of shared memory, or NULL
 * to take it back) that a failed exit prints, naming the compartment: a
 * fuzzer's current call, say. caller: the gate's (kernel.api).
 */
#define KERNEL_NOTE_MAX 160
extern const int libc_comp_index;
void kernel_note(const char *text, int caller);
#define kernel_note(text) (kernel_note)((text), libc_comp_index)

/* Report a fatal error (message, thread, backtrace) and stop. */
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt,
							   ...);
/* panic("%s", msg): how other compartments panic (libc/report.c). */
__attribute__((noreturn)) void panic_text(const char *msg);

/* Boot: seed each stack-protector compartment's canary, read ubsan=
 * (kernel/harden.c). */
void harden_init(void);

/* The address of the first symbol called `name`, or 0. */
uintptr_t ksyms_lookup_name(const char *name);
/* Print "<symbol+0xoff>" for an address into buf. */
void ksyms_format(uintptr_t addr, char *buf, size_t size);

/* Walk the frame-pointer chain from rbp and print each return address. */
void kernel_backtrace(uintptr_t rbp);

/* Command line: "key=value" words, and the words after "--" as argv. */
void cmdline_init(const char *line);
const char *cmdline_get(const char *key); /* NULL when absent */
const char *cmdline_raw(void);
int cmdline_argv(char **argv, int max); /* words after "--" */

/* PCI configuration space (kernel/pci.c). bdf = bus<<16 | dev<<11 | fn<<8. */
#define PCI_NONE 0xffffffffu
uint32_t pci_find(unsigned vendor, unsigned device_lo, unsigned device_hi);
uint32_t pci_read32(uint32_t bdf, unsigned off);
void pci_write32(uint32_t bdf, unsigned off, uint32_t v);

/* QEMU fw_cfg: copy file `name` into buf; returns its size or -1. */
int fwcfg_read_file(const char *name, void *buf, size_t size);

/* Linker-script symbols of the image layout. */
extern char __kernel_start[], __kernel_end[];
extern char __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __bss_start[], __bss_end[];

#define ARRAY_SIZE(a)	 (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)	 (((x) + (a)-1) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))

#endif
