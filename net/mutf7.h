/*
 * mutf7.h - modified UTF-7 for IMAP mailbox names (RFC 3501 section 5.1.3).
 *
 * Decoding rejects what the RFC forbids: unterminated or empty-but-not-"&-"
 * shifts, base64 that encodes printable ASCII, bad padding bits, unpaired
 * UTF-16 surrogates, and raw 8-bit bytes.  Encoding rejects invalid UTF-8.
 */
#ifndef MIGSH_NET_MUTF7_H
#define MIGSH_NET_MUTF7_H

#include <stdbool.h>
#include "common/err.h"

/* UTF-8 -> modified UTF-7; *out malloc'd.  MGC_INVALIDDATA on bad UTF-8. */
int mg_mutf7_encode(const char *utf8, char **out, mg_err *err);
/* modified UTF-7 -> UTF-8; *out malloc'd.  MGC_INVALIDDATA on bad input. */
int mg_mutf7_decode(const char *mutf7, char **out, mg_err *err);
/* Whole string is valid UTF-8 (no overlongs, no surrogates). */
bool mg_utf8_valid(const char *s);

/* A name from a server made safe to store and show: valid UTF-8 stays as is,
 * every control byte, NUL (and the parser's NUL mark) and byte that is not
 * part of valid UTF-8 becomes "\xNN" (NUL: "\x00").  Reads len bytes (NULs
 * included).  Malloc'd. */
char *mg_name_escape(const char *s, size_t len);

#endif
