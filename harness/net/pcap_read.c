/* pcap file reading; see pcap_read.h. */
#include "net/pcap_read.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kr_pcap_rd {
	pcap_t *p;
	FILE *f;
	const char *path;
	struct kr_pkt k;
};

struct kr_pcap_rd *kr_pcap_rd_fopen(FILE *fp, const char *path, struct kr_err *err)
{
	char eb[PCAP_ERRBUF_SIZE] = "";
	struct kr_pcap_rd *r = calloc(1, sizeof *r);
	if (!r) {
		fclose(fp);
		kr_err_set(err, ENOMEM, 0, "%s: out of memory", path);
		return NULL;
	}
	r->p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, eb);
	if (!r->p) {
		fclose(fp);
		free(r);
		kr_err_set(err, EINVAL, 0, "%s: %s", path, eb);
		return NULL;
	}
	r->path = path;
	r->k.linktype = pcap_datalink(r->p);
	r->f = pcap_file(r->p);
	return r;
}

struct kr_pcap_rd *kr_pcap_rd_open(const char *path, struct kr_err *err)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		kr_err_set(err, errno, 0, "%s: %s", path, strerror(errno));
		return NULL;
	}
	return kr_pcap_rd_fopen(fp, path, err);
}

int kr_pcap_rd_next(struct kr_pcap_rd *r, struct kr_pkt *k, struct kr_err *err)
{
	struct pcap_pkthdr *h;
	const u_char *d;
	r->k.offset = r->f ? ftell(r->f) : -1;
	int rc = pcap_next_ex(r->p, &h, &d);
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	r->k.no++;
	if (rc != 1) {
		/* libpcap says what is wrong ("truncated dump file; ...") */
		if (r->k.offset >= 0)
			kr_err_set(err, EINVAL, (size_t)r->k.offset, "%s: packet %llu at offset %ld: %s", r->path,
				   (unsigned long long)r->k.no, r->k.offset, pcap_geterr(r->p));
		else
			kr_err_set(err, EINVAL, 0, "%s: packet %llu: %s", r->path, (unsigned long long)r->k.no,
				   pcap_geterr(r->p));
		return -1;
	}
	r->k.ts_ns = (int64_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec; /* usec field holds ns */
	r->k.data = d;
	r->k.caplen = h->caplen;
	r->k.wirelen = h->len;
	*k = r->k;
	return 1;
}

void kr_pcap_rd_close(struct kr_pcap_rd *r)
{
	if (!r)
		return;
	pcap_close(r->p);
	free(r);
}

int kr_pcap_read_fp(FILE *fp, const char *path, kr_pkt_cb cb, void *arg, struct kr_err *err)
{
	struct kr_pcap_rd *r = kr_pcap_rd_fopen(fp, path, err);
	if (!r)
		return -1;
	struct kr_pkt k;
	int rc;
	while ((rc = kr_pcap_rd_next(r, &k, err)) == 1)
		if ((rc = cb(&k, arg)) != 0)
			break;
	kr_pcap_rd_close(r);
	return rc;
}

int kr_pcap_read(const char *path, kr_pkt_cb cb, void *arg, struct kr_err *err)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		kr_err_set(err, errno, 0, "%s: %s", path, strerror(errno));
		return -1;
	}
	return kr_pcap_read_fp(fp, path, cb, arg, err);
}

struct msgs_ctx {
	struct kr_reasm *r;
};

static int feed(const struct kr_pkt *p, void *arg)
{
	struct msgs_ctx *m = arg;
	kr_reasm_frame(m->r, p->linktype, p->ts_ns, p->no, p->data, p->caplen, p->wirelen);
	return 0;
}

int kr_pcap_messages_fp(FILE *fp, const char *path, const struct kr_reasm_cfg *cfg,
			kr_smsg_cb on_msg, kr_serr_cb on_err, void *arg, struct kr_err *err)
{
	struct msgs_ctx m = { kr_reasm_new(cfg, on_msg, on_err, arg) };
	if (!m.r) {
		fclose(fp);
		kr_err_set(err, ENOMEM, 0, "out of memory");
		return -1;
	}
	int rc = kr_pcap_read_fp(fp, path, feed, &m, err);
	kr_reasm_finish(m.r);
	kr_reasm_free(m.r);
	return rc < 0 ? -1 : 0;
}

int kr_pcap_messages(const char *path, const struct kr_reasm_cfg *cfg, kr_smsg_cb on_msg,
		     kr_serr_cb on_err, void *arg, struct kr_err *err)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		kr_err_set(err, errno, 0, "%s: %s", path, strerror(errno));
		return -1;
	}
	return kr_pcap_messages_fp(fp, path, cfg, on_msg, on_err, arg, err);
}
