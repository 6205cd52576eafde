/* Fixtures of a whole router for `keyroll judge` (`keyroll record
 * --scenario rollover`): the reference speaker (fault: a variant of it)
 * through one story in the standard topology, every SUT link captured and
 * merged into out, with out's sidecars .keys.json (the keys the RTR stream
 * announced) and .md (what, who, how made, and the judge's expected
 * verdicts: `expect`, ids that fail, space-separated; NULL: none). */
#ifndef KR_RECORD_SCENARIO_H
#define KR_RECORD_SCENARIO_H

#include <stddef.h>

/* 0, or -1 with msg. Needs root (namespaces). */
int kr_record_scenario(const char *out, const char *fault, const char *expect, char *msg, size_t msgsz);

#endif
