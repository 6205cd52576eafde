/* Runs the suite of one test binary; exit status = number of failures
 * (capped), never success when anything failed. Optional argv[1] runs only
 * the tests whose name contains it. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

#include "cu.h"

int main(int argc, char **argv)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	CU_pSuite s = CU_add_suite(kr_test_suite, NULL, NULL);
	if (!s)
		return 2;
	for (const struct kr_test *t = kr_tests; t->name; t++)
		if (argc < 2 || strstr(t->name, argv[1]))
			CU_add_test(s, t->name, t->fn);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_tests_failed();
	unsigned run = CU_get_number_of_tests_run();
	CU_cleanup_registry();
	if (run == 0) {
		fprintf(stderr, "%s: no test ran\n", kr_test_suite);
		return 2;
	}
	return failed ? 1 : 0;
}
