/* RTR transcript: every PDU in and out and every connection event, with a
 * kr_now_ns() timestamp. See rtr_cache.h. */
#include "rpki/rtr_cache_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void tx_add(struct kr_rtr_cache *c, unsigned client, char dir, int type, const void *p, size_t n)
{
	struct kr_rtr_tx_ent e = { kr_now_ns(), client, dir, type, c->tx_data.len, n };
	if (c->tx_stream) {
		char line[512];
		struct kr_rtr_tx t = { e.t_ns, client, dir, type, p, n };
		kr_rtr_transcript_line(&t, line, sizeof line);
		fprintf(c->tx_stream, "%s\n", line);
		fflush(c->tx_stream);
	}
	if (!c->tx_on)
		return;
	if (c->ntx == c->captx) {
		size_t nc = c->captx ? 2 * c->captx : 256;
		struct kr_rtr_tx_ent *nt = realloc(c->tx, nc * sizeof *nt);
		if (!nt)
			return;
		c->tx = nt;
		c->captx = nc;
	}
	if (kr_bytes_append(&c->tx_data, p, n))
		return;
	c->tx[c->ntx++] = e;
}

void kr_rtr_tx_pdu(struct kr_rtr_cache *c, unsigned client, char dir, const uint8_t *p, size_t n)
{
	if (!c->tx_on && !c->tx_stream)
		return;
	int type = n >= 2 ? p[1] : -1;
	tx_add(c, client, dir, type, p, n);
}

void kr_rtr_tx_event(struct kr_rtr_cache *c, unsigned client, const char *fmt, ...)
{
	if (!c->tx_on && !c->tx_stream)
		return;
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	tx_add(c, client, KR_RTR_EVENT, -1, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

void kr_rtr_tx_free(struct kr_rtr_cache *c)
{
	free(c->tx);
	c->tx = NULL;
	c->ntx = c->captx = 0;
	kr_bytes_free(&c->tx_data);
}

void kr_rtr_transcript_enable(struct kr_rtr_cache *c, bool on, FILE *stream)
{
	c->tx_on = on;
	c->tx_stream = stream;
}

size_t kr_rtr_transcript_count(const struct kr_rtr_cache *c) { return c->ntx; }

bool kr_rtr_transcript_get(const struct kr_rtr_cache *c, size_t i, struct kr_rtr_tx *out)
{
	if (i >= c->ntx)
		return false;
	const struct kr_rtr_tx_ent *e = &c->tx[i];
	*out = (struct kr_rtr_tx){ e->t_ns, e->client, e->dir, e->type, c->tx_data.p + e->off, e->len };
	return true;
}

size_t kr_rtr_transcript_count_pdus(const struct kr_rtr_cache *c, char dir, int type, unsigned client)
{
	size_t n = 0;
	for (size_t i = 0; i < c->ntx; i++) {
		const struct kr_rtr_tx_ent *e = &c->tx[i];
		if (e->dir == dir && (type < 0 || e->type == type) && (!client || e->client == client))
			n++;
	}
	return n;
}

void kr_rtr_transcript_line(const struct kr_rtr_tx *t, char *out, size_t outsz)
{
	char body[400];
	if (t->dir == KR_RTR_EVENT) {
		snprintf(body, sizeof body, "%.*s", (int)t->len, (const char *)t->data);
	} else {
		struct kr_rtr_pdu p;
		struct kr_err err;
		if (kr_rtr_decode(t->data, t->len, &p, &err) == 0) {
			kr_rtr_format(&p, body, sizeof body);
		} else {
			char hex[2 * 16 + 1];
			kr_hex_encode(hex, sizeof hex, t->data, t->len < 16 ? t->len : 16);
			snprintf(body, sizeof body, "undecodable (%zu octets, %s%s): %s", t->len, hex,
				 t->len > 16 ? "..." : "", err.msg);
		}
	}
	snprintf(out, outsz, "%lld.%09lld c%u %c %s", (long long)(t->t_ns / 1000000000),
		 (long long)(t->t_ns % 1000000000), t->client, t->dir, body);
}

int kr_rtr_transcript_write(const struct kr_rtr_cache *c, const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	char line[512];
	struct kr_rtr_tx t;
	for (size_t i = 0; kr_rtr_transcript_get(c, i, &t); i++) {
		kr_rtr_transcript_line(&t, line, sizeof line);
		fprintf(f, "%s\n", line);
	}
	if (fclose(f)) {
		int e = errno;
		errno = e;
		return -1;
	}
	return 0;
}
