/* pcap file reading; see pcap_read.h. */
#include "net/pcap_read.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

int kr_pcap_read_fp(FILE *fp, const char *path, kr_pkt_cb cb, void *arg, struct kr_err *err)
{
	char eb[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, eb);
	if (!p) {
		fclose(fp);
		kr_err_set(err, EINVAL, 0, "%s: %s", path, eb);
		return -1;
	}
	struct kr_pkt k = { .linktype = pcap_datalink(p) };
	FILE *f = pcap_file(p);
	int rc = 0;
	for (;;) {
		struct pcap_pkthdr *h;
		const u_char *d;
		k.offset = f ? ftell(f) : -1;
		int r = pcap_next_ex(p, &h, &d);
		if (r == PCAP_ERROR_BREAK)
			break;
		k.no++;
		if (r != 1) {
			/* libpcap says what is wrong ("truncated dump file; ...") */
			if (k.offset >= 0)
				kr_err_set(err, EINVAL, (size_t)k.offset, "%s: packet %llu at offset %ld: %s",
					   path, (unsigned long long)k.no, k.offset, pcap_geterr(p));
			else
				kr_err_set(err, EINVAL, 0, "%s: packet %llu: %s", path,
					   (unsigned long long)k.no, pcap_geterr(p));
			rc = -1;
			break;
		}
		k.ts_ns = (int64_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec; /* usec field holds ns */
		k.data = d;
		k.caplen = h->caplen;
		k.wirelen = h->len;
		rc = cb(&k, arg);
		if (rc)
			break;
	}
	pcap_close(p);
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
