/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_REFUSAL_H
#define PB_REFUSAL_H

/*
 * A refused token ends a "bearer-token ssh" run (helper/front/ssh.c and
 * askpass), libc only.
 *
 * askpass: whether to answer prompt at all.  kind
 * is what pb_prompt_parse() made of the prompt after the client's
 * "(user@host) " prefix.
 *
 * A run knows its token was refused when the module's refusal text
 * (PB_MSG_REFUSED, PB_MSG_UNAVAIL of common/prompt.h) appears in a prompt,
 * which is where sshd before OpenSSH 10.3 puts it, or when the module's
 * first prompt, or ssh's own password prompt (the next method), comes
 * after askpass answered the module's first prompt in the run.  Under
 * "bearer-token ssh" (a run id in PB_TARGET_RUN_ENV) that is said once on
 * stderr, with what to do, and no later prompt of the run is answered:
 * PB_EXIT_FAIL, so ssh gets no password and nothing reaches the
 * terminal.  Under plain ssh the text is explained and askpass goes on as
 * before.  PB_EXIT_OK: answer as usual.
 */
int pb_refusal_check(const char *prompt, int kind);

/*
 * "bearer-token ssh" after ssh failed (exit 255) in the run
 * PB_TARGET_RUN_ENV: when askpass answered the run's token prompt and
 * did not already say that the token was refused (sshd ends a failed PAM
 * conversation with the module's text as ssh's own message, which askpass
 * never sees), say on stderr what to check.  Silent otherwise.
 */
void pb_refusal_after_ssh(void);

#endif /* PB_REFUSAL_H */
