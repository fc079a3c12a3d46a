/*
 * sync.c - the data plane driver: mg_sync_mailbox() copies one user's
 * folders from the source IMAP server (read-only: EXAMINE, UID FETCH
 * BODY.PEEK[]) to a destination - a Maildir++ tree or a target IMAP
 * account, seen here only through the interface of engine/dest.h - and on
 * later passes carries new messages and flag changes.
 *
 * CRASH SAFETY (why SIGKILL at any instant leaves nothing missing and
 * nothing duplicated)
 *
 * State: one journal per source folder (sync_journal.c).  A record counts
 * only when complete with a valid CRC; a torn tail is cut off at the next
 * open.  So after a crash the journal says exactly what was flushed, and
 * "M uid -> dest" is flushed only AFTER the destination copy is durable.
 * Therefore: a message the journal maps is at the destination (nothing
 * missing), and every message at the destination that the journal does not
 * map is found again before anything is copied twice (nothing duplicated).
 *
 * Who does what.  The driver (this file and sync_util.c) owns the journal's
 * M, F, V, S and X records; a destination (engine/dest.h) owns the bytes at
 * the destination and any records of its own (the IMAP target's D, P, I,
 * Z, W, Y), and the `dest` of an M record is its reference, which the
 * driver never reads.  The first half of the argument holds for every
 * destination because M records are written in one place, sync_commit,
 * and only after the destination's durable() returned OK for the copies it
 * collected; F records only after durable() too (carry_flags); X only after
 * remove() said the copy is gone.  The second half ("found again") is each
 * destination's duty, by one of two means: lookup() finds a copy by the
 * source identity alone (the driver records it instead of copying: take_
 * unjournalled), or the destination journals its intent before a write that
 * is not idempotent and settles it in reconcile() - called before anything
 * in the folder is copied - and settle() - before the pass of the folder
 * counts as done (S record).  How the two destinations do it:
 *
 * Maildir destination (dest_maildir.c).  The file name is a pure function of the source
 * identity: BASE = date.mg<hash(source folder)>-<UIDVALIDITY>-<UID>.migsh.
 * A message is written to tmp/BASE, its mtime set, then renamed into
 * cur/BASE,S=<size>:2,<flags>; rename is atomic, so cur/ holds only complete
 * files.  After a group of messages, one syncfs() makes the group durable,
 * and only then are their M records appended and fdatasync'ed.  A crash
 * before the journal flush leaves files the journal does not know; the next
 * pass wants to copy them again, looks up BASE in the folder index, finds a
 * complete file (size matches: lookup) and records it instead of writing a second
 * copy; even if it did re-copy, the same BASE replaces the earlier file
 * (rename over it and unlink the old flag variant).  Files in tmp/ are never
 * visible as mail.  Flag changes are renames of the same BASE (the old and the
 * new name can never both exist), journalled after the group's syncfs.
 *
 * IMAP destination (dest_imap.c).  lookup() finds nothing (a target UID is
 * not a function of the source identity).  APPEND is not idempotent, so
 * intent is journalled first:
 * before each group of APPENDs the journal gets P <target UIDNEXT> and one
 * I record per message (source uid, size, date, SHA-256 of the bytes), and is
 * fdatasync'ed.  After the server's OK (its durable() is a no-op: the OK is
 * the server's promise) sync_commit writes the M record (with the APPENDUID
 * uid) for each group of APPENDs.  A crash between the intent and the M record leaves I records.
 * The next pass, before copying anything in that folder, SELECTs the target
 * folder and checks its UIDVALIDITY is the one recorded (folder_open); then
 * (reconcile):
 *  1. every pending intent becomes a watch (W record: size, hash, P, time),
 *     journalled before anything else is decided;
 *  2. it waits until the folder is quiet (UIDNEXT unchanged for 1.5 s), fetches
 *     every target message with UID >= P that the journal does not map and
 *     whose size equals an intent's, hashes it and maps the intents it finds;
 *     the others are copied again; Z clears the intents.
 * Step 2 alone is not enough: the dead run's server session may still hold
 * an APPEND it has received (or is still receiving: bytes in its socket
 * buffer or in a proxy) and store it later - seconds later on a busy server,
 * a MULTIAPPEND lands all at once, so no quiet period can prove it will not
 * come.  Such a late copy is ours: it is a copy of a watched intent (same
 * size and SHA-256, which covers Message-ID, date and bytes), it has a target
 * UID >= the watch's P (UIDs only grow), and no M record maps it (the
 * journal maps exactly one target UID per copied message, and APPENDUID
 * gives it).  So at the end of every pass of the folder - before the pass
 * counts as done (S record) and again on every later pass while watches
 * remain - settle() fetches the unmapped target messages with UID >=
 * the lowest P and a watched size, hashes them, and removes exactly those
 * with a watched hash: UID STORE +FLAGS (\Deleted), then UID EXPUNGE (UIDPLUS)
 * of those UIDs only, so nothing migsh did not append is touched (a user's
 * own \Deleted messages stay).  Wherever the late copy lands - before the
 * reconcile fetch (mapped there, so not copied again), between that and the
 * re-copy, after the re-copy, or after this pass (the next pass removes it) -
 * the folder ends with one mapped copy per message: nothing duplicated; and
 * since only unmapped copies are removed, nothing missing.  A crash in the
 * sweep between STORE and EXPUNGE leaves \Deleted unmapped copies that the
 * next sweep finds again.  A watch is retired by the first sweep that starts
 * 15 minutes after the append was seen unconfirmed (the dead connection is
 * gone by then: its bytes reached the server or were dropped with it), or
 * when the target folder is recreated.  Without UIDPLUS (or when a server
 * sent no APPENDUID: dest 0) the journal lacks target UIDs, so late copies
 * cannot be told from ours: the sweep says so in the log and removes nothing.  Statistics count confirmed APPENDs
 * (items_copied) and mapped messages (items_synced); a removed late copy was
 * never counted.  Reconcile runs before a changed source UIDVALIDITY is
 * applied, so reconciled copies take part in the rescan below like any other.
 *
 * UIDVALIDITY change at the source: the journal's mapped messages become
 * orphans (V record); each message of the new incarnation is fetched and
 * hashed, and when an orphan with the same size and content hash exists
 * (Message-ID, date and bytes are all inside the hash) it is re-mapped to the
 * existing copy instead of being copied again (the destination hashes its
 * copies: hash_copies; the driver compares).  Crash in the middle: M
 * records written so far remove their orphans at replay, the rest is redone.
 *
 * Cancel (job->cancel) is checked between messages; a stop mid-group leaves
 * the same state as a crash, which the argument above covers.
 *
 * Speed: metadata with one UID FETCH 1:* per folder (on later passes with
 * CONDSTORE only new UIDs and CHANGEDSINCE the last HIGHESTMODSEQ), bodies
 * with the client's pipelined UID FETCH, written straight to the destination
 * file (Maildir) or, for an IMAP target, kept in memory when small (up to
 * 1 MiB each, 32 MiB per chunk) and otherwise spooled to a file in chunks, so
 * memory does not grow with message size; APPENDs go out as MULTIAPPEND
 * batches when offered (all covered by the intent records written before the
 * first one); durability per group (one syncfs per up to 500 messages /
 * 64 MiB).  Skipped messages get their Subject from one header-only fetch
 * per folder (BODY.PEEK[HEADER.FIELDS (SUBJECT)], never the body).
 *
 * Files: sync.c (this driver: connections, retries, folders, per-folder
 * pass, flags), dest.h (the destination interface), dest_maildir.c and
 * dest_imap.c (the two destinations, over maildir_store.c and
 * imap_target.c; dest.c picks one for a job), sync_util.c (helpers, and
 * sync_commit, the one writer of M records), folder_map.c (which
 * folders, and their destination names),
 * sync_journal.c (per-folder state), sync_filter.c (filters and limits),
 * sync_skipset.c (what a folder's last pass did not copy, looked at again by
 * every incremental pass so the statistics describe the mailbox),
 * sync_subscribe.c (the source's subscriptions, after each complete pass),
 * sync_count.c (the mailbox counted first, for progress), sync_rename.c
 * (folders renamed at the source are renamed at the destination),
 * sync_deletions.c (messages gone from the source: counted, and with
 * deletion sync removed at the destination), sync_moves.c (messages moved
 * between folders at the source: moved at the destination, with its own
 * crash-safety argument).
 */
