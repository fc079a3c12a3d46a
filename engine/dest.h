/*
 * dest.h - the destination interface of the sync engine: what the driver
 * (sync.c) may ask of wherever the messages go.  Each destination is a table
 * of operations (mg_dest_ops) over its own opaque state; the driver sees
 * nothing else.  Implementations: dest_maildir.c (a local Maildir++ tree),
 * dest_imap.c (a target IMAP account), and for the unit tests an in-memory
 * one (tests/unit/dest_mem.c).
 *
 * Every operation returns a scope, which is all the driver decides on:
 *   MG_DS_OK         done
 *   MG_DS_MESSAGE    this message only (no copy to look up, no flags to
 *                    set): the driver goes on with the next one
 *   MG_DS_FOLDER     this folder only: the destination refused its name
 *                    (folder_open: err->msg is the reason shown in the
 *                    report; the folder is skipped), or cannot rename it
 *                    (rename_folder: it is copied as a new one)
 *   MG_DS_DEST       the destination failed (connection, file system): the
 *                    pass fails; err says what, and err_class.h whether a
 *                    retry may help
 *   MG_DS_CANCELLED  the job was stopped meanwhile
 *
 * References: a copied message is known to the journal by a reference
 * string the destination makes (copy_chunk, lookup) and alone reads back
 * (set_flags, remove, hash_copies).  The driver stores and passes it, never
 * interprets it.  (Maildir: the file's base name; IMAP: the target UID in
 * decimal.)
 *
 * The journal contract (the crash-safety argument at the top of sync.c
 * relies on it):
 *  - a destination never writes an M record itself: copy_chunk collects
 *    what it stored (sync_copied) and calls sync_commit, which first calls
 *    durable() and only then appends and flushes the M records;
 *  - a destination whose write is not idempotent (IMAP APPEND) journals its
 *    own intent records before writing, and settles them in reconcile
 *    (before anything in the folder is copied) and settle (before the pass
 *    of the folder counts as done);
 *  - lookup finds a copy a crash left unjournalled, by the source identity
 *    alone, so the driver records it instead of copying it twice;
 *  - moves between folders (moves, optional): the driver (sync_moves.c)
 *    writes the pending file and every journal record of a move, and keeps
 *    the crash-safety argument of moves; the destination only checks,
 *    moves and removes copies.  For a destination whose move is not atomic
 *    (intents: IMAP) the driver journals the moved copy as an intent of the
 *    new folder before the move, so that folder's reconcile and settle
 *    treat it like an interrupted append.
 */
#ifndef MIGSH_ENGINE_DEST_H
#define MIGSH_ENGINE_DEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "engine/folder_map.h"
#include "engine/sync.h"

typedef enum mg_dscope {
	MG_DS_OK = 0,
	MG_DS_MESSAGE,
	MG_DS_FOLDER,
	MG_DS_DEST,
	MG_DS_CANCELLED,
} mg_dscope;

struct sctx;   /* the sync of one user (sync_internal.h) */
struct fctx;   /* the pass over one folder (sync_internal.h) */
struct item;   /* one source message (sync_internal.h) */

typedef struct mg_dest mg_dest;

/* a folder the source has subscribed, by its destination components */
typedef struct mg_dest_folder_ref { char *const *comps; size_t n; } mg_dest_folder_ref;

/* One message to move between two folders of the destination (a move at
 * the source, sync_moves.c). */
typedef struct mg_dest_move {
	const char *ref;        /* in: its copy in the old folder (journal reference) */
	uint32_t    uid;        /* in: its source uid in the new folder */
	int64_t     date;       /* in: its INTERNALDATE */
	const char *flags;      /* in: its flags (normalized, space-separated) */
	char       *new_ref;    /* out of move: the copy's reference in the new folder
	                         * (malloc'd; NULL: unknown, B's pass settles it) */
	char        hash[72];   /* out of prepare (intents): content hash of the copy */
	bool        drop;       /* cannot be moved (copy missing, refused): copied instead */
} mg_dest_move;

