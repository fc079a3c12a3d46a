/*
 * complete.h - tab completion for the REPL (readline-independent, testable).
 *
 * Given the line and the cursor, offers: cmdlet names and aliases at
 * command position; parameter names (with '-') of the cmdlet on the line;
 * allowed values of an enum parameter (-Security <Tab> -> None Ssl Tls);
 * names of endpoints / batches / users from the session's name sources for
 * parameters that declare MGCOMP_ENDPOINT/BATCH/USER; file paths otherwise.
 */
#ifndef MIGSH_COMPLETE_H
#define MIGSH_COMPLETE_H

#include <stddef.h>
#include "shell/session.h"

/* Candidates for the word that ends at `cursor` in line.  *word_start gets
 * the offset where the word being completed begins.  Returns a
 * NULL-terminated malloc'd array of malloc'd strings (never NULL), without
 * duplicates, in the order Tab offers them: sorted (case-insensitively),
 * except command names: cmdlets and functions sorted, then aliases sorted.  *want_files is set when the caller should fall back
 * to file-name completion instead. */
char **mg_complete_line(mg_session *s, const char *line, size_t cursor, size_t *word_start, bool *want_files);
void   mg_complete_free(char **list);

#endif
