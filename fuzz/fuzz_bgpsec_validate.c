/* libFuzzer target: arbitrary octets as an UPDATE, decoded and run through
 * the BGPsec validator (RFC 8205 §5.2 checks, hash-input rebuild, key
 * lookup, ECDSA verify) with the App. A keys in the table. Any verdict is
 * fine; crashes and out-of-bounds reads are not. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>

#include "wire/bgpsec_crypto.h"

static const char *const spki_hex[] = {
	"3059301306072A8648CE3D020106082A8648CE3D030107034200047391BABB92A0CB3BE10E59B19EBFFB214E04"
	"A91E0CBA1B139A7D38D90F77E55AA05B8E695678E0FA16904B55D9D4F5C0DFC58895EE50BC4F75D205A25BD36FF5",
	"3059301306072A8648CE3D020106082A8648CE3D0301070342000428FC5FE9AFCF5F4CAB3F5F85CB212FC1E9D0"
	"E0DBEAEE425BD2F0D3175AA0E989EA9B603E38F35FB329DF495641F2BA040F1C3AC6138307F257CBA6B8B588F41F",
};
static const uint32_t asn[] = { 64496, 65536 };

static struct kr_keytab *tab;
static struct kr_crypto_ctx *ctx;
static struct kr_update u;

static void setup(void)
{
	tab = kr_keytab_new();
	ctx = kr_crypto_ctx_new();
	for (int i = 0; i < 2; i++) {
		uint8_t spki[91];
		struct kr_key k;
		kr_hex_decode(spki, sizeof spki, spki_hex[i], 182);
		if (kr_key_from_spki(&k, asn[i], spki, sizeof spki, NULL) == 0) {
			kr_keytab_add_key(tab, &k, NULL);
			kr_key_free(&k);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!tab)
		setup();
	/* the first octet picks the options, the rest is the message */
	if (size < 1)
		return 0;
	uint8_t sel = data[0];
	struct kr_val_opts o = { .my_as = 65537, .peer_as = sel & 1 ? 65536 : 0,
				 .allow_pcount0 = sel & 2, .in_confed = sel & 4,
				 .accept_multi_prefix = sel & 8 };
	uint8_t type = sel & 16 ? KR_ATTR_BGPSEC_PATH_PREIANA : KR_ATTR_BGPSEC_PATH;
	if (kr_update_decode(&u, data + 1, size - 1, type, NULL) < 0)
		return 0;
	struct kr_val_result r;
	kr_bgpsec_validate_ctx(ctx, tab, &u, &o, &r);
	return 0;
}
