/*
 * serial.c - COM1, a 16550 UART at 115200 8N1, polled.
 */
#include <bulkhead/arch.h>
#include "console_impl.h"

#define UART_DATA      0 /* transmit/receive buffer (DLAB=0) */
#define UART_IER       1 /* interrupt enable (DLAB=0) */
#define UART_DLL       0 /* divisor low (DLAB=1) */
#define UART_DLH       1 /* divisor high (DLAB=1) */
#define UART_FCR       2 /* FIFO control (write) */
#define UART_IIR       2 /* interrupt identification (read) */
#define UART_LCR       3 /* line control */
#define UART_MCR       4 /* modem control */
#define UART_LSR       5 /* line status */
#define UART_SCR       7 /* scratch register */
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY  0x20
#define LCR_DLAB       0x80
#define LCR_8N1	       0x03
#define IIR_FIFOS_ON   0xc0 /* both bits: the FIFOs are enabled */
#define FCR_FIFOS_14   0xc1 /* FIFOs on, receive trigger at 14 bytes */

static int serial_present;

/*
 * Probe COM1 through its scratch register, then program it. The FIFOs
 * stay as the loader left them (on after GRUB, off after QEMU's -kernel):
 * switching them either way empties them, which would drop what was
 * typed while the machine booted.
 */
int serial_init(void)
{
	outb(PORT_COM1 + UART_SCR, 0x5a);
	if (inb(PORT_COM1 + UART_SCR) != 0x5a)
		return -1;
	outb(PORT_COM1 + UART_IER, 0x00);
	outb(PORT_COM1 + UART_LCR, LCR_DLAB);
	outb(PORT_COM1 + UART_DLL, 1); /* 115200 baud */
	outb(PORT_COM1 + UART_DLH, 0);
	outb(PORT_COM1 + UART_LCR, LCR_8N1);
	if ((inb(PORT_COM1 + UART_IIR) & IIR_FIFOS_ON) == IIR_FIFOS_ON)
		outb(PORT_COM1 + UART_FCR, FCR_FIFOS_14);
	outb(PORT_COM1 + UART_MCR, 0x03); /* DTR, RTS */
	serial_present = 1;
	return 0;
}

void serial_putc(char c)
{
	if (!serial_present)
		return;
	for (int spin = 0; spin < 100000; spin++)
		if (inb(PORT_COM1 + UART_LSR) & LSR_THR_EMPTY)
			break;
	outb(PORT_COM1 + UART_DATA, (uint8_t)c);
}

int serial_getc(void)
{
	if (!serial_present || !(inb(PORT_COM1 + UART_LSR) & LSR_DATA_READY))
		return -1;
	return inb(PORT_COM1 + UART_DATA);
}
