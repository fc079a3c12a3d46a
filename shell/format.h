/*
 * format.h - turning objects into text the way PowerShell's console does.
 *
 * mg_format_default is Out-Default: what the REPL (and -c / -File) calls
 * with the objects that reach the end of a pipeline.  Strings and other
 * scalars print one per line; consecutive objects of the same type share
 * one table header; the type's default property set (mv_type_info) decides
 * the shape: <= 4 properties -> table, 5 or more -> list (unless the type
 * prefers one).  Dates print in en-US culture (M/d/yyyy h:mm:ss AM, local
 * time), byte sizes like Exchange ("1.5 MB (1,572,864 bytes)").
 *
 * The Format-List / Format-Table cmdlets use the renderers below; they
 * write into a strbuf so the cmdlets can emit the text as strings.
 */
#ifndef MIGSH_FORMAT_H
#define MIGSH_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "common/mem.h"
#include "shell/value.h"
#include "shell/scalar_fmt.h"

struct mg_session;

/* Out-Default: print objs[0..n) to out (n may be 0: prints nothing). */
void mg_format_default(struct mg_session *s, mv *const *objs, size_t n, FILE *out);
/* Same, into a buffer (no session needed). */
void mg_format_default_buf(mv *const *objs, size_t n, strbuf *out);

/* The text of one value as a cell of a table or the right side of a list
 * line: scalars as mv_to_string, arrays as "{a, b, c}", objects via their
 * to_string property (or "@{A=1; B=2}" for custom objects). Caller frees. */
char *mg_format_cell(const mv *v);

/* Property names to show for obj: the names in `props` (may contain
 * wildcards, '*' = all; order as given, wildcard matches in object order,
 * unknown names skipped, no duplicates), or when props is NULL/empty the
 * type's default set (all properties when it has none).  all_when_default:
 * use all properties instead of the default set when props is empty
 * (Format-List * semantics).  Returns a NULL-terminated malloc'd array of
 * borrowed names (free() the array only); *count gets the length. */
const char **mg_format_select(const mv *obj, const char *const *props, size_t nprops,
                              bool all_when_default, size_t *count);

/* Format-List: blank line, "Name : value" lines with names padded to the
 * longest selected name, blank line after each object.  Format-List with no properties shows all.
 * props: names/wildcards (NULL or nprops 0 = the default set). */
void mg_format_list(mv *const *objs, size_t n, const char *const *props, size_t nprops,
                    strbuf *out);

typedef struct mg_table_opts {
	bool autosize;   /* size columns to the content, never truncate */
	bool wrap;       /* wrap long cells onto more lines instead of truncating */
	bool hide_headers;
	int  width;      /* console width; 0 = mg_format_width(NULL) */
} mg_table_opts;

/* Format-Table: blank line, header, dashes, rows, blank line.  Numbers are
 * right-aligned.  Non-scalar inputs (strings, numbers) are listed as-is. */
void mg_format_table(mv *const *objs, size_t n, const char *const *props, size_t nprops,
                     const mg_table_opts *opts, strbuf *out);

/* Console width for f: the terminal's columns, else $COLUMNS, else 120. */
int mg_format_width(FILE *f);

/* The scalar formats (dates, sizes, TimeSpans) are in scalar_fmt.h. */

#endif
