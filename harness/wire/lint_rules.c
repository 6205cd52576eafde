/* The wire lint's rule table, the session digest and reporting (lint.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "wire/lint.h"

static const struct kr_lint_rule rules[KR_L_COUNT] = {
	[KR_L_HEADER] = { "4271-4.1/header", "RFC 4271 §4.1; RFC 8654 §4",
			  "marker all ones, length within 19..4096 (65535 with Extended Message, never for OPEN/KEEPALIVE), known type" },
	[KR_L_OPEN] = { "4271-4.2/open", "RFC 4271 §4.2, §6.2; RFC 5492 §4",
			"OPEN: version 4, hold time 0 or at least 3, non-zero BGP Identifier, well-formed parameters" },
	[KR_L_AS_TRANS] = { "6793-4.1/my-as", "RFC 6793 §4.1",
			    "My AS is the 4-octet AS capability's AS, or AS_TRANS when it does not fit 2 octets" },
	[KR_L_BGPSEC_CAP] = { "8205-2.1/capability", "RFC 8205 §2.1, §2.2",
			      "BGPsec capability: version 0, unassigned bits 0, AFI 1 or 2, with the MP capability for the AFI and the 4-octet AS capability" },
	[KR_L_NOTIFICATION] = { "4271-4.5/notification", "RFC 4271 §4.5; RFC 7313 §5",
				"NOTIFICATION error code defined (1-7)" },
	[KR_L_ROUTE_REFRESH] = { "2918-4/route-refresh", "RFC 2918 §4",
				 "ROUTE-REFRESH only to a peer that advertised the capability, for a family it advertised" },
	[KR_L_UPDATE] = { "4271-4.3/update", "RFC 4271 §4.3; RFC 7606 §3, §4",
			  "UPDATE lengths consistent, prefixes well-formed, MP attributes parseable and not repeated" },
	[KR_L_ATTR_FLAGS] = { "4271-5/attr-flags", "RFC 4271 §4.3, §5; RFC 7606 §3 c",
			      "attribute flags match the type (well-known transitive, Partial 0 unless optional transitive, low bits 0)" },
	[KR_L_ATTR_LEN] = { "4271-5/attr-length", "RFC 4271 §5; RFC 7606 §7",
			    "attribute length fits its type" },
	[KR_L_ATTR_VALUE] = { "4271-5/attr-value", "RFC 4271 §5.1.1, §5.1.2; RFC 7606 §7.1, §7.2",
			      "ORIGIN 0-2; AS_PATH segments of type 1-4, non-empty, ending on the attribute's end" },
	[KR_L_ATTR_DUP] = { "4271-5/attr-repeated", "RFC 4271 §5; RFC 7606 §3 g",
			    "each attribute at most once" },
	[KR_L_ORIGIN_MISSING] = { "4271-5.1.1/origin-missing", "RFC 4271 §5.1.1, §5; RFC 7606 §3 d",
				  "an UPDATE announcing routes carries ORIGIN" },
	[KR_L_AS_PATH_MISSING] = { "4271-5.1.2/as-path-missing", "RFC 4271 §5.1.2, §5; RFC 8205 §4.4",
				   "an unsigned UPDATE announcing routes carries AS_PATH" },
	[KR_L_NEXT_HOP_MISSING] = { "4271-5.1.3/next-hop-missing", "RFC 4271 §5.1.3, §5; RFC 4760 §3",
				    "an UPDATE with IPv4 NLRI carries NEXT_HOP" },
	[KR_L_AS_PATH_FIRST] = { "4271-5.1.2/own-as", "RFC 4271 §5.1.2; RFC 5065 §5.3",
				 "to an external peer the AS_PATH starts with an AS_SEQUENCE holding the sender's AS first, no confederation segments" },
	[KR_L_NEXT_HOP_VALUE] = { "4271-5.1.3/next-hop", "RFC 4271 §5.1.3, §6.3",
				  "NEXT_HOP is not 0.0.0.0, multicast or the receiver's own address" },
	[KR_L_LOCAL_PREF] = { "4271-5.1.5/local-pref", "RFC 4271 §5.1.5",
			      "LOCAL_PREF is never sent to an external peer" },
	[KR_L_MP_REACH] = { "4760-3/mp-reach", "RFC 4760 §3",
			    "MP_REACH_NLRI: next hop of 4 (IPv4) or 16/32 (IPv6) octets, Reserved octet 0" },
	/* RFC 7606 §5.1 says SHALL, and in the same breath that receivers
	 * must take any order; senders in the field (RFC 8208's examples,
	 * BGP-SRx's BGPsec-IO) put it elsewhere: advice, not a failure */
	[KR_L_MP_FIRST] = { "7606-5.1/mp-first", "RFC 7606 §5.1",
			    "MP_REACH_NLRI / MP_UNREACH_NLRI encoded as the very first path attribute", KR_LINT_SHOULD },
	[KR_L_ONE_KIND] = { "7606-5.1/one-kind", "RFC 7606 §5.1",
			    "an UPDATE carries only one of: Withdrawn Routes, NLRI, MP_REACH_NLRI, MP_UNREACH_NLRI" },
	[KR_L_AFI] = { "4760-6/family", "RFC 4760 §6; RFC 4271 §4.3",
		       "routes only of an address family the receiver advertised (IPv4 unicast when neither side advertised any)" },
	[KR_L_BGPSEC_NEG] = { "8205-2.2/negotiated", "RFC 8205 §2.2, §4.4",
			      "BGPsec_PATH only when the sender advertised send and the receiver receive for the AFI" },
	[KR_L_BGPSEC_PREFIX] = { "8205-4.1/one-prefix", "RFC 8205 §4.1",
				 "a BGPsec UPDATE announces exactly one prefix, in MP_REACH_NLRI, and no IPv4 NLRI" },
	[KR_L_BGPSEC_AS_PATH] = { "8205-4.1/no-as-path", "RFC 8205 §3, §4.1",
				  "no AS_PATH or AS4_PATH beside BGPsec_PATH" },
	[KR_L_BGPSEC_SYNTAX] = { "8205-3/syntax", "RFC 8205 §3, §3.1, §3.2, §5.2 check 1, 3; RFC 8608 §2.1",
				 "BGPsec_PATH: flags optional non-transitive, consistent Secure_Path and Signature_Block lengths, one Signature Segment per Secure_Path Segment, no reserved suite" },
	[KR_L_BGPSEC_FLAGS] = { "8205-3.1/segment-flags", "RFC 8205 §3.1, §4.2, §4.3",
				"the sender's Secure_Path Segment: Confed_Segment 0 towards an external peer, unassigned flag bits 0" },
	[KR_L_PCOUNT] = { "8205-4.2/pcount", "RFC 8205 §4.2; RFC 8207 §7",
			  "the sender's pCount is at least 1 (0 only for a transparent route server)" },
	[KR_L_OWN_AS] = { "8205-4.2/own-as", "RFC 8205 §4.2",
			  "the newest Secure_Path Segment carries the sender's AS" },
	[KR_L_SKI] = { "8205-4.2/ski", "RFC 8205 §4.1, §4.2; RFC 8209 §3",
		       "the sender's SKI names a router key of its AS published in the RPKI when it signed" },
	[KR_L_SIGNATURE] = { "8205-4.2/signature", "RFC 8205 §4.2",
			     "the sender's signature verifies under its published key over the hash input for the receiver's AS" },
	[KR_L_PLAIN_AS_PATH] = { "8205-4.4/as-path", "RFC 8205 §4.4; RFC 4271 §5.1.2",
				 "the AS_PATH sent to a plain peer is the sender's AS followed by the AS_PATH rebuilt from the BGPsec_PATH it received" },
	[KR_L_RTR_PDU] = { "8210-5/router-pdu", "RFC 8210 §5; RFC 6810 §5",
			   "a router sends only well-formed Serial Query, Reset Query and Error Report PDUs" },
	[KR_L_RTR_VERSION] = { "8210-7/version", "RFC 8210 §7",
			       "after the cache answered, the router's PDUs carry the cache's version (0 or 1)" },
	[KR_L_RTR_SERIAL] = { "8210-5.3/serial-query", "RFC 8210 §5.3, §8.1, §8.3",
			      "a Serial Query names the Session ID and serial of the last End of Data; after a Cache Reset the router sends a Reset Query" },
};

