/*
 * textgen.h - building blocks of generated messages: filler text, base64,
 * RFC 2047 encoded words, RFC 5322 dates, and the IMAP size of a message.
 *
 * Generated text uses LF line ends, like the files Dovecot itself writes
 * into a Maildir (Dovecot serves them with CRLF).
 */
#ifndef MIGSH_CORPUS_TEXTGEN_H
#define MIGSH_CORPUS_TEXTGEN_H

#include <stddef.h>
#include <stdint.h>

#include "common/mem.h"
#include "tests/corpus/rng.h"

/* Append about `bytes` bytes of word text in lines of at most 72 characters. */
void cg_add_words(strbuf *sb, cg_rng *r, size_t bytes);
/* Append a short phrase of n words (no line end). */
void cg_add_phrase(strbuf *sb, cg_rng *r, unsigned n);
/* Append data as base64 in lines of 76 characters, each ended by LF. */
void cg_add_base64(strbuf *sb, const unsigned char *data, size_t n);
/* Append an RFC 2047 encoded word: B encoding of UTF-8 text. */
void cg_add_2047_b(strbuf *sb, const char *utf8);
/* Append an RFC 2047 encoded word: Q encoding, charset given (text in that charset). */
void cg_add_2047_q(strbuf *sb, const char *charset, const char *text);
/* Format an RFC 5322 date for a UTC epoch time shown in zone tz_minutes. */
void cg_format_date(char *buf, size_t size, int64_t epoch, int tz_minutes);
/* The size IMAP reports (RFC822.SIZE): every LF not preceded by CR counts 2. */
size_t cg_vsize(const char *data, size_t len);

#endif
