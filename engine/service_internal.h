/*
 * service_internal.h - what service_client.c (start, stop, status from the
 * shell), service_daemon.c (the service process), scheduler.c (the loop
 * that picks up work) and worker.c (one user's sync in a thread) share.
 * Internal to engine/.
 */
#ifndef MIGSH_ENGINE_SERVICE_INTERNAL_H
#define MIGSH_ENGINE_SERVICE_INTERNAL_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include "engine/records.h"
#include "engine/store.h"

typedef enum svc_job_kind { JOB_INITIAL = 0, JOB_INCREMENTAL, JOB_FINAL } svc_job_kind;
typedef enum svc_cancel { CANCEL_NONE = 0, CANCEL_STOP, CANCEL_SHUTDOWN, CANCEL_REMOVE } svc_cancel;

typedef struct svc_job {
	mg_store     *st;
	char         *batch;        /* batch name */
	char         *email;        /* user identity */
	char         *endpoint;     /* source endpoint name (concurrency accounting) */
	svc_job_kind  kind;
	long long     progress_write_seconds;
	pthread_t     thread;
	volatile sig_atomic_t cancel;    /* handed to mg_sync_mailbox */
	volatile sig_atomic_t reason;    /* svc_cancel */
	volatile sig_atomic_t done;      /* set by the worker as its last step */
	struct svc_job *next;
} svc_job;

/* Worker thread entry (worker.c): runs mg_sync_mailbox for job->email and
 * records the outcome in the store. */
void *mg_svc_worker(void *job);
/* ErrorSummary for a failed user: one sentence per class of error (worker.c). */
char *mg_worker_error_summary(const mg_err *e);

/* Scheduler loop (scheduler.c): until *stop is set. */
int mg_svc_run(mg_store *st, volatile sig_atomic_t *stop);

/* Sleep ms milliseconds, whatever signals arrive (service_client.c). */
void mg_svc_sleep_ms(long ms);

/* Timestamped line to stderr (the service log). Never a secret. */
void mg_svc_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
