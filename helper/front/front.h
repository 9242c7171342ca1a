/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_FRONT_H
#define PB_FRONT_H

#include <stddef.h>

/*
 * Internal to the front binary (helper/front/): the path of the program
 * name next to this one (a build tree, or a relocated install) when there
 * is an executable one, else fallback, into buf (always NUL-terminated).
 */
void pb_handover_path(const char *name, const char *fallback, char *buf,
    size_t bufsz);

/*
 * The askpass program (bearer-askpass next to this one, else the
 * installed one) into buf, for the command cmd ("ssh", "sudo"): 0, or -1
 * after a message on stderr when it is not there to run.
 */
int pb_handover_askpass(const char *cmd, char *buf, size_t bufsz);

/*
 * A new argv: first, then the argc strings of argv (borrowed), then NULL;
 * free() it (the strings stay).  NULL after a message on stderr when out
 * of memory.
 */
char **pb_handover_argv(char *first, int argc, char **argv);

#endif /* PB_FRONT_H */
