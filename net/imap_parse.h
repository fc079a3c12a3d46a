/*
 * imap_parse.h - incremental (push) parser for IMAP server responses
 * (RFC 3501 / 9051): tagged, untagged ("*") and continuation ("+") lines;
 * atoms, quoted strings with escapes, literals {n} / {n+}, literal8 ~{n},
 * NIL, nested lists, FETCH section atoms like BODY[HEADER.FIELDS (A B)]<0>,
 * and response codes ([UIDVALIDITY n], [CAPABILITY ...], [APPENDUID v u] ...).
 *
 * Feed it bytes as they arrive, split anywhere.  It is bounded: a line
 * (excluding literal data) may not exceed max_line, a literal may not exceed
 * max_literal, and a literal kept in memory may not exceed max_buffered.
 * Malformed input fails with an mg_err (MGC_PROTOCOL / MGC_LIMIT) and the
 * parser is then unusable (the connection must be dropped).
 *
 * A NUL byte outside a literal is forbidden by RFC 3501/9051 but sloppy
 * servers send one (in a flag, a folder name): it is not fatal.  It is
 * replaced by MG_IMAP_NUL_MARK (0xFF, a byte that is never valid UTF-8 nor
 * modified UTF-7), so the line parses, no string is cut short, and whoever
 * uses the value sees that it is damaged (mg_imap_has_nul_mark).
 *
 * Large literals can be streamed: when a stream hook is set, it is asked at
 * the start of each literal whether it wants the bytes; if yes they go to
 * data() in chunks and the parsed value has type MG_IMAP_STREAMED (size only),
 * so a message body never has to be held in memory.
 */
#ifndef MIGSH_NET_IMAP_PARSE_H
#define MIGSH_NET_IMAP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/err.h"

#define MG_IMAP_NUL_MARK '\xff'

/* Does s[0..len) carry a NUL the parser replaced (or a raw 0xFF byte)? */
bool mg_imap_has_nul_mark(const char *s, size_t len);

typedef enum mg_imap_vtype {
	MG_IMAP_ATOM = 0,   /* atom or number, also flags (\Seen) and sections (BODY[]<0>) */
	MG_IMAP_QUOTED,     /* "..." with escapes removed */
	MG_IMAP_LITERAL,    /* {n} / ~{n} kept in memory (may contain NUL bytes: use len) */
	MG_IMAP_STREAMED,   /* literal handed to the stream hook; only size is known */
	MG_IMAP_NIL,
	MG_IMAP_LIST        /* ( ... ) */
} mg_imap_vtype;

typedef struct mg_imap_val {
	mg_imap_vtype type;
	const char *s;                 /* NUL-terminated text (ATOM, QUOTED, LITERAL); NULL otherwise */
	size_t len;                    /* length of s */
	uint64_t size;                 /* LITERAL / STREAMED: announced size */
	bool literal8;                 /* came as ~{n} */
	struct mg_imap_val *items;     /* LIST members */
	size_t n;
} mg_imap_val;

typedef enum mg_imap_rkind {
	MG_IMAP_R_TAGGED = 0,
	MG_IMAP_R_UNTAGGED,
	MG_IMAP_R_CONTINUE
} mg_imap_rkind;

typedef enum mg_imap_resp_status {
	MG_IMAP_ST_NONE = 0,  /* untagged data (FETCH, LIST, CAPABILITY, EXISTS ...) */
	MG_IMAP_ST_OK,
	MG_IMAP_ST_NO,
	MG_IMAP_ST_BAD,
	MG_IMAP_ST_PREAUTH,
	MG_IMAP_ST_BYE
} mg_imap_resp_status;

/* One complete response.  Every pointer stays valid until the next call to
 * mg_imap_parser_feed / _free. */
typedef struct mg_imap_resp {
	mg_imap_rkind kind;
	const char *tag;          /* TAGGED: the tag; NULL otherwise */
	mg_imap_resp_status status;    /* OK NO BAD PREAUTH BYE, or NONE for data */
	bool has_num;             /* "* 23 EXISTS": num = 23 */
	uint64_t num;
	const char *name;         /* upper-cased keyword: "OK" "FETCH" "LIST" "CAPABILITY" "EXISTS" ...;
	                             NULL for continuations */
	const char *code;         /* upper-cased response code atom ("UIDVALIDITY") or NULL */
	mg_imap_val code_args;    /* LIST of the code's arguments (n may be 0) */
	const char *text;         /* human text of a status response or continuation ("" if none) */
	mg_imap_val args;         /* LIST of the values after name (data responses) */
} mg_imap_resp;

typedef struct mg_imap_parse_limits {
	size_t   max_line;        /* bytes of one response excluding literal data; 0 = 1 MiB */
	uint64_t max_literal;     /* announced literal size; 0 = 2 GiB */
	uint64_t max_buffered;    /* literal kept in memory (not streamed); 0 = 64 MiB */
	uint64_t stream_min;      /* smaller literals are kept in memory without asking the
	                             stream hook; 0 = 4096 */
} mg_imap_parse_limits;

/* Stream hook (asked for literals of at least stream_min bytes).  begin() sees the response so far: partial->kind/tag/num/name
 * are set, and `list` holds the items of the innermost open list parsed so
 * far (for "* 5 FETCH (UID 9 BODY[] {123}" that is UID, 9, BODY[]), or the
 * top-level args.  Return 1 to stream this literal to data()/end(), 0 to keep
 * it in memory, -1 to abort parsing (feed fails with MGC_STOPPED).
 * data()/end() return 0, or -1 to abort. */
typedef struct mg_imap_stream_ops {
	int (*begin)(void *arg, const mg_imap_resp *partial, const mg_imap_val *list, uint64_t size);
	int (*data)(void *arg, const void *chunk, size_t len);
	int (*end)(void *arg);
} mg_imap_stream_ops;

typedef struct mg_imap_parser mg_imap_parser;

mg_imap_parser *mg_imap_parser_new(const mg_imap_parse_limits *lim /* NULL = defaults */);
void mg_imap_parser_free(mg_imap_parser *p);
void mg_imap_parser_set_stream(mg_imap_parser *p, const mg_imap_stream_ops *ops, void *arg);

/* Feed len bytes.  *used receives how many bytes were consumed.
 * Returns 1 when a complete response is ready in *out (bytes after it were
 * not consumed: feed the rest again), 0 when all input was consumed and more
 * is needed, -1 on malformed input, exceeded limits or an aborting hook. */
int mg_imap_parser_feed(mg_imap_parser *p, const void *data, size_t len, size_t *used,
                        const mg_imap_resp **out, mg_err *err);

/* The raw bytes of the response last returned (line text plus literal data
 * kept in memory; streamed literals are absent), for protocol traces. */
const char *mg_imap_parser_last_raw(const mg_imap_parser *p, size_t *len);

/* True when the parser is in the middle of a response (bytes buffered). */
bool mg_imap_parser_busy(const mg_imap_parser *p);

/* --- helpers on values --- */
/* Text of an ATOM/QUOTED/LITERAL, NULL for NIL/LIST/STREAMED or v == NULL. */
const char *mg_imap_val_str(const mg_imap_val *v);
/* ATOM equal to word, ignoring ASCII case. */
bool mg_imap_val_is(const mg_imap_val *v, const char *word);
/* ATOM that is a decimal number fitting in uint64: 0 and *out; else -1. */
int mg_imap_val_u64(const mg_imap_val *v, uint64_t *out);
/* Item i of a LIST, or NULL. */
const mg_imap_val *mg_imap_val_at(const mg_imap_val *list, size_t i);

#endif
