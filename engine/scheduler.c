/*
 * scheduler.c - the service loop.  Every poll (ServicePollMilliseconds,
 * default 0.5 s) it re-reads the store under the lock and, per batch:
 *   Removing     cancel its jobs; when none run, delete its records.
 *   Stopping     cancel its jobs; when none run, users -> Stopped, batch
 *                -> Stopped, reports.
 *   Starting     -> Waiting (StartAfter in the future) or Syncing.
 *   Syncing      start initial syncs for Queued users (and users left
 *                Syncing by a killed service); when none are left ->
 *                Synced / SyncedWithErrors / Failed, reports.
 *   Synced*, IncrementalSyncing
 *                incremental sync of synced users every
 *                IncrementalSyncInterval or on -SyncNow; IncrementalSyncing
 *                while any runs, then back to Synced*, reports.
 *   Completing   final sync of every synced user, then Completed /
 *                CompletedWithErrors, reports.
 * A batch that is syncing, synced or completing also sends its status report
 * every ReportInterval (report_due) when it has NotificationEmails.
 * Concurrency: per source endpoint at most MaxConcurrentMigrations initial
 * and MaxConcurrentIncrementalSyncs incremental/final syncs across all
 * batches, and MaxConcurrentMigrations of the config across everything;
 * users without a slot stay Queued.  Jobs run in threads (worker.c).
 * Resuming after a restart (even SIGKILL) needs nothing special: a user
 * whose status says it is running but that has no job in this process is
 * simply started again, and the sync engine continues from its own state.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"
#include "engine/lifecycle.h"
#include "engine/reports.h"
#include "engine/service_internal.h"

/* Idle synced batches are not re-read user by user on every poll: we
 * remember when the next incremental sync falls due. */
typedef struct idle_memo {
	char      *batch;
	int64_t    next_check;
	long long  interval;
	struct idle_memo *next;
} idle_memo;

typedef struct sched {
	mg_store   *st;
	svc_job    *jobs;
	idle_memo  *idle;
	mg_config   cfg;
	int64_t     started;
	int64_t     last_status;
	bool        jobs_changed;   /* save the service status after this pass */
} sched;

/* ---- job bookkeeping ---- */

static svc_job *find_job(sched *s, const char *batch, const char *email)
{
	for (svc_job *j = s->jobs; j; j = j->next)
		if (str_ieq(j->batch, batch) && str_ieq(j->email, email))
			return j;
	return NULL;
}

static size_t batch_jobs(sched *s, const char *batch, svc_job_kind *kind_any)
{
	size_t n = 0;
	for (svc_job *j = s->jobs; j; j = j->next)
		if (str_ieq(j->batch, batch)) {
			n++;
			if (kind_any)
				*kind_any = j->kind;
		}
	return n;
}

static void count_jobs(sched *s, const char *endpoint, long *initial, long *incr)
{
	*initial = *incr = 0;
	for (svc_job *j = s->jobs; j; j = j->next) {
		if (endpoint && !str_ieq(j->endpoint, endpoint))
			continue;
		if (j->kind == JOB_INITIAL)
			(*initial)++;
		else
			(*incr)++;
	}
}

static void cancel_batch_jobs(sched *s, const char *batch, svc_cancel why)
{
	for (svc_job *j = s->jobs; j; j = j->next)
		if (str_ieq(j->batch, batch) && !j->cancel) {
			j->reason = why;
			j->cancel = 1;
		}
}

static void free_job(svc_job *j)
{
	free(j->batch);
	free(j->email);
	free(j->endpoint);
	free(j);
}

static void reap(sched *s)
{
	svc_job **pp = &s->jobs;
	while (*pp) {
		svc_job *j = *pp;
		if (__atomic_load_n(&j->done, __ATOMIC_ACQUIRE)) {
			pthread_join(j->thread, NULL);
			*pp = j->next;
			free_job(j);
			s->jobs_changed = true;
		} else {
			pp = &j->next;
		}
	}
}

static bool under(long long limit, long cur)
{
	return limit < 0 || cur < limit;
}