#include "config.h"
#include "engine/sync_internal.h"
#include "common/err_class.h"
#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static bool is_done(sctx *x, const char *key)
{
	for (size_t i = 0; i < x->n_done; i++)
		if (strcmp(x->done[i], key) == 0)
			return true;
	return false;
}

static void mark_done(sctx *x, const char *key)
{
	GROW(x->done, x->cap_done, x->n_done + 1);
	x->done[x->n_done++] = xstrdup(key);
}

/* ------------------------------------------------------------ meta ---- */

/* ---- flags ---- */

static int carry_flags(fctx *f, mg_err *err)
{
	sctx *x = f->x;
	long long n = 0;
	for (size_t i = 0; i < f->n_items; i++) {
		item *it = &f->items[i];
		mg_jmsg *m = mg_journal_find(f->j, it->uid);
		if (!m || strcmp(m->flags, it->flags) == 0)
			continue;
		mg_err e;
		mg_err_clear(&e);
		mg_dscope sc = x->dest->ops->set_flags(f, m->dest, it->flags, &e);
		if (sc == MG_DS_MESSAGE) {
			sync_slog(x, "folder '%s': %s; flags not carried", f->fp->name, e.msg);
			continue;
		}
		if (sc != MG_DS_OK) {
			mg_err_copy(err, &e);
			return sync_scope_rc(x, sc, err);
		}
		mg_journal_set_flags(f->j, it->uid, it->flags);
		n++;
		if ((n % 256) == 0 && sync_cancelled(x))
			break;
	}
	if (n && x->dest->ops->durable(f, err) != MG_DS_OK)
		return -1;
	if (mg_journal_flush(f->j, err) < 0)
		return -1;
	x->st->flags_updated += n;
	return 0;
}

/* ---- one folder ---- */

static void merge_fstats(sctx *x, fstats *fs)
{
	mg_sync_stats *st = x->st;
	st->items_in_source += fs->in_source;
	st->bytes_in_source += fs->bytes;
	st->items_synced += fs->synced;
	st->items_large += fs->large;
	st->items_bad += fs->bad + fs->unreadable;   /* unreadable: not counted against BadItemLimit */
	st->items_filtered += fs->filtered;
	st->items_over_limit += fs->over;
	st->items_skipped += fs->large + fs->bad + fs->filtered + fs->over + fs->unreadable;
	x->bad_total += fs->bad;
	x->large_total += fs->large;
	for (size_t i = 0; i < fs->n_sk; i++) {
		sync_slog(x, "skipped %s in '%s': uid %" PRIu32 ", %lld bytes: %s", fs->sk[i].kind,
		     fs->sk[i].folder, fs->sk[i].uid, fs->sk[i].size, fs->sk[i].reason);
		GROW(st->skipped, st->cap_skipped, st->n_skipped + 1);
		st->skipped[st->n_skipped++] = fs->sk[i];
	}
	free(fs->sk);
	memset(fs, 0, sizeof *fs);
	st->items_in_progress = 0;
}

/* ---- subjects of skipped messages ---- */

#define SUBJECT_MAX 256       /* bytes kept per skipped message */

