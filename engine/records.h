/*
 * records.h - the control plane's records: migration endpoint, batch, user
 * and config, with every field the Exchange objects (cmdlets/objects.c) need,
 * plus Exchange's batch and user status enums.
 *
 * Plain data, owned by whoever created it (mg_*_free).  Strings are malloc'd
 * UTF-8 or NULL; lists are NULL-terminated malloc'd arrays of malloc'd strings
 * (free with mg_strv_free_all) or NULL.  Times are epoch seconds UTC, 0 = never.
 *
 * Secrets: mg_endpoint.admin_password and mg_user.password are the only
 * secrets.  They are stored only in 0600 files, never printed, never logged;
 * cmdlets must not put them into shell objects.
 */
#ifndef MIGSH_ENGINE_RECORDS_H
#define MIGSH_ENGINE_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "net/conn.h"

#define MG_UNLIMITED (-1LL)            /* value of an "Unlimited" limit */
#define MG_GUID_LEN 36                 /* xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx */

/* ---- batch status (section 9.1) ---- */
typedef enum mg_batch_status {
	MG_BS_CREATED = 0,
	MG_BS_STARTING,
	MG_BS_SYNCING,
	MG_BS_STOPPING,
	MG_BS_STOPPED,
	MG_BS_SYNCED,
	MG_BS_SYNCED_WITH_ERRORS,
	MG_BS_INCREMENTAL_SYNCING,
	MG_BS_COMPLETING,
	MG_BS_COMPLETED,
	MG_BS_COMPLETED_WITH_ERRORS,
	MG_BS_FAILED,
	MG_BS_REMOVING,
	MG_BS_CORRUPTED,
	MG_BS_WAITING,
	MG_BS__COUNT
} mg_batch_status;

/* The names of the statuses, indexed by the enum, NULL-terminated: the one
 * place they are spelled (Get-MigrationBatch -Status takes these). */
extern const char *const mg_batch_status_names[];
const char *mg_batch_status_name(mg_batch_status s);          /* "SyncedWithErrors" */
int mg_batch_status_parse(const char *s, mg_batch_status *out); /* case-insensitive; 0 ok, -1 unknown */

/* ---- user status (section 9.2) ---- */
typedef enum mg_user_status {
	MG_US_QUEUED = 0,          /* in a running batch, waiting for a slot */
	MG_US_VALIDATING,
	MG_US_STARTING,
	MG_US_PROVISIONING,
	MG_US_PROVISION_UPDATING,
	MG_US_SYNCING,             /* initial copy running */
	MG_US_SYNCED,              /* initial (or an incremental) copy done */
	MG_US_INCREMENTAL_SYNCING,
	MG_US_INCREMENTAL_SYNCED,
	MG_US_COMPLETING,          /* final sync running (Complete-MigrationBatch) */
	MG_US_COMPLETION_SYNCED,
	MG_US_COMPLETED,
	MG_US_FAILED,              /* validation or initial sync failed */
	MG_US_INCREMENTAL_FAILED,  /* a later sync failed */
	MG_US_COMPLETION_FAILED,   /* the final sync failed */
	MG_US_COMPLETED_WITH_WARNINGS,
	MG_US_CORRUPTED,           /* its record could not be read */
	MG_US_STOPPING,
	MG_US_STOPPED,             /* batch stopped, or batch never started */
	MG_US_INCREMENTAL_STOPPED,
	MG_US_REMOVING,
	MG_US__COUNT
} mg_user_status;

extern const char *const mg_user_status_names[];
const char *mg_user_status_name(mg_user_status s);
int mg_user_status_parse(const char *s, mg_user_status *out);

/* StatusSummary: what a user's status comes to. */
typedef enum mg_status_summary {
	MG_SS_ACTIVE = 0, MG_SS_COMPLETED, MG_SS_FAILED, MG_SS_STOPPED, MG_SS_SYNCED, MG_SS__COUNT
} mg_status_summary;
extern const char *const mg_status_summary_names[];  /* "Active" "Completed" "Failed" "Stopped" "Synced" */
mg_status_summary mg_user_status_summary_of(mg_user_status s);
/* Its name: mg_status_summary_names[mg_user_status_summary_of(s)]. */
const char *mg_user_status_summary(mg_user_status s);

/* ---- DataConsistencyScore (rule in consistency.h) ---- */
typedef enum mg_consistency {
	MG_DCS_PERFECT = 0, MG_DCS_GOOD, MG_DCS_INVESTIGATE, MG_DCS_POOR
} mg_consistency;
const char *mg_consistency_name(mg_consistency c);             /* "Perfect" ... */
int mg_consistency_parse(const char *s, mg_consistency *out);

/* ---- migration endpoint (section 12.2) ---- */
typedef enum mg_target_login {
	MG_TLOGIN_AUTHZID = 0,   /* AUTHENTICATE PLAIN authzid=EmailAddress authcid=admin (default) */
	MG_TLOGIN_MASTER  = 1    /* LOGIN "<EmailAddress><sep><admin>" (Dovecot master user, sep '*') */
} mg_target_login;