/* Moving copies between folders (sync_moves.c has the order and the
 * crash-safety argument; these are only the destination's steps).  A
 * destination without them (moves NULL) never moves: the message is copied
 * into its new folder and the old copy handled as a deletion. */
typedef struct mg_dest_move_ops {
	/* the move cannot predict the new reference and is not atomic: prepare
	 * fills *mark, *uidv and each hash, and the driver journals intents in
	 * the new folder's journal before move (IMAP); false: planned_ref gives
	 * the new reference beforehand (Maildir) */
	bool intents;
	/* a message can move within one folder (a new uid of the same folder) */
	bool same_folder;
	/* Message-IDs (sync_msgid_of) of the copies refs[0..n) of folder comps into
	 * mids[] (NULL where unknown; caller frees). */
	mg_dscope (*message_ids)(mg_dest *d, struct sctx *x, char *const *comps, size_t nc,
	                         char *const *refs, size_t n, char **mids, mg_err *err);
	/* Before anything is written: drop the moves whose copy is not there (or
	 * cannot move); the new folder b is created when missing.  Intents: the
	 * hashes, and b's UIDNEXT (*mark) and UIDVALIDITY (*uidv).  uidv_a: the
	 * destination UIDVALIDITY a's journal mapped the copies under. */
	mg_dscope (*prepare)(mg_dest *d, struct sctx *x, const mg_folder_plan *a, const mg_folder_plan *b,
	                     uint32_t uidv_a, mg_dest_move *v, size_t n, uint32_t *mark, uint32_t *uidv,
	                     mg_err *err);
	/* (not intents) the reference the copy of source uid in b will have
	 * (malloc'd); src_uidv_b: b's source UIDVALIDITY */
	char     *(*planned_ref)(mg_dest *d, const mg_folder_plan *b, uint32_t src_uidv_b, uint32_t uid,
	                         int64_t date);
	/* Move v[] (not dropped) durably; set new_ref of each moved one.  A
	 * refusal is not a failure: the moves concerned stay unmoved. */
	mg_dscope (*move)(mg_dest *d, struct sctx *x, const mg_folder_plan *a, const mg_folder_plan *b,
	                  uint32_t src_uidv_b, uint32_t dst_uidv_b, mg_dest_move *v, size_t n, mg_err *err);
	/* Remove the copy ref left in folder comps (settling a stopped move),
	 * durably; OK when it is gone already or no longer ours (dst_uidv: the
	 * destination UIDVALIDITY it was mapped under). */
	mg_dscope (*remove_one)(mg_dest *d, struct sctx *x, char *const *comps, size_t nc, uint32_t dst_uidv,
	                        const char *ref, mg_err *err);
	/* (not intents; may be NULL) is the copy ref in folder comps? */
	mg_dscope (*has)(mg_dest *d, struct sctx *x, char *const *comps, size_t nc, const char *ref,
	                 bool *yes, mg_err *err);
} mg_dest_move_ops;

