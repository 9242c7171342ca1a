/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * syslog_shim.so: LD_PRELOADed into check_pam by stack.sh so that what
 * pam_bearer.so logs through pam_syslog() (which ends in syslog() or, with
 * _FORTIFY_SOURCE, __syslog_chk() inside libpam) lands in the file named by
 * $PB_SYSLOG_FILE instead of the system log, where the tests can read it.
 *
 * One line per message: "LEVEL MESSAGE\n", LEVEL being the syslog level
 * name (err, notice, info, ...).  A newline inside a message is written as
 * "\n" so that every message stays one line.  Each line is one write() to
 * a descriptor opened with O_APPEND, so lines from concurrent threads never
 * interleave.  Without $PB_SYSLOG_FILE the messages are dropped.
 *
 * It also stands for this host's name and resolver, so that the module's
 * default host_names can be tested: gethostname() gives $PB_SHIM_HOSTNAME
 * when set (else uname's nodename), and getaddrinfo() never resolves: the
 * module must not use the network at login, so each call is logged as
 * "err shim: getaddrinfo(NODE) at login" and fails with EAI_AGAIN, as with
 * an unreachable resolver.
 */
#include "config.h"

/*
 * The fortified <bits/syslog.h> turns syslog() into an inline wrapper of
 * __syslog_chk(); this file defines both, so it is built unfortified.
 */
#undef _FORTIFY_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <syslog.h>
#include <unistd.h>

#define SHIM_EXPORT	__attribute__((visibility("default")))
#define LINE_MAX_BYTES	8192

/* glibc's fortified entry points; declared in <bits/syslog.h> only then. */
SHIM_EXPORT void __syslog_chk(int, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));
SHIM_EXPORT void __vsyslog_chk(int, int, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

static const char *
level_name(int prio)
{
	static const char *const names[] = {
		"emerg", "alert", "crit", "err", "warning", "notice", "info",
		"debug"
	};

	return names[prio & LOG_PRIMASK];
}

static void emit(int, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

static void
emit(int prio, const char *fmt, va_list ap)
{
	char msg[LINE_MAX_BYTES], line[2 * LINE_MAX_BYTES + 32];
	const char *path;
	size_t o = 0, i;
	int fd, saved = errno, n;
	ssize_t w;

	if ((path = secure_getenv("PB_SYSLOG_FILE")) == NULL || *path == '\0')
		return;
	/* %m needs the caller's errno: vsnprintf() expands it (glibc). */
	errno = saved;
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		return;
	n = snprintf(line, sizeof(line), "%s ", level_name(prio));
	if (n < 0)
		return;
	o = (size_t)n;
	for (i = 0; msg[i] != '\0' && o + 3 < sizeof(line); i++) {
		if (msg[i] == '\n') {
			line[o++] = '\\';
			line[o++] = 'n';
		} else
			line[o++] = msg[i];
	}
	line[o++] = '\n';
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600)) == -1)
		goto out;
	/* One write per line: O_APPEND makes it atomic among writers. */
	w = write(fd, line, o);
	(void)w;
	(void)close(fd);
 out:
	errno = saved;
}

SHIM_EXPORT void
openlog(const char *ident, int option, int facility)
{
	(void)ident;
	(void)option;
	(void)facility;
}

SHIM_EXPORT void
closelog(void)
{
}

SHIM_EXPORT void
vsyslog(int prio, const char *fmt, va_list ap)
{
	emit(prio, fmt, ap);
}

SHIM_EXPORT void
syslog(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(prio, fmt, ap);
	va_end(ap);
}

SHIM_EXPORT void
__vsyslog_chk(int prio, int flag, const char *fmt, va_list ap)
{
	(void)flag;
	emit(prio, fmt, ap);
}

SHIM_EXPORT void
__syslog_chk(int prio, int flag, const char *fmt, ...)
{
	va_list ap;

	(void)flag;
	va_start(ap, fmt);
	emit(prio, fmt, ap);
	va_end(ap);
}

SHIM_EXPORT int
gethostname(char *name, size_t len)
{
	const char *h = secure_getenv("PB_SHIM_HOSTNAME");
	struct utsname u;

	if (h == NULL) {
		if (uname(&u) == -1)
			return -1;
		h = u.nodename;
	}
	if (strlen(h) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(name, h, strlen(h) + 1);
	return 0;
}

SHIM_EXPORT int
getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	(void)service;
	(void)hints;
	*res = NULL;
	syslog(LOG_ERR, "shim: getaddrinfo(%s) at login",
	    node != NULL ? node : "NULL");
	return EAI_AGAIN;
}
