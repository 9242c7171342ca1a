/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_CHECKMAIN_H
#define PB_CHECKMAIN_H

#include <stdlib.h>

#include <check.h>

/*
 * Run every test of s the way all our Check binaries do (CK_FORK,
 * CK_RUN_CASE and CK_VERBOSITY from the environment, STYLE.md 2.7), free
 * the runner, and return EXIT_SUCCESS when no test failed.
 */
static inline int
tu_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif /* PB_CHECKMAIN_H */
