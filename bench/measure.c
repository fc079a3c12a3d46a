/*
 * measure.c - run one benchmark step and report what it cost: wall time, and
 * user+system CPU and peak RSS of the whole process tree it started,
 * including daemons that detach (the migsh service double-forks).
 *
 * It makes itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so every
 * orphaned descendant is re-parented here instead of to init; it then reaps
 * everything until no child is left, and getrusage(RUSAGE_CHILDREN) covers
 * the whole tree.  ru_maxrss is the peak RSS of the largest single process.
 *
 * usage: measure [-t TIMEOUT_S] [-g GRACE_S] -o OUTFILE -- COMMAND [ARG...]
 * OUTFILE gets shell-sourceable lines: wall= user= sys= cpu= maxrss_kb= rc= leftover=
 * A descendant still alive GRACE_S seconds (default 60) after COMMAND ended is
 * killed and counted in leftover= (the step did not clean up after itself).
 * Part of bench/, built by bench/run.sh; not part of the migsh binary.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Kill every process whose parent is us (our re-parented orphans). */
static int kill_our_children(int sig)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;
	pid_t self = getpid();
	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char path[300], buf[512];
		FILE *f;
		pid_t pid = (pid_t)atoi(e->d_name), ppid = 0;
		if (pid <= 0)
			continue;
		snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof buf, f)) {
			char *p = strrchr(buf, ')');
			if (p && sscanf(p + 1, " %*c %d", &ppid) == 1 && ppid == self) {
				kill(pid, sig);
				n++;
			}
		}
		fclose(f);
	}
	closedir(d);
	return n;
}

/* Sleep until the command exits (or the deadline passes), woken by the
 * exit itself: a pidfd (Linux 5.3 and later) polled for readability.  The
 * loop in main() then reaps it at once, so short commands are timed to a
 * few microseconds, where its 20 ms polling sleep alone would round a
 * 7 ms command up to 20 ms.  Without pidfds the loop's polling does it. */
static void wait_exit(pid_t child, double deadline)
{
#ifdef SYS_pidfd_open
	int pfd = (int)syscall(SYS_pidfd_open, child, 0);
	if (pfd < 0)
		return;
	for (;;) {
		int ms = -1;
		if (deadline > 0) {
			double left = deadline - now();
			ms = left <= 0 ? 0 : (int)(left * 1000) + 1;
		}
		struct pollfd pf = { pfd, POLLIN, 0 };
		int r = poll(&pf, 1, ms);
		if (r >= 0 || errno != EINTR)
			break;
	}
	close(pfd);
#else
	(void)child;
	(void)deadline;
#endif
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	double timeout = 0, grace = 60;
	int opt, rc = -1, leftover = 0, timed_out = 0;
	pid_t child;
	double t0, t1, deadline;
	struct rusage ru;
	FILE *f;

	while ((opt = getopt(argc, argv, "+o:t:g:")) != -1) {
		switch (opt) {
		case 'o': out = optarg; break;
		case 't': timeout = atof(optarg); break;
		case 'g': grace = atof(optarg); break;
		default: goto usage;
		}
	}
	if (!out || optind >= argc) {
usage:
		fprintf(stderr, "usage: measure [-t TIMEOUT_S] [-g GRACE_S] -o OUTFILE -- COMMAND [ARG...]\n");
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
		perror("measure: prctl(PR_SET_CHILD_SUBREAPER)");
		return 2;
	}
	t0 = now();
	child = fork();
	if (child < 0) {
		perror("measure: fork");
		return 2;
	}
	if (child == 0) {
		setpgid(0, 0);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "measure: cannot run %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	deadline = timeout > 0 ? t0 + timeout : 0;
	t1 = 0;
	wait_exit(child, deadline);
	for (;;) {
		int st;
		pid_t p = waitpid(-1, &st, WNOHANG);
		if (p < 0 && errno == ECHILD)
			break;
		if (p == child) {
			rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			t1 = now();
			deadline = now() + grace;
		}
		if (p > 0)
			continue;
		if (deadline > 0 && now() > deadline) {
			if (t1 == 0) { /* the command itself overran */
				timed_out = 1;
				kill(-child, SIGKILL);
				kill(child, SIGKILL);
			}
			leftover += kill_our_children(SIGKILL);
			deadline = now() + 5;
		}
		usleep(20000);
	}
	if (t1 == 0)
		t1 = now();
	getrusage(RUSAGE_CHILDREN, &ru);
	f = fopen(out, "w");
	if (!f) {
		perror(out);
		return 2;
	}
	{
		double u = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
		double s = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
		fprintf(f, "wall=%.4f\nuser=%.3f\nsys=%.3f\ncpu=%.3f\nmaxrss_kb=%ld\nrc=%d\nleftover=%d\ntimed_out=%d\n",
		        t1 - t0, u, s, u + s, ru.ru_maxrss, rc, leftover, timed_out);
	}
	fclose(f);
	return rc < 0 ? 2 : rc;
}