/* Start a job for u (status already set and saved by the caller). */
static int launch(sched *s, const mg_batch *b, const mg_user *u, svc_job_kind kind)
{
	svc_job *j = xcalloc(1, sizeof *j);
	j->st = s->st;
	j->batch = xstrdup(b->name);
	j->email = xstrdup(u->email);
	j->endpoint = xstrdup(b->source_endpoint ? b->source_endpoint : "");
	j->kind = kind;
	j->progress_write_seconds = s->cfg.progress_write_seconds > 0 ? s->cfg.progress_write_seconds : 2;
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 1024 * 1024);
	int e = pthread_create(&j->thread, &a, mg_svc_worker, j);
	pthread_attr_destroy(&a);
	if (e) {
		mg_svc_log("cannot start a worker thread for %s: %s", u->email, strerror(e));
		free_job(j);
		return -1;
	}
	j->next = s->jobs;
	s->jobs = j;
	s->jobs_changed = true;
	return 0;
}

/* ---- idle memo ---- */

static idle_memo *memo_find(sched *s, const char *batch)
{
	for (idle_memo *m = s->idle; m; m = m->next)
		if (str_ieq(m->batch, batch))
			return m;
	return NULL;
}

static void memo_set(sched *s, const char *batch, int64_t next_check)
{
	idle_memo *m = memo_find(s, batch);
	if (!m) {
		m = xcalloc(1, sizeof *m);
		m->batch = xstrdup(batch);
		m->next = s->idle;
		s->idle = m;
	}
	m->next_check = next_check;
	m->interval = s->cfg.incremental_sync_interval;
}

static void memo_clear(sched *s, const char *batch)
{
	for (idle_memo **pp = &s->idle; *pp; pp = &(*pp)->next)
		if (str_ieq((*pp)->batch, batch)) {
			idle_memo *m = *pp;
			*pp = m->next;
			free(m->batch);
			free(m);
			return;
		}
}

static void memo_free_all(sched *s)
{
	while (s->idle) {
		idle_memo *m = s->idle;
		s->idle = m->next;
		free(m->batch);
		free(m);
	}
}

/* ---- per-batch handling (store lock held) ---- */

static void write_reports(sched *s, mg_batch *b, mg_user **users, size_t n, const char *event)
{
	mg_err err = { 0 };
	if (mg_reports_write(s->st, b, users, n, event, &err) < 0)
		mg_svc_log("batch %s: reports: %s", b->name, err.msg);
	b->last_report = mg_now();
}

/* After a routine incremental sync the files are rewritten, but the
 * notification message goes out at most once per ReportInterval. */
static void write_periodic_reports(sched *s, mg_batch *b, mg_user **users, size_t n)
{
	int64_t now = mg_now();
	if (b->report_interval > 0 && b->last_report && now - b->last_report < b->report_interval) {
		mg_batch *quiet = mg_batch_dup(b);
		quiet->skip_reports = true;
		mg_err err = { 0 };
		if (mg_reports_write(s->st, quiet, users, n, "Synced", &err) < 0)
			mg_svc_log("batch %s: reports: %s", b->name, err.msg);
		mg_batch_free(quiet);
		return;
	}
	write_reports(s, b, users, n, "Synced");
}

/* -ReportInterval: a batch that is being migrated or kept in sync sends its
 * status report every ReportInterval (counted from the last report, or from
 * the start), whether or not a sync finished in between.  Batches at rest
 * (Created, Waiting, Stopped, Completed, Failed) send nothing on a timer. */
static bool report_due(const mg_batch *b, int64_t now)
{
	switch (b->status) {
	case MG_BS_SYNCING: case MG_BS_SYNCED: case MG_BS_SYNCED_WITH_ERRORS:
	case MG_BS_INCREMENTAL_SYNCING: case MG_BS_COMPLETING:
		break;
	default:
		return false;
	}
	int64_t since = b->last_report ? b->last_report : b->started;
	return b->report_interval > 0 && mg_reports_mailed(b) && since &&
	       now - since >= b->report_interval;
}