typedef struct mg_dest_ops {
	const char *kind;       /* "maildir", "imap", "memory" (log lines only) */

	/* Connect / open.  Fills d->sep, d->max_name_bytes and d->role_name (the
	 * folder mapper's rules).  Called again after close (a retried pass). */
	mg_dscope (*open)(mg_dest *d, struct sctx *x, mg_err *err);
	/* Disconnect; d stays usable for another open.  May be called when not open. */
	void      (*close)(mg_dest *d);
	/* Free d->state (after close). */
	void      (*free)(mg_dest *d);

	/* The folder f->fp at the destination: create it when missing, select
	 * it; sets f->dfolder.  FOLDER: the name was refused (err->msg the
	 * reason).  Never copies anything. */
	mg_dscope (*folder_open)(struct fctx *f, mg_err *err);
	/* Before anything of the folder is copied: settle what a stopped run
	 * left pending (the journal's intents).  Afterwards the journal holds
	 * no pending intent. */
	mg_dscope (*reconcile)(struct fctx *f, mg_err *err);
	/* Copy chunk[0..n) (fetching the bodies with sync_fetch_bodies), each
	 * stored one with sync_copied, then sync_commit.  A message the
	 * destination refuses is reported (sync_fskip) and not copied.  With
	 * f->rescan a message with the content of an orphan (sync_find_orphan)
	 * is mapped to that copy (sync_copied(..., matched)) instead. */
	mg_dscope (*copy_chunk)(struct fctx *f, struct item **chunk, size_t n, mg_err *err);
	/* Set the flags (normalized, space-separated) of the copy ref.
	 * MESSAGE: the copy is not there (or cannot be addressed): not carried. */
	mg_dscope (*set_flags)(struct fctx *f, const char *ref, const char *flags, mg_err *err);
	/* Make every write to the folder so far durable. */
	mg_dscope (*durable)(struct fctx *f, mg_err *err);
	/* A complete copy of it that a stopped run stored but did not journal:
	 * OK and *ref (caller frees), or MESSAGE when there is none. */
	mg_dscope (*lookup)(struct fctx *f, const struct item *it, char **ref, mg_err *err);
	/* Content hashes (sync_hash_*) of the copies refs[0..n) into out[];
	 * "missing" for one that is not there (rescan after a source
	 * UIDVALIDITY change). */
	mg_dscope (*hash_copies)(struct fctx *f, const char *const *refs, size_t n, char (*out)[72],
	                         mg_err *err);
	/* Remove the copies refs[0..n) (deletion sync), durably.  gone[i] is set
	 * when copy i is gone (removed, or was not there); false when it cannot
	 * be addressed.  FOLDER: the destination refused (err says why), nothing
	 * removed. */
	mg_dscope (*remove)(struct fctx *f, const char *const *refs, size_t n, bool *gone, mg_err *err);
	/* At the end of the folder's pass, before it counts as done (late
	 * copies of interrupted writes; what the folder could not hold is
	 * reported). */
	mg_dscope (*settle)(struct fctx *f, mg_err *err);
	/* Release f->dfolder (also after a failure). */
	void      (*folder_close)(struct fctx *f);

	/* Rename a folder (renamed at the source).  OK: renamed, or found
	 * already renamed by a stopped run; FOLDER: it cannot be (then it is
	 * copied as a new folder). */
	mg_dscope (*rename_folder)(mg_dest *d, struct sctx *x, char *const *from, size_t nf,
	                           char *const *to, size_t nt, mg_err *err);
	/* Subscribe exactly what the source subscribed among the migrated
	 * folders (the destination decides whether to drop others). */
	mg_dscope (*subscribe)(mg_dest *d, struct sctx *x, const mg_dest_folder_ref *v, size_t n,
	                       mg_err *err);
	/* Moving copies between folders (issue 14); NULL: not supported. */
	const mg_dest_move_ops *moves;
} mg_dest_ops;

struct mg_dest {
	const mg_dest_ops *ops;
	void   *state;                           /* the implementation's */
	/* the folder mapper's rules, filled by open */
	char    sep;                             /* separator of destination names */
	size_t  max_name_bytes;
	const char *role_name[MG_ROLE_COUNT];    /* special folders (NULL: the default) */
	char   *describe;                        /* "TargetMailbox" of the statistics */
};

/* The destination a job names (dest_kind): dest_maildir or dest_imap.
 * Nothing is opened yet.  mg_dest_free releases it (closing it first). */
int  mg_dest_for_job(const mg_sync_job *job, mg_dest *d, mg_err *err);
void mg_dest_free(mg_dest *d);

int  mg_dest_maildir_init(const mg_sync_job *job, mg_dest *d, mg_err *err);
int  mg_dest_imap_init(const mg_sync_job *job, mg_dest *d, mg_err *err);

/* The sync of one user into an already initialized destination (mg_sync_mailbox
 * is this with mg_dest_for_job; the unit tests pass their own). */
int  mg_sync_mailbox_to(const mg_sync_job *job, mg_dest *d, mg_sync_stats *stats, mg_err *err);

#endif
