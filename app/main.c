/*
 * main.c - migsh entry points (the one file that wires the shell, the
 * migration cmdlets and the engine together): the REPL on a terminal, -Command / -c text,
 * -File script.ps1 [args] (or a bare path), commands from standard input
 * when it is not a terminal, --version and --help.
 *
 * Exit status: 0 success, 1 when the last statement failed, 2 on a parse
 * error (or bad usage); `exit N` sets N.
 */
#include "config.h"
#include "cmdlets/completion.h"
#include "shell/cmdlet.h"
#include "shell/eval.h"
#include "shell/external.h"
#include "shell/repl.h"
#include "shell/session.h"
#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"
#include "engine/service.h"
#include "engine/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
	        "Usage: migsh                          interactive shell (on a terminal)\n"
	        "       migsh -Command \"<commands>\"    run commands and exit (also -c)\n"
	        "       migsh -File script.ps1 [args]  run a script (also: migsh script.ps1)\n"
	        "       migsh < commands.ps1           run commands from standard input\n"
	        "       migsh --version | --help\n"
	        "\n"
	        "migsh speaks the PowerShell subset of Exchange Online's IMAP migration cmdlets\n"
	        "(New-MigrationEndpoint, New-MigrationBatch, Get-MigrationUserStatistics, ...).\n"
	        "Inside the shell: Get-Command lists the cmdlets, Get-Help <cmdlet> -Full explains one.\n"
	        "\n"
	        "Environment: MIGSH_HOME  data directory (default $XDG_DATA_HOME/migsh,\n"
	        "                         i.e. ~/.local/share/migsh); Windows paths such as\n"
	        "                         C:\\Users\\x\\batch.csv map to $MIGSH_HOME/drives/c/Users/x/batch.csv,\n"
	        "                         else to batch.csv in the current directory.\n"
	        "             NO_COLOR    never use colours.\n"
	        "Exit status: 0 success, 1 the last command failed, 2 parse error; exit N sets N.\n");
}

static int finish(mg_session *s, int rc)
{
	int code = s->exit_requested ? s->exit_code : rc;
	fflush(stdout);
	mg_session_free(s);
	return code;
}

static int run_text(mg_session *s, const char *text, size_t len, const char *origin)
{
	int rc = mg_run_source(s, text, len, origin);
	return finish(s, rc);
}

static int run_file(mg_session *s, const char *path, char **args, int nargs)
{
	char *data;
	size_t len;
	mg_err err;
	if (mg_read_file(path, 256u * 1024 * 1024, &data, &len, &err) < 0) {
		fprintf(stderr, "migsh: cannot run the script: %s\n", err.msg);
		mg_session_free(s);
		return 2;
	}
	if (mg_is_binary(data, len)) {
		fprintf(stderr, "migsh: cannot run '%s': it is a program or binary file, not a PowerShell script.\n",
		        path);
		free(data);
		mg_session_free(s);
		return 2;
	}
	mv *a = mv_array();
	for (int i = 0; i < nargs; i++)
		mv_array_push_take(a, mv_string(args[i]));
	mg_var_set_take(s, "args", a);
	int rc = mg_run_source(s, data, len, path);
	free(data);
	return finish(s, rc);
}

static int run_stdin(mg_session *s)
{
	strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
		strbuf_add(&sb, buf, n);
	strbuf_adds(&sb, "");
	int rc = mg_run_source(s, sb.buf, sb.len, NULL);
	strbuf_free(&sb);
	return finish(s, rc);
}

int main(int argc, char **argv)
{
	const char *command = NULL;
	char *joined = NULL;
	const char *file = NULL;
	int file_arg = 0;
	mg_store_setup_library();
	/* the background migration service (engine/service.h): started by
	 * mg_service_ensure_running() as "<exe> --service" with MIGSH_HOME set;
	 * "migsh --service --foreground" runs it under systemd */
	if (argc >= 2 && !strcmp(argv[1], "--service")) {
		char *home = mg_store_default_home();
		int rc = mg_service_main(home, argc >= 3 && !strcmp(argv[2], "--foreground"));
		free(home);
		return rc;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--version") || str_ieq(a, "-Version")) {
			printf("migsh %s\n", PACKAGE_VERSION);
			return 0;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h") || str_ieq(a, "-Help") || !strcmp(a, "-?")) {
			usage(stdout);
			return 0;
		}
		if (str_ieq(a, "-NoProfile") || str_ieq(a, "-NoLogo") || str_ieq(a, "-NonInteractive"))
			continue;
		if (str_ieq(a, "-Command") || !strcmp(a, "-c")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "migsh: %s needs the commands to run, e.g. migsh -c \"Get-MigrationBatch\"\n", a);
				return 2;
			}
			/* like pwsh: the rest of the arguments, joined by spaces */
			strbuf sb = STRBUF_INIT;
			for (int k = i + 1; k < argc; k++)
				strbuf_addf(&sb, "%s%s", k > i + 1 ? " " : "", argv[k]);
			joined = strbuf_detach(&sb, NULL);
			command = joined;
			break;
		}
		if (str_ieq(a, "-File") || !strcmp(a, "-f")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "migsh: %s needs the path of a script\n", a);
				return 2;
			}
			file = argv[i + 1];
			file_arg = i + 2;
			break;
		}
		if (!strcmp(a, "-")) {
			break;
		}
		if (a[0] == '-') {
			fprintf(stderr, "migsh: unknown option '%s' (see migsh --help)\n", a);
			return 2;
		}
		file = a;
		file_arg = i + 1;
		break;
	}

	mg_cmdlet_source src = { mg_cmdlet_find, mg_cmdlet_table };
	mg_err err;
	mg_session *s = mg_session_new(NULL, &src, &err);
	if (!s) {
		fprintf(stderr, "migsh: %s\n", err.msg);
		free(joined);
		return 1;
	}
	bool tty_in = isatty(STDIN_FILENO), tty_out = isatty(STDOUT_FILENO);
	s->interactive = tty_in && tty_out;
	s->color = isatty(STDERR_FILENO) && !getenv("NO_COLOR");
	s->read_line = mg_default_read_line;
	mg_migration_register(s);   /* endpoint/batch/user names for tab completion */

	if (command) {
		int rc = run_text(s, command, strlen(command), NULL);
		free(joined);
		return rc;
	}
	if (file)
		return run_file(s, file, argv + file_arg, argc - file_arg);
	if (!tty_in) {
		s->interactive = false;
		return run_stdin(s);
	}
	int rc = mg_repl(s);
	mg_session_free(s);
	return rc;
}
