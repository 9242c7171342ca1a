/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_TIME_FMT_H
#define PB_TIME_FMT_H

#include <stddef.h>
#include <stdint.h>

/*
 * time_fmt.c (libcli; a file of its own so that the static front, which
 * never shows a date, does not link glibc's time zone code): a
 * NumericDate into buf as "2026-11-22 07:10:00 UTC" (PB_TIME_UTC) or
 * RFC 3339 "2026-11-22T07:10:00Z" (PB_TIME_RFC3339), or as a number when
 * it cannot be shown; returns buf.
 */
enum pb_time_fmt { PB_TIME_UTC, PB_TIME_RFC3339 };
const char *pb_time_fmt_date(int64_t t, enum pb_time_fmt fmt, char *buf,
    size_t bufsz);

#endif /* PB_TIME_FMT_H */
