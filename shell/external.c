/* external.c - running programs that are not PowerShell (see external.h):
 * alone, or as a pipeline stage fed with the objects piped to it. */
#include "config.h"
#include "shell/external.h"
#include "shell/format.h"
#include "shell/session.h"
#include "common/mem.h"
#include "common/str.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
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

/* Write what is left of the input to fd (non-blocking); close it when done. */
static void feed(int *fd, const char *input, size_t inlen, size_t *done)
{
	while (*fd >= 0 && *done < inlen) {
		ssize_t w = write(*fd, input + *done, inlen - *done);
		if (w > 0) {
			*done += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		break;   /* EPIPE: the program stopped reading */
	}
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

int mg_run_program_fed(struct mg_session *s, const char *path, const mv *args, const char *input, size_t inlen,
                       mv *out, mg_err *err)
{
	size_t na = args && args->kind == MV_ARRAY ? args->u.arr.n : 0;
	char **argv = xcalloc(na + 2, sizeof *argv);
	argv[0] = xstrdup(path);
	for (size_t i = 0; i < na; i++)
		argv[i + 1] = mv_to_string(args->u.arr.items[i]);
	int fds[2], ins[2] = { -1, -1 };
	int rc = -1;
	if (pipe(fds) < 0) {
		mg_err_set(err, MGC_RESOURCE, "ProgramFailed", "Cannot run '%s': %s.", path, strerror(errno));
		goto done;
	}
	if (input && pipe(ins) < 0) {
		mg_err_set(err, MGC_RESOURCE, "ProgramFailed", "Cannot run '%s': %s.", path, strerror(errno));
		close(fds[0]);
		close(fds[1]);
		goto done;
	}
	fflush(s->out);
	fflush(s->errf);
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		if (input) {
			close(ins[0]);
			close(ins[1]);
		}
		mg_err_set(err, MGC_RESOURCE, "ProgramFailed", "Cannot run '%s': %s.", path, strerror(errno));
		goto done;
	}
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		if (fileno(s->errf) >= 0 && fileno(s->errf) != STDERR_FILENO)
			dup2(fileno(s->errf), STDERR_FILENO);
		if (input) {
			dup2(ins[0], STDIN_FILENO);
			close(ins[0]);
			close(ins[1]);
		}
		close(fds[0]);
		close(fds[1]);
		signal(SIGPIPE, SIG_DFL);
		execv(path, argv);
		fprintf(stderr, "migsh: cannot run '%s': %s\n", path, strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	int infd = -1;
	size_t done_in = 0;
	if (input) {
		close(ins[0]);
		infd = ins[1];
		fcntl(infd, F_SETFL, fcntl(infd, F_GETFL) | O_NONBLOCK);
		fcntl(infd, F_SETFD, FD_CLOEXEC);
	}
	/* a program that stops reading must not kill the shell */
	struct sigaction ign, old_pipe;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old_pipe);
	strbuf line = STRBUF_INIT;
	char buf[4096];
	for (;;) {
		struct pollfd pf[2] = { { fds[0], POLLIN, 0 }, { infd, POLLOUT, 0 } };
		int np = infd >= 0 ? 2 : 1;
		if (poll(pf, (nfds_t)np, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (np == 2 && (pf[1].revents & (POLLOUT | POLLERR | POLLHUP)))
			feed(&infd, input, inlen, &done_in);
		if (!(pf[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		ssize_t n = read(fds[0], buf, sizeof buf);
		if (n == 0)
			break;
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
	if (infd >= 0)
		close(infd);
	if (line.len)
		add_line(out, &line);
	strbuf_free(&line);
	close(fds[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGPIPE, &old_pipe, NULL);
	rc = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
done:
	for (size_t i = 0; i <= na; i++)
		free(argv[i]);
	free(argv);
	return rc;
}

int mg_run_program(struct mg_session *s, const char *path, const mv *args, mv *out, mg_err *err)
{
	return mg_run_program_fed(s, path, args, NULL, 0, out, err);
}

/* ---- a program as a pipeline stage ---- */

typedef struct native_state {
	char   *path;
	mv     *args;
	bool    fed;     /* a stage before it feeds it (else it reads the shell's stdin) */
	strbuf  in;      /* the text of the input objects, one line each */
	bool    any;
} native_state;

void mg_native_set(mg_ctx *c, const char *path, mv *args, bool fed)
{
	native_state *st = c->state;
	st->path = xstrdup(path);
	st->args = mv_ref(args);
	st->fed = fed;
}

static int native_process(mg_ctx *c, mv *input)
{
	native_state *st = c->state;
	if (!input)
		return 0;
	st->any = true;
	/* strings as they are, other objects as the console shows them (Out-String) */
	if (input->kind == MV_STRING) {
		strbuf_add(&st->in, input->u.str.s, input->u.str.len);
		strbuf_addc(&st->in, '\n');
	} else {
		mg_format_default_buf(&input, 1, &st->in);
	}
	if (st->in.len > c->session->max_string) {
		mg_err_set(&c->err, MGC_LIMIT, "LimitsExceeded", "The input to '%s' is too large.", st->path);
		return -1;
	}
	return 0;
}

static int native_end(mg_ctx *c)
{
	native_state *st = c->state;
	mg_err e;
	mg_err_clear(&e);
	mv *lines = mv_array();
	int status = mg_run_program_fed(c->session, st->path, st->args,
	                                st->fed ? (st->in.buf ? st->in.buf : "") : NULL, st->in.len, lines, &e);
	if (status < 0) {
		mv_unref(lines);
		mg_err_copy(&c->err, &e);
		return -1;
	}
	c->session->last_exit_code = status;
	int rc = 0;
	for (size_t i = 0; i < lines->u.arr.n && rc == 0; i++)
		rc = mg_emit(c, lines->u.arr.items[i]);
	mv_unref(lines);
	return rc;
}

static void native_cleanup(mg_ctx *c)
{
	native_state *st = c->state;
	free(st->path);
	mv_unref(st->args);
	strbuf_free(&st->in);
}

static const mg_param native_params[] = {
	{ "InputObject", MPT_OBJECT, MPF_PIPE_VALUE, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "The objects for the program's standard input." },
	{ NULL, 0, 0, 0, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL }
};
static const mg_example native_examples[] = {
	{ "'b','a' | sort", "Runs sort(1) with the two lines as its input.", 0, NULL },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_native = {
	.name = "(program)",
	.synopsis = "A program that is not PowerShell, in a pipeline.",
	.description = "The objects piped to a program reach its standard input as text, one "
	               "line each (strings as they are, other objects as the console shows "
	               "them); its standard output comes back one string per line.",
	.params = native_params,
	.examples = native_examples,
	.flags = MCF_NO_COMMON,
	.state_size = sizeof(native_state),
	.process = native_process,
	.end = native_end,
	.cleanup = native_cleanup,
};
