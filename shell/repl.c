/*
 * repl.c - the interactive shell: GNU Readline with the prompt "PS migsh> ",
 * the continuation prompt ">> " while the input is incomplete (open string,
 * block, trailing pipe/comma, backtick), history in $MIGSH_HOME/history and
 * tab completion through complete.c.
 */
#include "config.h"
#include "shell/repl.h"
#include "shell/complete.h"
#include "shell/eval.h"
#include "shell/parser.h"
#include "common/mem.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#define PROMPT "PS migsh> "
#define CONT_PROMPT ">> "

/* Readline's callbacks take no user data: the session of the running REPL. */
static mg_session *repl_session;
static char **cur_matches;
static size_t cur_index;

static char *match_gen(const char *text, int state)
{
	(void)text;
	if (state == 0)
		cur_index = 0;
	if (!cur_matches || !cur_matches[cur_index])
		return NULL;
	return xstrdup(cur_matches[cur_index++]);
}

static char **attempt_completion(const char *text, int start, int end)
{
	(void)text;
	size_t ws;
	bool files;
	mg_complete_free(cur_matches);
	cur_matches = NULL;
	/* rl_line_buffer holds only the current line; completion works per line */
	cur_matches = mg_complete_line(repl_session, rl_line_buffer, (size_t)end, &ws, &files);
	(void)start;
	if (files && !cur_matches[0]) {
		rl_attempted_completion_over = 0;
		return NULL;   /* readline's file-name completion */
	}
	rl_attempted_completion_over = 1;
	if (!cur_matches[0])
		return NULL;
	return rl_completion_matches(text, match_gen);
}

static char *repl_read_line(mg_session *s, const char *prompt, bool secret)
{
	if (secret)
		return mg_default_read_line(s, prompt, true);
	fflush(s->out);
	return readline(prompt);
}

static void on_sigint(int sig)
{
	(void)sig;
	/* cancel the line being typed */
	if (write(STDOUT_FILENO, "\n", 1) < 0) {
		/* nothing to do */
	}
	rl_on_new_line();
	rl_replace_line("", 0);
	rl_redisplay();
}

static bool incomplete(const char *text)
{
	mg_parse_error pe;
	ast_tree *t = mg_parse(text, strlen(text), NULL, &pe);
	if (t) {
		ast_tree_unref(t);
		return false;
	}
	return pe.incomplete;
}

int mg_repl(mg_session *s)
{
	repl_session = s;
	s->read_line = repl_read_line;
	rl_readline_name = "migsh";
	rl_attempted_completion_function = attempt_completion;
	rl_basic_word_break_characters = " \t\n|;(){},=";
	rl_completer_word_break_characters = " \t\n|;(){},=";
	rl_completion_append_character = ' ';
	char *hist = xasprintf("%s/history", s->home);
	using_history();
	stifle_history(2000);
	read_history(hist);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, NULL);
	rl_catch_signals = 0;

	int status = 0;
	for (;;) {
		char *line = readline(PROMPT);
		if (!line) {
			fputc('\n', s->out);
			break;
		}
		strbuf buf = STRBUF_INIT;
		strbuf_adds(&buf, line);
		free(line);
		while (incomplete(buf.buf)) {
			char *more = readline(CONT_PROMPT);
			if (!more)
				break;
			bool empty = !*more;
			strbuf_addc(&buf, '\n');
			strbuf_adds(&buf, more);
			free(more);
			if (empty)
				break;   /* an empty line ends the input, like PowerShell */
		}
		bool blank = true;
		for (size_t i = 0; i < buf.len; i++)
			if (buf.buf[i] != ' ' && buf.buf[i] != '\t' && buf.buf[i] != '\n')
				blank = false;
		if (!blank) {
			add_history(buf.buf);
			if (write_history(hist) == 0)
				chmod(hist, 0600);
			int rc = mg_run_source(s, buf.buf, buf.len, NULL);
			status = rc;
		}
		strbuf_free(&buf);
		if (s->exit_requested) {
			status = s->exit_code;
			break;
		}
	}
	mg_complete_free(cur_matches);
	cur_matches = NULL;
	free(hist);
	repl_session = NULL;
	return s->exit_requested ? s->exit_code : (status == MG_RUN_OK ? 0 : status);
}