const struct kr_lint_rule *kr_lint_rule(enum kr_lint_rule_id r)
{
	static const struct kr_lint_rule none = { "?", "?", "?", KR_LINT_MUST };
	return (unsigned)r < KR_L_COUNT ? &rules[r] : &none;
}

enum kr_lint_rule_id kr_lint_rule_find(const char *id)
{
	for (int i = 0; i < KR_L_COUNT; i++)
		if (!strcmp(rules[i].id, id))
			return (enum kr_lint_rule_id)i;
	return KR_L_COUNT;
}

size_t kr_lint_report(const struct kr_lint_ctx *c, enum kr_lint_rule_id r, size_t off,
		      const char *fmt, ...)
{
	struct kr_lint_viol v = { .rule = r, .offset = off };
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v.text, sizeof v.text, fmt, ap);
	va_end(ap);
	if (c->cb)
		c->cb(&v, c->cb_arg);
	return 1;
}

void kr_lint_sess_init(struct kr_lint_sess *s, const struct kr_open *snd, const struct kr_open *rcv)
{
	memset(s, 0, sizeof *s);
	s->known = true;
	s->sender_as = kr_open_peer_as(snd);
	s->receiver_as = kr_open_peer_as(rcv);
	s->as4 = snd->has_as4 && rcv->has_as4;
	/* RFC 4760 §6 / RFC 4271: without any MP capability IPv4 unicast is
	 * implied; otherwise what the receiver advertised. */
	bool any_mp = rcv->mp[1] || rcv->mp[2] || snd->mp[1] || snd->mp[2];
	for (int afi = 1; afi <= 2; afi++) {
		s->afi[afi] = any_mp ? rcv->mp[afi] : afi == KR_AFI_IPV4;
		/* RFC 8205 §2.2: sender send, receiver receive, and 4-octet AS on both */
		s->bgpsec[afi] = snd->bgpsec_send[afi] && rcv->bgpsec_recv[afi] && s->as4;
	}
	s->ext_msg = snd->ext_msg && rcv->ext_msg;
	s->route_refresh = rcv->route_refresh;
}
