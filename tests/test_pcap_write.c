/* pcap writer: frames read back with libpcap, headers and checksums. */
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wire/bgp_msg.h"
#include "cu.h"
#include "net/pcap_write.h"

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static void t_roundtrip(void)
{
	char path[] = "/tmp/kr-pcapw-XXXXXX";
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	struct kr_err e;
	struct kr_pcapw *w = kr_pcapw_open(path, 0xC6120001, 40179, 0xC6120002, 179, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	uint8_t ka[19], odd[5] = { 1, 2, 3, 4, 5 };
	size_t l;
	kr_keepalive_build(ka, sizeof ka, &l);
	CU_ASSERT_EQUAL(kr_pcapw_tcp(w, false, ka, l, &e), 0);
	CU_ASSERT_EQUAL(kr_pcapw_tcp(w, true, odd, sizeof odd, &e), 0);
	CU_ASSERT_EQUAL(kr_pcapw_tcp(w, false, ka, l, &e), 0);
	static uint8_t big[70000];
	CU_ASSERT_EQUAL(kr_pcapw_tcp(w, false, big, sizeof big, &e), -1);
	CU_ASSERT_EQUAL(kr_pcapw_close(w), 0);

	char eb[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, eb);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(pcap_datalink(p), DLT_EN10MB);
	struct pcap_pkthdr *h;
	const u_char *d;
	uint32_t seq_a = 0;
	for (int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL_FATAL(pcap_next_ex(p, &h, &d), 1);
		size_t pl = i == 1 ? 5 : 19;
		CU_ASSERT_EQUAL(h->caplen, 14 + 20 + 20 + pl);
		CU_ASSERT(d[12] == 0x08 && d[13] == 0x00);
		const uint8_t *ip = d + 14, *tcp = ip + 20;
		CU_ASSERT_EQUAL(ip[9], 6);
		CU_ASSERT_EQUAL(fold(sum16(ip, 20, 0)), 0xffff); /* IPv4 checksum */
		uint8_t ph[12];
		memcpy(ph, ip + 12, 8);
		ph[8] = 0;
		ph[9] = 6;
		ph[10] = (uint8_t)((20 + pl) >> 8);
		ph[11] = (uint8_t)(20 + pl);
		CU_ASSERT_EQUAL(fold(sum16(tcp, 20 + pl, sum16(ph, 12, 0))), 0xffff);
		uint16_t sport = (uint16_t)(tcp[0] << 8 | tcp[1]), dport = (uint16_t)(tcp[2] << 8 | tcp[3]);
		uint32_t seq = (uint32_t)tcp[4] << 24 | (uint32_t)tcp[5] << 16 | (uint32_t)tcp[6] << 8 | tcp[7];
		if (i == 1) {
			CU_ASSERT(sport == 179 && dport == 40179);
			CU_ASSERT(ip[15] == 2 && ip[19] == 1);
		} else {
			CU_ASSERT(sport == 40179 && dport == 179);
			if (i == 2)
				CU_ASSERT_EQUAL(seq, seq_a + 19); /* sequence advances */
			seq_a = seq;
		}
		CU_ASSERT(memcmp(tcp + 20, i == 1 ? odd : ka, pl) == 0);
	}
	CU_ASSERT_EQUAL(pcap_next_ex(p, &h, &d), PCAP_ERROR_BREAK);
	pcap_close(p);
	unlink(path);
	CU_ASSERT_PTR_NULL(kr_pcapw_open("/nonexistent-dir/x.pcap", 1, 1, 2, 179, &e));
	CU_ASSERT(e.msg[0] != 0);
	CU_ASSERT_EQUAL(kr_pcapw_close(NULL), 0);
}

KR_TESTS("pcap_write", { "write and read back", t_roundtrip });
