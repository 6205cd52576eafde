/* Small shared helpers: monotonic clock, hex, bounds-checked byte cursors,
 * error text. Everything here is pure (no I/O). */
#ifndef KR_UTIL_H
#define KR_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One monotonic clock for every timestamp a run records (docs/design.md rule 8). */
int64_t kr_now_ns(void);
double kr_ns_to_s(int64_t ns);

/* Error text carried back to callers instead of printing from deep code. */
struct kr_err {
	int code;       /* subsystem-specific, 0 = no error */
	size_t offset;  /* byte offset or line number the error refers to */
	char msg[256];
};
void kr_err_set(struct kr_err *e, int code, size_t offset, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void kr_err_clear(struct kr_err *e);

/* Hex: encode upper-case; decode accepts either case, rejects odd length or
 * non-hex. Returns number of bytes written, or -1. */
size_t kr_hex_encode(char *out, size_t outsz, const uint8_t *in, size_t n);
long kr_hex_decode(uint8_t *out, size_t outsz, const char *in, size_t inlen);

/* Bounds-checked big-endian reader. Any read past the end sets `bad`
 * and returns zeros; callers check kr_rd_ok() once per structure. */
struct kr_rd {
	const uint8_t *p;
	size_t len, off;
	bool bad;
};
static inline struct kr_rd kr_rd_init(const uint8_t *p, size_t len)
{
	struct kr_rd r = { p, len, 0, false };
	return r;
}
static inline size_t kr_rd_left(const struct kr_rd *r) { return r->bad ? 0 : r->len - r->off; }
static inline bool kr_rd_ok(const struct kr_rd *r) { return !r->bad; }
static inline bool kr_rd_need(struct kr_rd *r, size_t n)
{
	if (r->bad || r->len - r->off < n) { r->bad = true; return false; }
	return true;
}
static inline uint8_t kr_rd_u8(struct kr_rd *r)
{
	if (!kr_rd_need(r, 1)) return 0;
	return r->p[r->off++];
}
static inline uint16_t kr_rd_u16(struct kr_rd *r)
{
	if (!kr_rd_need(r, 2)) return 0;
	uint16_t v = (uint16_t)(r->p[r->off] << 8 | r->p[r->off + 1]);
	r->off += 2;
	return v;
}
static inline uint32_t kr_rd_u32(struct kr_rd *r)
{
	if (!kr_rd_need(r, 4)) return 0;
	const uint8_t *q = r->p + r->off;
	r->off += 4;
	return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
}
/* Returns a pointer to n bytes inside the buffer, or NULL (and bad). */
static inline const uint8_t *kr_rd_bytes(struct kr_rd *r, size_t n)
{
	if (!kr_rd_need(r, n)) return NULL;
	const uint8_t *q = r->p + r->off;
	r->off += n;
	return q;
}

/* Bounds-checked writer into a caller buffer; overflow sets `bad`. */
struct kr_wr {
	uint8_t *p;
	size_t cap, off;
	bool bad;
};
static inline struct kr_wr kr_wr_init(uint8_t *p, size_t cap)
{
	struct kr_wr w = { p, cap, 0, false };
	return w;
}
static inline bool kr_wr_need(struct kr_wr *w, size_t n)
{
	if (w->bad || w->cap - w->off < n) { w->bad = true; return false; }
	return true;
}
static inline void kr_wr_u8(struct kr_wr *w, uint8_t v)
{
	if (kr_wr_need(w, 1)) w->p[w->off++] = v;
}
static inline void kr_wr_u16(struct kr_wr *w, uint16_t v)
{
	if (!kr_wr_need(w, 2)) return;
	w->p[w->off++] = (uint8_t)(v >> 8);
	w->p[w->off++] = (uint8_t)v;
}
static inline void kr_wr_u32(struct kr_wr *w, uint32_t v)
{
	if (!kr_wr_need(w, 4)) return;
	w->p[w->off++] = (uint8_t)(v >> 24);
	w->p[w->off++] = (uint8_t)(v >> 16);
	w->p[w->off++] = (uint8_t)(v >> 8);
	w->p[w->off++] = (uint8_t)v;
}
void kr_wr_bytes(struct kr_wr *w, const void *src, size_t n);
/* Patch a u16 at an earlier offset (length fields written after content). */
void kr_wr_put_u16_at(struct kr_wr *w, size_t at, uint16_t v);

/* Growable byte buffer for callers that do not know sizes up front. */
struct kr_bytes {
	uint8_t *p;
	size_t len, cap;
};
int kr_bytes_append(struct kr_bytes *b, const void *src, size_t n); /* 0 or -1 (ENOMEM) */
void kr_bytes_free(struct kr_bytes *b);

#endif
