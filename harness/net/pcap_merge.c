/* Merging captures (pcap_merge.h). */
#include "net/pcap_merge.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "net/pcap_read.h"

struct rec {
	int64_t ts;
	size_t seq, caplen, wirelen;
	uint8_t *data;
};

struct acc {
	struct rec *r;
	size_t n, cap;
	int linktype;
	bool mixed, nomem;
};

static int take(const struct kr_pkt *p, void *arg)
{
	struct acc *a = arg;
	if (a->linktype < 0)
		a->linktype = p->linktype;
	if (p->linktype != a->linktype) {
		a->mixed = true;
		return 1;
	}
	if (a->n == a->cap) {
		size_t nc = a->cap ? 2 * a->cap : 256;
		struct rec *nr = realloc(a->r, nc * sizeof *nr);
		if (!nr) {
			a->nomem = true;
			return 1;
		}
		a->r = nr;
		a->cap = nc;
	}
	uint8_t *d = malloc(p->caplen ? p->caplen : 1);
	if (!d) {
		a->nomem = true;
		return 1;
	}
	memcpy(d, p->data, p->caplen);
	a->r[a->n] = (struct rec){ p->ts_ns, a->n, p->caplen, p->wirelen, d };
	a->n++;
	return 0;
}

static int cmp(const void *x, const void *y)
{
	const struct rec *a = x, *b = y;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

long kr_pcap_merge(const char *const *in, size_t n, const char *out, struct kr_err *err)
{
	struct acc a = { .linktype = -1 };
	long rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		int r = kr_pcap_read(in[i], take, &a, err);
		if (r < 0)
			rc = -1;
		else if (a.mixed) {
			kr_err_set(err, EINVAL, 0, "%s: link type differs from the other captures", in[i]);
			rc = -1;
		} else if (a.nomem) {
			kr_err_set(err, ENOMEM, 0, "out of memory");
			rc = -1;
		}
	}
	if (rc == 0) {
		if (a.n)
			qsort(a.r, a.n, sizeof *a.r, cmp);
		pcap_t *p = pcap_open_dead_with_tstamp_precision(a.linktype < 0 ? DLT_EN10MB : a.linktype, 262144,
								 PCAP_TSTAMP_PRECISION_NANO);
		pcap_dumper_t *d = p ? pcap_dump_open(p, out) : NULL;
		if (!d) {
			kr_err_set(err, EIO, 0, "%s: %s", out, p ? pcap_geterr(p) : "cannot open");
			rc = -1;
		} else {
			for (size_t i = 0; i < a.n; i++) {
				struct pcap_pkthdr h = { .caplen = (bpf_u_int32)a.r[i].caplen,
							 .len = (bpf_u_int32)a.r[i].wirelen };
				h.ts.tv_sec = a.r[i].ts / 1000000000LL;
				h.ts.tv_usec = a.r[i].ts % 1000000000LL; /* nanoseconds at this precision */
				pcap_dump((u_char *)d, &h, a.r[i].data);
			}
			if (pcap_dump_flush(d) < 0) {
				kr_err_set(err, EIO, 0, "%s: write error", out);
				rc = -1;
			}
			pcap_dump_close(d);
			if (rc == 0)
				rc = (long)a.n;
		}
		if (p)
			pcap_close(p);
	}
	for (size_t i = 0; i < a.n; i++)
		free(a.r[i].data);
	free(a.r);
	return rc;
}
