/*
 * service.h - the background migration service: one process per data
 * directory that runs the batches (engine/scheduler.c, engine/worker.c).
 *
 * The shell never migrates mail itself.  Start-MigrationBatch & co. change
 * records in the store and call mg_service_ensure_running(); the service
 * re-reads the store every ~0.5 s, runs users in worker threads
 * (mg_sync_mailbox), writes progress back, and resumes unfinished batches
 * after a restart (also after SIGKILL).
 *
 * Single instance: <home>/service.lock is flock'ed for the service's whole
 * life; <home>/service.pid names it; its status (pid, start time,
 * heartbeat, running jobs) is in the store (store.h, mg_store_service_save),
 * rewritten every few seconds.
 * The shell's side (status, start, stop) is service_client.c; the process
 * (mg_service_main) is service_daemon.c.
 * Logs: <home>/logs/service.log (background) or stderr (foreground).
 *
 * Launch: mg_service_ensure_running() runs "<exe> --service" (exe: $MIGSH_SERVICE_EXE,
 * else /proc/self/exe) with
 * MIGSH_HOME=<home> in the environment, in a new session, stdin from
 * /dev/null, stdout/stderr appended to logs/service.log.  main() hands
 * "--service [--foreground]" to mg_service_main(home, foreground).
 * SIGTERM/SIGINT: cancel running jobs (their users are resumed next start),
 * exit 0.
 */
#ifndef MIGSH_ENGINE_SERVICE_H
#define MIGSH_ENGINE_SERVICE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "common/err.h"

/* Run the service for home until SIGTERM/SIGINT (or mg_service_stop).
 * foreground: log to stderr (systemd); else to <home>/logs/service.log.
 * Returns the process exit status (0 ok, 1 error; 3 another instance runs). */
int mg_service_main(const char *home, bool foreground);

/* Start the service for home unless it runs; waits (up to ~5 s) until it
 * holds its lock.  0 ok (running), -1 could not start (err says why). */
int mg_service_ensure_running(const char *home, mg_err *err);

typedef struct mg_service_info {
	bool    running;
	pid_t   pid;                 /* 0 when not running */
	int64_t started;             /* epoch seconds, 0 unknown */
	int64_t heartbeat;           /* last status write */
	long    active_initial;      /* users in initial sync now */
	long    active_incremental;  /* users in incremental/final sync now */
	char    log_path[4096];
	char    home[4096];
} mg_service_info;

/* Is the service running for home?  Never starts it. */
int mg_service_status(const char *home, mg_service_info *out, mg_err *err);
/* Syncs running now for one endpoint (by name, case-insensitive) across all
 * batches: ActiveMigrationCount / ActiveIncrementalSyncCount of
 * Get-MigrationEndpoint.  Both 0 when the service does not run. */
int mg_service_endpoint_counts(const char *home, const char *endpoint,
                               long *initial, long *incremental, mg_err *err);
/* SIGTERM it and wait up to wait_seconds for it to exit (then SIGKILL).
 * 0 also when it was not running. */
int mg_service_stop(const char *home, int wait_seconds, mg_err *err);


#endif
