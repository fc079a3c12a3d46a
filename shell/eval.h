/*
 * eval.h - running PowerShell text in a session.
 *
 * mg_run_source parses and evaluates a script (REPL line, -Command text,
 * -File contents, stdin).  Objects that reach the end of a top-level
 * statement go through Out-Default (format.h) to the session's output;
 * errors are printed PowerShell-style to its error stream.
 */
#ifndef MIGSH_EVAL_H
#define MIGSH_EVAL_H

#include <stddef.h>
#include "common/err.h"
#include "shell/session.h"
#include "shell/value.h"

/* Status codes: 0 = every statement ran (the last one succeeded),
 * 1 = the last statement failed, 2 = parse error (nothing ran).
 * After `exit N`, s->exit_requested is set and s->exit_code = N. */
enum { MG_RUN_OK = 0, MG_RUN_FAILED = 1, MG_RUN_PARSE_ERROR = 2 };

int mg_run_source(mg_session *s, const char *src, size_t len, const char *origin);
/* Same, but collect the output objects into *out (new array) instead of
 * printing them (used by tests and by scripts run from the shell). */
int mg_run_collect(mg_session *s, const char *src, size_t len, const char *origin, mv **out);

/* Run a script block value with $_ = dollar_under (may be NULL) and $args
 * = args (array or NULL).  Returns the output (new array) or NULL with err. */
mv *mg_eval_scriptblock(mg_session *s, mv *block, mv *dollar_under, mv *args, mg_err *err);

/* Invoke-Expression: parse the text and run it in the current scope,
 * its output appended to out.  An error that ends a statement is reported
 * and the next statement runs, as in a script block, unless a try block is
 * running, or the error is a throw or -ErrorAction Stop ($ErrorActionPreference
 * Stop): then it ends the text and comes back, -1 with err set and *fatal
 * telling whether it ends the script unless caught.  Text that does not
 * parse is -1 (nothing of it ran). */
int mg_eval_text(mg_session *s, const char *src, size_t len, mv *out, mg_err *err, bool *fatal);

/* Default line reader for prompts: readline-free, from the terminal. */
char *mg_default_read_line(mg_session *s, const char *prompt, bool secret);

#endif
