/*
 * fuzz_eval.c - libFuzzer target for the expression evaluator: any input is
 * parsed and run in a shell session; it must end (with output or an error),
 * never crash, overflow the stack, hang or run out of memory.  (Leaks are
 * not checked: an array that holds itself is a reference cycle.)
 *
 * The session is confined so that fuzzing cannot do harm: the only cmdlets
 * are the utility ones that neither touch files nor the network nor wait
 * (formatting, selection, conversion, Write-*, Get-Date); the language's
 * own file reads ([IO.File]::ReadAllText, script files) are limited to a
 * temporary directory (s->file_root); output goes to /dev/null; prompts get
 * end of input; strings and arrays are limited to 1 MiB and 100,000 items;
 * and a one-shot timer stops any input after 2 s the way Ctrl-C does.
 * Built with --enable-fuzzing CC=clang; fuzz/run_fuzz_eval.sh runs it.
 */
#include "config.h"
#include "shell/builtins.h"
#include "shell/eval.h"
#include "shell/session.h"
#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the utility cmdlets a fuzzed script may run */
static const mg_cmdlet *const allowed[] = {
	&mg_cmd_format_list, &mg_cmd_format_table, &mg_cmd_out_string, &mg_cmd_select_object,
	&mg_cmd_where_object, &mg_cmd_foreach_object, &mg_cmd_sort_object, &mg_cmd_measure_object,
	&mg_cmd_group_object, &mg_cmd_convertto_json, &mg_cmd_convertto_csv, &mg_cmd_convertfrom_csv,
	&mg_cmd_write_host, &mg_cmd_write_output, &mg_cmd_get_date, &mg_cmd_get_member,
	&mg_cmd_out_null, &mg_cmd_out_host, &mg_cmd_write_warning, &mg_cmd_write_verbose,
	&mg_cmd_write_error,
};
#define NALLOWED (sizeof allowed / sizeof allowed[0])

static const mg_cmdlet *const *table(size_t *count)
{
	*count = NALLOWED;
	return allowed;
}

static const mg_cmdlet *find(const char *name)
{
	for (size_t i = 0; i < NALLOWED; i++)
		if (str_ieq(allowed[i]->name, name) || str_list_has(allowed[i]->aliases, name, false))
			return allowed[i];
	return NULL;
}

static const mg_cmdlet_source source = { find, table };

/* set by the timer's signal handler; the session's Ctrl-C flag */
static volatile sig_atomic_t stop_flag;
static timer_t watchdog;
static char root[256];
static FILE *devnull;

static void on_timer(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static char *no_input(mg_session *s, const char *prompt, bool secret)
{
	(void)s;
	(void)prompt;
	(void)secret;
	return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(root, sizeof root, "%s/migsh-fuzz-eval.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(root) || !realpath(root, root) || chdir(root) < 0)
		abort();
	/* a file for the script to read */
	FILE *f = fopen("in.txt", "w");
	if (!f)
		abort();
	fputs("line one\nline two\n", f);
	fclose(f);
	devnull = fopen("/dev/null", "w");
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_timer;
	sigaction(SIGRTMIN + 2, &sa, NULL);
	struct sigevent sev;
	memset(&sev, 0, sizeof sev);
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGRTMIN + 2;
	if (!devnull || timer_create(CLOCK_MONOTONIC, &sev, &watchdog) < 0)
		abort();
	setenv("MIGSH_HOME", root, 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 16 * 1024)
		return 0;
	mg_session *s = mg_session_new(root, &source, NULL);
	if (!s)
		abort();
	s->out = devnull;
	s->errf = devnull;
	s->read_line = no_input;
	s->interrupted = &stop_flag;
	s->file_root = root;
	s->max_string = 1024 * 1024;
	s->max_items = 100000;
	stop_flag = 0;
	struct itimerspec its = { .it_value = { .tv_sec = 2 } };
	timer_settime(watchdog, 0, &its, NULL);
	(void)mg_run_source(s, (const char *)data, size, NULL);
	struct itimerspec off = { { 0, 0 }, { 0, 0 } };
	timer_settime(watchdog, 0, &off, NULL);
	mg_session_free(s);
	return 0;
}
