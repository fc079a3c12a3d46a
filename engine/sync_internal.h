/*
 * sync_internal.h - shared between the sync engine's files (sync.c, the
 * driver; sync_util.c, helpers; the destinations behind engine/dest.h:
 * dest_maildir.c, dest_imap.c; the source behind engine/source.h:
 * source_imap.c).  Not a public API.
 */
#ifndef MIGSH_ENGINE_SYNC_INTERNAL_H
#define MIGSH_ENGINE_SYNC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <openssl/evp.h>
#include "common/err.h"
#include "engine/dest.h"
#include "engine/folder_map.h"
#include "engine/source.h"
#include "engine/sync.h"
#include "engine/sync_filter.h"
#include "engine/sync_journal.h"
#include "net/imap_client.h"

#define CHUNK_MSGS   500
#define CHUNK_BYTES  (64LL << 20)

/* ------------------------------------------------------------ types --- */

typedef struct item {
	uint32_t  uid;
	uint64_t  size;
	int64_t   date;
	int       tz;
	char     *flags;       /* normalized */
	mg_item_verdict v;
} item;

typedef struct fstats {
	long long in_source, bytes, synced, large, bad, filtered, over;
	long long unreadable;     /* listed by EXISTS but never given by the server (after a re-read) */
	mg_skipped_item *sk; size_t n_sk, cap_sk;
} fstats;

typedef struct sctx {
	const mg_sync_job *job;
	mg_sync_stats *st;
	mg_source *src;           /* where the messages come from (engine/source.h): its folders,
	                             separator and prefix once open */
	mg_dest   *dest;          /* where the messages go (engine/dest.h) */
	bool       dest_open;     /* dest->ops->open succeeded (until disconnect) */
	char     **done; size_t n_done, cap_done;
	long long  items_taken;
	long long  bad_total, large_total;
	/* the mailbox-wide item limit (plan_cutoff): 0 not computed yet, 1 the
	 * mailbox is within it, 2 items after `cut` are over it */
	int        cut_state;
	mg_item_key cut;
	uint32_t   cur_folder;    /* position in the plan of the folder being copied */
	time_t     last_progress;
	bool       renames_checked;  /* sync_follow_renames ran */
	bool       counted;       /* sync_count_mailbox ran: count_items holds its total */
	long long  count_items;
} sctx;

typedef struct hasher { EVP_MD_CTX *c; } hasher;

typedef struct meta_acc {
	item *v; size_t n, cap;
	long long bad_flags;      /* damaged flags the server sent, dropped (reported per folder) */
	uint32_t  bad_uid;        /* the first message with one */
	char     *bad_flag;       /* that flag, escaped for the report */
	size_t    conflicts;      /* uids repeated with another size or date (sort_meta) */
} meta_acc;

typedef struct done_rec { uint32_t uid; char *dest; bool matched; } done_rec;

typedef struct fctx {
	sctx *x;
	const mg_folder_plan *fp;
	mg_journal *j;
	fstats fs;
	item *items; size_t n_items;
	uint32_t uidvalidity;
	void *dfolder;            /* the destination's state of this folder (folder_open) */
	char (*ohash)[72];        /* content hashes of the journal's orphans ("" = not asked) */
	/* stored by the destination in the current chunk, not yet journalled */
	done_rec *dn; size_t n_dn, cap_dn;
	bool rescan;              /* orphans exist: match by content before copying */
	long long matched;        /* re-mapped to existing copies (rescan) */
} fctx;

