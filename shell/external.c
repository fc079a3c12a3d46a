/* external.c - running programs that are not PowerShell (see external.h):
 * alone, or as a pipeline stage fed with the objects piped to it. */
#include "config.h"
#include "common/clock.h"
#include "shell/external.h"
#include "shell/format.h"
#include "shell/program_feed.h"
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
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

/* ---- a running program ----
 *
 * The child starts with a pipe on its standard output and (when something
 * feeds it) a socket pair on its standard input, both non-blocking on our
 * side, so that writing to a program that does not read, or reading from
 * one that writes a lot, never blocks the shell: every wait is a poll on
 * both that also looks at Ctrl-C (in 100 ms slices).  The text of the
 * objects piped to a pipeline stage goes through a writer thread
 * (program_feed.h), which writes it in big pieces yet never holds it back
 * more than a few milliseconds; when the thread holds its fill, the shell
 * waits in the same poll, on its output and on the thread.  A whole input
 * given at once (mg_run_program_fed) is written directly.  Output is cut
 * into lines and handed on as it arrives. */

#define PROG_STOPPED (-2)   /* Ctrl-C */

typedef struct prog {
	pid_t  pid;      /* 0 once reaped */
	long   read_ms;  /* when its output was last looked at (monotonic) */
	int    in;       /* write end of its standard input; -1 when closed or not fed */
	prog_feed *feed; /* the thread writing to in (a pipeline stage), or NULL */
	int    out;      /* read end of its standard output; -1 at end of stream */
	int    status;   /* exit status once reaped (128 + signal when killed) */
	strbuf line;     /* the line being read */
} prog;

/* Where the lines go: takes the string; < 0 stops the program. */
typedef int (*line_fn)(void *arg, mv *line);

static void cloexec_nonblock(int fd, bool nonblock)
{
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (nonblock)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static int prog_start(mg_session *s, const char *path, const mv *args, bool fed, prog *p, mg_err *err)
{
	memset(p, 0, sizeof *p);
	p->in = p->out = -1;
	p->status = -1;
	int fds[2], ins[2] = { -1, -1 };
	if (pipe(fds) < 0)
		return mg_err_set(err, MGC_RESOURCE, "ProgramFailed", "Cannot run '%s': %s.", path, strerror(errno));
	/* its standard input is a socket pair (as Node.js gives its children):
	 * send(MSG_NOSIGNAL) to a program that has exited fails with EPIPE
	 * without raising SIGPIPE, at no extra system call per line */
	if (fed && socketpair(AF_UNIX, SOCK_STREAM, 0, ins) < 0) {
		close(fds[0]);
		close(fds[1]);
		return mg_err_set(err, MGC_RESOURCE, "ProgramFailed", "Cannot run '%s': %s.", path, strerror(errno));
	}
	/* close-on-exec: a later program of the same pipeline must not hold
	 * this one's input open (it would never see its end) */
	cloexec_nonblock(fds[0], true);
	cloexec_nonblock(fds[1], false);
	if (fed) {
		cloexec_nonblock(ins[0], false);
		cloexec_nonblock(ins[1], true);
	}
	size_t na = args && args->kind == MV_ARRAY ? args->u.arr.n : 0;
	char **argv = xcalloc(na + 2, sizeof *argv);
	argv[0] = xstrdup(path);
	for (size_t i = 0; i < na; i++)
		argv[i + 1] = mv_to_string(args->u.arr.items[i]);
	fflush(s->out);
	fflush(s->errf);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		if (fileno(s->errf) >= 0 && fileno(s->errf) != STDERR_FILENO)
			dup2(fileno(s->errf), STDERR_FILENO);
		if (fed)
			dup2(ins[0], STDIN_FILENO);
		signal(SIGPIPE, SIG_DFL);
		execv(path, argv);
		fprintf(stderr, "migsh: cannot run '%s': %s\n", path, strerror(errno));
		_exit(127);
	}
	int fork_errno = errno;
	for (size_t i = 0; i <= na; i++)
		free(argv[i]);
	free(argv);
	close(fds[1]);
	if (fed)
		close(ins[0]);
	if (pid < 0) {
		close(fds[0]);
		if (fed)
			close(ins[1]);
		return mg_err_set(err, MGC_RESOURCE, "ProgramFailed", "Cannot run '%s': %s.", path, strerror(fork_errno));
	}
	p->pid = pid;
	p->out = fds[0];
	p->in = fed ? ins[1] : -1;
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int add_line(mg_session *s, prog *p, line_fn fn, void *arg)
{
	(void)s;
	strbuf *l = &p->line;
	if (l->len && l->buf[l->len - 1] == '\r')
		l->len--;
	mv *v = mv_string_n(l->buf ? l->buf : "", l->len);
	l->len = 0;
	return fn(arg, v);
}

/* Read what the program has written so far (never waits).  0 nothing more
 * for now or end of stream (p->out then -1), -1 when fn refused a line. */
static int prog_read(mg_session *s, prog *p, line_fn fn, void *arg)
{
	char buf[4096];
	while (p->out >= 0) {
		ssize_t n = read(p->out, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0) {   /* end of its output (or a read error: the same for us) */
			close_fd(&p->out);
			if (p->line.len && add_line(s, p, fn, arg) < 0)
				return -1;
			return 0;
		}
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				if (add_line(s, p, fn, arg) < 0)
					return -1;
			} else if (p->line.len < s->max_string) {
				strbuf_addc(&p->line, buf[i]);
			}
		}
	}
	return 0;
}

