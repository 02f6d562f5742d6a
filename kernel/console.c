/*
 * console.c - one console over every back end present, and printk.
 */
#include <bulkhead/arch.h>
#include <bulkhead/kernel.h>
#include "console_impl.h"

static enum log_level printk_level = LOG_INFO;

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
	console_write(buf, (size_t)n);
}
