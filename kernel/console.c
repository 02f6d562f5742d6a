/*
 * console.c - one console over every back end present, and printk.
 */
#include <bulkhead/arch.h>
#include <bulkhead/kernel.h>
#include "console_impl.h"

#define LOG_RING_SIZE 16384

static enum log_level printk_level = LOG_INFO;
static char log_ring[LOG_RING_SIZE]; /* the last printk output, like dmesg */
static uint64_t log_written;	     /* bytes ever appended to log_ring */

static void log_append(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		log_ring[(log_written + i) % LOG_RING_SIZE] = s[i];
	log_written += len;
}

size_t printk_log_tail(char *buf, size_t size)
{
	uint64_t flags = irq_save();
	size_t n = log_written < size ? (size_t)log_written : size;

	for (size_t i = 0; i < n; i++)
		buf[i] = log_ring[(log_written - n + i) % LOG_RING_SIZE];
	irq_restore(flags);
	return n;
}

void console_init(void)
{
	serial_init();
	vga_init();
}

/*
 * Write to the serial port (LF becomes CRLF) and the VGA screen. Interrupts
 * are held off so lines from an interrupt handler do not interleave.
 */
void console_write(const char *s, size_t len)
{
	uint64_t flags = irq_save();

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
		vga_putc(s[i]);
	}
	vga_sync_cursor();
	irq_restore(flags);
}

int console_read_char(void)
{
	return serial_getc();
}

void printk_set_level(enum log_level level)
{
	printk_level = level;
}

/* printk("%s", msg): how other compartments print (libc/report.c). */
void printk_text(enum log_level level, const char *msg)
{
	printk(level, "%s", msg);
}

void printk(enum log_level level, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (level > printk_level)
		return;
	va_start(ap, fmt);
	int n = kfmt_vsnprintf(buf, sizeof(buf), fmt, ap);

	va_end(ap);
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	uint64_t flags = irq_save();

	log_append(buf, (size_t)n);
	console_write(buf, (size_t)n);
	irq_restore(flags);
}
