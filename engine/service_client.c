/*
 * service_client.c - the shell's side of the background service
 * (service.h): is it running (its lock, its pid file, and what it does from
 * its bookkeeping in the store), start it on demand (double fork, setsid,
 * exec "<exe> --service"), stop it (SIGTERM, then SIGKILL).  Used by the
 * cmdlets; the service process itself is service_daemon.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
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

static char *home_file(const char *home, const char *name)
{
	return mg_path_join(home, name);
}

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
		mg_svc_sleep_ms(50);
	}
	free(p);
	mg_service_rec r;
	if (mg_store_service_read(home, NULL, &r, NULL, NULL, NULL) == 0) {
		out->started = r.started;
		out->heartbeat = r.heartbeat;
		out->active_initial = r.active_initial;
		out->active_incremental = r.active_incremental;
	}
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
	mg_service_rec r;
	if (mg_store_service_read(home, endpoint, &r, initial, incremental, NULL) < 0)
		*initial = *incremental = 0;
	return 0;
}

void mg_svc_sleep_ms(long ms)
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
		mg_svc_sleep_ms(100);
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
		mg_svc_sleep_ms(50);
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
		mg_svc_sleep_ms(100);
	}
	kill(si.pid, SIGKILL);
	for (int i = 0; i < 50; i++) {
		if (lock_held(home) != 1) {
			wait_gone(si.pid);
			return 0;
		}
		mg_svc_sleep_ms(100);
	}
	return mg_err_set(err, MGC_TIMEOUT, "ServiceStop",
	                  "The migration service (pid %ld) did not stop.", (long)si.pid);
}