typedef struct subj_ix { uint32_t uid; size_t i; } subj_ix;
typedef struct subj_ctx { fstats *fs; subj_ix *ix; size_t n; } subj_ctx;

static int cmp_subj_ix(const void *a, const void *b)
{
	uint32_t x = ((const subj_ix *)a)->uid, y = ((const subj_ix *)b)->uid;
	return x < y ? -1 : x > y;
}

static void subj_cb(void *arg, uint32_t uid, const char *field, size_t len)
{
	subj_ctx *s = arg;
	subj_ix key = { uid, 0 };
	subj_ix *hit = bsearch(&key, s->ix, s->n, sizeof *s->ix, cmp_subj_ix);
	if (!hit)
		return;
	while (hit > s->ix && hit[-1].uid == uid)
		hit--;
	char *raw = mg_mime_decode_subject(field, len, SUBJECT_MAX);
	if (!raw)
		return;
	char *subj = sync_safe_text(raw);     /* other charsets stay raw: keep the record loadable */
	free(raw);
	bool used = false;
	for (; hit < s->ix + s->n && hit->uid == uid; hit++) {
		mg_skipped_item *sk = &s->fs->sk[hit->i];
		if (sk->subject)
			continue;
		sk->subject = used ? xstrdup(subj) : subj;
		used = true;
	}
	if (!used)
		free(subj);
}

/* Fill in the Subject of the folder's skipped messages that have none yet
 * (large, over the limit, unreadable at the source): one header-only fetch
 * per batch of uids on the examined source folder, never the bodies.  Best
 * effort: a failure only leaves subjects empty (and a dead connection is
 * noticed by the next command). */
static void fill_subjects(sctx *x, fctx *f)
{
	fstats *fs = &f->fs;
	subj_ctx s = { fs, NULL, 0 };
	for (size_t i = 0; i < fs->n_sk; i++)
		if (!fs->sk[i].subject && fs->sk[i].uid)
			s.n++;
	if (!s.n || sync_cancelled(x))
		return;
	s.ix = xmalloc(s.n * sizeof *s.ix);
	uint32_t *uids = xmalloc(s.n * sizeof *uids);
	size_t k = 0;
	for (size_t i = 0; i < fs->n_sk; i++)
		if (!fs->sk[i].subject && fs->sk[i].uid) {
			s.ix[k] = (subj_ix){ fs->sk[i].uid, i };
			uids[k++] = fs->sk[i].uid;
		}
	qsort(s.ix, s.n, sizeof *s.ix, cmp_subj_ix);
	mg_err e;
	mg_err_clear(&e);
	if (mg_source_fetch_subjects(x->src, uids, s.n, subj_cb, &s, &e) < 0)
		sync_slog(x, "folder '%s': subjects of skipped messages not read: %s", f->fp->name, e.msg);
	free(uids);
	free(s.ix);
}

/* Read the folder's metadata into ma: everything, or with CONDSTORE on a
 * later pass only what is new (uid >= the UIDNEXT of the last complete pass)
 * and what changed since its HIGHESTMODSEQ.  A pass that left bad items
 * records modseq 0, so the next pass looks at everything again.  Damaged
 * flags the server sent are reported here (they were dropped). */
static int read_meta(sctx *x, fctx *f, bool cs, const mg_imap_mbox_status *ss, meta_acc *ma,
                     const uint32_t *skuids, size_t n_skuids, mg_err *err)
{
	int mrc = 0;
	if (ss->exists && !cs) {
		mrc = mg_source_fetch_meta(x->src, "1:*", 0, sync_meta_cb, ma, err);
	} else if (ss->exists) {
		char set[48];
		if (ss->uidnext > f->j->uidnext) {
			snprintf(set, sizeof set, "%" PRIu32 ":*", f->j->uidnext);
			mrc = mg_source_fetch_meta(x->src, set, 0, sync_meta_cb, ma, err);
			size_t q = 0;   /* "N:*" also returns the last message when N > every uid */
			for (size_t i = 0; i < ma->n; i++) {
				if (ma->v[i].uid < f->j->uidnext)
					free(ma->v[i].flags);
				else
					ma->v[q++] = ma->v[i];
			}
			ma->n = q;
		}
		if (mrc == 0 && ss->highestmodseq != f->j->modseq && f->j->uidnext > 1) {
			snprintf(set, sizeof set, "1:%" PRIu32, f->j->uidnext - 1);
			mrc = mg_source_fetch_meta(x->src, set, f->j->modseq, sync_meta_cb, ma, err);
		}
		/* ... and what the last pass did not copy, looked at again */
		for (size_t pos = 0; mrc == 0 && pos < n_skuids;) {
			char *part = sync_uidset_next(skuids, n_skuids, &pos, 4000);
			mrc = mg_source_fetch_meta(x->src, part, 0, sync_meta_cb, ma, err);
			free(part);
		}
	}
	if (ma->bad_flags)
		sync_slog(x, "folder '%s': %lld damaged flag(s) dropped, the messages are copied without them "
		          "(uid %" PRIu32 " has '%s'; a flag may not contain a NUL, a control or an 8-bit byte)",
		          f->fp->name, ma->bad_flags, ma->bad_uid, ma->bad_flag);
	free(ma->bad_flag);
	ma->bad_flag = NULL;
	ma->bad_flags = 0;
	if (mrc < 0) {
		sync_items_free(ma->v, ma->n);
		memset(ma, 0, sizeof *ma);
	}
	return mrc;
}

/* Sort by uid and keep one entry per uid (a broken server repeats some);
 * ma->conflicts counts uids repeated with another size or date.  Returns
 * the number kept. */
