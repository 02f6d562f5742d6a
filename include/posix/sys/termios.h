/* sys/termios.h - what newlib's <termios.h> includes, for the one
 * terminal there is, the console: its window size (ioctl TIOCGWINSZ,
 * which the console does not answer: ENOTTY). The rest of termios is not
 * there. */
#ifndef BULKHEAD_POSIX_SYS_TERMIOS_H
#define BULKHEAD_POSIX_SYS_TERMIOS_H

#define TIOCGWINSZ 0x5413

struct winsize {
	unsigned short ws_row;
	unsigned short ws_col;
	unsigned short ws_xpixel;
	unsigned short ws_ypixel;
};

#endif