static bool is_failed(const mg_user *u)
{
	return mg_user_status_summary_of(u->status) == MG_SS_FAILED;
}

/* Try to start a job of kind for user u; returns true when started. */
static bool try_start(sched *s, mg_batch *b, mg_user *u, mg_endpoint *ep, svc_job_kind kind)
{
	long all_i, all_c, ep_i, ep_c;
	count_jobs(s, NULL, &all_i, &all_c);
	if (!under(s->cfg.max_concurrent_migrations, all_i + all_c))
		return false;
	count_jobs(s, b->source_endpoint, &ep_i, &ep_c);
	if (kind == JOB_INITIAL) {
		if (ep && !under(ep->max_concurrent_migrations, ep_i))
			return false;
	} else {
		if (ep && !under(ep->max_concurrent_incremental, ep_c))
			return false;
	}
	int64_t now = mg_now();
	mg_user_status old = u->status;
	if (kind == JOB_INITIAL) {
		if (u->queued_at && old == MG_US_QUEUED)
			u->queued_seconds += now - u->queued_at;
		u->status = u->initial_done ? MG_US_INCREMENTAL_SYNCING : MG_US_SYNCING;
	} else if (kind == JOB_INCREMENTAL) {
		if (u->sync_finished && (old == MG_US_SYNCED || old == MG_US_INCREMENTAL_SYNCED))
			u->synced_seconds += now - u->sync_finished;
		u->status = MG_US_INCREMENTAL_SYNCING;
	} else {
		u->status = MG_US_COMPLETING;
	}
	u->sync_started = now;
	mg_err err = { 0 };
	if (mg_store_user_save(s->st, u, &err) < 0) {
		mg_svc_log("batch %s: cannot update %s: %s", b->name, u->email, err.msg);
		u->status = old;
		return false;
	}
	if (launch(s, b, u, kind) < 0) {
		u->status = old;
		(void)mg_store_user_save(s->st, u, NULL);
		return false;
	}
	return true;
}

/* How many initial copies could start now for batch b (the places that
 * try_start would find free); -1 when there is no limit. */
static long long initial_places(sched *s, const mg_batch *b, const mg_endpoint *ep)
{
	long all_i, all_c, ep_i, ep_c;
	count_jobs(s, NULL, &all_i, &all_c);
	count_jobs(s, b->source_endpoint, &ep_i, &ep_c);
	long long places = LLONG_MAX;
	if (s->cfg.max_concurrent_migrations >= 0)
		places = s->cfg.max_concurrent_migrations - (all_i + all_c);
	if (ep && ep->max_concurrent_migrations >= 0 && ep->max_concurrent_migrations - ep_i < places)
		places = ep->max_concurrent_migrations - ep_i;
	if (places == LLONG_MAX)
		return -1;
	return places < 0 ? 0 : places;
}

static bool incremental_due(sched *s, const mg_batch *b, const mg_user *u, int64_t now)
{
	if (u->next_sync_due && u->next_sync_due <= now)
		return true;
	if (b->req_sync_now)
		return true;
	long long iv = s->cfg.incremental_sync_interval > 0 ? s->cfg.incremental_sync_interval : 86400;
	int64_t last = u->sync_finished ? u->sync_finished : u->last_successful_sync;
	return last && last + iv <= now;
}

/* Replace the working set of a batch's users by all of them (once). */
static void whole_list(sched *s, const mg_batch *b, mg_user ***users, size_t *n, bool *partial)
{
	if (!*partial)
		return;
	mg_user **v = NULL;
	size_t k = 0;
	mg_err err = { 0 };
	if (mg_store_user_list(s->st, b->name, &v, &k, &err) < 0) {
		mg_svc_log("batch %s: cannot list users: %s", b->name, err.msg);
		return;   /* keep the working set: better than nothing */
	}
	mg_user_list_free(*users, *n);
	*users = v;
	*n = k;
	*partial = false;
}

