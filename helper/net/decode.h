/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_DECODE_H
#define PB_DECODE_H

#include "err.h"
#include "secmem.h"

/*
 * decode.c: read the token of decode and verify into tok, unwrapped as the
 * module does (pb_jwt_unwrap(): blanks, "Bearer ", quotes): from stdin when
 * arg is NULL or "-", else from arg, whose bytes are then wiped so that
 * later looks at the process's command line no longer show them (ps may
 * have seen them already).  At most 1 MiB.  Messages name no token byte.
 * Returns PB_EXIT_OK with tok set (pb_secret_clear() it), or PB_EXIT_FAIL.
 */
int pb_decode_read_token(char *arg, struct pb_secret *tok) PB_WUR;

#endif /* PB_DECODE_H */
