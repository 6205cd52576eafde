/* pcap writer for synthetic BGP-over-TCP flows; see pcap_write.h. */
#include "net/pcap_write.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#define ETH_LEN 14
#define IP_LEN 20
#define TCP_LEN 20
#define MAX_PAYLOAD (65535 - IP_LEN - TCP_LEN)

struct kr_pcapw {
	pcap_t *p;
	pcap_dumper_t *d;
	uint32_t ip[2];
	uint16_t port[2];
	uint32_t seq[2];
	uint64_t usec;
	uint8_t frame[ETH_LEN + IP_LEN + TCP_LEN + MAX_PAYLOAD];
};

struct kr_pcapw *kr_pcapw_open(const char *path, uint32_t a_ip, uint16_t a_port, uint32_t b_ip,
			       uint16_t b_port, struct kr_err *err)
{
	struct kr_pcapw *w = calloc(1, sizeof *w);
	if (!w) {
		kr_err_set(err, ENOMEM, 0, "out of memory");
		return NULL;
	}
	w->p = pcap_open_dead(DLT_EN10MB, 65535);
	if (!w->p) {
		free(w);
		kr_err_set(err, EINVAL, 0, "pcap_open_dead failed");
		return NULL;
	}
	w->d = pcap_dump_open(w->p, path);
	if (!w->d) {
		kr_err_set(err, EIO, 0, "%s: %s", path, pcap_geterr(w->p));
		pcap_close(w->p);
		free(w);
		return NULL;
	}
	w->ip[0] = a_ip;
	w->ip[1] = b_ip;
	w->port[0] = a_port;
	w->port[1] = b_port;
	w->seq[0] = 1000;
	w->seq[1] = 9000;
	w->usec = 1700000000ull * 1000000;
	return w;
}

static uint32_t csum_add(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t csum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

int kr_pcapw_tcp(struct kr_pcapw *w, bool from_b, const uint8_t *payload, size_t len,
		 struct kr_err *err)
{
	if (len > MAX_PAYLOAD) {
		kr_err_set(err, EMSGSIZE, 0, "segment of %zu octets too large", len);
		return -1;
	}
	int s = from_b, r = !from_b;
	struct kr_wr f = kr_wr_init(w->frame, sizeof w->frame);
	/* Ethernet: locally administered MACs, IPv4 */
	const uint8_t mac[2][6] = { { 0x02, 0, 0, 0, 0, 1 }, { 0x02, 0, 0, 0, 0, 2 } };
	kr_wr_bytes(&f, mac[r], 6);
	kr_wr_bytes(&f, mac[s], 6);
	kr_wr_u16(&f, 0x0800);
	/* IPv4 (RFC 791), DF, TTL 64, protocol TCP */
	size_t ip = f.off;
	kr_wr_u8(&f, 0x45);
	kr_wr_u8(&f, 0xC0); /* DSCP CS6, as BGP speakers commonly use */
	kr_wr_u16(&f, (uint16_t)(IP_LEN + TCP_LEN + len));
	kr_wr_u16(&f, (uint16_t)w->seq[s]);
	kr_wr_u16(&f, 0x4000);
	kr_wr_u8(&f, 64);
	kr_wr_u8(&f, 6);
	kr_wr_u16(&f, 0);
	kr_wr_u32(&f, w->ip[s]);
	kr_wr_u32(&f, w->ip[r]);
	kr_wr_put_u16_at(&f, ip + 10, csum_fold(csum_add(0, w->frame + ip, IP_LEN)));
	/* TCP (RFC 9293): ACK|PSH, window 65535 */
	size_t tcp = f.off;
	kr_wr_u16(&f, w->port[s]);
	kr_wr_u16(&f, w->port[r]);
	kr_wr_u32(&f, w->seq[s]);
	kr_wr_u32(&f, w->seq[r]);
	kr_wr_u8(&f, (TCP_LEN / 4) << 4);
	kr_wr_u8(&f, 0x18);
	kr_wr_u16(&f, 65535);
	kr_wr_u16(&f, 0);
	kr_wr_u16(&f, 0);
	kr_wr_bytes(&f, payload, len);
	if (f.bad) {
		kr_err_set(err, EMSGSIZE, 0, "frame buffer overflow");
		return -1;
	}
	uint8_t pseudo[12];
	struct kr_wr pw = kr_wr_init(pseudo, sizeof pseudo);
	kr_wr_u32(&pw, w->ip[s]);
	kr_wr_u32(&pw, w->ip[r]);
	kr_wr_u16(&pw, 6);
	kr_wr_u16(&pw, (uint16_t)(TCP_LEN + len));
	uint32_t sum = csum_add(csum_add(0, pseudo, sizeof pseudo), w->frame + tcp, TCP_LEN + len);
	kr_wr_put_u16_at(&f, tcp + 16, csum_fold(sum));
	w->seq[s] += (uint32_t)len;

	struct pcap_pkthdr h;
	memset(&h, 0, sizeof h);
	w->usec += 1000;
	h.ts.tv_sec = (time_t)(w->usec / 1000000);
	h.ts.tv_usec = (suseconds_t)(w->usec % 1000000);
	h.caplen = h.len = (bpf_u_int32)f.off;
	pcap_dump((u_char *)w->d, &h, w->frame);
	return 0;
}

int kr_pcapw_close(struct kr_pcapw *w)
{
	if (!w)
		return 0;
	int rc = pcap_dump_flush(w->d) == 0 ? 0 : -1;
	pcap_dump_close(w->d);
	pcap_close(w->p);
	free(w);
	return rc;
}