static size_t sort_meta(meta_acc *ma)
{
	if (ma->n)
		qsort(ma->v, ma->n, sizeof *ma->v, sync_cmp_item_uid);
	size_t k = 0;
	ma->conflicts = 0;
	for (size_t i = 0; i < ma->n; i++) {
		if (k && ma->v[k - 1].uid == ma->v[i].uid) {
			if (ma->v[k - 1].size != ma->v[i].size || ma->v[k - 1].date != ma->v[i].date)
				ma->conflicts++;
			free(ma->v[i].flags);
			continue;
		}
		ma->v[k++] = ma->v[i];
	}
	ma->n = k;
	return k;
}

/* Before a chunk is copied: a message a stopped run stored at the
 * destination but did not journal is recorded as it is (its flags set),
 * not copied twice.  The others are moved to the front: *n becomes their
 * number. */
static mg_dscope take_unjournalled(fctx *f, item **chunk, size_t *n, mg_err *err)
{
	const mg_dest_ops *d = f->x->dest->ops;
	size_t k = 0;
	for (size_t i = 0; i < *n; i++) {
		item *it = chunk[i];
		char *ref = NULL;
		mg_dscope sc = d->lookup(f, it, &ref, err);
		if (sc == MG_DS_OK)
			sc = d->set_flags(f, ref, it->flags, err);
		if (sc == MG_DS_OK)
			sync_copied(f, it->uid, ref, false);
		free(ref);
		if (sc == MG_DS_MESSAGE) {
			mg_err_clear(err);
			chunk[k++] = it;      /* not there: copy it */
		} else if (sc != MG_DS_OK) {
			sync_dn_clear(f);
			return sc;
		}
	}
	*n = k;
	return sync_commit(f, err);
}

/* The content hashes of the orphans with the size of a message to copy
 * (the others cannot match; their hash stays ""). */
static int hash_orphans(fctx *f, item **todo, size_t n_todo, mg_err *err)
{
	mg_journal *j = f->j;
	f->ohash = xcalloc(j->n_orphans ? j->n_orphans : 1, 72);
	const char **refs = xmalloc((j->n_orphans ? j->n_orphans : 1) * sizeof *refs);
	size_t *at = xmalloc((j->n_orphans ? j->n_orphans : 1) * sizeof *at);
	size_t nr = 0;
	for (size_t i = 0; i < j->n_orphans; i++) {
		bool want = false;
		for (size_t k = 0; k < n_todo && !want; k++)
			want = (long long)todo[k]->size == j->orphans[i].size;
		if (want) {
			refs[nr] = j->orphans[i].dest;
			at[nr++] = i;
		}
	}
	char (*h)[72] = xcalloc(nr ? nr : 1, 72);
	mg_dscope sc = nr ? f->x->dest->ops->hash_copies(f, refs, nr, h, err) : MG_DS_OK;
	for (size_t i = 0; sc == MG_DS_OK && i < nr; i++)
		memcpy(f->ohash[at[i]], h[i], 72);
	free(h);
	free(at);
	free(refs);
	return sync_scope_rc(f->x, sc, err);
}