static void handle_batch(sched *s, mg_batch *b)
{
	mg_store *st = s->st;
	mg_err err = { 0 };
	int64_t now = mg_now();
	mg_batch_status orig = b->status;
	bool orig_sync_now = b->req_sync_now;

	if (b->status == MG_BS_REMOVING) {
		cancel_batch_jobs(s, b->name, CANCEL_REMOVE);
		if (batch_jobs(s, b->name, NULL) == 0) {
			if (mg_store_batch_delete(st, b->name, &err) < 0)
				mg_svc_log("batch %s: cannot remove: %s", b->name, err.msg);
			else
				mg_svc_log("batch %s removed", b->name);
		}
		return;
	}

	/* nothing to do for batches at rest */
	switch (b->status) {
	case MG_BS_CREATED: case MG_BS_STOPPED: case MG_BS_COMPLETED: case MG_BS_COMPLETED_WITH_ERRORS:
	case MG_BS_FAILED:
		memo_clear(s, b->name);
		if (batch_jobs(s, b->name, NULL))
			cancel_batch_jobs(s, b->name, CANCEL_STOP);
		return;
	case MG_BS_SYNCED: case MG_BS_SYNCED_WITH_ERRORS: {
		idle_memo *m = memo_find(s, b->name);
		if (m && !b->req_sync_now && !b->req_update && now < m->next_check &&
		    m->interval == s->cfg.incremental_sync_interval && batch_jobs(s, b->name, NULL) == 0 &&
		    !report_due(b, now))
			return;
		break;
	}
	default:
		memo_clear(s, b->name);
		break;
	}
	if (b->req_update) {
		b->req_update = false;
		if (mg_store_batch_save(st, b, &err) < 0)
			mg_svc_log("batch %s: cannot save: %s", b->name, err.msg);
	}

	/* A syncing or synced batch: only the users there is something to do
	 * for (the store's index), not all of them; the whole list is read
	 * only when the batch changes state or writes its reports. */
	mg_user **users = NULL;
	size_t n = 0;
	bool partial = b->status == MG_BS_SYNCING || b->status == MG_BS_SYNCED ||
	               b->status == MG_BS_SYNCED_WITH_ERRORS || b->status == MG_BS_INCREMENTAL_SYNCING;
	long long iv = s->cfg.incremental_sync_interval > 0 ? s->cfg.incremental_sync_interval : 86400;
	mg_endpoint *ep = NULL;
	if (b->source_endpoint)
		(void)mg_store_endpoint_load(st, b->source_endpoint, &ep, NULL);
	/* Of the Queued users only those that can start now are read (at 5,000
	 * users, decoding the 4,900 waiting ones every poll was a third of the
	 * service's CPU); the others are counted (queued_known). */
	long long queued_max = -1, counts[MG_US__COUNT];
	bool queued_known = false;
	if (partial && mg_store_user_status_counts(st, b->name, counts, NULL) == 0) {
		queued_known = true;
		queued_max = initial_places(s, b, ep);
	}
	if ((partial ? mg_store_user_list_runnable(st, b->name, now, iv, b->req_sync_now, queued_max, &users, &n, &err)
	             : mg_store_user_list(st, b->name, &users, &n, &err)) < 0) {
		mg_svc_log("batch %s: cannot list users: %s", b->name, err.msg);
		mg_endpoint_free(ep);
		return;
	}

	switch (b->status) {
	case MG_BS_STOPPING:
		cancel_batch_jobs(s, b->name, CANCEL_STOP);
		if (batch_jobs(s, b->name, NULL) == 0) {
			/* re-read: workers have written their final state */
			mg_user_list_free(users, n);
			if (mg_store_user_list(st, b->name, &users, &n, &err) < 0) {
				users = NULL;
				n = 0;
				break;
			}
			mg_lifecycle_finish_stop(b, users, n, now);
			for (size_t i = 0; i < n; i++)
				if (users[i]->status != MG_US_CORRUPTED)
					(void)mg_store_user_save(st, users[i], NULL);
			write_reports(s, b, users, n, "Stopped");
			mg_svc_log("batch %s stopped", b->name);
		}
		break;

	case MG_BS_STARTING:
	case MG_BS_WAITING:
		if (mg_batch_start_waits(b, users, n, now)) {
			b->status = MG_BS_WAITING;
			break;
		}
		b->status = MG_BS_SYNCING;
		mg_svc_log("batch %s syncing", b->name);
		/* fall through */
	case MG_BS_SYNCING:
	case MG_BS_SYNCED:
	case MG_BS_SYNCED_WITH_ERRORS:
	case MG_BS_INCREMENTAL_SYNCING: {
		/* initial copies running (counted from the jobs: a finished one's
		 * user may already show Synced), then the users still to copy */
		size_t pending_initial = queued_known ? (size_t)counts[MG_US_QUEUED] : 0;
		for (svc_job *j = s->jobs; j; j = j->next)
			if (str_ieq(j->batch, b->name) && j->kind == JOB_INITIAL)
				pending_initial++;
		for (size_t i = 0; i < n; i++) {
			mg_user *u = users[i];
			bool running = find_job(s, b->name, u->email) != NULL;
			if (running) {
				svc_job *j = find_job(s, b->name, u->email);
				if (u->status == MG_US_STOPPING && !j->cancel) {   /* Stop-MigrationUser */
					j->reason = CANCEL_STOP;
					j->cancel = 1;
				}
				continue;
			}
			if (mg_user_settle_stop(u)) {   /* Stop-MigrationUser, no copy runs */
				(void)mg_store_user_save(st, u, NULL);
				continue;
			}
			if (u->status == MG_US_QUEUED && !mg_user_may_start(b, u, now)) {
				if (!queued_known)
					pending_initial++;   /* its own (or the batch's) StartAfter */
				continue;
			}
			/* a user that shows a running status but has no job: resume it */
			if (u->status == MG_US_QUEUED || u->status == MG_US_SYNCING || u->status == MG_US_STARTING ||
			    u->status == MG_US_VALIDATING || (u->status == MG_US_INCREMENTAL_SYNCING && !u->initial_done)) {
				if (!queued_known || u->status != MG_US_QUEUED)
					pending_initial++;
				if (u->status != MG_US_QUEUED) {
					u->status = MG_US_QUEUED;
					u->queued_at = now;
				}
				try_start(s, b, u, ep, JOB_INITIAL);
				continue;
			}
			if (u->status == MG_US_INCREMENTAL_SYNCING ||
			    ((u->status == MG_US_SYNCED || u->status == MG_US_INCREMENTAL_SYNCED) &&
			     incremental_due(s, b, u, now)))
				try_start(s, b, u, ep, JOB_INCREMENTAL);
		}
		if (pending_initial) {
			b->status = MG_BS_SYNCING;
			break;
		}
		if (orig == MG_BS_SYNCING || orig == MG_BS_STARTING || orig == MG_BS_WAITING) {
			/* the initial sync of every user is over */
			whole_list(s, b, &users, &n, &partial);
			size_t failed = 0, tried = 0;
			for (size_t i = 0; i < n; i++) {
				if (is_failed(users[i]))
					failed++;
				tried++;
			}
			b->status = failed == 0 ? MG_BS_SYNCED : failed == tried ? MG_BS_FAILED : MG_BS_SYNCED_WITH_ERRORS;
			if (b->status == MG_BS_FAILED) {
				free(b->message);
				b->message = xstrdup("Every user of the batch failed; see MigrationErrors.csv and "
				                     "Get-MigrationUserStatistics -IncludeReport.");
			}
			if (!b->initial_synced) {
				b->initial_synced = now;
				b->initial_sync_duration = b->started ? now - b->started : 0;
			}
			b->last_synced = now;
			b->req_sync_now = false;
			write_reports(s, b, users, n, "Synced");
			mg_svc_log("batch %s: initial synchronization finished (%s)", b->name, mg_batch_status_name(b->status));
			break;
		}
		b->req_sync_now = false;
		svc_job_kind k;
		size_t running = batch_jobs(s, b->name, &k);
		if (!running && (b->status == MG_BS_SYNCED || b->status == MG_BS_SYNCED_WITH_ERRORS)) {
			/* idle: remember when the next user falls due (once per
			 * idle period: the memo spares the polls in between) */
			whole_list(s, b, &users, &n, &partial);
			int64_t next = now + iv;
			bool waiting = false;
			for (size_t i = 0; i < n; i++) {
				const mg_user *u = users[i];
				if (u->status == MG_US_QUEUED)
					waiting = true;   /* no slot yet: look again next poll */
				if (u->status != MG_US_SYNCED && u->status != MG_US_INCREMENTAL_SYNCED)
					continue;
				int64_t last = u->sync_finished ? u->sync_finished : u->last_successful_sync;
				int64_t due = u->next_sync_due ? u->next_sync_due : (last ? last + iv : now);
				if (due < next)
					next = due;
			}
			if (waiting || next <= now)
				memo_clear(s, b->name);
			else
				memo_set(s, b->name, next);
		}
		if (running) {
			b->status = MG_BS_INCREMENTAL_SYNCING;
		} else if (b->status == MG_BS_INCREMENTAL_SYNCING) {
			whole_list(s, b, &users, &n, &partial);
			size_t failed = 0;
			for (size_t i = 0; i < n; i++)
				if (is_failed(users[i]))
					failed++;
			b->status = failed ? MG_BS_SYNCED_WITH_ERRORS : MG_BS_SYNCED;
			b->last_synced = now;
			write_periodic_reports(s, b, users, n);
		}
		break;
	}

	case MG_BS_COMPLETING: {
		size_t left = 0;
		for (size_t i = 0; i < n; i++) {
			mg_user *u = users[i];
			if (find_job(s, b->name, u->email)) {
				left++;
				continue;
			}
			if (u->status == MG_US_SYNCED || u->status == MG_US_INCREMENTAL_SYNCED ||
			    u->status == MG_US_INCREMENTAL_SYNCING || u->status == MG_US_COMPLETING) {
				left++;
				if (u->status != MG_US_COMPLETING) {
					u->status = MG_US_COMPLETING;
					(void)mg_store_user_save(st, u, NULL);
				}
				try_start(s, b, u, ep, JOB_FINAL);
			}
		}
		if (left == 0) {
			size_t failed = 0;
			for (size_t i = 0; i < n; i++)
				if (is_failed(users[i]))
					failed++;
			b->status = failed ? MG_BS_COMPLETED_WITH_ERRORS : MG_BS_COMPLETED;
			b->finalized = now;
			b->last_synced = now;
			write_reports(s, b, users, n, "Completed");
			mg_svc_log("batch %s %s", b->name, mg_batch_status_name(b->status));
		}
		break;
	}

	default:
		break;
	}
	if (report_due(b, now)) {
		whole_list(s, b, &users, &n, &partial);
		write_reports(s, b, users, n, "Status report");
		mg_svc_log("batch %s: status report (every %lld s)", b->name, b->report_interval);
	}

	if (b->status != orig || b->req_sync_now != orig_sync_now ||
	    (b->last_report && b->last_report >= now)) {
		if (mg_store_batch_save(st, b, &err) < 0)
			mg_svc_log("batch %s: cannot save: %s", b->name, err.msg);
	}
	mg_endpoint_free(ep);
	mg_user_list_free(users, n);
}

