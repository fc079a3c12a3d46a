/*
 * secret_mask.h - which tokens of a command line are secrets, and the line
 * with them masked (for echoed error lines, the transcript and history).
 *
 * The rule is by token, read with the shell's own lexer in argument mode
 * (so it also works on a line that does not parse):
 *   - the value of a parameter the command's declaration marks MPF_SECRET
 *     (-Password x, -Password:x, and a positional value bound to such a
 *     parameter, e.g. ConvertTo-SecureString's -String, whatever follows);
 *   - for a secret parameter of type MPT_CREDENTIAL only the password part:
 *     the elements after the first of a list (admin,pw), the text after the
 *     first comma of a quoted 'admin,pw', the values of a hashtable except
 *     the user name's;
 * and only literal tokens (bare words, quoted strings, numbers), also inside
 * a group given as the value (-Password ('x'), -Credentials @('u', 'p')): a
 * variable or an expression names no secret.  Nested commands ((...), $(...),
 * { }) are read with their own declarations.  A line whose command is not
 * known (or without a session) has no secret by this rule.
 * Each masked token is replaced by MG_SECRET_MASK whatever its length, so the
 * echo does not tell how long the password is; mg_masked_offset maps a byte
 * offset of the source to the masked text (an error's caret is moved).
 */
#ifndef MIGSH_SECRET_MASK_H
#define MIGSH_SECRET_MASK_H

#include <stdbool.h>
#include <stddef.h>

struct mg_session;

#define MG_SECRET_MASK "********"

typedef struct mg_span {
	size_t pos, len;
} mg_span;

/* Source ranges of secrets, sorted by position, not overlapping. */
typedef struct mg_spans {
	mg_span *v;
	size_t   n, cap;
} mg_spans;

/* The secret tokens of src[0..len) (commands looked up in s; s NULL: none
 * known).  out is reset first; free it with mg_spans_free. */
void mg_secret_spans(struct mg_session *s, const char *src, size_t len, mg_spans *out);
void mg_spans_free(mg_spans *sp);
/* Append the range [pos, pos+len) (nothing when len is 0); keep the order. */
void mg_spans_add(mg_spans *sp, size_t pos, size_t len);

/* src with every span replaced by MG_SECRET_MASK (malloc'd, NUL-terminated;
 * *outlen its length if outlen is not NULL). */
char *mg_spans_apply(const char *src, size_t len, const mg_spans *sp, size_t *outlen);
/* The offset in the masked text of the source offset pos (an offset inside
 * a span maps to the start of its mask). */
size_t mg_masked_offset(const mg_spans *sp, size_t pos);
/* The masked length of the source range [pos, pos+len). */
size_t mg_masked_len(const mg_spans *sp, size_t pos, size_t len);

/* Convenience: the line with its secrets masked (malloc'd). */
char *mg_mask_secrets(struct mg_session *s, const char *src, size_t len);

/* A line that must not be saved to a history file: it has a secret token,
 * or names something that looks sensitive (PSReadLine's rule: the words
 * password, asplaintext, token, apikey, secret in any case). */
bool mg_line_is_sensitive(struct mg_session *s, const char *line, size_t len);

#endif
