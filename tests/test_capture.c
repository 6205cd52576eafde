/* Live capture in namespaces and decoding of what it wrote, compared with
 * tshark (needs root and tshark; skipped with a note otherwise). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wire/bgp_msg.h"
#include "net/capture.h"
#include "cu.h"
#include "net/netns.h"
#include "net/pcap_read.h"
#include "net/teardown.h"
#include "net/topo.h"

static bool usable(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "SKIP: not root\n");
		return false;
	}
	return true;
}

static struct kr_net *up(const char *file)
{
	struct kr_topo t;
	struct kr_err e = { 0 };
	if (kr_topo_load(&t, file, &e) < 0)
		return NULL;
	struct kr_net *n = kr_net_up(&t, NULL, false, &e);
	if (!n)
		fprintf(stderr, "kr_net_up: %s\n", e.msg);
	return n;
}

/* Write buf in pieces of `chunk` bytes, each its own segment. */
static int dribble(int fd, const uint8_t *buf, size_t len, size_t chunk)
{
	for (size_t off = 0; off < len;) {
		size_t n = len - off < chunk ? len - off : chunk;
		ssize_t w = write(fd, buf + off, n);
		if (w < 0 && errno == EAGAIN) {
			struct pollfd p = { fd, POLLOUT, 0 };
			poll(&p, 1, 1000);
			continue;
		}
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

static int read_all(int fd, size_t want)
{
	uint8_t b[8192];
	size_t got = 0;
	while (got < want) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 3000) != 1)
			return -1;
		ssize_t r = read(fd, b, sizeof b);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* A BGP-looking exchange: each side's OPEN and KEEPALIVE, then UPDATEs
 * bigger than the MSS from the client. */
static size_t client_stream(uint8_t *out, size_t cap)
{
	size_t off = 0, len;
	struct kr_open_cfg oc = { .asn = 64496, .hold_time = 90, .bgp_id = 0xc6120001,
				  .mp = { false, true, false } };
	kr_open_build(&oc, out, cap, &len, NULL);
	off += len;
	kr_keepalive_build(out + off, cap - off, &len);
	off += len;
	/* withdrawals of many prefixes: 3 UPDATEs of several hundred bytes */
	for (int u = 0; u < 3; u++) {
		struct kr_prefix p[100];
		for (int i = 0; i < 100; i++) {
			char s[48];
			snprintf(s, sizeof s, "203.0.%u.%u/32", (unsigned)u & 255, (unsigned)i & 255);
			kr_prefix_parse(&p[i], s);
		}
		CU_ASSERT_EQUAL_FATAL(kr_update_build_withdraw(p, 100, 4096, out + off, cap - off, &len, NULL), 0);
		off += len;
	}
	kr_keepalive_build(out + off, cap - off, &len);
	off += len;
	return off;
}

struct seq {
	char types[256];
	size_t n;
	int errors;
};
static void on_msg(const struct kr_smsg *m, void *arg)
{
	struct seq *s = arg;
	if (s->n < sizeof s->types - 1)
		s->types[s->n++] = (char)('0' + m->msg[18]);
}
static void on_err(const struct kr_serr *e, void *arg)
{
	struct seq *s = arg;
	fprintf(stderr, "reasm: packet %llu: %s\n", (unsigned long long)e->pkt_no, e->msg);
	s->errors++;
}

/* tshark's BGP message types in frame order, as one string of digits. */
static int tshark_types(const char *pcap, char *out, size_t cap)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
		 "tshark -r '%s' -Y bgp -T fields -e bgp.type -E occurrence=a 2>/dev/null", pcap);
	FILE *f = popen(cmd, "r");
	if (!f)
		return -1;
	size_t n = 0;
	int c;
	while ((c = fgetc(f)) != EOF)
		if (c >= '1' && c <= '5' && n < cap - 1)
			out[n++] = (char)c;
	out[n] = 0;
	return pclose(f) == 0 ? 0 : -1;
}

/* The pair topology up, and a fresh folder with the path of a-b.pcap in it. */
static struct kr_net *pair_and_file(char *dir, char *path, size_t pathsz)
{
	struct kr_net *n = up("netns/pair.topo");
	if (n && !mkdtemp(dir)) {
		kr_net_free(n);
		return NULL;
	}
	snprintf(path, pathsz, "%s/a-b.pcap", dir);
	return n;
}

