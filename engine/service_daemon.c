/*
 * service_daemon.c - the background service as a process (service.h):
 * mg_service_main takes the single-instance lock (service.lock), writes
 * service.pid, opens the store, sends its log to logs/service.log (unless
 * in the foreground), and runs the scheduler (scheduler.c) until SIGTERM,
 * SIGINT or SIGHUP asks it to stop.  Starting, stopping and asking about it
 * from the shell is service_client.c.
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/mem.h"
#include "engine/service.h"
#include "engine/service_internal.h"
#include "engine/store.h"

static volatile sig_atomic_t stop_requested;

void mg_svc_log(const char *fmt, ...)
{
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s migsh-service[%ld]: ", ts, (long)getpid());
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strbuf_addc(&sb, '\n');
	ssize_t w = write(2, sb.buf, sb.len);   /* one write: lines from threads don't interleave */
	(void)w;
	strbuf_free(&sb);
}

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

int mg_service_main(const char *home, bool foreground)
{
	if (!home || !*home) {
		fprintf(stderr, "migsh --service: no data directory (set MIGSH_HOME)\n");
		return 1;
	}
	mg_err err = { 0 };
	if (mg_mkdir_p(home, 0700, &err) < 0) {
		fprintf(stderr, "migsh --service: %s\n", err.msg);
		return 1;
	}
	if (!foreground) {
		char *logdir = mg_path_join(home, "logs");
		(void)mg_mkdir_p(logdir, 0700, NULL);
		char *logp = mg_path_join(logdir, "service.log");
		int lf = open(logp, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (lf >= 0) {
			dup2(lf, 1);
			dup2(lf, 2);
			close(lf);
		}
		free(logp);
		free(logdir);
	}
	char *lockp = mg_path_join(home, "service.lock");
	int lockfd = -1;
	/* a status probe (lock_held) may hold a shared lock for a moment */
	for (int i = 0; i < 20 && lockfd < 0; i++) {
		if (i)
			mg_svc_sleep_ms(50);
		lockfd = mg_lock_file(lockp, 0, &err);
	}
	free(lockp);
	if (lockfd < 0) {
		mg_service_info si;
		(void)mg_service_status(home, &si, NULL);
		mg_svc_log("another migration service already runs for '%s' (pid %ld)", home, (long)si.pid);
		return 3;
	}
	char *pidp = mg_path_join(home, "service.pid");
	char pidtxt[32];
	snprintf(pidtxt, sizeof pidtxt, "%ld\n", (long)getpid());
	if (mg_write_atomic(pidp, pidtxt, strlen(pidtxt), 0600, &err) < 0)
		mg_svc_log("warning: %s", err.msg);
	mg_store *st = NULL;
	if (mg_store_open(home, &st, &err) < 0) {
		mg_svc_log("cannot open the data directory: %s", err.msg);
		(void)unlink(pidp);
		free(pidp);
		mg_unlock_file(lockfd);
		return 1;
	}
	/* The service writes its status, each user's progress, outcome and
	 * report lines: some twenty commits per user, each an fsync while every
	 * other worker waits for the store (at 5,000 small mailboxes, more time
	 * than the mail).  Its commits are flushed at checkpoints instead: a
	 * kill -9 still loses nothing; a power failure may roll back its last
	 * second of writes, which it redoes - a user whose status goes back to
	 * running is resumed, and what was copied is known from the sync
	 * journals (fsynced on their own, engine/sync.c), never from these
	 * records; a removed batch that comes back as Removing is removed
	 * again. */
	if (mg_store_flush_at_checkpoints(st, &err) < 0)
		mg_svc_log("warning: %s", err.msg);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	mg_svc_log("started for '%s'%s", home, foreground ? " (foreground)" : "");
	int rc = mg_svc_run(st, &stop_requested);
	mg_svc_log("stopped");
	(void)unlink(pidp);
	free(pidp);
	mg_store_close(st);
	mg_unlock_file(lockfd);
	return rc == 0 ? 0 : 1;
}