/* The service's bookkeeping in the store (store.h): who runs, since when,
 * its heartbeat and its jobs; final: the service is stopping (pid 0). */
static void write_status(sched *s, bool final)
{
	long ini, inc;
	count_jobs(s, NULL, &ini, &inc);
	mg_service_rec r = {
		.pid = final ? 0 : (long long)getpid(),
		.started = s->started,
		.heartbeat = mg_now(),
		.active_initial = ini,
		.active_incremental = inc,
	};
	size_t n = 0, k = 0;
	for (svc_job *j = s->jobs; j; j = j->next)
		n++;
	mg_service_job_rec *v = xcalloc(n ? n : 1, sizeof *v);
	for (svc_job *j = s->jobs; j; j = j->next, k++) {
		v[k].batch = j->batch;
		v[k].email = j->email;
		v[k].endpoint = j->endpoint;
		v[k].kind = j->kind == JOB_INITIAL ? "Initial" : j->kind == JOB_FINAL ? "Final" : "Incremental";
	}
	mg_err err = { 0 };
	if (mg_store_service_save(s->st, &r, v, n, &err) < 0)
		mg_svc_log("cannot save the service status: %s", err.msg);
	free(v);
	s->last_status = mg_now();
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);   /* a signal cuts it short: fine */
}