/* 0 done, 1 the destination refused the folder's name (err says why), -1 failed */
static int do_folder(sctx *x, const mg_folder_plan *fp, mg_err *err)
{
	const mg_sync_job *job = x->job;
	fctx f;
	memset(&f, 0, sizeof f);
	f.x = x;
	f.fp = fp;
	int rc = -1;
	char *skpath = NULL;
	uint32_t *skuids = NULL;
	size_t n_skuids = 0;
	char *jpath = sync_journal_path(job, fp->wire);

	mg_imap_mbox_status ss;
	if (mg_source_examine(x->src, fp->wire, &ss, err) < 0)
		goto out;
	if (mg_journal_open(jpath, &f.j, err) < 0)
		goto out;
	if (f.j->dropped_bytes)
		sync_slog(x, "folder '%s': sync journal had a torn end (%zu bytes, from an interrupted run); "
		     "recovered", fp->name, f.j->dropped_bytes);
	mg_journal_set_folder(f.j, fp->name);

	/* destination folder; first settle what a stopped run left pending
	 * there (under the destination's folder identity it was made with) */
	const mg_dest_ops *d = x->dest->ops;
	mg_dscope sc = d->folder_open(&f, err);
	if (sc == MG_DS_FOLDER) {
		rc = 1;   /* run_pass reports the folder and goes on */
		goto out;
	}
	if (sc == MG_DS_OK)
		sc = d->reconcile(&f, err);
	if (sc != MG_DS_OK) {
		sync_scope_rc(x, sc, err);
		goto out;
	}

	/* source UIDVALIDITY: a new one turns the mapped copies into orphans */
	if (f.j->uidvalidity && f.j->uidvalidity != ss.uidvalidity)
		sync_slog(x, "folder '%s': UIDVALIDITY changed (%" PRIu32 " -> %" PRIu32 "); matching the %zu "
		     "existing copies by content instead of copying again", fp->name, f.j->uidvalidity,
		     ss.uidvalidity, f.j->n_msgs);
	mg_journal_set_uidvalidity(f.j, ss.uidvalidity);
	f.uidvalidity = ss.uidvalidity;
	if (mg_journal_flush(f.j, err) < 0)
		goto out;
	f.rescan = f.j->n_orphans > 0;

	/* metadata (read_meta), checked against EXISTS */
	meta_acc ma = { 0 };
	bool cs = !f.rescan && f.j->modseq && f.j->uidnext && ss.highestmodseq && !ss.nomodseq &&
	          mg_source_has_cap(x->src, "CONDSTORE");
	/* ... and what the last pass did not copy, looked at again (sync_skipset.c) */
	skpath = sync_skipset_path(jpath);
	if (cs) {
		int lrc = sync_skipset_load(skpath, ss.uidvalidity, &skuids, &n_skuids, err);
		if (lrc < 0)
			goto out;
		cs = lrc == 0;
	}
	size_t k = 0;
	uint32_t unread = 0;
	for (int reading = 0;; reading++) {
		if (read_meta(x, &f, cs, &ss, &ma, skuids, n_skuids, err) < 0)
			goto out;
		k = sort_meta(&ma);
		/* Consistency: a full read must list EXISTS distinct UIDs, each once
		 * (a repeat with another size or date is two messages under one UID).
		 * Fewer means a message the server did not give us: read the folder
		 * once more, and if it is still short, say so and count them as bad
		 * items (never a silent Perfect). */
		uint32_t missing = !cs && ss.exists > k ? ss.exists - (uint32_t)k : 0;
		uint32_t conflicts = (uint32_t)ma.conflicts;
		unread = missing > conflicts ? missing : conflicts;
		if (!unread)
			break;
		if (reading == 0) {
			sync_slog(x, "folder '%s': the server listed %zu distinct UIDs for %" PRIu32 " messages "
			          "(EXISTS)%s; reading the folder again", fp->name, k, ss.exists,
			          conflicts ? ", some UIDs twice with different contents" : "");
			sync_items_free(ma.v, ma.n);
			memset(&ma, 0, sizeof ma);
			if (mg_source_examine(x->src, fp->wire, &ss, err) < 0)
				goto out;
			continue;
		}
		char *why = xasprintf("the server's answers stay inconsistent: %" PRIu32 " messages (EXISTS) "
		                      "but %zu distinct UIDs%s; %" PRIu32 " message(s) could not be read",
		                      ss.exists, k, conflicts ? ", some UIDs twice with different contents" : "",
		                      unread);
		sync_slog(x, "WARNING: folder '%s': %s", fp->name, why);
		sync_fskip(&f.fs, fp->name, NULL, "BadItem", why);
		free(why);
		f.fs.unreadable += unread;
		f.fs.in_source += unread;
		break;
	}
	f.items = ma.v;
	f.n_items = k;
	if (sync_deletions(&f, !cs, ss.exists, err) < 0)   /* mapped messages gone from the source */
		goto out;

	/* classify */
	mg_item_in *in = xmalloc((k ? k : 1) * sizeof *in);
	mg_item_verdict *vd = xmalloc((k ? k : 1) * sizeof *vd);
	for (size_t i = 0; i < k; i++)
		in[i] = (mg_item_in){ f.items[i].uid, f.items[i].date, f.items[i].size };
	long long already = x->items_taken;
	if (cs) {      /* every mapped message counts against the limit, listed or not */
		size_t listed = 0;
		for (size_t i = 0; i < k; i++)
			listed += mg_journal_find(f.j, f.items[i].uid) != NULL;
		already += (long long)(f.j->n_msgs - listed);
	}
	mg_items_classify(in, k, job->date_conds, job->n_date_conds, job->large_item_bytes,
	                  x->cut_state == 2 ? LLONG_MAX : job->max_items, already, vd);
	for (size_t i = 0; x->cut_state == 2 && i < k; i++) {
		mg_item_key key = { in[i].date, x->cur_folder, in[i].uid };
		if (vd[i] == MG_ITEM_COPY && mg_item_key_cmp(&key, &x->cut) > 0)
			vd[i] = MG_ITEM_OVER_LIMIT;   /* older than the mailbox's newest max_items */
	}
	free(in);
	item **todo = xmalloc((k ? k : 1) * sizeof *todo);
	size_t n_todo = 0;
	long long lim = job->large_item_bytes > 0 ? job->large_item_bytes : MG_LARGE_ITEM_BYTES;
	for (size_t i = 0; i < k; i++) {
		item *it = &f.items[i];
		it->v = vd[i];
		bool mapped = mg_journal_find(f.j, it->uid) != NULL;
		if (mapped && cs)
			continue;      /* counted below with all mapped messages */
		f.fs.in_source++;
		f.fs.bytes += (long long)it->size;
		if (mapped) {
			f.fs.synced++;
			x->items_taken++;
			continue;
		}
		switch (it->v) {
		case MG_ITEM_FILTERED:
			f.fs.filtered++;
			break;
		case MG_ITEM_LARGE: {
			f.fs.large++;
			char *r = xasprintf("message of %" PRIu64 " bytes is larger than the limit of %lld bytes",
			                    it->size, lim);
			sync_fskip(&f.fs, fp->name, it, "LargeItem", r);
			free(r);
			break;
		}
		case MG_ITEM_OVER_LIMIT:
			f.fs.over++;
			sync_fskip(&f.fs, fp->name, it, "OverItemLimit",
			      "the mailbox has more items than the per-mailbox limit; the newest of the "
			      "whole mailbox were copied");
			break;
		case MG_ITEM_COPY:
			x->items_taken++;
			todo[n_todo++] = it;
			break;
		}
	}
	free(vd);
	if (cs) {
		f.fs.in_source = ss.exists;
		f.fs.synced += (long long)f.j->n_msgs;
		x->items_taken += (long long)f.j->n_msgs;
		for (size_t i = 0; i < f.j->n_msgs; i++)
			f.fs.bytes += f.j->msgs[i].size;
	}

	/* flag changes of messages copied earlier */
	if (carry_flags(&f, err) < 0) {
		free(todo);
		goto out;
	}
	/* rescan: the content of the orphans that may match a message to copy */
	if (f.rescan && hash_orphans(&f, todo, n_todo, err) < 0) {
		free(todo);
		goto out;
	}

	/* copy in chunks */
	for (size_t i = 0; i < n_todo;) {
		if (sync_cancelled(x)) {
			free(todo);
			rc = mg_err_set(err, MGC_STOPPED, "SyncStopped", "the sync was stopped");
			goto out;
		}
		size_t n = 0;
		long long bytes = 0;
		while (i + n < n_todo && n < CHUNK_MSGS && (n == 0 || bytes + (long long)todo[i + n]->size <= CHUNK_BYTES))
			bytes += (long long)todo[i + n++]->size;
		size_t left = n;
		sc = f.rescan ? MG_DS_OK : take_unjournalled(&f, todo + i, &left, err);
		if (sc == MG_DS_OK)
			sc = d->copy_chunk(&f, todo + i, left, err);
		if (sc != MG_DS_OK) {
			free(todo);
			if (sync_cancelled(x))
				sc = MG_DS_CANCELLED;
			sync_scope_rc(x, sc, err);
			goto out;
		}
		i += n;
		x->st->items_in_progress = f.fs.synced;
		sync_progress(x, false);
	}
	free(todo);
	if (sync_cancelled(x)) {
		rc = mg_err_set(err, MGC_STOPPED, "SyncStopped", "the sync was stopped");
		goto out;
	}
	if ((sc = d->settle(&f, err)) != MG_DS_OK) {   /* e.g. late copies of interrupted appends */
		sync_scope_rc(x, sc, err);
		goto out;
	}
	free(skuids);
	skuids = xmalloc((f.n_items ? f.n_items : 1) * sizeof *skuids);
	n_skuids = 0;
	for (size_t i = 0; i < f.n_items; i++)
		if (!mg_journal_find(f.j, f.items[i].uid))
			skuids[n_skuids++] = f.items[i].uid;
	if (sync_skipset_save(skpath, ss.uidvalidity, skuids, n_skuids, err) < 0)
		goto out;
	mg_journal_pass_done(f.j, ss.uidnext, f.fs.bad || f.fs.unreadable ? 0 : ss.highestmodseq);
	if (mg_journal_compact(f.j, false, err) < 0)
		goto out;
	char *dname = fp->n_comps ? mg_fmap_join(fp->comps, fp->n_comps, '/') : xstrdup("INBOX");
	sync_slog(x, "folder '%s' -> '%s': %lld in source, %lld at destination (%lld matched to "
	     "existing copies), %lld skipped", fp->name, dname, f.fs.in_source, f.fs.synced, f.matched,
	     f.fs.large + f.fs.bad + f.fs.filtered + f.fs.over + f.fs.unreadable);
	free(dname);
	fill_subjects(x, &f);
	merge_fstats(x, &f.fs);
	rc = 0;
out:
	if (rc != 0) {
		for (size_t i = 0; i < f.fs.n_sk; i++)
			sync_skip_free(&f.fs.sk[i]);
		free(f.fs.sk);
	}
	x->dest->ops->folder_close(&f);
	sync_dn_clear(&f);
	free(f.dn);
	sync_items_free(f.items, f.n_items);
	free(f.ohash);
	mg_journal_close(f.j);
	free(skuids);
	free(skpath);
	free(jpath);
	return rc;
}

