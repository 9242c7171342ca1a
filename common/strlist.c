/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "strlist.h"

/*
 * Lists of words as pam_bearer.conf writes them (issuer, audience,
 * require_groups, deny_users ...): blanks between words, double quotes
 * around a word that holds blanks.
 */

int
pb_strlist_is_blank(int c)
{
	return c == ' ' || c == '\t';
}

void
pb_strlist_clear(struct pb_strlist *list)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; i < list->n; i++)
		free(list->v[i]);
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

int
pb_strlist_has(const struct pb_strlist *list, const char *s)
{
	size_t i;

	if (list == NULL || s == NULL)
		return 0;
	for (i = 0; i < list->n; i++)
		if (strcmp(list->v[i], s) == 0)
			return 1;
	return 0;
}

/*
 * Parse one word at *sp (not at a blank) into w, which has room for all of
 * *sp: bare up to the next blank, or double-quoted with \" and \\ escapes.
 * Any other backslash is literal, so "DOMAIN\Domain Admins" works as
 * written.  A quote inside a bare word and text glued to a closing quote
 * are errors rather than guesses.
 */
int
pb_strlist_word(const char **sp, char *w, struct pb_err *e)
{
	const char *s = *sp;
	size_t n = 0;
	int r = PB_ERR_CONFIG;

	if (*s != '"') {
		for (; *s != '\0' && !pb_strlist_is_blank(*s); s++) {
			if (*s == '"') {
				r = pb_err_set(e, r, "a double quote may only "
				    "start a word");
				goto out;
			}
			w[n++] = *s;
		}
	} else {
		for (s++; *s != '"'; s++) {
			if (*s == '\0') {
				r = pb_err_set(e, r,
				    "unterminated double quote");
				goto out;
			}
			if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
				s++;
			w[n++] = *s;
		}
		s++;
		if (*s != '\0' && !pb_strlist_is_blank(*s)) {
			r = pb_err_set(e, r, "text right after a closing "
			    "quote (put a space between words)");
			goto out;
		}
		if (n == 0) {
			r = pb_err_set(e, r, "empty quoted word");
			goto out;
		}
	}
	w[n] = '\0';
	*sp = s;
	r = PB_OK;
 out:
	return r;
}

int
pb_strlist_split(const char *value, struct pb_strlist *list, struct pb_err *e)
{
	const char *s = value;
	char **words = NULL, **v = NULL, *w = NULL;
	size_t len = strlen(value), n = 0, i;
	int r = PB_ERR_INTERNAL;

	/* Words are separated by blanks, so there are at most len/2 + 1. */
	if ((words = calloc(len / 2 + 1, sizeof(*words))) == NULL ||
	    (w = malloc(len + 1)) == NULL) {
		r = PB_ERR_NOMEM;
		goto out;
	}
	for (;;) {
		while (pb_strlist_is_blank(*s))
			s++;
		if (*s == '\0')
			break;
		if ((r = pb_strlist_word(&s, w, e)) != PB_OK)
			goto out;
		if ((words[n] = strdup(w)) == NULL) {
			r = PB_ERR_NOMEM;
			goto out;
		}
		n++;
	}
	if (n == 0) {
		r = pb_err_set(e, PB_ERR_CONFIG, "empty list");
		goto out;
	}
	/* Grow by copying: no realloc (STYLE.md 2.2). */
	if ((v = calloc(list->n + n, sizeof(*v))) == NULL) {
		r = PB_ERR_NOMEM;
		goto out;
	}
	if (list->n > 0)
		memcpy(v, list->v, list->n * sizeof(*v));
	memcpy(v + list->n, words, n * sizeof(*v));
	free(list->v);
	list->v = v;
	list->n += n;
	n = 0;			/* transferred */
	r = PB_OK;
 out:
	for (i = 0; i < n; i++)
		free(words[i]);
	free(words);
	free(w);
	return r;
}