typedef struct mg_endpoint {
	char       *name;                        /* identity; unique, case-insensitive */
	char        guid[MG_GUID_LEN + 1];
	char       *endpoint_type;               /* "IMAP" */
	char       *remote_server;
	int         port;                        /* default 993 */
	mg_security security;                    /* default Ssl */
	mg_auth     authentication;              /* default Basic */
	bool        accept_untrusted;            /* AcceptUntrustedCertificates */
	long long   max_concurrent_migrations;   /* default 100; MG_UNLIMITED */
	long long   max_concurrent_incremental;  /* default 20;  MG_UNLIMITED */
	/* extension, for target endpoints: admin credentials */
	char       *admin_user;                  /* NULL = none */
	char       *admin_password;              /* SECRET */
	mg_target_login target_login;            /* how to log in as each user */
	char       *master_separator;            /* for MG_TLOGIN_MASTER; NULL = "*" */
	int64_t     created;                     /* CreationDateTime */
} mg_endpoint;

mg_endpoint *mg_endpoint_new(const char *name);   /* defaults above, fresh Guid, created = now */
mg_endpoint *mg_endpoint_dup(const mg_endpoint *e);
void mg_endpoint_free(mg_endpoint *e);            /* wipes the password */
/* Fill conn params (borrowing strings from e). */
void mg_endpoint_conn_params(const mg_endpoint *e, mg_conn_params *out);

/* ---- migration batch (section 12.1) ---- */
typedef struct mg_batch {
	char       *name;                        /* identity; unique, case-insensitive, <= 64 chars */
	char        guid[MG_GUID_LEN + 1];       /* BatchGuid */
	mg_batch_status status;
	char       *message;                     /* batch-level Message (why Failed/Corrupted), or NULL */
	char       *source_endpoint;             /* endpoint name */
	char       *target_endpoint;             /* extension: endpoint name; NULL = local store */
	char      **exclude_folders;             /* ExcludedFolders; NULL-terminated or NULL */
	char      **include_folders;
	char       *content_filter;              /* as typed, e.g. "Received -gt '8/23/2020'"; NULL = none */
	char       *content_filter_language;
	char      **notification_emails;
	long long   report_interval;             /* seconds; default 86400; 0 = never */
	bool        skip_reports;
	bool        sync_deletions;              /* migsh extension -SyncDeletions (off by default) */
	bool        allow_unknown_columns;       /* AllowUnknownColumnsInCsv */
	long long   bad_item_limit;              /* MG_UNLIMITED (default, = record only) or N */
	long long   large_item_limit;            /* MG_UNLIMITED (default) or N */
	bool        bad_item_limit_set;          /* given explicitly (display) */
	bool        large_item_limit_set;
	int64_t     start_after;                 /* StartAfter (UTC), 0 = none */
	int64_t     complete_after;              /* CompleteAfter (UTC), 0 = none */
	char       *time_zone;                   /* default "UTC" */
	bool        auto_start;
	bool        auto_complete;               /* accepted, no effect for IMAP */
	char       *submitted_by;                /* SubmittedByUser ($USER) */
	int64_t     created;                     /* CreationDateTime */
	int64_t     started;                     /* StartDateTime (last Start) */
	int64_t     initial_synced;              /* InitialSyncDateTime */
	long long   initial_sync_duration;       /* seconds from Start to Synced */
	int64_t     last_synced;                 /* LastSyncedDateTime */
	int64_t     finalized;                   /* FinalizedDateTime (Completed) */
	int64_t     last_report;                 /* when reports were last written */
	/* pending requests, set by cmdlets, cleared by the service */
	bool        req_sync_now;                /* Set-MigrationBatch -SyncNow */
	bool        req_update;                  /* Set-MigrationBatch -Update */
	/* stop/complete/remove are expressed by status (Stopping/Completing/Removing) */
} mg_batch;

mg_batch *mg_batch_new(const char *name);        /* Created, defaults, fresh Guid, created = now */
mg_batch *mg_batch_dup(const mg_batch *b);
void mg_batch_free(mg_batch *b);

