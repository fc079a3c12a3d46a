/*
 * sync.h - the data plane: copy one user's mailbox from a source IMAP
 * server to a destination (local Maildir++ tree or target IMAP account),
 * exactly, resumably, read-only on the source.
 *
 * The control plane (batches, users, the service) builds an mg_sync_job per
 * user and calls mg_sync_mailbox() from a worker; it knows nothing about
 * folders or UIDs.  The sync module keeps its own per-folder state under
 * job->state_dir and decides initial vs. incremental from it.
 */
#ifndef MIGSH_ENGINE_SYNC_H
#define MIGSH_ENGINE_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include "common/err.h"
#include "net/conn.h"

#define MG_LARGE_ITEM_BYTES (35LL * 1024 * 1024)  /* Exchange: messages over 35 MB are skipped */
#define MG_MAX_ITEMS_PER_MAILBOX 500000           /* newest first; the rest reported */

struct mg_sync_stats;

typedef enum mg_dest_kind { MG_DEST_MAILDIR = 0, MG_DEST_IMAP = 1 } mg_dest_kind;

/* -ContentFilter on the received (internal) date: all conditions must hold. */
typedef enum mg_cmp { MG_CMP_GT, MG_CMP_GE, MG_CMP_LT, MG_CMP_LE, MG_CMP_EQ } mg_cmp;
typedef struct mg_date_cond { mg_cmp op; int64_t when; /* epoch seconds UTC */ } mg_date_cond;

typedef struct mg_sync_job {
	/* source */
	const mg_conn_params *src;
	const char *src_user;          /* login name exactly as in the CSV (admin formats pass through) */
	const char *src_password;      /* never logged */
	const char *src_userroot;      /* CSV UserRoot or NULL */
	/* destination */
	mg_dest_kind dest_kind;
	const char *maildir_root;      /* MG_DEST_MAILDIR: this user's Maildir++ root (created if missing) */
	const mg_conn_params *dst;     /* MG_DEST_IMAP */
	const char *dst_user;          /* MG_DEST_IMAP: login (e.g. "user*admin"), or admin authcid when dst_authz set */
	const char *dst_password;
	const char *dst_authz;         /* MG_DEST_IMAP: PLAIN authorization identity (the EmailAddress) or NULL */
	/* state: per-folder sync state and journals for this user (0700, created if missing) */
	const char *state_dir;
	/* selection (names as the admin typed them; see the man page for matching rules) */
	const char *const *include_folders;  /* NULL-terminated or NULL = all */
	const char *const *exclude_folders;  /* NULL-terminated or NULL */
	const mg_date_cond *date_conds; size_t n_date_conds;
	long long large_item_bytes;    /* 0 = MG_LARGE_ITEM_BYTES */
	long long max_items;           /* 0 = MG_MAX_ITEMS_PER_MAILBOX */
	long long bad_item_limit;      /* -1 = unlimited; user fails when exceeded */
	long long large_item_limit;    /* -1 = unlimited (default); user fails when exceeded */
	int  max_retries;              /* transient failures in a row without progress retried with backoff
	                                  (common/err_class.h decides what is transient); 0 = default (5) */
	bool sync_deletions;           /* remove the destination copy of a message deleted at the
	                                  source (only copies this sync made); off by default */
	/* control */
	volatile sig_atomic_t *cancel; /* non-NULL: stop soon (consistent state) when *cancel != 0 */
	void (*progress)(void *arg, const struct mg_sync_stats *st); /* called now and then, may be NULL */
	void *progress_arg;
	void (*log)(void *arg, const char *line);  /* per-user report lines (no secrets), may be NULL */
	void *log_arg;
} mg_sync_job;

typedef struct mg_skipped_item {
	char   *folder;
	uint32_t uid;
	char   *subject;    /* decoded Subject, may be NULL */
	long long size;
	int64_t date;       /* internal date */
	char   *kind;       /* "LargeItem" "BadItem" "OverItemLimit" "Filtered" "FolderNameInvalid" "FolderExcluded" "TargetRejected" */
	char   *reason;
} mg_skipped_item;

typedef struct mg_sync_stats {
	bool      incremental;          /* this pass was incremental */
	long long folders_total;        /* folders seen at the source */
	long long folders_synced;
	long long items_in_source;      /* TotalItemsInSourceMailboxCount */
	long long items_synced;         /* messages present at the destination from us (cumulative) */
	long long items_copied;         /* copied in this pass */
	long long flags_updated;        /* flag changes carried in this pass */
	long long keywords_lost;        /* messages stored without some keywords (Maildir: 26 per folder) */
	long long items_skipped;        /* every skipped kind together */
	long long items_large, items_bad, items_filtered, items_over_limit, items_excluded;
	long long bytes_in_source;
	long long bytes_transferred;    /* this pass */
	int64_t   started, finished;    /* epoch seconds */
	mg_skipped_item *skipped; size_t n_skipped, cap_skipped;
	char     *dest_mailbox;         /* TargetMailbox: Maildir path or target account */
	/* counted before anything is copied (STATUS of every folder to migrate), so
	 * progress has its total from the start; bytes only when the server offers
	 * STATUS=SIZE (else 0) */
	long long items_expected, bytes_expected;
	long long items_in_progress;    /* at the destination so far in the folder being copied */
	long long items_deleted_at_source; /* copied earlier, gone from the source (this pass) */
	long long items_expunged;       /* ... and removed at the destination (sync_deletions) */
	long long items_moved;          /* moved to another folder at the source and moved at the
	                                   destination too, not copied again (sync_moves) */
} mg_sync_stats;

/* 0: done (possibly with skipped items); -1: the user failed, err says why
 * (MGC_AUTH for bad credentials, MGC_CONNECTION after retries, MGC_LIMIT when
 * BadItemLimit/LargeItemLimit was exceeded, MGC_STOPPED when cancelled). */
int  mg_sync_mailbox(const mg_sync_job *job, mg_sync_stats *stats, mg_err *err);
void mg_sync_stats_free(mg_sync_stats *st);

#endif