/* What the program wrote meanwhile goes on; with fast input, looked at
 * every few milliseconds rather than after every line (a read per line
 * would double the system calls of a long pipeline).  As prog_read. */
static int prog_read_due(mg_session *s, prog *p, line_fn fn, void *arg)
{
	long now = mg_mono_ms();
	if (p->in >= 0 && now - p->read_ms < 5)
		return 0;
	p->read_ms = now;
	return prog_read(s, p, fn, arg);
}

/* Wait (at most 100 ms) until the program can take input (want_in) or has
 * output, or its writer thread has news.  0 ready or time to look again,
 * PROG_STOPPED on Ctrl-C. */
static int prog_wait(mg_session *s, prog *p, bool want_in)
{
	if (mg_session_interrupted(s))
		return PROG_STOPPED;
	struct pollfd pf[3];
	nfds_t np = 0;
	if (p->out >= 0)
		pf[np++] = (struct pollfd){ p->out, POLLIN, 0 };
	if (want_in && p->in >= 0)
		pf[np++] = (struct pollfd){ p->in, POLLOUT, 0 };
	if (p->feed)
		pf[np++] = (struct pollfd){ prog_feed_fd(p->feed), POLLIN, 0 };
	if (np == 0)
		return 0;
	if (poll(pf, np, 100) < 0 && errno != EINTR)
		return 0;
	return mg_session_interrupted(s) ? PROG_STOPPED : 0;
}

/* Give data to the program's standard input, passing on its output while
 * it does not take more.  A program that stopped reading (it exited, or
 * closed its input: head -1) gets nothing more: the rest is dropped.
 * 0, -1 (fn refused a line), PROG_STOPPED. */
static int prog_write(mg_session *s, prog *p, const char *data, size_t len, line_fn fn, void *arg)
{
	size_t done = 0;
	while (p->in >= 0 && done < len) {
		ssize_t w = send(p->in, data + done, len - done, MSG_NOSIGNAL);
		if (w > 0) {
			done += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (prog_read(s, p, fn, arg) < 0)
				return -1;
			int r = prog_wait(s, p, true);
			if (r < 0)
				return r;
			continue;
		}
		close_fd(&p->in);   /* EPIPE (ECONNRESET): it reads no more */
	}
	return prog_read_due(s, p, fn, arg);
}

/* The program reads no more: its writer thread ends, its input closes. */
static void prog_unfeed(prog *p)
{
	prog_feed_stop(p->feed);   /* before the close: the thread writes to in */
	p->feed = NULL;
	close_fd(&p->in);
}

/* Give data to the program's writer thread, passing on the program's
 * output while the thread holds its fill.  A program that stopped reading
 * gets nothing more: the rest is dropped.  0, -1 (fn refused a line),
 * PROG_STOPPED. */
static int prog_feed_data(mg_session *s, prog *p, const char *data, size_t len, line_fn fn, void *arg)
{
	int r;
	while ((r = prog_feed_put(p->feed, data, len)) == FEED_FULL) {
		if (prog_read(s, p, fn, arg) < 0)
			return -1;
		int w = prog_wait(s, p, false);
		if (w < 0)
			return w;
	}
	if (r == FEED_GONE)
		prog_unfeed(p);
	return prog_read_due(s, p, fn, arg);
}

/* Reap the program (waiting for it); its status. */
static int prog_reap(prog *p)
{
	if (p->pid > 0) {
		int st = 0;
		while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR)
			;
		p->status = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
		p->pid = 0;
	}
	return p->status;
}

/* The end of the input: close its standard input, pass on the rest of its
 * output, wait for it.  Its status, -1 (fn refused a line) or PROG_STOPPED. */
static int prog_finish(mg_session *s, prog *p, line_fn fn, void *arg)
{
	if (p->feed) {   /* what its writer thread holds is written first */
		prog_feed_close(p->feed);
		while (!prog_feed_done(p->feed)) {
			if (prog_read(s, p, fn, arg) < 0)
				return -1;
			if (prog_wait(s, p, false) < 0)
				return PROG_STOPPED;
		}
		prog_unfeed(p);
	}
	close_fd(&p->in);
	while (p->out >= 0) {
		if (prog_read(s, p, fn, arg) < 0)
			return -1;
		if (p->out >= 0 && prog_wait(s, p, false) < 0)
			return PROG_STOPPED;
	}
	return prog_reap(p);
}

/* Stop a program that is still running (Ctrl-C, or the pipeline stopped),
 * as PowerShell stops a native command: it is killed, then reaped. */