/* Remove the sync state of users whose batch was removed (recorded by
 * mg_store_batch_delete), a little each poll: 200 directories at most,
 * never while the store is locked.  Migrated mail is never touched. */
static void clean_up_removed(sched *s)
{
	long long upto = 0;
	char **v = mg_store_cleanup_take(s->st, 200, &upto);
	if (!v)
		return;
	for (size_t i = 0; v[i]; i++) {
		mg_err err = { 0 };
		if (mg_rm_rf(v[i], &err) < 0)
			mg_svc_log("cannot remove the sync state '%s' of a removed user: %s", v[i], err.msg);
	}
	(void)mg_store_cleanup_done(s->st, upto, NULL);
	mg_strv_free_all(v);
}

int mg_svc_run(mg_store *st, volatile sig_atomic_t *stop)
{
	sched s;
	memset(&s, 0, sizeof s);
	s.st = st;
	s.started = mg_now();
	mg_config_defaults(&s.cfg);
	write_status(&s, false);
	while (!*stop) {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		reap(&s);
		mg_err err = { 0 };
		if (mg_store_lock(st, &err) < 0) {
			mg_svc_log("cannot lock the store: %s", err.msg);
		} else {
			mg_config cfg;
			if (mg_store_config_load(st, &cfg, &err) == 0)
				s.cfg = cfg;
			else
				mg_svc_log("config: %s", err.msg);
			mg_batch **bv = NULL;
			size_t bn = 0;
			if (mg_store_batch_list(st, &bv, &bn, &err) == 0) {
				for (size_t i = 0; i < bn; i++) {
					if (bv[i]->status == MG_BS_CORRUPTED)
						continue;
					/* jobs of this batch, or of a batch that disappeared, are handled below */
					handle_batch(&s, bv[i]);
				}
				/* jobs whose batch is gone: cancel them */
				for (svc_job *j = s.jobs; j; j = j->next) {
					bool found = false;
					for (size_t i = 0; i < bn && !found; i++)
						found = str_ieq(bv[i]->name, j->batch);
					if (!found && !j->cancel) {
						j->reason = CANCEL_REMOVE;
						j->cancel = 1;
					}
				}
				mg_batch_list_free(bv, bn);
			} else {
				mg_svc_log("cannot list batches: %s", err.msg);
			}
			mg_store_unlock(st);
		}
		clean_up_removed(&s);
		if (s.jobs_changed || mg_now() - s.last_status >= 2) {
			write_status(&s, false);
			s.jobs_changed = false;
		}
		long poll = s.cfg.service_poll_ms > 0 ? (long)s.cfg.service_poll_ms : 500;
		if (poll > 5000)
			poll = 5000;
		/* a pass over very large batches takes time: never spend more than
		 * a third of the time scanning */
		clock_gettime(CLOCK_MONOTONIC, &t1);
		long spent = (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
		if (2 * spent > poll)
			poll = spent * 2 > 10000 ? 10000 : spent * 2;
		sleep_ms(poll);
	}
	/* shutdown: cancel every job (users are resumed at the next start) and wait */
	for (svc_job *j = s.jobs; j; j = j->next) {
		j->reason = CANCEL_SHUTDOWN;
		j->cancel = 1;
	}
	while (s.jobs) {
		reap(&s);
		if (s.jobs)
			sleep_ms(50);
	}
	write_status(&s, true);
	memo_free_all(&s);
	return 0;
}