/* ------------------------------------------------------------ pass ---- */

static void disconnect(sctx *x)
{
	if (x->src)
		x->src->ops->close(x->src);
	if (x->dest)
		x->dest->ops->close(x->dest);
	x->dest_open = false;
}

static bool plan_copied(const mg_folder_plan *fp)
{
	return fp->status != MG_FPLAN_NOSELECT && fp->status != MG_FPLAN_INVALID &&
	       fp->status != MG_FPLAN_EXCLUDED;
}

/* The per-mailbox item limit applies to the whole mailbox, newest first, as
 * in Exchange (not folder by folder in plan order).  Only when the folders
 * hold more messages than the limit (STATUS, one round trip each) are their
 * dates read (EXAMINE + FETCH of the metadata) to find the last item that is
 * still copied; do_folder marks everything after it OverItemLimit. */
static int plan_cutoff(sctx *x, const mg_folder_plan *plans, size_t np, mg_err *err)
{
	const mg_sync_job *job = x->job;
	if (x->cut_state)
		return 0;
	long long max = job->max_items > 0 ? job->max_items : MG_MAX_ITEMS_PER_MAILBOX;
	long long large = job->large_item_bytes > 0 ? job->large_item_bytes : MG_LARGE_ITEM_BYTES;
	long long total = x->counted ? x->count_items : 0;
	for (size_t i = 0; !x->counted && i < np && total <= max; i++) {
		mg_imap_mbox_status s;
		if (!plan_copied(&plans[i]))
			continue;
		if (mg_source_status(x->src, plans[i].wire, &s, err) < 0) {
			if (err->category != MGC_INVALIDOP)
				return -1;        /* the connection failed */
			mg_err_clear(err);    /* NO: do_folder reports the folder */
			continue;
		}
		total += s.exists;
	}
	x->cut_state = 1;
	if (total <= max)
		return 0;
	mg_item_key *keys = NULL;
	size_t nk = 0, cap = 0;
	for (size_t i = 0; i < np; i++) {
		mg_imap_mbox_status ss;
		meta_acc ma = { 0 };
		if (!plan_copied(&plans[i]))
			continue;
		if (mg_source_examine(x->src, plans[i].wire, &ss, err) < 0 ||
		    (ss.exists && mg_source_fetch_meta(x->src, "1:*", 0, sync_meta_cb, &ma, err) < 0)) {
			sync_items_free(ma.v, ma.n);
			free(ma.bad_flag);
			if (err->category != MGC_INVALIDOP) {
				free(keys);
				x->cut_state = 0;
				return -1;
			}
			mg_err_clear(err);
			continue;
		}
		for (size_t k = 0; k < ma.n; k++) {
			const item *it = &ma.v[k];
			if (!mg_date_conds_ok(job->date_conds, job->n_date_conds, it->date) ||
			    (long long)it->size > large)
				continue;      /* filtered and large items do not count */
			GROW(keys, cap, nk + 1);
			keys[nk++] = (mg_item_key){ it->date, (uint32_t)i, it->uid };
		}
		sync_items_free(ma.v, ma.n);
		free(ma.bad_flag);
	}
	if (mg_item_cutoff(keys, nk, max, &x->cut)) {
		x->cut_state = 2;
		sync_slog(x, "the mailbox holds %zu items, more than the limit of %lld: the newest %lld "
		          "across all folders are migrated, older ones are skipped as OverItemLimit",
		          nk, max, max);
	}
	free(keys);
	return 0;
}

