/* libFuzzer target for what the RTR side reads from outside: the PDU
 * decoder on one framed PDU (and the re-encoding of whatever it accepts),
 * and, for inputs starting with '{', the rpki-client JSON keys parser.
 * One target for both keeps fuzz builds short. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpki/rtr_json.h"
#include "wire/rtr_pdu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kr_rtr_pdu p;
	struct kr_err e;
	uint32_t len;
	if (size && data[0] == '{') {
		struct kr_rtr_set s = { 0 };
		if (kr_rtr_json_parse((const char *)data, size, "fuzz", &s, &e) == 0) {
			struct kr_bytes b = { 0 };
			kr_rtr_json_write(&s, &b);
			kr_bytes_free(&b);
			kr_rtr_set_free(&s);
		}
		return 0;
	}
	/* Framing as the cache does it, then decode exactly that PDU. */
	if (kr_rtr_peek(data, size, NULL, NULL, &len) && len >= KR_RTR_HDR_LEN && len <= size) {
		if (kr_rtr_decode(data, len, &p, &e) == 0) {
			uint8_t out[KR_RTR_PDU_MAX + 64];
			struct kr_wr w = kr_wr_init(out, sizeof out);
			if (len <= KR_RTR_PDU_MAX) {
				if (kr_rtr_encode(&p, &w) != 0)
					abort();
				/* Reserved fields are ignored on receipt, so only
				 * the meaningful octets must round-trip: compare
				 * the re-decoded PDU. */
				struct kr_rtr_pdu q;
				if (kr_rtr_decode(out, w.off, &q, &e) != 0 || q.type != p.type || q.length != p.length ||
				    q.serial != p.serial || q.asn != p.asn || q.spki_len != p.spki_len)
					abort();
			}
			char line[512];
			kr_rtr_format(&p, line, sizeof line);
		}
	}
	kr_rtr_decode(data, size, &p, &e); /* unframed input too */
	return 0;
}