/* sync_util.c */
void  sync_hash_start(hasher *h);
void  sync_hash_add(hasher *h, const void *p, size_t n);
void  sync_hash_end(hasher *h, char out[72]);
void  sync_hash_free(hasher *h);
void  sync_slog(sctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool  sync_cancelled(const sctx *x);
void  sync_progress(sctx *x, bool force);
void  sync_add_skip(mg_skipped_item **v, size_t *n, size_t *cap, const char *folder, uint32_t uid,
                    long long size, int64_t date, const char *kind, const char *reason);
void  sync_fskip(fstats *fs, const char *folder, const item *it, const char *kind, const char *reason);
/* Text for a stored record from server bytes: printable UTF-8, anything else as "\xNN". */
char *sync_safe_text(const char *s);
void  sync_skip_free(mg_skipped_item *s);
char *sync_imap_date(int64_t t, int tz);
int   sync_meta_cb(void *arg, const mg_imap_msg_meta *m);
int   sync_cmp_item_uid(const void *a, const void *b);
void  sync_items_free(item *v, size_t n);
item *sync_find_item(item *v, size_t n, uint32_t uid);
void  sync_dn_clear(fctx *f);
void  sync_bad_missing(fctx *f, uint32_t uid, const char *reason);
/* the body callbacks' `missing`: arg is the fctx */
void  sync_body_missing(void *arg, uint32_t uid, const char *reason);

/* for the destinations (engine/dest.h) */
/* the destination stored source message uid as ref (matched: an existing copy) */
void  sync_copied(fctx *f, uint32_t uid, const char *ref, bool matched);
/* durable(), then the M records of what sync_copied collected, flushed */
mg_dscope sync_commit(fctx *f, mg_err *err);
/* the bodies of uids[0..n) from the source folder being copied */
int   sync_fetch_bodies(fctx *f, const uint32_t *uids, const uint64_t *sizes, size_t n,
                        const mg_imap_body_cb *cb, mg_err *err);
/* Index of the orphan with this size and content hash (f->ohash), or -1. */
long  sync_find_orphan(fctx *f, uint64_t size, const char *hash);
/* Map uid to orphan i's copy (flags set when they differ); collected like sync_copied. */
mg_dscope sync_use_orphan(fctx *f, const item *it, size_t i, mg_err *err);
/* scope of a failed call that returned -1: cancelled or the destination */
mg_dscope sync_fail_scope(fctx *f);
/* a scope as the 0/-1 of a driver function (CANCELLED fills err) */
int   sync_scope_rc(sctx *x, mg_dscope sc, mg_err *err);

/* sync_skipset.c: what the last complete pass of a folder did not copy */
char *sync_skipset_path(const char *journal_path);
/* 0 loaded, 1 unknown (no file, other UIDVALIDITY), -1 error; *uids sorted */
int   sync_skipset_load(const char *path, uint32_t uidvalidity, uint32_t **uids, size_t *n, mg_err *err);
int   sync_skipset_save(const char *path, uint32_t uidvalidity, uint32_t *uids, size_t n, mg_err *err);
/* the next piece of a sorted uid list as an IMAP set of about max_len bytes; NULL at the end */
char *sync_uidset_next(const uint32_t *uids, size_t n, size_t *pos, size_t max_len);

/* sync_subscribe.c: subscribe at the destination what the source subscribed */
int   sync_subscriptions(sctx *x, const mg_folder_plan *plans, size_t np, mg_err *err);

/* The STATUS answers of one planning step (sync.c), one slot per folder
 * plan: the count takes them and the move check, a few milliseconds later
 * in the same step, reads them instead of asking the server again (the
 * same command: it was half of what a first sync of a small mailbox sent).
 * have[i]: st[i] holds plans[i]'s answer.  Owned by the step. */
typedef struct sync_status_memo {
	mg_imap_mbox_status *st;
	bool *have;
} sync_status_memo;

/* sync_count.c: STATUS every folder to migrate, before copying (progress
 * totals); each answer is kept in memo */
int   sync_count_mailbox(sctx *x, const mg_folder_plan *plans, size_t np, sync_status_memo *memo,
                         mg_err *err);

/* sync_rename.c: the journal of a source folder; folders renamed at the source */
char *sync_journal_path(const mg_sync_job *job, const char *wire);
int   sync_follow_renames(sctx *x, const mg_fmap_opts *o, const mg_folder_plan *plans, size_t np,
                          mg_err *err);
/* ... the RFC 8474 MAILBOXID of the folders (OBJECTID), noted next to their
 * journals: of those not noted yet (end of a pass), or one that changed */
int   sync_note_mailboxids(sctx *x, const mg_folder_plan *plans, size_t np, mg_err *err);
int   sync_note_mailboxid(sctx *x, const char *jpath, const char *mailboxid, mg_err *err);

/* sync_deletions.c: mapped messages gone from the source folder (all_fetched:
 * f->items holds every uid of the folder, else, unless the counts show none
 * is gone, one UID SEARCH ALL); exists: the folder's EXISTS */
int   sync_deletions(fctx *f, bool all_fetched, uint32_t exists, mg_err *err);
/* ... the mapped uids of journal j gone from source folder fp (EXAMINEs it;
 * none when its UIDVALIDITY changed); *gone malloc'd, sorted */
int   sync_gone_uids(sctx *x, const mg_folder_plan *fp, mg_journal *j, uint32_t **gone, size_t *ng,
                     mg_err *err);

/* sync_moves.c: messages moved between folders at the source are moved at
 * the destination (before the folders are copied; settled after them) */
int   sync_follow_moves(sctx *x, const mg_folder_plan *plans, size_t np, const sync_status_memo *memo,
                        mg_err *err);
int   sync_moves_settle(sctx *x, mg_err *err);
/* source uids of the folder with journal jpath whose move is not finished */
int   sync_moves_pending_uids(const sctx *x, const char *jpath, uint32_t **uids, size_t *n, mg_err *err);
/* the Message-ID of a header block (unfolded, no white space), NULL when
 * none (the destinations' message_ids use it too); a header-field fetch
 * callback filling mids[i] for uids[i] */
char *sync_msgid_of(const char *h, size_t len);
typedef struct mid_ctx { const uint32_t *uids; char **mids; size_t n; } mid_ctx;
void  sync_mid_cb(void *arg, uint32_t uid, const char *field, size_t len);

#endif