/* ---- migration user (sections 12.3 / 12.4) ---- */
typedef struct mg_user {
	char       *email;                       /* EmailAddress = Identity; unique across batches (case-insensitive) */
	char        guid[MG_GUID_LEN + 1];       /* Guid / RequestGuid */
	char       *batch;                       /* BatchId (batch name) */
	char       *user_name;                   /* CSV UserName, untouched (admin forms pass through) */
	char       *password;                    /* SECRET: CSV Password */
	char       *user_root;                   /* CSV UserRoot or NULL */
	long        csv_line;                    /* line in the CSV it came from (reports) */
	mg_user_status status;
	char       *error;                       /* Error: last error message, or NULL */
	char       *error_summary;               /* ErrorSummary (short form) */
	char       *error_category;              /* category name of the last error (mg_err_category_name), or NULL */
	bool        validation_failed;           /* failed CSV validation: never synced */
	/* statistics (cumulative over passes unless noted) */
	long long   synced_items;                /* SyncedItemCount */
	long long   skipped_items;               /* SkippedItemCount */
	long long   total_in_source;             /* TotalItemsInSourceMailboxCount */
	long long   bytes_in_source;             /* EstimatedTotalTransferSize */
	long long   bytes_transferred;           /* BytesTransferred (cumulative) */
	long long   items_large, items_bad, items_filtered, items_excluded, items_over_limit;
	long long   keywords_lost;               /* messages stored without some keywords, all passes */
	/* moves and deletions at the source (issue 14; migsh extras) */
	long long   items_deleted_at_source;     /* copied, then deleted at the source: removed at the
	                                            destination (all passes) plus still kept there */
	long long   items_deleted_at_dest;       /* ... of them removed at the destination (-SyncDeletions) */
	long long   items_moved;                 /* moved between folders at the source, moved at the
	                                            destination too (all passes) */
	long long   folders_total, folders_synced;
	long long   last_pass_copied;            /* items copied in the last pass */
	long long   last_pass_flags;             /* flag changes carried in the last pass */
	long long   passes;                      /* completed sync passes */
	bool        initial_done;                /* the initial sync finished once */
	int64_t     queued_at;                   /* when it became Queued */
	int64_t     sync_started;                /* start of the current/last pass */
	int64_t     sync_finished;               /* end of the last pass */
	int64_t     last_successful_sync;        /* LastSuccessfulSyncTime */
	int64_t     next_sync_due;               /* next incremental sync (0 = interval after last) */
	long long   queued_seconds;              /* TotalQueuedDuration */
	long long   in_progress_seconds;         /* TotalInProgressDuration */
	long long   synced_seconds;              /* TotalSyncedDuration */
	long long   stalled_seconds;             /* TotalStalledDuration */
	char       *target_mailbox;              /* TargetMailbox (extension): Maildir path or target account */
	mg_consistency consistency;              /* DataConsistencyScore */
	bool        skipped_approved;            /* -ApproveSkippedItems: all skipped so far approved */
	long long   approved_skipped_count;      /* how many were approved */
	int64_t     start_after;                 /* Set-MigrationUser -StartAfter (UTC), 0 = the batch's */
	int64_t     complete_after;              /* Set-MigrationUser -CompleteAfter (UTC), recorded only */
} mg_user;

mg_user *mg_user_new(const char *email, const char *batch); /* Stopped, fresh Guid */
mg_user *mg_user_dup(const mg_user *u);
void mg_user_free(mg_user *u);                   /* wipes the password */
/* HasUnapprovedSkippedItems */
bool mg_user_has_unapproved_skipped(const mg_user *u);
/* PercentageComplete 0..100 */
int mg_user_percent_complete(const mg_user *u);

/* One skipped item as stored (mirrors engine/sync.h mg_skipped_item). */
typedef struct mg_skipped_rec {
	char     *folder;
	uint32_t  uid;
	char     *subject;
	long long size;
	int64_t   date;       /* DateReceived */
	char     *kind;       /* LargeItem BadItem OverItemLimit Filtered FolderNameInvalid FolderExcluded TargetRejected */
	char     *reason;
} mg_skipped_rec;
void mg_skipped_recs_free(mg_skipped_rec *v, size_t n);

/* Counts of a batch, derived from its users (section 12.1). */
typedef struct mg_batch_counts {
	long long total;                 /* TotalCount */
	long long active;                /* ActiveCount (StatusSummary Active) */
	long long stopped;               /* StoppedCount */
	long long synced;                /* SyncedCount */
	long long finalized;             /* FinalizedCount (Completed) */
	long long failed;                /* FailedCount */
	long long failed_initial;        /* FailedInitialSyncCount */
	long long failed_incremental;    /* FailedIncrementalSyncCount */
	long long pending;               /* PendingCount (Queued) */
	long long completed_with_warning;
	long long items_synced, items_skipped, items_total; /* sums, for progress */
	long long bytes_total, bytes_done;  /* EstimatedTotalTransferSize, BytesTransferred (at most the total) */
} mg_batch_counts;
void mg_batch_counts_compute(mg_user *const *users, size_t n, mg_batch_counts *out);

/* ---- config (section 12.5) ---- */
typedef struct mg_config {
	long long max_batches;                 /* MaxNumberOfBatches, default 100 */
	long long max_concurrent_migrations;   /* MaxConcurrentMigrations, default 300 (all endpoints) */
	long long incremental_sync_interval;   /* seconds, default 86400 (tests may use seconds) */
	long long service_poll_ms;             /* service poll period, default 500 */
	long long progress_write_seconds;      /* min seconds between progress writes, default 2 */
} mg_config;
void mg_config_defaults(mg_config *c);
/* CanSubmitNewBatch: fewer than max_batches batches exist. */
bool mg_config_can_submit(const mg_config *c, size_t n_batches);

/* ---- helpers ---- */
void mg_guid_new(char out[MG_GUID_LEN + 1]);     /* random (v4) */
char **mg_strv_dup(char *const *v);              /* NULL -> NULL */
size_t mg_strv_len(char *const *v);
void mg_strv_free_all(char **v);
int64_t mg_now(void);                            /* time(NULL) */

#endif
