/*
 * vga.c - the 80x25 VGA text console at 0xb8000, for servers whose only
 * console is a screen. Scrolls; keeps the hardware cursor in step.
 */
#include <stdint.h>
#include <bulkhead/arch.h>
#include "console_impl.h"

#define VGA_COLS 80
#define VGA_ROWS 25
#define VGA_ATTR 0x0700 /* light grey on black */

static volatile uint16_t *const vga = (volatile uint16_t *)0xb8000;
static int row, col;

static void vga_cursor(void)
{
	uint16_t pos = (uint16_t)(row * VGA_COLS + col);

	outb(PORT_VGA_CRTC_IDX, 0x0f);
	outb(PORT_VGA_CRTC_DATA, pos & 0xff);
	outb(PORT_VGA_CRTC_IDX, 0x0e);
	outb(PORT_VGA_CRTC_DATA, pos >> 8);
}

void vga_init(void)
{
	for (int i = 0; i < VGA_COLS * VGA_ROWS; i++)
		vga[i] = VGA_ATTR | ' ';
	row = col = 0;
	vga_cursor();
}

static void vga_newline(void)
{
	col = 0;
	if (++row < VGA_ROWS)
		return;
	for (int i = 0; i < VGA_COLS * (VGA_ROWS - 1); i++)
		vga[i] = vga[i + VGA_COLS];
	for (int i = 0; i < VGA_COLS; i++)
		vga[(VGA_ROWS - 1) * VGA_COLS + i] = VGA_ATTR | ' ';
	row = VGA_ROWS - 1;
}

void vga_putc(char c)
{
	if (c == '\n') {
		vga_newline();
	} else if (c == '\r') {
		col = 0;
	} else if (c == '\t') {
		col = (col + 8) & ~7;
		if (col >= VGA_COLS)
			vga_newline();
	} else {
		vga[row * VGA_COLS + col] = VGA_ATTR | (uint8_t)c;
		if (++col == VGA_COLS)
			vga_newline();
	}
}

void vga_sync_cursor(void)
{
	vga_cursor();
}
