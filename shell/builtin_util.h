/*
 * builtin_util.h - small helpers shared by the utility cmdlets
 * (shell/builtin_*.c): collecting pipeline input, reading list parameters,
 * property specs (names, wildcards, calculated @{Name=..;Expression={..}}).
 */
#ifndef MIGSH_BUILTIN_UTIL_H
#define MIGSH_BUILTIN_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include "shell/cmdlet.h"
#include "shell/value.h"

/* A growable list of values (each holds one reference). */
typedef struct mvlist {
	mv   **v;
	size_t n, cap;
} mvlist;

void mvlist_push(mvlist *l, mv *v);      /* borrows v */
void mvlist_free(mvlist *l);

/* The object a cmdlet works on in process(): the piped input, else the
 * -InputObject argument (arrays given to -InputObject are not enumerated),
 * else NULL. Borrowed. */
mv *bu_input(mg_ctx *c, mv *input, const char *param);

/* Collect the input of one process() call into l (for cmdlets that work in end()). */
void bu_collect(mg_ctx *c, mv *input, mvlist *l);

/* State, process and cleanup of cmdlets that collect their whole input and
 * work in end() (Sort-Object, ConvertTo-Json, Export-Csv, ...). */
typedef struct bu_coll_state {
	mvlist in;
} bu_coll_state;
int  bu_coll_process(mg_ctx *c, mv *input);
void bu_coll_cleanup(mg_ctx *c);

/* A parameter given as one string or a list: NULL-terminated malloc'd array
 * of malloc'd strings (free with bu_strv_free), NULL when absent. */
char **bu_strv(const mv *v, size_t *count);
void   bu_strv_free(char **v);

/* Emit v, enumerating arrays (like writing a collection to the pipeline). */
int bu_emit_enum(mg_ctx *c, mv *v);

/* One column/property of Select-Object, Sort-Object, Format-*. */
typedef struct bu_prop {
	char *name;       /* name or wildcard; the label of a calculated property */
	mv   *expr;       /* script block or NULL */
	char *expr_prop;  /* Expression given as a property name, or NULL */
	bool  descending; /* Sort-Object @{Expression=..; Descending=$true} */
	bool  has_desc;
} bu_prop;

/* Parse -Property values: strings and hashtables (Name/N/Label/L,
 * Expression/E, Descending/Ascending).  Returns 0 or -1 with c->err set. */
int  bu_props_parse(mg_ctx *c, const mv *arg, bu_prop **out, size_t *n);
void bu_props_free(bu_prop *p, size_t n);

/* Value of one property spec on obj (new ref; $null when missing). For
 * script blocks runs it with $_ = obj; returns NULL on error (c->err set). */
mv *bu_prop_value(mg_ctx *c, const bu_prop *p, mv *obj);

/* Expand wildcard specs against obj: appends the concrete names to a
 * NULL-terminated malloc'd array of borrowed names (free the array only). */
const char **bu_expand_names(const mv *obj, const bu_prop *p, size_t n, size_t *count);

/* Property lookup that also knows .Count/.Length of arrays and strings. */
mv *bu_member(const mv *obj, const char *name);   /* new ref or NULL */

/* -match with PowerShell/.NET-like syntax mapped to POSIX ERE (\d \w \s \b
 * supported), case-insensitive when icase. Returns 1 match, 0 no, -1 bad pattern. */
int bu_regex_match(const char *pattern, const char *s, bool icase);

/* Write (or append) text to a user file given by the user (Windows paths
 * mapped with mg_map_path_for_write).  0 or -1 with c->err set. */
int bu_write_text_file(mg_ctx *c, const char *path_arg, const char *text, size_t len,
                       bool append, bool noclobber);

#endif
