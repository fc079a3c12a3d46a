/*
 * readline_lazy.h - GNU Readline, opened when the interactive shell starts.
 *
 * Only the REPL (shell/repl.c) edits lines; `migsh -c`, `migsh -File` and
 * the background service never do.  Linking libreadline (and the terminfo
 * library it needs) cost every one of those processes about 1.2 ms of its
 * start-up, mostly relocations and page faults (bench/RESULTS.md,
 * "Start-up").  So migsh is not linked against Readline: mg_readline_open()
 * opens it with dlopen and fills a table with the addresses of the
 * functions and variables the REPL uses.
 *
 * Each member's type is taken from Readline's own declarations with
 * __typeof__, so the compiler checks every use against the header; taking
 * a type makes no reference to the symbol, so nothing here needs the
 * library at link time.  The three commands bound to keys are the
 * library's own addresses, not wrappers: readline compares the function
 * it last ran with rl_menu_complete to know that a second Tab continues the
 * cycle.
 */
#ifndef MG_SHELL_READLINE_LAZY_H
#define MG_SHELL_READLINE_LAZY_H

#include <stdio.h>   /* readline.h uses FILE without including it */

#include <readline/history.h>
#include <readline/readline.h>

#include "common/err.h"

typedef struct mg_readline {
	/* functions */
	__typeof__(&readline) readline;
	__typeof__(&rl_bind_key) bind_key;
	__typeof__(&rl_bind_keyseq) bind_keyseq;
	__typeof__(&rl_completion_matches) completion_matches;
	__typeof__(&rl_replace_line) replace_line;
	__typeof__(&rl_variable_bind) variable_bind;
	__typeof__(&using_history) using_history;
	__typeof__(&stifle_history) stifle_history;
	__typeof__(&read_history) read_history;
	__typeof__(&add_history) add_history;
	__typeof__(&append_history) append_history;
	__typeof__(&history_truncate_file) history_truncate_file;
	/* commands bound to keys */
	rl_command_func_t *menu_complete;
	rl_command_func_t *backward_menu_complete;
	rl_command_func_t *possible_completions;
	/* variables: the address of each */
	__typeof__(rl_readline_name) *readline_name;
	__typeof__(rl_line_buffer) *line_buffer;
	__typeof__(rl_attempted_completion_function) *attempted_completion_function;
	__typeof__(rl_attempted_completion_over) *attempted_completion_over;
	__typeof__(rl_basic_word_break_characters) *basic_word_break_characters;
	__typeof__(rl_completer_word_break_characters) *completer_word_break_characters;
	__typeof__(rl_completion_append_character) *completion_append_character;
	__typeof__(rl_sort_completion_matches) *sort_completion_matches;
	__typeof__(rl_catch_signals) *catch_signals;
	__typeof__(rl_getc_function) *getc_function;
} mg_readline;

/* Open the Readline library migsh was built against (libreadline.so.N, N
 * from its header) and fill *rl.  The library stays loaded for the life of
 * the process.  Fails (MGC_NOTINSTALLED, naming the library and the package to
 * install) when it is missing or lacks one of the names. */
int mg_readline_open(mg_readline *rl, mg_err *err);

#endif
