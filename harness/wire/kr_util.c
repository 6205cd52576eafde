/* Shared helpers; see kr_util.h. */
#include "wire/kr_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t kr_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

double kr_ns_to_s(int64_t ns) { return (double)ns / 1e9; }

void kr_err_set(struct kr_err *e, int code, size_t offset, const char *fmt, ...)
{
	if (!e)
		return;
	e->code = code;
	e->offset = offset;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
}

void kr_err_clear(struct kr_err *e)
{
	if (e)
		memset(e, 0, sizeof *e);
}

size_t kr_hex_encode(char *out, size_t outsz, const uint8_t *in, size_t n)
{
	static const char d[] = "0123456789ABCDEF";
	size_t i = 0;
	if (outsz == 0)
		return 0;
	for (; i < n && 2 * i + 2 < outsz; i++) {
		out[2 * i] = d[in[i] >> 4];
		out[2 * i + 1] = d[in[i] & 15];
	}
	out[2 * i] = 0;
	return i;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

long kr_hex_decode(uint8_t *out, size_t outsz, const char *in, size_t inlen)
{
	if (inlen % 2 || inlen / 2 > outsz)
		return -1;
	for (size_t i = 0; i < inlen / 2; i++) {
		int hi = hexval(in[2 * i]), lo = hexval(in[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (long)(inlen / 2);
}

void kr_wr_bytes(struct kr_wr *w, const void *src, size_t n)
{
	if (n == 0 || !kr_wr_need(w, n))
		return;
	memcpy(w->p + w->off, src, n);
	w->off += n;
}

void kr_wr_put_u16_at(struct kr_wr *w, size_t at, uint16_t v)
{
	if (w->bad || at + 2 > w->off) {
		w->bad = true;
		return;
	}
	w->p[at] = (uint8_t)(v >> 8);
	w->p[at + 1] = (uint8_t)v;
}

int kr_bytes_append(struct kr_bytes *b, const void *src, size_t n)
{
	if (b->len + n > b->cap) {
		size_t nc = b->cap ? b->cap : 256;
		while (nc < b->len + n)
			nc *= 2;
		uint8_t *np = realloc(b->p, nc);
		if (!np)
			return -1;
		b->p = np;
		b->cap = nc;
	}
	if (n)
		memcpy(b->p + b->len, src, n);
	b->len += n;
	return 0;
}

void kr_bytes_free(struct kr_bytes *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
