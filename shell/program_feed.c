/* program_feed.c - the writer thread that feeds a program in a pipeline
 * (see program_feed.h).
 *
 * Two buffers: `held`, filled by the shell under the lock, and `writing`,
 * the thread's own while it sends it.  When the thread is free and `held`
 * is due (FEED_BATCH bytes, FEED_FLUSH_MS old, or the input closed) the two
 * are swapped under the lock and the thread sends `writing` with the lock
 * released.  The thread waits on the condition variable for text or time,
 * and in poll() while the program does not take its input; the `wake` pipe
 * gets it out of that poll when the shell stops it.  The `note` pipe tells
 * a waiting shell that something changed (room, the end): a byte is written
 * only when the shell said it waits, so a fast pipeline makes no system
 * call per object on either side. */
#include "config.h"
#include "shell/program_feed.h"
#include "common/thread.h"
#include "common/clock.h"
#include "common/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct prog_feed {
	int       fd;        /* the program's standard input (not ours to close) */
	int       wake[2];   /* shell -> thread: readable once stopping (never drained) */
	int       note[2];   /* thread -> shell: a byte when the waiting shell has news */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t  cv;  /* the thread waits on it for text, time or the end */
	/* under mu */
	strbuf    held;      /* text not handed to the thread's send yet */
	int64_t   first_ms;  /* when held's first byte came (monotonic) */
	bool      closing;   /* no more input: write what is held, then end */
	bool      stopping;  /* end now, dropping what is held */
	bool      gone;      /* the program reads no more */
	bool      ended;     /* the thread has nothing more to do */
	bool      waiting;   /* the shell waits on note */
	bool      noted;     /* a byte is in note, not read yet */
	/* the thread's alone */
	strbuf    writing;
};

/* Tell a waiting shell that something changed (under mu). */
static void note_shell(prog_feed *f)
{
	if (!f->waiting || f->noted)
		return;
	f->waiting = false;
	f->noted = true;
	while (write(f->note[1], "", 1) < 0 && errno == EINTR)
		;
}

/* Read the byte note_shell wrote, if any (under mu). */
static void drain_note(prog_feed *f)
{
	if (!f->noted)
		return;
	char b[8];
	while (read(f->note[0], b, sizeof b) < 0 && errno == EINTR)
		;
	f->noted = false;
}

/* Send all of buf to the program, waiting in poll() while it does not take
 * more.  false when it reads no more (EPIPE, ECONNRESET) or the shell
 * stops the thread. */
static bool send_all(prog_feed *f, const char *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = send(f->fd, buf + done, len - done, MSG_NOSIGNAL);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pf[2] = { { f->fd, POLLOUT, 0 }, { f->wake[0], POLLIN, 0 } };
			if (poll(pf, 2, -1) < 0 && errno != EINTR)
				return false;
			if (pf[1].revents)
				return false;
			continue;
		}
		return false;
	}
	return true;
}

/* Is the held text due (under mu)?  Waits until it is, or until the state
 * changes; true when it is to be written now. */
static bool wait_due(prog_feed *f)
{
	while (!f->stopping && !f->closing && f->held.len < FEED_BATCH) {
		if (!f->held.len) {
			pthread_cond_wait(&f->cv, &f->mu);
			continue;
		}
		int64_t due = f->first_ms + FEED_FLUSH_MS;
		if (mg_mono_ms() >= due)
			break;
		struct timespec ts = { (time_t)(due / 1000), (long)(due % 1000) * 1000000L };
		pthread_cond_timedwait(&f->cv, &f->mu, &ts);
	}
	return !f->stopping && f->held.len > 0;
}

static void *feed_run(void *arg)
{
	prog_feed *f = arg;
	pthread_mutex_lock(&f->mu);
	while (wait_due(f)) {
		strbuf t = f->held;
		f->held = f->writing;
		f->writing = t;
		strbuf_reset(&f->held);
		note_shell(f);   /* room for more */
		pthread_mutex_unlock(&f->mu);
		bool ok = send_all(f, f->writing.buf, f->writing.len);
		strbuf_reset(&f->writing);
		pthread_mutex_lock(&f->mu);
		if (!ok) {
			f->gone = true;
			strbuf_reset(&f->held);
			break;
		}
	}
	f->ended = true;
	note_shell(f);
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

static void close_pair(int p[2])
{
	for (int i = 0; i < 2; i++)
		if (p[i] >= 0)
			close(p[i]);
}

static int open_pair(int p[2])
{
	if (pipe(p) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		fcntl(p[i], F_SETFD, FD_CLOEXEC);   /* a program started later must not hold it */
		fcntl(p[i], F_SETFL, fcntl(p[i], F_GETFL) | O_NONBLOCK);
	}
	return 0;
}

prog_feed *prog_feed_start(int fd)
{
	prog_feed *f = xcalloc(1, sizeof *f);
	f->fd = fd;
	f->wake[0] = f->wake[1] = f->note[0] = f->note[1] = -1;
	int e = -1;
	if (open_pair(f->wake) == 0 && open_pair(f->note) == 0) {
		pthread_condattr_t ca;
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);   /* FEED_FLUSH_MS is an interval */
		pthread_cond_init(&f->cv, &ca);
		pthread_condattr_destroy(&ca);
		pthread_mutex_init(&f->mu, NULL);
		/* every signal blocked in the thread: SIGINT (Ctrl-C) and the
		 * others go to the shell's own thread, which looks at them */
		e = mg_thread_start_quiet(&f->thread, false, 256 * 1024, feed_run, f);
		if (e != 0) {
			pthread_mutex_destroy(&f->mu);
			pthread_cond_destroy(&f->cv);
		}
	}
	if (e == 0)
		return f;
	close_pair(f->wake);
	close_pair(f->note);
	free(f);
	return NULL;
}

int prog_feed_put(prog_feed *f, const char *data, size_t len)
{
	int r = FEED_TAKEN;
	pthread_mutex_lock(&f->mu);
	drain_note(f);
	if (f->gone || f->ended) {
		r = FEED_GONE;
	} else if (f->held.len && f->held.len + len > FEED_CAP) {
		f->waiting = true;
		r = FEED_FULL;
	} else if (len) {
		size_t was = f->held.len;
		if (!was)
			f->first_ms = mg_mono_ms();
		strbuf_add(&f->held, data, len);
		/* the thread waits for a first byte, or for a full batch */
		if (!was || (was < FEED_BATCH && f->held.len >= FEED_BATCH))
			pthread_cond_signal(&f->cv);
	}
	pthread_mutex_unlock(&f->mu);
	return r;
}

void prog_feed_close(prog_feed *f)
{
	pthread_mutex_lock(&f->mu);
	f->closing = true;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

bool prog_feed_done(prog_feed *f)
{
	pthread_mutex_lock(&f->mu);
	drain_note(f);
	bool done = f->ended;
	if (!done)
		f->waiting = true;
	pthread_mutex_unlock(&f->mu);
	return done;
}

int prog_feed_fd(const prog_feed *f)
{
	return f->note[0];
}

void prog_feed_stop(prog_feed *f)
{
	if (!f)
		return;
	pthread_mutex_lock(&f->mu);
	f->stopping = true;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
	while (write(f->wake[1], "", 1) < 0 && errno == EINTR)
		;
	pthread_join(f->thread, NULL);
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->cv);
	close_pair(f->wake);
	close_pair(f->note);
	strbuf_free(&f->held);
	strbuf_free(&f->writing);
	free(f);
}
