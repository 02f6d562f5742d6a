/*
 * console_impl.h - the console back ends, for console.c only.
 */
#ifndef KERNEL_CONSOLE_IMPL_H
#define KERNEL_CONSOLE_IMPL_H

int serial_init(void);
void serial_putc(char c);
int serial_getc(void);

void vga_init(void);
void vga_putc(char c);
void vga_sync_cursor(void);

#endif
