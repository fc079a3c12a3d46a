/* readline_lazy.c - GNU Readline, opened when the interactive shell starts
 * (why and how: readline_lazy.h). */
#include "config.h"
#include "shell/readline_lazy.h"

#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

#define RL_STR2(x) #x
#define RL_STR(x) RL_STR2(x)
/* the run-time name of the library these headers describe: libreadline.so.8 */
#define RL_SONAME "libreadline.so." RL_STR(RL_VERSION_MAJOR)

/* where each name goes in the table */
static const struct {
	const char *name;
	size_t off;
} rl_names[] = {
#define RL_NAME(member, symbol) { #symbol, offsetof(mg_readline, member) }
	RL_NAME(readline, readline),
	RL_NAME(bind_key, rl_bind_key),
	RL_NAME(bind_keyseq, rl_bind_keyseq),
	RL_NAME(completion_matches, rl_completion_matches),
	RL_NAME(replace_line, rl_replace_line),
	RL_NAME(variable_bind, rl_variable_bind),
	RL_NAME(using_history, using_history),
	RL_NAME(stifle_history, stifle_history),
	RL_NAME(read_history, read_history),
	RL_NAME(add_history, add_history),
	RL_NAME(append_history, append_history),
	RL_NAME(history_truncate_file, history_truncate_file),
	RL_NAME(menu_complete, rl_menu_complete),
	RL_NAME(backward_menu_complete, rl_backward_menu_complete),
	RL_NAME(possible_completions, rl_possible_completions),
	RL_NAME(readline_name, rl_readline_name),
	RL_NAME(line_buffer, rl_line_buffer),
	RL_NAME(attempted_completion_function, rl_attempted_completion_function),
	RL_NAME(attempted_completion_over, rl_attempted_completion_over),
	RL_NAME(basic_word_break_characters, rl_basic_word_break_characters),
	RL_NAME(completer_word_break_characters, rl_completer_word_break_characters),
	RL_NAME(completion_append_character, rl_completion_append_character),
	RL_NAME(sort_completion_matches, rl_sort_completion_matches),
	RL_NAME(catch_signals, rl_catch_signals),
	RL_NAME(getc_function, rl_getc_function),
#undef RL_NAME
};

/* every member is one pointer, and each has its name above */
_Static_assert(sizeof(mg_readline) == sizeof rl_names / sizeof *rl_names * sizeof(void *),
               "each member of mg_readline needs its name in rl_names");

int mg_readline_open(mg_readline *rl, mg_err *err)
{
	/* RTLD_LOCAL: Readline's names stay out of the global scope */
	void *h = dlopen(RL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *why = dlerror();
		return mg_err_set(err, MGC_NOTINSTALLED, "ReadlineMissing",
		                  "The interactive shell needs GNU Readline (%s): %s. Install the libreadline%s "
		                  "package, or run commands with migsh -c or a script with migsh -File.",
		                  RL_SONAME, why ? why : "not found", RL_STR(RL_VERSION_MAJOR));
	}
	for (size_t i = 0; i < sizeof rl_names / sizeof *rl_names; i++) {
		void *p = dlsym(h, rl_names[i].name);
		if (!p)
			return mg_err_set(err, MGC_NOTINSTALLED, "ReadlineMissing",
			                  "The GNU Readline library %s has no '%s': it is older than the "
			                  "headers migsh was built with.", RL_SONAME, rl_names[i].name);
		/* a function's address comes back as a data pointer too; POSIX
		 * requires the conversion to work */
		memcpy((char *)rl + rl_names[i].off, &p, sizeof p);
	}
	return 0;
}
