/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_PROMPT_H
#define PB_PROMPT_H

#include <stddef.h>

#include "err.h"

/*
 * The prompt wire format between pam_bearer and bearer-token askpass.
 * The module asks its configured prompt (PB_PROMPT_FIRST by default); an
 * answer that ends in PB_PROMPT_MORE continues in the next one, which the
 * module asks for with "Bearer token (continued at byte N): ", N the token
 * bytes it holds so far (0 only after an answer that was a lone
 * PB_PROMPT_MORE, which askpass never sends and does not answer: the
 * parser takes N >= 1).  askpass answers each prompt with at
 * most PB_PROMPT_PART bytes of the token from N on, then PB_PROMPT_MORE
 * when bytes remain.  Why 500: sudo's conversation (and any PAM client
 * built on Linux-PAM's PAM_MAX_RESP_SIZE of 512) drops an answer of 512
 * bytes or more and fails the conversation; OpenSSH cuts every answer at
 * 1023 bytes.  A part and its mark stay below both.  Pure: libc only.
 */
#define PB_PROMPT_FIRST	"Bearer token: "	/* the default prompt */
#define PB_PROMPT_NEXT	"Bearer token (continued at byte "
#define PB_PROMPT_END	"): "
#define PB_PROMPT_MORE	'\\'	/* last byte of an answer: more follows */
#define PB_PROMPT_PART	500	/* bytes per answer, at most (see above) */
/* Room for any continuation prompt, its NUL included. */
#define PB_PROMPT_BUFSZ	(sizeof(PB_PROMPT_NEXT) + 20 + sizeof(PB_PROMPT_END))

/* What pb_prompt_parse() found. */
#define PB_PROMPT_OTHER	(-1)	/* not the module's prompt */
#define PB_PROMPT_START	0	/* the first prompt */
#define PB_PROMPT_CONT	1	/* a continuation, with its byte offset */

/*
 * Write into buf the continuation prompt for a token of which off bytes
 * have arrived.  PB_OK, or PB_ERR_TOOBIG when bufsz is below what the
 * prompt needs (PB_PROMPT_BUFSZ is always enough); buf then holds "".
 */
int pb_prompt_format(char *buf, size_t bufsz, size_t off) PB_WUR;

/*
 * Which of the module's prompts p is, exactly: PB_PROMPT_START for
 * PB_PROMPT_FIRST (*off set to 0), PB_PROMPT_CONT for a continuation with
 * a decimal offset of 1 or more that fits size_t, nothing around it (*off
 * set to it), else PB_PROMPT_OTHER (*off untouched).  A prefix a client
 * adds ("(user@host) ") is the caller's to remove.
 */
int pb_prompt_parse(const char *p, size_t *off);

/*
 * askpass: the part of a len-byte token (or proof) that answers the
 * prompt at off
 * (off < len): the number of bytes from off to send, at most
 * PB_PROMPT_PART; *more is set to 1 when bytes remain after them (the
 * answer then ends in PB_PROMPT_MORE), else 0.  0 and *more 0 when off is
 * not below len.
 */
size_t pb_prompt_part(size_t len, size_t off, int *more);

/*
 * The module: whether the answer of *len bytes at ans is a part with more
 * to follow (1, and *len loses its PB_PROMPT_MORE) or the last one (0).
 * Only a part of a compact JWS continues: the answer ends in
 * PB_PROMPT_MORE and every byte before it is base64url or '.', the first
 * part (first != 0) starting "ey" (a JSON object's '{').  Anything else
 * is whole, its last '\' included: a password that ends in '\' goes to
 * the next module as typed, after one prompt.
 */
int pb_prompt_strip(const char *ans, size_t *len, int first);

