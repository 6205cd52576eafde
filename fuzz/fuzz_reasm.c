/* libFuzzer target: the frame decoder and TCP reassembler.
 * Input: records of op(1) len(2, big-endian) body(len).
 *   op bit 0 = 0: body is a raw frame; link type from bits 1-3.
 *   op bit 0 = 1: a synthetic TCP segment on one of four flows (bits 2-3),
 *     direction bit 1, RTR instead of BGP bit 4; body = flags(1) seq(4)
 *     payload. Sequence numbers are relative to a fixed ISN so segments
 *     land near each other and exercise holes, overlaps and wrap-around. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "net/tcp_reasm.h"

static size_t sink;

static void on_msg(const struct kr_smsg *m, void *arg)
{
	/* touch every byte so ASan sees out-of-bounds message spans */
	for (size_t i = 0; i < m->len; i++)
		sink += m->msg[i];
}

static void on_err(const struct kr_serr *e, void *arg) { sink += strlen(e->msg); }

static const int links[8] = { KR_DLT_EN10MB, KR_DLT_LINUX_SLL, KR_DLT_LINUX_SLL2, KR_DLT_RAW,
			      KR_DLT_NULL, KR_DLT_LOOP, KR_DLT_IPV4, KR_DLT_IPV6 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kr_reasm_cfg cfg = { .max_held = 1 << 16, .max_conns = 8 };
	struct kr_reasm *r = kr_reasm_new(&cfg, on_msg, on_err, NULL);
	if (!r)
		return 0;
	uint64_t no = 0;
	size_t off = 0;
	while (off + 3 <= size) {
		uint8_t op = data[off];
		size_t len = (size_t)data[off + 1] << 8 | data[off + 2];
		off += 3;
		if (len > size - off)
			len = size - off;
		const uint8_t *b = data + off;
		off += len;
		no++;
		if (!(op & 1)) {
			kr_reasm_frame(r, links[(op >> 1) & 7], (int64_t)no, no, b, len, len);
			continue;
		}
		if (len < 5)
			continue;
		struct kr_tcpseg s;
		memset(&s, 0, sizeof s);
		s.src.family = s.dst.family = AF_INET;
		s.src.addr[0] = 198, s.src.addr[1] = 18, s.src.addr[3] = 1;
		s.dst.addr[0] = 198, s.dst.addr[1] = 18, s.dst.addr[3] = 2;
		s.src.port = (uint16_t)(40000 + ((op >> 2) & 3));
		s.dst.port = (op >> 4) & 1 ? 323 : 179;
		if ((op >> 1) & 1) {
			struct kr_endpoint t = s.src;
			s.src = s.dst;
			s.dst = t;
		}
		s.flags = b[0];
		s.seq = 0xfffff000u + ((uint32_t)b[1] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 8 | b[4]);
		s.payload = b + 5;
		s.len = len - 5;
		kr_reasm_segment(r, (int64_t)no, no, &s);
	}
	kr_reasm_finish(r);
	kr_reasm_free(r);
	return 0;
}
