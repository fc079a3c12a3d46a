/*
 * service.c - the background service as a process (service.h): single
 * instance per data directory (flock on service.lock + service.pid),
 * start on demand (double fork, setsid, exec "<exe> --service"), status,
 * stop (SIGTERM, then SIGKILL), and mg_service_main which runs the
 * scheduler (scheduler.c) until a signal asks it to stop.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/mem.h"
#include "engine/service.h"
#include "engine/service_internal.h"
#include "engine/store.h"
#include "engine/store_yaml.h"

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

static char *home_file(const char *home, const char *name)
{
	return mg_path_join(home, name);
}

static void sleep_ms(long ms);
static bool pid_gone(pid_t pid);

/* Is the service lock held?  1 yes, 0 no, -1 error.  The probe takes a
 * shared lock: probes running at the same time (two status queries, or the
 * start-up poll in mg_service_ensure_running) do not see each other as a
 * running service.  The service takes the exclusive lock and retries for a
 * moment while a probe holds it (mg_service_main). */
static int lock_held(const char *home)
{
	char *p = home_file(home, "service.lock");
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	free(p);
	if (fd < 0)
		return 0;   /* never started here */
	int held;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		flock(fd, LOCK_UN);
		held = 0;
	} else {
		held = (errno == EWOULDBLOCK) ? 1 : -1;
	}
	close(fd);
	return held;
}

int mg_service_status(const char *home, mg_service_info *out, mg_err *err)
{
	memset(out, 0, sizeof *out);
	snprintf(out->home, sizeof out->home, "%s", home);
	snprintf(out->log_path, sizeof out->log_path, "%s/logs/service.log", home);
	int held = lock_held(home);
	if (held < 0)
		return mg_err_sys(err, MGC_READ, "ServiceStatus", "cannot check the service lock in '%s'", home);
	out->running = held == 1;
	if (!out->running)
		return 0;
	/* The service writes its pid right after it took the lock; until then
	 * the file is missing or still names a killed predecessor (SIGKILL
	 * leaves it behind).  Wait briefly for the live pid: stopping or
	 * signalling a stale one would miss the running service. */
	char *p = home_file(home, "service.pid");
	char *data = NULL;
	size_t len;
	for (int i = 0; i < 100; i++) {   /* up to 5 s */
		out->pid = 0;
		if (mg_read_file(p, 4096, &data, &len, NULL) == 0)
			out->pid = (pid_t)atol(data);
		free(data);
		data = NULL;
		if (out->pid > 1 && !pid_gone(out->pid))
			break;
		if (lock_held(home) != 1) {   /* it stopped meanwhile */
			out->running = false;
			out->pid = 0;
			free(p);
			return 0;
		}
		sleep_ms(50);
	}
	free(p);
	p = home_file(home, "service.yaml");
	if (mg_read_file(p, 65536, &data, &len, NULL) == 0) {
		ydoc d;
		if (ydoc_load(&d, data, len, p, NULL) == 0) {
			yaml_node_t *r = ydoc_root(&d);
			long long a = 0, b = 0;
			yget_i64(&d, r, "Started", &out->started);
			yget_i64(&d, r, "Heartbeat", &out->heartbeat);
			yget_ll(&d, r, "ActiveInitialSyncs", &a);
			yget_ll(&d, r, "ActiveIncrementalSyncs", &b);
			out->active_initial = (long)a;
			out->active_incremental = (long)b;
			ydoc_free(&d);
		}
		free(data);
	}
	free(p);
	return 0;
}

