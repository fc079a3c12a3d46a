/* external.c - running programs that are not PowerShell (see external.h). */
#include "config.h"
#include "shell/external.h"
#include "shell/session.h"
#include "common/mem.h"
#include "common/str.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

bool mg_is_binary(const char *data, size_t len)
{
	if (len >= 4 && !memcmp(data, "\x7f" "ELF", 4))
		return true;
	return memchr(data, '\0', len < 8192 ? len : 8192) != NULL;
}

static bool is_program(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *mg_find_program(const char *name)
{
	if (!name || !*name)
		return NULL;
	if (strchr(name, '/'))
		return is_program(name) ? xstrdup(name) : NULL;
	const char *path = getenv("PATH");
	if (!path)
		return NULL;
	for (const char *p = path; ; ) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		char *cand = n ? xasprintf("%.*s/%s", (int)n, p, name) : xasprintf("./%s", name);
		if (is_program(cand))
			return cand;
		free(cand);
		if (!colon)
			return NULL;
		p = colon + 1;
	}
}

static void add_line(mv *out, strbuf *line)
{
	if (line->len && line->buf[line->len - 1] == '\r')
		line->len--;
	mv_array_push_take(out, mv_string_n(line->buf ? line->buf : "", line->len));
	line->len = 0;
}

int mg_run_program(struct mg_session *s, const char *path, const mv *args, mv *out, mg_err *err)
{
	size_t na = args && args->kind == MV_ARRAY ? args->u.arr.n : 0;
	char **argv = xcalloc(na + 2, sizeof *argv);
	argv[0] = xstrdup(path);
	for (size_t i = 0; i < na; i++)
		argv[i + 1] = mv_to_string(args->u.arr.items[i]);
	int fds[2];
	int rc = -1;
	if (pipe(fds) < 0) {
		mg_err_set(err, MGC_RESOURCE, "ProgramFailed", "Cannot run '%s': %s.", path, strerror(errno));
		goto done;
	}
	fflush(s->out);
	fflush(s->errf);
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		mg_err_set(err, MGC_RESOURCE, "ProgramFailed", "Cannot run '%s': %s.", path, strerror(errno));
		goto done;
	}
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		if (fileno(s->errf) >= 0 && fileno(s->errf) != STDERR_FILENO)
			dup2(fileno(s->errf), STDERR_FILENO);
		close(fds[0]);
		close(fds[1]);
		execv(path, argv);
		fprintf(stderr, "migsh: cannot run '%s': %s\n", path, strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	strbuf line = STRBUF_INIT;
	char buf[4096];
	ssize_t n;
	while ((n = read(fds[0], buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n')
				add_line(out, &line);
			else if (line.len < s->max_string)
				strbuf_addc(&line, buf[i]);
		}
	}
	if (line.len)
		add_line(out, &line);
	strbuf_free(&line);
	close(fds[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	rc = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
done:
	for (size_t i = 0; i <= na; i++)
		free(argv[i]);
	free(argv);
	return rc;
}