/* A folder that is not migrated: count its messages (STATUS; never for a
 * damaged name, which would name another folder), report it as a skipped
 * item of `kind` with `reason`, and mark it done.  -1 only when the
 * connection failed. */
static int skip_folder(sctx *x, const mg_folder_plan *fp, const char *kind, const char *reason, mg_err *err)
{
	mg_sync_stats *st = x->st;
	long long cnt = 0;
	mg_imap_mbox_status s;
	if (fp->unsendable) {
		;
	} else if (mg_source_status(x->src, fp->wire, &s, err) == 0) {
		cnt = s.exists;
	} else if (err->category != MGC_INVALIDOP) {
		return -1;
	} else {
		mg_err_clear(err);    /* NO: count nothing */
	}
	st->items_excluded += cnt;   /* items in folders not migrated */
	char *why = xasprintf("%s; %lld items not migrated", reason, cnt);
	sync_add_skip(&st->skipped, &st->n_skipped, &st->cap_skipped, fp->name, 0, 0, 0, kind, why);
	sync_slog(x, "folder '%s' not migrated: %s", fp->name, why);
	free(why);
	mark_done(x, fp->wire);
	return 0;
}

static int run_pass(sctx *x, mg_err *err)
{
	const mg_sync_job *job = x->job;
	mg_sync_stats *st = x->st;
	if (!x->src->open && x->src->ops->open(x->src, x, err) < 0)
		return -1;
	if (!x->dest_open) {
		mg_dscope sc = x->dest->ops->open(x->dest, x, err);
		if (sc != MG_DS_OK)
			return sync_scope_rc(x, sc, err);
		x->dest_open = true;
	}
	mg_fmap_opts o;
	memset(&o, 0, sizeof o);
	o.prefix = x->src->prefix;
	o.src_sep = x->src->sep;
	o.userroot = job->src_userroot;
	o.include = job->include_folders;
	o.exclude = job->exclude_folders;
	static const char *const defaults[MG_ROLE_COUNT] = { NULL, NULL, "Sent", "Trash", "Junk",
	                                                     "Drafts", "Archive" };
	for (int r = 0; r < MG_ROLE_COUNT; r++)
		o.role_dest[r] = defaults[r];
	o.dst_sep = x->dest->sep;
	o.max_name_bytes = x->dest->max_name_bytes;
	for (int r = MG_ROLE_SENT; r < MG_ROLE_COUNT; r++)
		if (x->dest->role_name[r])
			o.role_dest[r] = x->dest->role_name[r];
	mg_folder_plan *plans;
	size_t np;
	if (mg_fmap_build(x->src->list, x->src->n_list, &o, &plans, &np, err) < 0)
		return -1;
	sync_status_memo memo = { xcalloc(np ? np : 1, sizeof *memo.st), xcalloc(np ? np : 1, sizeof *memo.have) };
	int rc = x->counted ? 0 : sync_count_mailbox(x, plans, np, &memo, err);
	if (rc == 0 && !x->renames_checked) {
		rc = sync_follow_renames(x, &o, plans, np, err);
		if (rc == 0)   /* issue 14 hook: messages moved between folders at the source (sync_moves.c) */
			rc = sync_follow_moves(x, plans, np, &memo, err);
		x->renames_checked = rc == 0;
	}
	free(memo.st);
	free(memo.have);
	if (rc == 0)
		rc = plan_cutoff(x, plans, np, err);
	st->folders_total = 0;
	for (size_t i = 0; i < np; i++)
		if (plans[i].status != MG_FPLAN_NOSELECT)
			st->folders_total++;
	for (size_t i = 0; i < np && rc == 0; i++) {
		const mg_folder_plan *fp = &plans[i];
		if (fp->status == MG_FPLAN_NOSELECT || is_done(x, fp->wire))
			continue;
		if (sync_cancelled(x)) {
			rc = mg_err_set(err, MGC_STOPPED, "SyncStopped", "the sync was stopped");
			break;
		}
		if (fp->status == MG_FPLAN_INVALID || fp->status == MG_FPLAN_EXCLUDED) {
			if (skip_folder(x, fp, fp->status == MG_FPLAN_INVALID ? "FolderNameInvalid" : "FolderExcluded",
			                fp->reason, err) < 0) {
				rc = -1;          /* the connection failed */
				break;
			}
			continue;
		}
		long long taken = x->items_taken;
		x->cur_folder = (uint32_t)i;
		rc = do_folder(x, fp, err);
		if (rc == 1) {        /* the destination refused the name: skip it, go on */
			char *why = xstrdup(err->msg);
			x->items_taken = taken;
			mg_err_clear(err);
			rc = skip_folder(x, fp, "FolderNameInvalid", why, err);
			free(why);
			if (rc < 0)
				break;
			continue;
		}
		if (rc < 0)
			x->items_taken = taken;   /* the folder is redone on retry */
		if (rc < 0 && err && err->category != MGC_STOPPED)
			mg_err_prefix(err, "folder '%s'", fp->name);
		if (rc == 0) {
			mark_done(x, fp->wire);
			st->folders_synced++;
			sync_progress(x, false);
			if (job->bad_item_limit >= 0 && x->bad_total > job->bad_item_limit)
				rc = mg_err_set(err, MGC_LIMIT, "BadItemLimitExceeded",
				                "%lld bad items exceed the BadItemLimit of %lld; see the skipped "
				                "items, then raise -BadItemLimit or accept the loss",
				                x->bad_total, job->bad_item_limit);
			else if (job->large_item_limit >= 0 && x->large_total > job->large_item_limit)
				rc = mg_err_set(err, MGC_LIMIT, "LargeItemLimitExceeded",
				                "%lld large items exceed the LargeItemLimit of %lld; raise "
				                "-LargeItemLimit to accept skipping them",
				                x->large_total, job->large_item_limit);
		}
	}
	if (rc == 0 && !sync_cancelled(x))   /* issue 14 hook: moves a stopped run began (sync_moves.c) */
		rc = sync_moves_settle(x, err);
	if (rc == 0 && !sync_cancelled(x))   /* issue 14 hook: MAILBOXIDs for renames (sync_rename.c) */
		rc = sync_note_mailboxids(x, plans, np, err);
	if (rc == 0 && !sync_cancelled(x))
		rc = sync_subscriptions(x, plans, np, err);
	mg_fmap_free(plans, np);
	return rc;
}