/*
 * The login proof's prompt (DESIGN.md section 5), asked after a bound
 * token: "Bearer proof for HOST, nonce NONCE: ".  HOST is the module's
 * first host name, for the user to read: 1 to PB_PROOF_HOST_MAX printable
 * ASCII bytes, no blank.  NONCE is 32 random bytes in strict base64url,
 * PB_PROOF_NONCE_LEN characters.  A proof is longer than a part (an
 * ES256 one is about 550 bytes), so it travels in parts like a token: an
 * answer that ends in PB_PROMPT_MORE continues in the next prompt,
 * "Bearer proof for HOST, nonce NONCE (continued at byte N): ", N the
 * proof bytes so far (1 or more), up to PB_POP_MAX (pop.h) in all.
 */
#define PB_PROMPT_PROOF		"Bearer proof for "
#define PB_PROMPT_PROOF_NONCE	", nonce "
#define PB_PROMPT_PROOF_CONT	" (continued at byte "
#define PB_PROMPT_PROOF_CONT_END	")"
#define PB_PROMPT_PROOF_END	": "
#define PB_PROOF_NONCE_BYTES	32
#define PB_PROOF_NONCE_LEN	43
#define PB_PROOF_HOST_MAX	255
/* Room for any proof prompt, a continuation's included, its NUL too. */
#define PB_PROMPT_PROOF_BUFSZ	(sizeof(PB_PROMPT_PROOF) + PB_PROOF_HOST_MAX + \
	sizeof(PB_PROMPT_PROOF_NONCE) + PB_PROOF_NONCE_LEN + \
	sizeof(PB_PROMPT_PROOF_CONT) + 20 + sizeof(PB_PROMPT_PROOF_CONT_END) + \
	sizeof(PB_PROMPT_PROOF_END))

/*
 * Whether the len bytes at host are a host the proof prompt can show (the
 * rule above): 1 to PB_PROOF_HOST_MAX bytes of printable ASCII, no blank.
 * The one check of host names: host_names in pam_bearer.conf, this host's
 * own names in the module, the prompt both ways.
 */
int pb_prompt_proof_host_ok(const char *host, size_t len);

/*
 * Write the proof prompt for host and nonce into buf: the first one when
 * off is 0, else the continuation at byte off.  PB_OK; PB_ERR_FORMAT when
 * host or nonce breaks the rules above (nothing the parser would refuse is
 * ever written); PB_ERR_TOOBIG when bufsz is below what the prompt needs
 * (PB_PROMPT_PROOF_BUFSZ is always enough).  On failure buf holds "".
 */
int pb_prompt_proof_format(char *buf, size_t bufsz, const char *host,
    const char *nonce, size_t off) PB_WUR;

/*
 * askpass: whether prompt is exactly a proof prompt (the client's
 * "(user@host) " prefix already removed by the caller).  PB_OK with host
 * (hostsz bytes, PB_PROOF_HOST_MAX + 1 always enough), nonce and *off (0
 * for the first prompt, N of a continuation: 1 or more) set;
 * PB_ERR_FORMAT for anything else, and PB_ERR_TOOBIG when the host does
 * not fit hostsz; host and nonce then hold "", *off 0.
 */
int pb_prompt_proof_parse(const char *prompt, char *host, size_t hostsz,
    char nonce[PB_PROOF_NONCE_LEN + 1], size_t *off) PB_WUR;

/*
 * What the module tells the user (PAM_ERROR_MSG) when it refuses a token:
 * PB_MSG_REFUSED, then PB_MSG_SEE_LOG, or with show_reason ": " and the
 * reason of the log line; PB_MSG_UNAVAIL when the host cannot check tokens
 * (configuration, keys).  sshd before 10.3 puts the text before the next
 * prompt ("Bearer token refused; ...\nPassword: "), where askpass finds it
 * (helper/cli/refusal.c).
 */
#define PB_MSG_REFUSED	"Bearer token refused"
#define PB_MSG_SEE_LOG	"; the server's log says why."
#define PB_MSG_UNAVAIL	"Bearer token login is not available on this " \
	"host; the server's log says why."
/* Room for a message with a reason, its NUL included. */
#define PB_MSG_BUFSZ	(sizeof(PB_MSG_REFUSED) + 2 + 1024)

#endif /* PB_PROMPT_H */