static void t_capture_matches_tshark(void)
{
	if (!usable())
		return;
	if (system("command -v tshark >/dev/null 2>&1") != 0) {
		fprintf(stderr, "SKIP: no tshark\n");
		return;
	}
	char dir[] = "/tmp/kr-test-cap-XXXXXX", path[600];
	struct kr_net *n = pair_and_file(dir, path, sizeof path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	struct kr_err e = { 0 };
	struct kr_capture *c = kr_capture_start(n, "a", "b", path, &e);
	if (!c)
		fprintf(stderr, "capture: %s\n", e.msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);

	struct kr_ifaddr ba;
	kr_net_addr(n, "b", "a", AF_INET, &ba);
	struct sockaddr_storage ss;
	socklen_t sl = kr_ifaddr_sockaddr(&ba, 179, &ss);
	int ls = kr_net_socket(n, "b", AF_INET, SOCK_STREAM, 0);
	int one = 1, mss = 100;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	setsockopt(ls, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof mss);
	CU_ASSERT_FATAL(bind(ls, (struct sockaddr *)&ss, sl) == 0 && listen(ls, 1) == 0);
	int cs = kr_net_socket(n, "a", AF_INET, SOCK_STREAM, 0);
	/* a tiny MSS and no Nagle: messages span several segments */
	setsockopt(cs, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof mss);
	setsockopt(cs, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	CU_ASSERT_FATAL(connect(cs, (struct sockaddr *)&ss, sl) == 0);
	int as = accept(ls, NULL, NULL);
	CU_ASSERT_FATAL(as >= 0);
	setsockopt(as, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

	static uint8_t cbuf[16384], sbuf[256];
	size_t cl = client_stream(cbuf, sizeof cbuf);
	size_t len, sl2 = 0;
	struct kr_open_cfg oc = { .asn = 65551, .hold_time = 90, .bgp_id = 0xc6120002,
				  .mp = { false, true, false } };
	kr_open_build(&oc, sbuf, sizeof sbuf, &len, NULL);
	sl2 += len;
	kr_keepalive_build(sbuf + sl2, sizeof sbuf - sl2, &len);
	sl2 += len;
	CU_ASSERT_EQUAL(dribble(as, sbuf, sl2, 5), 0);
	CU_ASSERT_EQUAL(dribble(cs, cbuf, cl, 37), 0);
	CU_ASSERT_EQUAL(read_all(as, cl), 0);
	CU_ASSERT_EQUAL(read_all(cs, sl2), 0);
	close(cs);
	close(as);
	close(ls);
	kr_capture_stop(c);
	CU_ASSERT(kr_capture_packets(c) > 20);
	CU_ASSERT_EQUAL(kr_capture_drops(c), 0);

	struct seq s = { .n = 0 };
	CU_ASSERT_EQUAL(kr_pcap_messages(path, NULL, on_msg, on_err, &s, &e), 0);
	s.types[s.n] = 0;
	char ts[256];
	CU_ASSERT_EQUAL(tshark_types(path, ts, sizeof ts), 0);
	if (strcmp(s.types, ts))
		fprintf(stderr, "keyroll: %s\ntshark:  %s\n", s.types, ts);
	CU_ASSERT_STRING_EQUAL(s.types, ts);
	CU_ASSERT_EQUAL(s.n, 8); /* 2 OPEN, 3 KEEPALIVE, 3 UPDATE */
	CU_ASSERT_EQUAL(s.errors, 0);
	kr_capture_free(c);
	kr_net_free(n);
	if (getenv("KR_KEEP")) return;
	unlink(path);
	rmdir(dir);
}

static void t_capture_sut_links_and_teardown(void)
{
	if (!usable())
		return;
	struct kr_net *n = up("netns/rollover.topo");
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	char dir[] = "/tmp/kr-test-cap-XXXXXX";
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	struct kr_err e = { 0 };
	struct kr_capset *cs = kr_capture_sut_links(n, dir, &e);
	if (!cs)
		fprintf(stderr, "capture: %s\n", e.msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cs);
	CU_ASSERT_EQUAL(kr_capset_count(cs), 6);
	/* one TCP connection attempt from dn2 to the SUT (refused is fine:
	 * the packets are what counts) */
	struct kr_ifaddr sa;
	kr_net_addr(n, "sut", "dn2", AF_INET6, &sa);
	struct sockaddr_storage ss;
	socklen_t sl = kr_ifaddr_sockaddr(&sa, 179, &ss);
	int s = kr_net_socket(n, "dn2", AF_INET6, SOCK_STREAM, 0);
	CU_ASSERT(connect(s, (struct sockaddr *)&ss, sl) < 0 && errno == ECONNREFUSED);
	close(s);
	/* the teardown path (as on SIGINT) flushes and closes the captures */
	kr_teardown_all();
	char path[600];
	snprintf(path, sizeof path, "%s/sut-dn2.pcap", dir);
	struct stat st;
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT(st.st_size > 24 + 2 * 16 + 2 * 74); /* header + SYN + RST */
	for (size_t i = 0; i < kr_capset_count(cs); i++) {
		unlink(kr_capture_path(kr_capset_get(cs, i)));
	}
	kr_capset_free(cs); /* after teardown: frees only */
	kr_net_free(n);
	rmdir(dir);
}

/* A file that cannot be written (here: a full device) is reported after
 * stop, so the run does not lint a truncated capture as the SUT's; a
 * whole one reports nothing. */
static void t_capture_write_error(void)
{
	if (!usable() || access("/dev/full", W_OK) != 0)
		return;
	char dir[] = "/tmp/kr-test-cap-XXXXXX", path[600];
	struct kr_net *n = pair_and_file(dir, path, sizeof path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	struct kr_err e = { 0 };
	struct kr_capture *full = kr_capture_start(n, "a", "b", "/dev/full", &e);
	struct kr_capture *ok = kr_capture_start(n, "a", "b", path, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(full);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ok);
	kr_capture_stop(full);
	kr_capture_stop(ok);
	CU_ASSERT_PTR_NOT_NULL(kr_capture_error(full));
	if (kr_capture_error(full))
		CU_ASSERT_PTR_NOT_NULL(strstr(kr_capture_error(full), "No space"));
	CU_ASSERT_PTR_NULL(kr_capture_error(ok));
	kr_capture_free(full);
	kr_capture_free(ok);
	kr_net_free(n);
	unlink(path);
	rmdir(dir);
}

KR_TESTS("capture",
	 { "a capture file that cannot be written is reported", t_capture_write_error },
	 { "captured BGP session decodes like tshark", t_capture_matches_tshark },
	 { "captures on every SUT link, flushed by teardown", t_capture_sut_links_and_teardown });
