/* Test helper: reads one hex value from the RFC 8208 App. A vectors file
 * (../shared/spec/vectors/rfc8208-appendix-a.txt, `[group]` then
 * `key: HEX` lines). Header-only; used by tests/test_bgp_*.c. */
#ifndef KR_BGP_TESTVEC_H
#define KR_BGP_TESTVEC_H

#include <stdio.h>
#include <string.h>

#include "cu.h"
#include "kr_util.h"

#define KR_APPX_A KR_SHARED_DIR "/spec/vectors/rfc8208-appendix-a.txt"

/* Returns the decoded length, or 0 when the group/key is missing. */
static inline size_t kr_tv_hex(const char *group, const char *key, uint8_t *out, size_t cap)
{
	FILE *f = fopen(KR_APPX_A, "r");
	if (!f)
		return 0;
	static char line[8192];
	char want[64];
	snprintf(want, sizeof want, "[%s]", group);
	int in = 0;
	size_t klen = strlen(key), got = 0;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (line[0] == '[') {
			in = strcmp(line, want) == 0;
			continue;
		}
		if (in && strncmp(line, key, klen) == 0 && line[klen] == ':') {
			const char *v = line + klen + 1;
			while (*v == ' ')
				v++;
			long n = kr_hex_decode(out, cap, v, strlen(v));
			got = n > 0 ? (size_t)n : 0;
			break;
		}
	}
	fclose(f);
	return got;
}

#endif
