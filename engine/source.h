/*
 * source.h - the source interface of the sync engine: the read-only
 * operations the driver (sync.c and its helpers) asks of the mailbox it
 * copies from.  A table of operations (mg_source_ops) over an opaque state,
 * like the destination's (engine/dest.h).  Implementation: source_imap.c
 * (the IMAP client, read-only: EXAMINE, BODY.PEEK).  The operations keep the
 * IMAP client's data types (status, metadata, body and subject callbacks):
 * they describe a mailbox, whatever serves it.  Each returns 0 / -1 (err
 * filled, err_class.h tells whether a retry may help), as the client does.
 */
#ifndef MIGSH_ENGINE_SOURCE_H
#define MIGSH_ENGINE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "engine/sync.h"
#include "net/imap_client.h"

struct sctx;
typedef struct mg_source mg_source;

typedef struct mg_source_ops {
	const char *kind;                         /* "imap" (log lines only) */
	/* Connect and list the folders: fills s->prefix, s->sep, s->list. */
	int   (*open)(mg_source *s, struct sctx *x, mg_err *err);
	/* Disconnect (best effort); s stays usable for another open. */
	void  (*close)(mg_source *s);
	void  (*free)(mg_source *s);
	int   (*status)(mg_source *s, const char *wire, mg_imap_mbox_status *st, mg_err *err);
	/* Open a folder read-only; later fetches and searches are in it. */
	int   (*examine)(mg_source *s, const char *wire, mg_imap_mbox_status *st, mg_err *err);
	int   (*fetch_meta)(mg_source *s, const char *uid_set, uint64_t changedsince, mg_imap_meta_cb cb,
	                    void *arg, mg_err *err);
	int   (*fetch_bodies)(mg_source *s, const uint32_t *uids, const uint64_t *sizes, size_t n,
	                      const mg_imap_body_cb *cb, mg_err *err);
	int   (*fetch_subjects)(mg_source *s, const uint32_t *uids, size_t n, mg_imap_subject_cb cb,
	                        void *arg, mg_err *err);
	int   (*uid_search)(mg_source *s, const char *criteria, uint32_t **uids, size_t *n, mg_err *err);
	/* subscribed folders (wire names); the caller frees with mg_imap_lsub_free */
	int   (*lsub)(mg_source *s, const char *pattern, char ***wires, size_t *n, mg_err *err);
	/* the wire name of a folder name (caller frees) or NULL */
	char *(*mailbox_wire)(mg_source *s, const char *name, mg_err *err);
	bool  (*has_cap)(mg_source *s, const char *cap);
	/* header fields (space-separated names, e.g. "MESSAGE-ID") of uids[0..n)
	 * of the examined folder, as fetch_subjects delivers them (sync_moves.c) */
	int   (*fetch_header_fields)(mg_source *s, const uint32_t *uids, size_t n, const char *fields,
	                             mg_imap_subject_cb cb, void *arg, mg_err *err);
	/* QRESYNC (RFC 7162) is on (open enables it when offered) */
	bool  (*qresync)(mg_source *s);
	/* examine with (QRESYNC (uidvalidity modseq)): the status, and in
	 * *vanished (malloc'd) the uids expunged since modseq; none when the
	 * folder's UIDVALIDITY is not uidvalidity (compare st->uidvalidity) */
	int   (*examine_qresync)(mg_source *s, const char *wire, uint32_t uidvalidity, uint64_t modseq,
	                         mg_imap_mbox_status *st, uint32_t **vanished, size_t *nv, mg_err *err);
} mg_source_ops;

struct mg_source {
	const mg_source_ops *ops;
	void  *state;                 /* the implementation's */
	bool   open;                  /* open succeeded (until close) */
	/* filled by open */
	char  *prefix;                /* personal namespace prefix */
	char   sep;                   /* hierarchy separator */
	mg_imap_mailbox *list; size_t n_list;   /* the folders */
};

/* The IMAP source of a job (job->src, src_user, ...); nothing opened yet. */
int  mg_source_imap_init(const mg_sync_job *job, mg_source *s, mg_err *err);
/* close (when open), then free */
void mg_source_free(mg_source *s);

/* the operations, for the driver's files */
static inline int mg_source_status(mg_source *s, const char *wire, mg_imap_mbox_status *st, mg_err *err)
{ return s->ops->status(s, wire, st, err); }
static inline int mg_source_examine(mg_source *s, const char *wire, mg_imap_mbox_status *st, mg_err *err)
{ return s->ops->examine(s, wire, st, err); }
static inline int mg_source_fetch_meta(mg_source *s, const char *set, uint64_t changedsince, mg_imap_meta_cb cb,
                                    void *arg, mg_err *err)
{ return s->ops->fetch_meta(s, set, changedsince, cb, arg, err); }
static inline int mg_source_fetch_bodies(mg_source *s, const uint32_t *uids, const uint64_t *sizes, size_t n,
                                      const mg_imap_body_cb *cb, mg_err *err)
{ return s->ops->fetch_bodies(s, uids, sizes, n, cb, err); }
static inline int mg_source_fetch_subjects(mg_source *s, const uint32_t *uids, size_t n, mg_imap_subject_cb cb,
                                        void *arg, mg_err *err)
{ return s->ops->fetch_subjects(s, uids, n, cb, arg, err); }
static inline int mg_source_uid_search(mg_source *s, const char *criteria, uint32_t **uids, size_t *n, mg_err *err)
{ return s->ops->uid_search(s, criteria, uids, n, err); }
static inline int mg_source_lsub(mg_source *s, const char *pattern, char ***wires, size_t *n, mg_err *err)
{ return s->ops->lsub(s, pattern, wires, n, err); }
static inline char *mg_source_mailbox_wire(mg_source *s, const char *name, mg_err *err)
{ return s->ops->mailbox_wire(s, name, err); }
static inline bool mg_source_has_cap(mg_source *s, const char *cap)
{ return s->ops->has_cap(s, cap); }
static inline int mg_source_fetch_header_fields(mg_source *s, const uint32_t *uids, size_t n, const char *fields,
                                             mg_imap_subject_cb cb, void *arg, mg_err *err)
{ return s->ops->fetch_header_fields(s, uids, n, fields, cb, arg, err); }
static inline bool mg_source_qresync(mg_source *s)
{ return s->ops->qresync(s); }
static inline int mg_source_examine_qresync(mg_source *s, const char *wire, uint32_t uidvalidity, uint64_t modseq,
                                         mg_imap_mbox_status *st, uint32_t **vanished, size_t *nv, mg_err *err)
{ return s->ops->examine_qresync(s, wire, uidvalidity, modseq, st, vanished, nv, err); }

#endif
