/*
 * format.c - a small printf-style formatter for the kernel.
 *
 * Why not newlib's vsnprintf: printk runs in fault handlers and before
 * the heap exists; newlib's formatter takes locks, touches the per-thread
 * reent structure and may allocate. This one uses only the stack.
 *
 * Supported: %% %c %s %d %i %u %x %X %p and the length modifiers hh h l ll z,
 * the flags '-' and '0', a width and a precision (numbers from the format
 * or '*'). Output is always NUL-terminated when size > 0; the return value
 * is the length the full output would have had, as C99 snprintf.
 */
#include <bulkhead/kernel.h>

struct out {
	char *buf;   /* destination */
	size_t size; /* capacity, including the NUL */
	size_t len;  /* characters produced so far (may exceed size) */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

/* Emit a converted number or string with width, '-' and '0' flags. */
static void emit(struct out *o, const char *prefix, const char *s, int n,
		 int width, int left, int zero)
{
	int plen = 0;

	while (prefix[plen])
		plen++;
	int fill = width - n - plen;

	if (!left && !zero)
		pad(o, ' ', fill);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	if (!left && zero)
		pad(o, '0', fill);
	for (int i = 0; i < n; i++)
		put(o, s[i]);
	if (left)
		pad(o, ' ', fill);
}

static int utoa(unsigned long long v, unsigned base, int upper, char *tmp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char rev[24];
	int n = 0;

	do {
		rev[n++] = digits[v % base];
		v /= base;
	} while (v);
	for (int i = 0; i < n; i++)
		tmp[i] = rev[n - 1 - i];
	return n;
}

int kfmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = {buf, size, 0};

	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			put(&o, *p);
			continue;
		}
		p++;
		int left = 0, zero = 0, width = 0, prec = -1, lng = 0;

		for (;; p++) {
			if (*p == '-')
				left = 1;
			else if (*p == '0')
				zero = 1;
			else
				break;
		}
		if (*p == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				left = 1;
				width = -width;
			}
			p++;
		}
		while (*p >= '0' && *p <= '9')
			width = width * 10 + (*p++ - '0');
		if (*p == '.') {
			p++;
			prec = 0;
			if (*p == '*') {
				prec = va_arg(ap, int);
				p++;
			}
			while (*p >= '0' && *p <= '9')
				prec = prec * 10 + (*p++ - '0');
		}
		for (;; p++) {
			if (*p == 'l')
				lng++;
			else if (*p == 'z')
				lng = 1;
			else if (*p == 'h')
				; /* promoted to int anyway */
			else
				break;
		}

		char tmp[24];
		unsigned long long u;
		long long s;

		switch (*p) {
		case '\0':
			p--;
			break;
		case '%':
			put(&o, '%');
			break;
		case 'c':
			tmp[0] = (char)va_arg(ap, int);
			emit(&o, "", tmp, 1, width, left, 0);
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			int n = 0;

			if (!str)
				str = "(null)";
			while ((prec < 0 || n < prec) && str[n])
				n++;
			emit(&o, "", str, n, width, left, 0);
			break;
		}
		case 'd':
		case 'i':
			s = lng >= 2 ? va_arg(ap, long long)
			    : lng    ? va_arg(ap, long)
				     : va_arg(ap, int);
			u = s < 0 ? -(unsigned long long)s
				  : (unsigned long long)s;
			emit(&o, s < 0 ? "-" : "", tmp, utoa(u, 10, 0, tmp),
			     width, left, zero);
			break;
		case 'u':
		case 'x':
		case 'X':
			u = lng >= 2 ? va_arg(ap, unsigned long long)
			    : lng    ? va_arg(ap, unsigned long)
				     : va_arg(ap, unsigned int);
			emit(&o, "", tmp,
			     utoa(u, *p == 'u' ? 10 : 16, *p == 'X', tmp),
			     width, left, zero);
			break;
		case 'p':
			u = (uintptr_t)va_arg(ap, void *);
			emit(&o, "0x", tmp, utoa(u, 16, 0, tmp), width, left,
			     zero);
			break;
		default:
			/* Unknown conversion: show it rather than guess. */
			put(&o, '%');
			put(&o, *p);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int kfmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = kfmt_vsnprintf(buf, size, fmt, ap);

	va_end(ap);
	return n;
}
