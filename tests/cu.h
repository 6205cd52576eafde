/* Minimal glue for one CUnit suite per test binary. A test file defines
 *   KR_TESTS("suite name", { "test name", fn }, ...);
 * and tests/cu_main.c runs it, exiting non-zero on any failure (CUnit's
 * basic runner returns success even when tests fail). */
#ifndef KR_CU_H
#define KR_CU_H

#include <CUnit/CUnit.h>

struct kr_test {
	const char *name;
	void (*fn)(void);
};

extern const char *const kr_test_suite;
extern const struct kr_test kr_tests[];

#define KR_TESTS(suite, ...)                                   \
	const char *const kr_test_suite = suite;               \
	const struct kr_test kr_tests[] = { __VA_ARGS__, { 0, 0 } }

/* Path helpers: tests run from the repository root. */
#define KR_JUNIT_XSD "harness/report/junit.xsd"

#endif
