/*
 * repl.c - the interactive shell: GNU Readline with the prompt "PS migsh> ",
 * the continuation prompt ">> " while the input is incomplete (open string,
 * block, trailing pipe/comma, backtick), history in $MIGSH_HOME/history (and
 * the session's, for Get-History) and tab completion through complete.c
 * (case-insensitive, and Tab / Shift-Tab cycle through the candidates, like
 * PowerShell's on Windows).
 */
#include "config.h"
#include "shell/repl.h"
#include "shell/builtins.h"
#include "shell/complete.h"
#include "shell/eval.h"
#include "shell/parser.h"
#include "shell/readline_lazy.h"
#include "shell/secret_mask.h"
#include "common/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>


#define PROMPT "PS migsh> "
#define CONT_PROMPT ">> "

/* Readline's callbacks take no user data: the session of the running REPL
 * and the Readline it opened. */
static mg_session *repl_session;
static const mg_readline *rl;
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

/* The candidates as replacements of readline's word, which starts at start
 * (complete.c's word starts at ws; they agree unless the word breaks differ). */
static void rebase(char **v, const char *line, size_t start, size_t ws)
{
	for (size_t i = 0; v && v[i]; i++) {
		char *r;
		if (ws > start)
			r = xasprintf("%.*s%s", (int)(ws - start), line + start, v[i]);
		else if (ws < start && strlen(v[i]) >= start - ws)
			r = xstrdup(v[i] + (start - ws));
		else
			continue;
		free(v[i]);
		v[i] = r;
	}
}

static char **attempt_completion(const char *text, int start, int end)
{
	(void)text;
	size_t ws;
	bool files;
	mg_complete_free(cur_matches);
	cur_matches = NULL;
	/* rl_line_buffer holds only the current line; completion works per line */
	cur_matches = mg_complete_line(repl_session, *rl->line_buffer, (size_t)end, &ws, &files);
	rebase(cur_matches, *rl->line_buffer, (size_t)start, ws);
	if (files && !cur_matches[0]) {
		*rl->attempted_completion_over = 0;
		return NULL;   /* readline's file-name completion */
	}
	*rl->attempted_completion_over = 1;
	if (!cur_matches[0])
		return NULL;
	return rl->completion_matches(text, match_gen);
}

/* SIGINT: while typing, Ctrl-C abandons the input; while a command runs it
 * asks the pipeline to stop.  A signal handler cannot reach the session, so
 * the flag is file-level (the only such state); the handler only sets it. */
static volatile sig_atomic_t sigint_seen;

static void on_sigint(int sig)
{
	(void)sig;
	sigint_seen = 1;
}

/* readline's input function: like rl_getc, but a Ctrl-C (read interrupted
 * with sigint_seen set) empties the line and accepts it, so readline returns
 * and the REPL can drop the input. */
static int repl_getc(FILE *in)
{
	for (;;) {
		unsigned char c;
		ssize_t r = read(fileno(in), &c, 1);
		if (r == 1)
			return c;
		if (r == 0)
			return EOF;
		if (errno != EINTR)
			return EOF;
		if (sigint_seen) {
			rl->replace_line("", 0);
			return '\n';
		}
	}
}

static char *read_input(const char *prompt)
{
	return rl->readline(prompt);
}

static char *repl_read_line(mg_session *s, const char *prompt, bool secret)
{
	if (secret)
		return mg_default_read_line(s, prompt, true);
	fflush(s->out);
	char *line = read_input(prompt);
	if (sigint_seen) {   /* Ctrl-C at a prompt is "no answer", never the default */
		free(line);
		return NULL;
	}
	return line;
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
	mg_readline lib;
	mg_err err;
	if (mg_readline_open(&lib, &err) < 0) {
		fprintf(stderr, "migsh: %s\n", err.msg);
		return 127;
	}
	rl = &lib;
	repl_session = s;
	s->read_line = repl_read_line;
	s->interrupted = &sigint_seen;
	*rl->readline_name = "migsh";
	*rl->attempted_completion_function = attempt_completion;
	*rl->basic_word_break_characters = " \t\n|;(){},=";
	*rl->completer_word_break_characters = " \t\n|;(){},=";
	*rl->completion_append_character = ' ';
	/* names match in any case (PowerShell's rule) */
	rl->variable_bind("completion-ignore-case", "on");
	/* Tab cycles, as PowerShell on Windows does: the first Tab puts in the
	 * first candidate (Sel -> Select-Object), each further Tab the next one
	 * (Select-String ...), Shift-Tab the one before; complete.c gives them
	 * in PowerShell's order, which readline must keep.  Ctrl-Space (as in
	 * PSReadLine) and Alt-= list them all. */
	*rl->sort_completion_matches = 0;
	rl->bind_key('\t', rl->menu_complete);
	rl->bind_keyseq("\033[Z", rl->backward_menu_complete);
	rl->bind_key(0, rl->possible_completions);   /* Ctrl-Space sends NUL */
	rl->bind_keyseq("\033=", rl->possible_completions);
	char *hist = xasprintf("%s/history", s->home);
	int hfd = open(hist, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);   /* appended to: exists, 0600 */
	if (hfd >= 0) {
		if (fchmod(hfd, 0600) != 0)
			perror(hist);
		close(hfd);
	}
	rl->using_history();
	rl->stifle_history(2000);
	rl->read_history(hist);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, NULL);   /* no SA_RESTART: read() must see EINTR */
	*rl->catch_signals = 0;
	*rl->getc_function = repl_getc;

	int status = 0;
	for (;;) {
		sigint_seen = 0;
		char *line = read_input(PROMPT);
		if (!line) {
			fputc('\n', s->out);
			break;
		}
		strbuf buf = STRBUF_INIT;
		strbuf_adds(&buf, line);
		free(line);
		while (incomplete(buf.buf)) {
			if (sigint_seen)
				break;
			char *more = read_input(CONT_PROMPT);
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
		if (sigint_seen) {   /* Ctrl-C in a continuation: drop the whole input */
			strbuf_free(&buf);
			continue;
		}
		if (!blank) {
			/* recalled with Up in this session; the history file gets no line
			 * with a secret or a sensitive word (secret_mask.h, migsh(1) HISTORY) */
			rl->add_history(buf.buf);
			if (!mg_line_is_sensitive(s, buf.buf, buf.len) && rl->append_history(1, hist) == 0)
				rl->history_truncate_file(hist, 2000);
			mg_transcript_command(s, PROMPT, buf.buf, buf.len);
			int64_t t0 = (int64_t)time(NULL);
			int rc = mg_run_source(s, buf.buf, buf.len, NULL);
			mg_history_add(s, buf.buf, rc == MG_RUN_OK, t0, (int64_t)time(NULL));   /* Get-History */
			status = rc;
			if (sigint_seen)   /* the terminal shows ^C: end that line */
				fputc('\n', s->out);
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
	rl = NULL;
	s->interrupted = NULL;
	return s->exit_requested ? s->exit_code : (status == MG_RUN_OK ? 0 : status);
}
