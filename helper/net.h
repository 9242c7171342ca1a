/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_NET_H
#define PB_NET_H

/*
 * bearer-token-net's commands (session.c), run by the front binary with
 * the user's arguments (argv[0] is the command name); each returns a
 * PB_EXIT_* status from cmd.h.
 */
int pb_net_login(int argc, char **argv);
int pb_net_get(int argc, char **argv);
int pb_net_status(int argc, char **argv);
int pb_net_logout(int argc, char **argv);

#endif /* PB_NET_H */