static void prog_abort(prog *p)
{
	prog_unfeed(p);
	close_fd(&p->out);
	if (p->pid > 0) {
		int st;
		pid_t r;
		while ((r = waitpid(p->pid, &st, WNOHANG)) < 0 && errno == EINTR)
			;
		if (r == 0)
			kill(p->pid, SIGKILL);
		prog_reap(p);
	}
	strbuf_free(&p->line);
}

static int push_line(void *arg, mv *line)
{
	mv_array_push_take(arg, line);
	return 0;
}

int mg_run_program_fed(struct mg_session *s, const char *path, const mv *args, const char *input, size_t inlen,
                       mv *out, mg_err *err)
{
	prog p;
	if (prog_start(s, path, args, input != NULL, &p, err) < 0)
		return -1;
	int rc = input ? prog_write(s, &p, input, inlen, push_line, out) : 0;
	if (rc == 0)
		rc = prog_finish(s, &p, push_line, out);
	if (rc == PROG_STOPPED)
		mg_err_set(err, MGC_STOPPED, "PipelineStopped", "The pipeline has been stopped.");
	prog_abort(&p);   /* Ctrl-C: it is still running */
	return rc == PROG_STOPPED ? -1 : rc;
}

int mg_run_program(struct mg_session *s, const char *path, const mv *args, mv *out, mg_err *err)
{
	return mg_run_program_fed(s, path, args, NULL, 0, out, err);
}

/* ---- a program as a pipeline stage ----
 *
 * It starts when the pipeline begins (mg_native_begin), each piped object's
 * text is handed to its writer thread as it comes (the thread starts with
 * the first object), and its output lines go on down the pipeline as they
 * come.  When it stops reading before the input ends (1..100000 | head -1),
 * the rest of the input is dropped: the upstream commands run to their
 * end, as in PowerShell 7 (which does not stop them either), but nothing
 * more is formatted or written. */

typedef struct native_state {
	char   *path;
	mv     *args;
	bool    fed;      /* a stage before it feeds it (else it reads the shell's stdin) */
	bool    started;
	bool    no_thread;   /* its writer thread could not start: written directly */
	prog    p;
	strbuf  text;     /* the text of the object being handed on */
} native_state;

void mg_native_set(mg_ctx *c, const char *path, mv *args, bool fed)
{
	native_state *st = c->state;
	st->path = xstrdup(path);
	st->args = mv_ref(args);
	st->fed = fed;
}

static int emit_line(void *arg, mv *line)
{
	return mg_emit_take(arg, line);
}

/* The stage's -1: Ctrl-C is PowerShell's stopped pipeline. */
static int native_failed(mg_ctx *c, int rc)
{
	if (rc == PROG_STOPPED)
		mg_err_set(&c->err, MGC_STOPPED, "PipelineStopped", "The pipeline has been stopped.");
	return -1;
}

int mg_native_begin(mg_ctx *c)
{
	native_state *st = c->state;
	if (st->started)
		return 0;
	if (prog_start(c->session, st->path, st->args, st->fed, &st->p, &c->err) < 0)
		return -1;
	st->started = true;
	return 0;
}

int mg_native_status(mg_ctx *c)
{
	native_state *st = c->state;
	return st && st->started && st->p.pid == 0 ? st->p.status : -1;
}

static int native_process(mg_ctx *c, mv *input)
{
	native_state *st = c->state;
	if (mg_native_begin(c) < 0)
		return -1;
	if (!input)
		return 0;
	if (st->p.in < 0)   /* it reads no more: only pass on what it wrote */
		return prog_read(c->session, &st->p, emit_line, c);
	/* strings as they are, other objects as the console shows them (Out-String) */
	st->text.len = 0;
	if (input->kind == MV_STRING) {
		strbuf_add(&st->text, input->u.str.s, input->u.str.len);
		strbuf_addc(&st->text, '\n');
	} else {
		mg_format_default_buf(&input, 1, &st->text);
	}
	if (!st->p.feed && !st->no_thread && !(st->p.feed = prog_feed_start(st->p.in)))
		st->no_thread = true;
	const char *text = st->text.buf ? st->text.buf : "";
	int rc = st->p.feed ? prog_feed_data(c->session, &st->p, text, st->text.len, emit_line, c)
	                    : prog_write(c->session, &st->p, text, st->text.len, emit_line, c);
	return rc < 0 ? native_failed(c, rc) : 0;
}

static int native_end(mg_ctx *c)
{
	native_state *st = c->state;
	if (mg_native_begin(c) < 0)
		return -1;
	int rc = prog_finish(c->session, &st->p, emit_line, c);
	if (rc < 0)
		return native_failed(c, rc);
	c->session->last_exit_code = rc;
	return 0;
}

static void native_cleanup(mg_ctx *c)
{
	native_state *st = c->state;
	if (st->started)
		prog_abort(&st->p);   /* a stopped pipeline: the program may still run */
	free(st->path);
	mv_unref(st->args);
	strbuf_free(&st->text);
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
