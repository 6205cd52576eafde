/* Validation reasons: names used in reports and vector files, and which of
 * them RFC 8205 §5.2 handles as treat-as-withdraw. */
#include "wire/bgpsec_crypto.h"

#include <string.h>

static const struct {
	enum kr_reason r;
	const char *name;
	bool malformed;
} reasons[] = {
	{ KR_R_OK, "ok", false },
	{ KR_R_MALFORMED, "malformed", true },
	{ KR_R_WRONG_PEER_AS, "wrong-peer-as", true },
	{ KR_R_SIG_COUNT, "sig-count", true },
	{ KR_R_AS_PATH_PRESENT, "as-path-present", true },
	{ KR_R_CONFED, "confed", true },
	{ KR_R_PCOUNT_ZERO, "pcount-zero", true },
	{ KR_R_LOOP, "loop", true },
	{ KR_R_MULTI_PREFIX, "multi-prefix", false },
	{ KR_R_NO_MP_REACH, "no-mp-reach", false },
	{ KR_R_UNSUPPORTED_SUITE, "unsupported-suite", false },
	{ KR_R_UNKNOWN_SKI, "unknown-ski", false },
	{ KR_R_BAD_SIGNATURE, "bad-signature", false },
	{ KR_R_NO_BGPSEC_PATH, "no-bgpsec-path", false },
};
#define NREASONS (sizeof reasons / sizeof reasons[0])

const char *kr_reason_name(enum kr_reason r)
{
	for (size_t i = 0; i < NREASONS; i++)
		if (reasons[i].r == r)
			return reasons[i].name;
	return "unknown";
}

int kr_reason_from_name(const char *name, enum kr_reason *r)
{
	for (size_t i = 0; i < NREASONS; i++)
		if (!strcmp(reasons[i].name, name)) {
			*r = reasons[i].r;
			return 0;
		}
	return -1;
}

bool kr_reason_is_malformed(enum kr_reason r)
{
	for (size_t i = 0; i < NREASONS; i++)
		if (reasons[i].r == r)
			return reasons[i].malformed;
	return false;
}
