/*
 * msggen.h - builds the bytes of one generated message of a given kind.
 *
 * Ordinary kinds (plain text, multipart with a base64 attachment, exact-size
 * big message) and the "trap" kinds real mailboxes contain and copy tools get
 * wrong: empty message, header without blank line or body, bare CR bytes,
 * no Message-ID, duplicate Message-ID, 8-bit body, raw 8-bit header bytes,
 * RFC 2047 encoded headers, CRLF line ends, a very long unfolded line.
 */
#ifndef MIGSH_CORPUS_MSGGEN_H
#define MIGSH_CORPUS_MSGGEN_H

#include <stddef.h>
#include <stdint.h>

#include "common/mem.h"
#include "tests/corpus/rng.h"

typedef enum cg_kind {
	CG_PLAIN,        /* text/plain of about `size` bytes */
	CG_MULTIPART,    /* multipart/mixed, text + base64 attachment of `size` raw bytes */
	CG_EXACT,        /* multipart whose IMAP size (RFC822.SIZE) is exactly `size` */
	CG_EMPTY,        /* zero bytes */
	CG_HEADER_ONLY,  /* header lines, no blank line, no body */
	CG_BARE_CR,      /* body contains CR bytes not followed by LF */
	CG_NO_MSGID,     /* no Message-ID header */
	CG_DUP_MSGID,    /* Message-ID shared with other messages of the user */
	CG_8BIT_BODY,    /* Content-Transfer-Encoding: 8bit, UTF-8 body */
	CG_8BIT_HEADER,  /* raw UTF-8 bytes in Subject and From */
	CG_RFC2047,      /* encoded-word Subject/From (UTF-8 B and ISO-8859-1 Q) */
	CG_CRLF,         /* stored with CRLF line ends */
	CG_LONG_LINE,    /* one 5000-character line without folding */
	CG_NUL           /* NUL bytes in the body (Dovecot shows them as 0x80 unless
	                    fetched with BINARY); only with --nul */
} cg_kind;

const char *cg_kind_name(cg_kind k);

typedef struct cg_msg {
	strbuf data;        /* the message bytes */
	char msgid[160];    /* Message-ID value, "" when the message has none */
} cg_msg;

/* Build a message into m->data (reset first).  `date` is the internal date;
 * the Date: header is a little earlier.  `uid_hint` makes Message-IDs unique
 * per user. */
void cg_build(cg_msg *m, cg_rng *r, cg_kind kind, size_t size, const char *user,
              uint64_t user_hash, unsigned uid_hint, int64_t date);

#endif
