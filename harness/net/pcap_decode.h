/* One line per captured BGP / RTR message, as `keyroll pcap decode`
 * prints it, with optional BGPsec validation of UPDATEs.
 *
 * The decoder follows each connection's OPENs: the receiver's AS is the
 * target AS of the newest signature and the sender's AS the expected
 * peer AS (RFC 8205 §4.2, §5.2), so a capture without its OPENs can show
 * BGPsec_PATH and SKIs but no verdict. */
#ifndef KR_PCAP_DECODE_H
#define KR_PCAP_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#include "wire/bgpsec_crypto.h"
#include "net/tcp_reasm.h"

struct kr_pdec;

/* keys: validation keys (borrowed, may be NULL: no verdicts). */
struct kr_pdec *kr_pdec_new(const struct kr_keytab *keys);
void kr_pdec_free(struct kr_pdec *d);

/* Format m into out ("SEC.NSEC cCONN SRC > DST PROTO TYPE details"). */
void kr_pdec_format(struct kr_pdec *d, const struct kr_smsg *m, char *out, size_t len);

/* About the message formatted last, when it was an UPDATE. */
struct kr_pdec_update {
	bool is_update;
	bool bgpsec;              /* carries BGPsec_PATH */
	bool validated;           /* res holds a verdict */
	struct kr_val_result res;
	char prefix[64];          /* first announced prefix, "" when none */
};
const struct kr_pdec_update *kr_pdec_last(const struct kr_pdec *d);

#endif