int mg_service_endpoint_counts(const char *home, const char *endpoint,
                               long *initial, long *incremental, mg_err *err)
{
	*initial = *incremental = 0;
	mg_service_info si;
	if (mg_service_status(home, &si, err) < 0)
		return -1;
	if (!si.running)
		return 0;
	char *p = home_file(home, "service.yaml");
	char *data = NULL;
	size_t len;
	if (mg_read_file(p, 16L << 20, &data, &len, NULL) == 0) {
		ydoc d;
		if (ydoc_load(&d, data, len, p, NULL) == 0) {
			yaml_node_t *jobs = ymap_get(&d, ydoc_root(&d), "Jobs");
			if (jobs && jobs->type == YAML_SEQUENCE_NODE)
				for (yaml_node_item_t *it = jobs->data.sequence.items.start;
				     it < jobs->data.sequence.items.top; it++) {
					yaml_node_t *m = yaml_document_get_node(&d.doc, *it);
					const char *ep = yscalar(ymap_get(&d, m, "Endpoint"));
					const char *kind = yscalar(ymap_get(&d, m, "Kind"));
					if (!ep || !kind || strcasecmp(ep, endpoint))
						continue;
					if (!strcmp(kind, "Initial"))
						(*initial)++;
					else
						(*incremental)++;
				}
			ydoc_free(&d);
		}
		free(data);
	}
	free(p);
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int mg_service_ensure_running(const char *home, mg_err *err)
{
	mg_service_info si;
	if (mg_service_status(home, &si, err) < 0)
		return -1;
	if (si.running)
		return 0;
	if (mg_mkdir_p(home, 0700, err) < 0)
		return -1;
	char *logdir = home_file(home, "logs");
	int rc = mg_mkdir_p(logdir, 0700, err);
	free(logdir);
	if (rc < 0)
		return -1;
	const char *exe = getenv("MIGSH_SERVICE_EXE");
	char self[4096];
	if (!exe || !*exe) {
		ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
		if (n <= 0)
			return mg_err_sys(err, MGC_RESOURCE, "ServiceStart", "cannot find the migsh program to start the service");
		self[n] = '\0';
		exe = self;
	}
	pid_t child = fork();
	if (child < 0)
		return mg_err_sys(err, MGC_RESOURCE, "ServiceStart", "cannot start the migration service");
	if (child == 0) {
		setsid();
		pid_t gc = fork();
		if (gc != 0)
			_exit(gc < 0 ? 1 : 0);
		int nul = open("/dev/null", O_RDONLY);
		if (nul >= 0) {
			dup2(nul, 0);
			if (nul > 2)
				close(nul);
		}
		char logp[4200];
		snprintf(logp, sizeof logp, "%s/logs/service.log", home);
		int lf = open(logp, O_WRONLY | O_APPEND | O_CREAT, 0600);
		if (lf >= 0) {
			dup2(lf, 1);
			dup2(lf, 2);
			if (lf > 2)
				close(lf);
		}
		long maxfd = sysconf(_SC_OPEN_MAX);
		if (maxfd < 0 || maxfd > 65536)
			maxfd = 65536;
		for (int fd = 3; fd < maxfd; fd++)
			close(fd);
		setenv("MIGSH_HOME", home, 1);
		signal(SIGPIPE, SIG_DFL);
		execl(exe, exe, "--service", (char *)NULL);
		dprintf(2, "migsh: cannot run '%s --service': %s\n", exe, strerror(errno));
		_exit(127);
	}
	int status;
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	for (int i = 0; i < 100; i++) {   /* up to 10 s */
		/* running means: lock held and the live pid written, so that a
		 * status or stop right after this returns sees the new service */
		if (lock_held(home) == 1 && mg_service_status(home, &si, NULL) == 0 &&
		    si.running && si.pid > 1)
			return 0;
		sleep_ms(100);
	}
	return mg_err_set(err, MGC_RESOURCE, "ServiceStart",
	                  "The migration service for '%s' did not start. See '%s/logs/service.log'.",
	                  home, home);
}

/* Has process pid ended (gone, or a zombie nobody reaped yet)? */
static bool pid_gone(pid_t pid)
{
	if (kill(pid, 0) < 0 && errno == ESRCH)
		return true;
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return true;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *rp = strrchr(buf, ')');
	return rp && rp[1] == ' ' && (rp[2] == 'Z' || rp[2] == 'X');
}

/* After the lock is released the process still has to exit: wait briefly. */
static void wait_gone(pid_t pid)
{
	for (int i = 0; i < 50 && !pid_gone(pid); i++)
		sleep_ms(50);
}

int mg_service_stop(const char *home, int wait_seconds, mg_err *err)
{
	mg_service_info si;
	if (mg_service_status(home, &si, err) < 0)
		return -1;
	if (!si.running)
		return 0;
	if (si.pid <= 1)
		return mg_err_set(err, MGC_RESOURCE, "ServiceStop",
		                  "The migration service for '%s' runs but its pid file is unreadable; "
		                  "stop it with systemctl or kill.", home);
	if (kill(si.pid, SIGTERM) < 0 && errno != ESRCH)
		return mg_err_sys(err, MGC_PERMISSION, "ServiceStop", "cannot signal the migration service (pid %ld)",
		                  (long)si.pid);
	for (int i = 0; i < wait_seconds * 10; i++) {
		if (lock_held(home) != 1) {
			wait_gone(si.pid);
			return 0;
		}
		sleep_ms(100);
	}
	kill(si.pid, SIGKILL);
	for (int i = 0; i < 50; i++) {
		if (lock_held(home) != 1) {
			wait_gone(si.pid);
			return 0;
		}
		sleep_ms(100);
	}
	return mg_err_set(err, MGC_TIMEOUT, "ServiceStop",
	                  "The migration service (pid %ld) did not stop.", (long)si.pid);
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
		char *logdir = home_file(home, "logs");
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
	char *lockp = home_file(home, "service.lock");
	int lockfd = -1;
	/* a status probe (lock_held) may hold a shared lock for a moment */
	for (int i = 0; i < 20 && lockfd < 0; i++) {
		if (i)
			sleep_ms(50);
		lockfd = mg_lock_file(lockp, 0, &err);
	}
	free(lockp);
	if (lockfd < 0) {
		mg_service_info si;
		(void)mg_service_status(home, &si, NULL);
		mg_svc_log("another migration service already runs for '%s' (pid %ld)", home, (long)si.pid);
		return 3;
	}
	char *pidp = home_file(home, "service.pid");
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
