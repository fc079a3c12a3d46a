/*
 * parser.h - PowerShell source text to a syntax tree (ast.h).
 *
 * The error record tells the REPL whether more input could complete the
 * text (an unterminated string, an open block, a trailing pipe or comma),
 * in which case it shows the continuation prompt instead of an error.
 */
#ifndef MIGSH_PARSER_H
#define MIGSH_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include "shell/ast.h"

typedef struct mg_parse_error {
	size_t pos, len;       /* offending range in the source */
	char   id[64];         /* FullyQualifiedErrorId, e.g. TerminatorExpectedAtEndOfString */
	char   msg[256];
	bool   incomplete;     /* the input ended too early: more lines could fix it */
	bool   unexpected;     /* a token stood where a value, a command or ')' was due: it may be
	                        * an operator migsh does not support (set when raised) */
} mg_parse_error;

/* Parse src[0..len).  origin = script path or NULL.  Returns a tree with one
 * reference, or NULL with *pe filled. */
ast_tree *mg_parse(const char *src, size_t len, const char *origin, mg_parse_error *pe);

/* Line (1-based) and column (1-based, in bytes) of pos in src. */
void mg_src_linecol(const char *src, size_t len, size_t pos, int *line, int *col);

#endif
