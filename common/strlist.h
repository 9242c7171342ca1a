/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_STRLIST_H
#define PB_STRLIST_H

#include <stddef.h>

#include "err.h"

/*
 * A list of strings (space-separated, double quotes group words), as the
 * list values of pam_bearer.conf are written.  conf.h includes this.
 */
struct pb_strlist {
	char	**v;
	size_t	  n;
};

/*
 * Split a list value: words separated by spaces or tabs; a word may be
 * double-quoted to hold spaces ("Domain Admins"); \" and \\ escape inside
 * quotes.  An unterminated quote or an empty list is PB_ERR_CONFIG with a
 * message.  Appends to *list.
 */
int pb_strlist_split(const char *value, struct pb_strlist *list,
    struct pb_err *e) PB_WUR;

/* Whether list holds s (exact, case-sensitive). */
int pb_strlist_has(const struct pb_strlist *list, const char *s);

/* Free the strings and reset the list; NULL-safe. */
void pb_strlist_clear(struct pb_strlist *list);

/*
 * One word of a list at *sp, which must not be at a blank, copied into w
 * (room for strlen(*sp) + 1 bytes): bare up to the next blank, or
 * double-quoted as pb_strlist_split() says.  PB_OK with *sp moved past the
 * word, or PB_ERR_CONFIG with a message in e (NULL-safe).  For a value
 * that is one word that may be quoted (prompt).
 */
int pb_strlist_word(const char **sp, char *w, struct pb_err *e) PB_WUR;

/* Whether c is a blank that separates words: a space or a tab. */
int pb_strlist_is_blank(int c);

#endif /* PB_STRLIST_H */
