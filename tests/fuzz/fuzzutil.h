/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_FUZZUTIL_H
#define PB_FUZZUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/*
 * What the libFuzzer targets in tests/fuzz share: contract checks that
 * abort (a finding) and a private scratch directory for the parsers that
 * read files.  None of this is production code.
 */

/*
 * libFuzzer calls these: every target defines the second, and the first
 * only when it has set-up to do.
 */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A contract of the API under test does not hold: print it and abort. */
void fz_broken(const char *what, int r) __attribute__((noreturn));

/* A setup step failed (not a finding): print it and abort. */
void fz_die(const char *what, const struct pb_err *e)
    __attribute__((noreturn));

/*
 * An error result must be a known code (PB_ERR_MIN..-1) with a terminated
 * message; r == PB_OK passes.  Aborts through fz_broken() otherwise.
 */
void fz_check_err(int r, const struct pb_err *e);

/*
 * The process's scratch directory (mode 0700, made on first use under
 * $TMPDIR, else /dev/shm or /tmp; removed at exit with what is in it).
 */
const char *fz_dir(void);

/*
 * Write len bytes at p to the file name in fz_dir() (replaced, mode 0600)
 * and return its path (a static buffer per name, valid until the next
 * call for that name).  Aborts on an I/O error.
 */
const char *fz_file(const char *name, const void *p, size_t len);

/*
 * Split the input at its first '\n': *head is a fresh NUL-terminated copy
 * of what comes before (the whole input when there is no '\n'), *rest and
 * *restlen what follows.  Free *head.  Aborts when out of memory.
 */
void fz_split(const uint8_t *data, size_t size, char **head,
    const uint8_t **rest, size_t *restlen);

/* A fresh NUL-terminated copy of len bytes (free() it). */
char *fz_strndup(const void *p, size_t len);

#endif /* PB_FUZZUTIL_H */
