/*
 * sync_moves_dest.h - what moving messages between folders (sync_moves.c)
 * needs from a destination: one move_ops per kind of destination
 * (sync_moves_dest.c: Maildir rename, IMAP UID MOVE), each taking only that
 * destination's handle from sctx, so they can become part of a destination
 * interface.  Not a public API.
 */
#ifndef MIGSH_ENGINE_SYNC_MOVES_DEST_H
#define MIGSH_ENGINE_SYNC_MOVES_DEST_H

#include "engine/sync_internal.h"

/* One move of a batch: in (source side), out (the new copy). */
typedef struct mv {
	size_t   ga, fb;       /* gone[] and fresh[] index */
	char    *da;           /* the copy in the old folder */
	char    *db;           /* the new copy (Maildir base / target uid), NULL until moved */
	char     hash[72];     /* target: SHA-256 of the copy (the intent in B) */
	bool     drop;         /* cannot be moved (the copy is missing): copied instead */
} mv;

typedef struct move_ops {
	/* Message-IDs of the copies dests[0..n) in the folder comps (NULL where unknown) */
	int (*message_ids)(sctx *x, char *const *comps, size_t nc, char *const *dests, size_t n,
	                   char **mids, mg_err *err);
	/* check the copies of v[] are there (drop the others); target: their hashes,
	 * *mark and *uidv of the new folder (created when missing) */
	int (*prepare)(sctx *x, const mg_folder_plan *a, const mg_folder_plan *b, uint32_t uidv_a,
	               mv *v, size_t n, uint32_t *mark, uint32_t *uidv, mg_err *err);
	/* move v[] (not dropped); fill db of each moved one (NULL: unknown) */
	int (*move)(sctx *x, const mg_folder_plan *a, const mg_folder_plan *b, uint32_t src_uidv_b,
	            uint32_t dst_uidv_b, const uint32_t *ub, const int64_t *date, const char *const *flags,
	            mv *v, size_t n, mg_err *err);
	/* remove a leftover copy in the folder comps (settle); none: nothing to do */
	int (*remove)(sctx *x, char *const *comps, size_t nc, uint32_t uidv, const char *dest, mg_err *err);
	/* settle, Maildir: is the base in the folder comps? */
	int (*has)(sctx *x, char *const *comps, size_t nc, const char *dest, bool *yes, mg_err *err);
} move_ops;

extern const move_ops sync_md_move_ops, sync_tgt_move_ops;

/* sync_moves.c: the Message-ID of a header block (unfolded, no white space),
 * NULL when none; a header-field fetch callback filling mids[i] for uids[i] */
char *sync_msgid_of(const char *h, size_t len);
typedef struct mid_ctx { const uint32_t *uids; char **mids; size_t n; } mid_ctx;
void  sync_mid_cb(void *arg, uint32_t uid, const char *field, size_t len);

#endif
