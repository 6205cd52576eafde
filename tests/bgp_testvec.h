/* Test helper: the whole UPDATE image of one vector of
 * vectors/rfc8208-appendix-a.vec (RFC 8208 / RFC 8608 Appendix A, in the
 * project's vector format), parsed with the project's own vector parser.
 * Header-only; used by tests/test_bgp_*.c. */
#ifndef KR_BGP_TESTVEC_H
#define KR_BGP_TESTVEC_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cu.h"
#include "vectors/vecfile.h"

#define KR_APPX_A "vectors/rfc8208-appendix-a.vec"

/* Copies the `update` bytes of vector `name` into out; returns the length,
 * or 0 when the file, the vector or the room is missing. */
static inline size_t kr_tv_update(const char *name, uint8_t *out, size_t cap)
{
	FILE *f = fopen(KR_APPX_A, "r");
	if (!f)
		return 0;
	static char buf[1 << 16];
	size_t len = fread(buf, 1, sizeof buf, f);
	fclose(f);
	struct kr_vecfile vf;
	struct kr_err e;
	size_t got = 0;
	if (kr_vecfile_parse(&vf, buf, len, KR_APPX_A, &e) != 0)
		return 0;
	for (size_t i = 0; i < vf.nvecs; i++) {
		const struct kr_vec_bytes *u = &vf.vecs[i].update;
		if (strcmp(vf.vecs[i].name, name) == 0 && u->p && u->len <= cap) {
			memcpy(out, u->p, u->len);
			got = u->len;
		}
	}
	kr_vecfile_free(&vf);
	return got;
}

#endif