int mg_sync_mailbox(const mg_sync_job *job, mg_sync_stats *stats, mg_err *err)
{
	mg_dest d;
	mg_err e;
	mg_err_clear(&e);
	if (mg_dest_for_job(job, &d, &e) < 0) {
		stats->started = stats->finished = (int64_t)time(NULL);
		if (job->progress)
			job->progress(job->progress_arg, stats);
		mg_err_copy(err, &e);
		return -1;
	}
	int rc = mg_sync_mailbox_to(job, &d, stats, err);
	mg_dest_free(&d);
	return rc;
}

int mg_sync_mailbox_to(const mg_sync_job *job, mg_dest *dest, mg_sync_stats *stats, mg_err *err)
{
	sctx x;
	memset(&x, 0, sizeof x);
	x.job = job;
	x.st = stats;
	x.dest = dest;
	mg_source src;
	mg_source_imap_init(job, &src, NULL);
	x.src = &src;
	stats->started = (int64_t)time(NULL);
	int rc = -1, lockfd = -1;
	mg_err e;
	mg_err_clear(&e);
	if (!job->src || !job->state_dir) {
		mg_err_set(&e, MGC_INVALIDARG, "SyncJobIncomplete",
		           "the sync job lacks a source, a state directory or a destination");
		goto out;
	}
	free(stats->dest_mailbox);
	stats->dest_mailbox = xstrdup(dest->describe ? dest->describe : "");
	char *fdir = mg_path_join(job->state_dir, "folders");
	int mk = mg_mkdir_p(fdir, 0700, &e);
	free(fdir);
	if (mk < 0)
		goto out;
	char *lock = mg_path_join(job->state_dir, "sync.lock");
	lockfd = mg_lock_file(lock, 0, &e);
	free(lock);
	if (lockfd < 0)
		goto out;
	char *marker = mg_path_join(job->state_dir, "initial-sync-done");
	stats->incremental = access(marker, F_OK) == 0;
	int max_retries = job->max_retries > 0 ? job->max_retries : 5;
	long long progress = 0;   /* folders done + messages committed: a pass that moved on earns fresh retries */
	int fresh = 0;
	for (int attempt = 0;; attempt++) {
		mg_err_clear(&e);
		rc = run_pass(&x, &e);
		long long now_at = (long long)x.n_done + stats->items_copied;
		if (rc < 0 && now_at > progress && attempt > 0 && ++fresh <= 4 * max_retries)
			attempt = 0;      /* retries count failures in a row without progress (bounded) */
		progress = now_at;
		if (rc == 0 || sync_cancelled(&x) || !mg_err_retryable(&e) || attempt >= max_retries)
			break;
		int wait_s = 1 << (attempt < 5 ? attempt : 5);
		sync_slog(&x, "%s; retry %d of %d in %d s", e.msg, attempt + 1, max_retries, wait_s);
		disconnect(&x);
		for (int t = 0; t < wait_s * 10 && !sync_cancelled(&x); t++) {
			struct timespec ts = { 0, 100000000L };
			nanosleep(&ts, NULL);
		}
	}
	if (rc < 0 && sync_cancelled(&x) && e.category != MGC_STOPPED)
		mg_err_set(&e, MGC_STOPPED, "SyncStopped", "the sync was stopped");
	if (rc == 0) {
		if (!stats->incremental) {
			mg_err me;
			if (mg_write_atomic(marker, "done\n", 5, 0600, &me) < 0)
				sync_slog(&x, "%s", me.msg);
		}
		sync_slog(&x, "done: %lld folders, %lld items in source, %lld copied, %lld flag updates, "
		     "%lld skipped (%lld large, %lld bad, %lld filtered, %lld over limit, %lld in "
		     "excluded folders), %lld bytes transferred", stats->folders_synced,
		     stats->items_in_source, stats->items_copied, stats->flags_updated,
		     stats->items_skipped, stats->items_large, stats->items_bad, stats->items_filtered,
		     stats->items_over_limit, stats->items_excluded, stats->bytes_transferred);
	} else {
		sync_slog(&x, "failed: %s", e.msg);
	}
	free(marker);
out:
	disconnect(&x);
	mg_source_free(&src);
	for (size_t i = 0; i < x.n_done; i++)
		free(x.done[i]);
	free(x.done);
	if (lockfd >= 0)
		mg_unlock_file(lockfd);
	stats->finished = (int64_t)time(NULL);
	sync_progress(&x, true);
	if (rc < 0)
		mg_err_copy(err, &e);
	return rc;
}

void mg_sync_stats_free(mg_sync_stats *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n_skipped; i++)
		sync_skip_free(&st->skipped[i]);
	free(st->skipped);
	free(st->dest_mailbox);
	memset(st, 0, sizeof *st);
}
