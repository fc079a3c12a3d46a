/* repl.h - the interactive shell on GNU Readline (prompt, continuation, history, completion). */
#ifndef MIGSH_REPL_H
#define MIGSH_REPL_H

#include "shell/session.h"

/* Run the read-eval-print loop until EOF or `exit`; returns the exit status. */
int mg_repl(mg_session *s);

#endif
