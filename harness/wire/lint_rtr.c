/* Wire lint of the RTR PDUs a router sends (lint.h; RFC 8210 §5, §7, §8):
 * which PDUs, which version, and what a Serial Query names, following
 * what the cache sent on the same session. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "wire/lint.h"
#include "wire/rtr_pdu.h"

void kr_lint_rtr_init(struct kr_lint_rtr *s)
{
	memset(s, 0, sizeof *s);
	s->version = -1;
}

void kr_lint_rtr_cache(struct kr_lint_rtr *s, const uint8_t *pdu, size_t len)
{
	struct kr_rtr_pdu p;
	struct kr_err err = { 0 };
	if (kr_rtr_decode(pdu, len, &p, &err) < 0)
		return;
	/* the version of an answer fixes the session's (RFC 8210 §7); a
	 * Serial Notify or an Error Report is no answer */
	if (s->version < 0 && p.type != KR_RTR_SERIAL_NOTIFY && p.type != KR_RTR_ERROR_REPORT)
		s->version = p.version;
	if (p.type == KR_RTR_END_OF_DATA) {
		s->have_eod = true;
		s->session = p.session_id;
		s->serial = p.serial;
	} else if (p.type == KR_RTR_CACHE_RESET) {
		s->after_reset = true;
	}
}

static size_t report(kr_lint_cb cb, void *arg, enum kr_lint_rule_id r, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static size_t report(kr_lint_cb cb, void *arg, enum kr_lint_rule_id r, size_t off, const char *fmt, ...)
{
	struct kr_lint_viol v = { .rule = r, .offset = off };
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v.text, sizeof v.text, fmt, ap);
	va_end(ap);
	if (cb)
		cb(&v, arg);
	return 1;
}

size_t kr_lint_rtr_router(struct kr_lint_rtr *s, const uint8_t *pdu, size_t len, kr_lint_cb cb, void *arg)
{
	struct kr_rtr_pdu p;
	struct kr_err err = { 0 };
	if (kr_rtr_decode(pdu, len, &p, &err) < 0)
		return report(cb, arg, KR_L_RTR_PDU, err.offset, "%s", err.msg);
	if (p.type != KR_RTR_SERIAL_QUERY && p.type != KR_RTR_RESET_QUERY && p.type != KR_RTR_ERROR_REPORT)
		return report(cb, arg, KR_L_RTR_PDU, 1, "a router sent a %s PDU", kr_rtr_type_name(p.type));
	size_t n = 0;
	if (s->version >= 0 && p.version != s->version)
		n += report(cb, arg, KR_L_RTR_VERSION, 0, "version %u after the cache answered in version %d",
			    p.version, s->version);
	else if (p.version > 2)
		n += report(cb, arg, KR_L_RTR_VERSION, 0, "version %u is undefined", p.version);
	if (p.type == KR_RTR_RESET_QUERY) {
		s->after_reset = false;
	} else if (p.type == KR_RTR_SERIAL_QUERY) {
		if (s->after_reset)
			n += report(cb, arg, KR_L_RTR_SERIAL, 1, "Serial Query after a Cache Reset (a Reset Query is due)");
		else if (s->have_eod && p.session_id != s->session)
			n += report(cb, arg, KR_L_RTR_SERIAL, 2, "Serial Query for session %u, the cache's is %u",
				    p.session_id, s->session);
		else if (s->have_eod && p.serial != s->serial)
			n += report(cb, arg, KR_L_RTR_SERIAL, 8, "Serial Query from serial %u, the last End of Data had %u",
				    p.serial, s->serial);
	}
	return n;
}
