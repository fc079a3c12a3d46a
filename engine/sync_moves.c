/*
 * sync_moves.c - a message moved to another folder at the source is moved
 * at the destination too: not copied a second time, and not left behind in
 * its old folder (whether deletion sync is on or off: a move is not a
 * deletion).  Only copies migsh made (mapped by a folder's journal) are ever
 * moved.
 *
 * Finding moves (once per sync, before any folder is copied, after renames):
 *  - STATUS of every folder to migrate (the answers the count took in the
 *    same step when it ran: sync_status_memo); a folder "has new mail" when its
 *    UIDNEXT passed the one of its last complete pass (or it has no journal
 *    yet).  No new mail anywhere: nothing can have moved, done.
 *  - the folders whose journal maps messages and whose HIGHESTMODSEQ moved
 *    (every folder without CONDSTORE): the mapped uids gone from the source
 *    (sync_gone_uids: QRESYNC VANISHED when offered, else UID SEARCH).
 *  - the new messages of the folders with new mail (UID FETCH of metadata
 *    from the old UIDNEXT on).
 *  - a new message and a gone one are the same message when RFC822.SIZE and
 *    INTERNALDATE (kept in the journal) are equal and the Message-ID of the
 *    new message at the source equals the Message-ID of the destination's
 *    stored copy of the gone one (a header-only fetch on each side; a message
 *    without a Message-ID is never taken for a moved one: it is copied).
 *
 * Moving (the destination-specific steps are the destination's move
 * operations, engine/dest.h mg_dest_move_ops, implemented in dest_maildir.c
 * and dest_imap.c; this file uses only that interface; a destination
 * without them - the unit tests' in-memory one - never moves: the message is
 * copied again and the old copy handled as a deletion):
 *  Maildir: rename(2) of the copy from the old folder's cur/ into the new
 *    folder's cur/, under the base name the new folder's copy of that source
 *    message would have (mg_maildir_base) and with the flag letters of the
 *    new folder's keyword table; then one syncfs.
 *  IMAP target: UID MOVE when offered, else UID COPY + UID STORE \Deleted +
 *    UID EXPUNGE of exactly the moved uids; COPYUID gives the new target uid.
 *
 * CRASH SAFETY (adds to the argument at the top of sync.c; it stays here,
 * with the driver of a move: the pending file and the journal records are
 * written by this file, in this order, whatever the destination.  A
 * destination only says whether its move needs intents (mg_dest_move_ops
 * intents: IMAP) or predicts the new reference (planned_ref: Maildir).)  A move touches
 * two journals (old folder A, new folder B) and the destination, so it is
 * announced first in state_dir/moves.pending (rewritten atomically): one
 * entry per message (A's journal, A's uid and its copy; B's journal, B's uid
 * and, for Maildir, the new base name; both destination folders).  Order:
 *   1. entry written (durable);
 *   2. target only: B's journal gets D (target UIDVALIDITY), P (target
 *      UIDNEXT) and an I record (size, date, SHA-256 of the copy), flushed:
 *      the moved copy is then an interrupted append of B, which B's own pass
 *      finds by content (sync_tgt_reconcile) - or copies again and watches,
 *      so a MOVE the dead run's server session still carries out later is
 *      removed by the sweep, exactly like a late APPEND;
 *   3. the destination move (atomic: rename(2); UID MOVE; the COPY fallback
 *      copies before it deletes);
 *   4. B's journal: M uid -> new copy, flushed;
 *   5. A's journal: X uid (mapping dropped), flushed;
 *   6. entry removed.
 * Every later pass first settles what the file still lists (settle()): when
 * B's journal maps B's uid (step 4 done, or B's pass reconciled or copied it
 * since), the copy in A is removed if it is still there (a crash inside the
 * COPY fallback, or a Maildir move that never happened while B copied the
 * message afresh: unlink / UID STORE \Deleted + UID EXPUNGE of that one
 * target uid, a no-op when it is gone), then step 5 and 6.  Maildir, B's uid
 * not mapped: if B holds the new base name the rename happened (step 4 is
 * done now, with the flags to be corrected by B's pass), else A's copy is
 * untouched and the entry is dropped (the move is found again).  Target, B's
 * uid not mapped: B's journal still has the intent (B's pass reconciles it,
 * and the entry is settled at the end of the pass), or the entry is dropped
 * at the end of a pass in which B neither mapped nor intended it.  While an
 * entry is listed, A's uid is neither a deletion (sync_deletions skips it)
 * nor a move candidate.  So at every instant each moved message has exactly
 * one copy that some journal maps or some entry/intent accounts for: nothing
 * lost, and the copy in A is removed exactly when B has one: nothing twice.
 */
#include "config.h"
#include "engine/sync_internal.h"
#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define MOVES_FILE "moves.pending"
#define MSGID_MAX 998
/* flags no message has (as dest_imap.c's): the folder's pass sets the real ones */
#define UNKNOWN_FLAGS "\\migsh-unknown"

/* ------------------------------------------------ the pending file ---- */

typedef struct pmove {
	char    *ja, *jb;      /* journal paths of the old and the new folder */
	uint32_t ua, ub;       /* source uids */
	char    *da;           /* the copy in the old folder (journal dest) */
	char    *db;           /* Maildir: base name in the new folder ("" for a target) */
	char    *ca, *cb;      /* destination components of both folders, joined by 0x1f */
} pmove;

static void pm_clear(pmove *m)
{
	free(m->ja); free(m->jb); free(m->da); free(m->db); free(m->ca); free(m->cb);
	memset(m, 0, sizeof *m);
}

static void pm_free(pmove *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pm_clear(&v[i]);
	free(v);
}

static void hex_add(strbuf *sb, const char *s)
{
	strbuf_addc(sb, '\t');
	if (!*s)
		strbuf_addc(sb, '-');
	for (; *s; s++)
		strbuf_addf(sb, "%02x", (unsigned char)*s);
}

static char *hex_get(const char *s, size_t len)
{
	if (len == 1 && *s == '-')
		return xstrdup("");
	if (len % 2)
		return NULL;
	char *o = xmalloc(len / 2 + 1);
	for (size_t i = 0; i < len / 2; i++) {
		unsigned v;
		if (sscanf(s + 2 * i, "%2x", &v) != 1 || !v) {
			free(o);
			return NULL;
		}
		o[i] = (char)v;
	}
	o[len / 2] = '\0';
	return o;
}

static char *pm_path(const sctx *x)
{
	return mg_path_join(x->job->state_dir, MOVES_FILE);
}

/* 0 (also when there is no file), -1 on a read error; a line that cannot be
 * read is dropped (the file is only ever written whole). */
static int pm_load(const sctx *x, pmove **out, size_t *n, mg_err *err)
{
	*out = NULL;
	*n = 0;
	char *path = pm_path(x), *data = NULL;
	size_t len = 0;
	int rc = 0;
	if (access(path, F_OK) == 0)
		rc = mg_read_file(path, 16u << 20, &data, &len, err);
	free(path);
	for (char *p = data; rc == 0 && p && p < data + len;) {
		char *nl = memchr(p, '\n', (size_t)(data + len - p));
		if (!nl)
			break;
		*nl = '\0';
		char *f[8];
		size_t nf = 0;
		for (char *q = p, *save = NULL, *t = strtok_r(q, "\t", &save); t && nf < 8;
		     t = strtok_r(NULL, "\t", &save))
			f[nf++] = t;
		pmove m = { 0 };
		if (nf == 8 && (m.ja = hex_get(f[0], strlen(f[0]))) && (m.jb = hex_get(f[3], strlen(f[3]))) &&
		    (m.da = hex_get(f[2], strlen(f[2]))) && (m.db = hex_get(f[5], strlen(f[5]))) &&
		    (m.ca = hex_get(f[6], strlen(f[6]))) && (m.cb = hex_get(f[7], strlen(f[7])))) {
			m.ua = (uint32_t)strtoul(f[1], NULL, 10);
			m.ub = (uint32_t)strtoul(f[4], NULL, 10);
			*out = xrealloc(*out, (*n + 1) * sizeof **out);
			(*out)[(*n)++] = m;
		} else {
			pm_clear(&m);
		}
		p = nl + 1;
	}
	free(data);
	return rc;
}

static int pm_save(const sctx *x, const pmove *v, size_t n, mg_err *err)
{
	char *path = pm_path(x);
	int rc = 0;
	if (!n) {
		if (unlink(path) == 0)
			rc = mg_fsync_dir(x->job->state_dir, err);
		else if (errno != ENOENT)
			rc = mg_err_sys(err, MGC_WRITE, "MovesWrite", "cannot remove '%s'", path);
		free(path);
		return rc;
	}
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		strbuf_adds(&sb, "");
		size_t start = sb.len;
		hex_add(&sb, v[i].ja);
		strbuf_addf(&sb, "\t%" PRIu32, v[i].ua);
		hex_add(&sb, v[i].da);
		hex_add(&sb, v[i].jb);
		strbuf_addf(&sb, "\t%" PRIu32, v[i].ub);
		hex_add(&sb, v[i].db);
		hex_add(&sb, v[i].ca);
		hex_add(&sb, v[i].cb);
		memmove(sb.buf + start, sb.buf + start + 1, sb.len - start - 1);   /* no leading tab */
		sb.buf[sb.len - 1] = '\n';
	}
	rc = mg_write_atomic(path, sb.buf, sb.len, 0600, err);
	strbuf_free(&sb);
	free(path);
	return rc;
}

static char *comps_key(char *const *comps, size_t n)
{
	return n ? mg_fmap_join(comps, n, '\x1f') : xstrdup("");
}

static size_t comps_split(const char *key, char **store, char ***out)
{
	*store = xstrdup(key);
	size_t n = 0;
	char **v = xmalloc((strlen(key) + 2) * sizeof *v);
	if (**store) {
		char *p = *store;
		v[n++] = p;
		for (; *p; p++)
			if (*p == '\x1f') {
				*p = '\0';
				v[n++] = p + 1;
			}
	}
	*out = v;
	return n;
}
/* ------------------------------------------------------ Message-ID ---- */

/* The Message-ID of a header block (a whole header, or the field block of
 * a HEADER.FIELDS fetch): its value unfolded, without any white space;
 * NULL when there is none. */
char *sync_msgid_of(const char *h, size_t len)
{
	const char *e = h + len;
	for (const char *p = h; p < e;) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		const char *le = nl ? nl : e;
		if (le == p || (le == p + 1 && *p == '\r'))
			return NULL;          /* end of the header */
		if ((size_t)(le - p) > 11 && strncasecmp(p, "Message-ID:", 11) == 0) {
			strbuf sb = STRBUF_INIT;
			strbuf_adds(&sb, "");
			const char *q = p + 11;
			for (;;) {
				for (; q < le; q++)
					if (*q != ' ' && *q != '\t' && *q != '\r' && sb.len < MSGID_MAX)
						strbuf_addc(&sb, *q);
				if (!nl || nl + 1 >= e || (nl[1] != ' ' && nl[1] != '\t'))
					break;
				q = nl + 1;           /* a folded continuation line */
				nl = memchr(q, '\n', (size_t)(e - q));
				le = nl ? nl : e;
			}
			if (!sb.len) {
				strbuf_free(&sb);
				return NULL;
			}
			return strbuf_detach(&sb, NULL);
		}
		p = nl ? nl + 1 : e;
	}
	return NULL;
}

void sync_mid_cb(void *arg, uint32_t uid, const char *field, size_t len)
{
	mid_ctx *c = arg;
	for (size_t i = 0; i < c->n; i++)
		if (c->uids[i] == uid && !c->mids[i])
			c->mids[i] = sync_msgid_of(field, len);
}

static const mg_dest_move_ops *ops_of(const sctx *x)
{
	return x->dest->ops->moves;
}

static int dest_rc(sctx *x, mg_dscope sc, mg_err *err)
{
	if (sc == MG_DS_DEST && sync_cancelled(x))
		sc = MG_DS_CANCELLED;
	return sc == MG_DS_FOLDER || sc == MG_DS_MESSAGE ? 0 : sync_scope_rc(x, sc, err);
}

/* ------------------------------------------------------- settling ---- */

static bool has_intent(const mg_journal *j, uint32_t uid)
{
	for (size_t i = 0; i < j->n_intents; i++)
		if (j->intents[i].uid == uid)
			return true;
	return false;
}

/* Finish or drop what a stopped run left in moves.pending (see CRASH SAFETY
 * above).  end: the end of a pass, when B's pass has run: an entry that B
 * neither maps nor intends is dropped. */
static int settle(sctx *x, bool end, mg_err *err)
{
	pmove *v;
	size_t n;
	if (pm_load(x, &v, &n, err) < 0)
		return -1;
	const mg_dest_move_ops *ops = ops_of(x);
	if (!n || !ops) {
		pm_free(v, n);
		return 0;     /* nothing pending; or a destination that never moves */
	}
	size_t keep = 0, done = 0;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		pmove *m = &v[i];
		mg_journal *ja = NULL, *jb = NULL;
		bool kept = false;
		if (access(m->ja, F_OK) != 0 || access(m->jb, F_OK) != 0 ||
		    mg_journal_open(m->ja, &ja, err) < 0 || mg_journal_open(m->jb, &jb, err) < 0) {
			mg_journal_close(ja);
			mg_journal_close(jb);
			if (err && err->set) {
				rc = -1;
				break;
			}
			continue;         /* a journal is gone (folder removed): nothing to finish */
		}
		mg_jmsg *old = mg_journal_find(ja, m->ua);
		char *sa, *sb;
		char **ca, **cb;
		size_t nca = comps_split(m->ca, &sa, &ca), ncb = comps_split(m->cb, &sb, &cb);
		if (!old) {
			;                 /* A's side done: drop */
		} else if (mg_journal_find(jb, m->ub) || (!ops->intents && ops->has && *m->db &&
		           (rc = dest_rc(x, ops->has(x->dest, x, cb, ncb, m->db, &kept, err), err)) == 0 && kept)) {
			if (!mg_journal_find(jb, m->ub)) {   /* Maildir: renamed, M not written */
				mg_journal_add(jb, m->ub, old->size, old->date, UNKNOWN_FLAGS, m->db);
				rc = mg_journal_flush(jb, err);
			}
			kept = false;
			if (rc == 0)
				rc = dest_rc(x, ops->remove_one(x->dest, x, ca, nca, ja->dst_uidvalidity, old->dest, err), err);
			if (rc == 0) {
				mg_journal_forget(ja, m->ua);
				rc = mg_journal_flush(ja, err);
				done++;
			}
		} else if (rc == 0 && ops->intents && !end && has_intent(jb, m->ub)) {
			kept = true;      /* B's pass reconciles the intent first */
		} else if (rc == 0 && ops->intents && !end && !mg_journal_find(jb, m->ub)) {
			kept = true;      /* B's pass copies it this pass */
		}
		free(sa); free(sb); free(ca); free(cb);
		mg_journal_close(ja);
		mg_journal_close(jb);
		if (rc < 0)
			break;
		if (kept) {
			pmove t = v[i];
			memset(&v[i], 0, sizeof v[i]);
			v[keep++] = t;
		} else {
			pm_clear(&v[i]);
		}
	}
	if (rc == 0) {
		x->st->items_moved += (long long)done;
		if (done)
			sync_slog(x, "%zu message(s) moved at the source: the move an interrupted run began at "
			          "the destination is finished", done);
		rc = pm_save(x, v, keep, err);
	}
	pm_free(v, n);      /* entries moved down were zeroed where they were */
	return rc;
}

int sync_moves_settle(sctx *x, mg_err *err)
{
	return settle(x, true, err);
}

int sync_moves_pending_uids(const sctx *x, const char *jpath, uint32_t **uids, size_t *n, mg_err *err)
{
	pmove *v;
	size_t nv;
	*uids = NULL;
	*n = 0;
	if (pm_load(x, &v, &nv, err) < 0)
		return -1;
	for (size_t i = 0; i < nv; i++)
		if (!strcmp(v[i].ja, jpath)) {
			*uids = xrealloc(*uids, (*n + 1) * sizeof **uids);
			(*uids)[(*n)++] = v[i].ua;
		}
	pm_free(v, nv);
	return 0;
}

/* ------------------------------------------------------- finding ---- */

typedef struct mf {          /* one source folder to migrate */
	const mg_folder_plan *fp;
	char    *jpath;
	mg_journal *j;           /* NULL: no journal yet */
	mg_imap_mbox_status st;
	bool     usable, has_new;
} mf;

typedef struct gone { size_t f; uint32_t uid; long long size; int64_t date; char *dest; char *flags;
                      char *mid; bool used; } gone;
typedef struct fresh { size_t f; uint32_t uid; uint64_t size; int64_t date; char *mid; long g;
                       size_t a; /* g's folder */ } fresh;

typedef struct fresh_acc { fresh *v; size_t n, cap; size_t f; uint32_t from; mg_journal *j; } fresh_acc;

static int fresh_cb(void *arg, const mg_imap_msg_meta *m)
{
	fresh_acc *a = arg;
	if (m->uid < a->from || (a->j && mg_journal_find(a->j, m->uid)))
		return 0;
	GROW(a->v, a->cap, a->n + 1);
	a->v[a->n++] = (fresh){ a->f, m->uid, m->size, m->internaldate, NULL, -1, 0 };
	return 0;
}

/* Move the confirmed pairs from folder A (fa) to folder B (fb): the steps
 * 1-6 of CRASH SAFETY above, the destination's own part through its move
 * operations (engine/dest.h). */
static int move_group(sctx *x, mf *fa, mf *fb, gone *g, fresh *fr, size_t *idx, size_t n, mg_err *err)
{
	const mg_dest_move_ops *ops = ops_of(x);
	mg_dest_move *v = xcalloc(n, sizeof *v);
	size_t *ga = xmalloc(n * sizeof *ga);      /* g[] index of each */
	for (size_t i = 0; i < n; i++) {
		fresh *f = &fr[idx[i]];
		ga[i] = (size_t)f->g;
		v[i].ref = g[f->g].dest;
		v[i].uid = f->uid;
		v[i].date = f->date;
		v[i].flags = g[f->g].flags;
	}
	pmove *pv = NULL;
	size_t npv = 0;
	uint32_t mark = 0, uidv_b = 0;
	int rc = dest_rc(x, ops->prepare(x->dest, x, fa->fp, fb->fp, fa->j->dst_uidvalidity, v, n, &mark, &uidv_b,
	                                 err), err);
	if (rc < 0)
		goto out;
	if (ops->intents && fb->j && fb->j->dst_uidvalidity && fb->j->dst_uidvalidity != uidv_b)
		goto out;            /* B's target folder was recreated: do_folder reports it */
	/* 1. the pending entries */
	if (pm_load(x, &pv, &npv, err) < 0)
		goto fail;
	size_t before = npv;
	char *ka = comps_key(fa->fp->comps, fa->fp->n_comps), *kb = comps_key(fb->fp->comps, fb->fp->n_comps);
	for (size_t i = 0; i < n; i++) {
		if (v[i].drop)
			continue;
		char *db = ops->intents || !ops->planned_ref ? NULL
		           : ops->planned_ref(x->dest, fb->fp, fb->st.uidvalidity, v[i].uid, v[i].date);
		pv = xrealloc(pv, (npv + 1) * sizeof *pv);
		pv[npv++] = (pmove){ xstrdup(fa->jpath), xstrdup(fb->jpath), g[ga[i]].uid, v[i].uid,
		                     xstrdup(v[i].ref), db ? db : xstrdup(""), xstrdup(ka), xstrdup(kb) };
	}
	free(ka);
	free(kb);
	if (npv == before)
		goto out;
	if (pm_save(x, pv, npv, err) < 0)
		goto fail;
	/* 2. B's journal: a journal of its own when new; the intents (a destination
	 * whose move is not atomic: IMAP) */
	if (!fb->j) {
		if (mg_journal_open(fb->jpath, &fb->j, err) < 0)
			goto fail;
		mg_journal_set_folder(fb->j, fb->fp->name);
	}
	if (!fb->j->uidvalidity)
		mg_journal_set_uidvalidity(fb->j, fb->st.uidvalidity);
	if (ops->intents) {
		mg_journal_set_dst_uidvalidity(fb->j, uidv_b);
		mg_journal_mark(fb->j, mark);
		for (size_t i = 0; i < n; i++)
			if (!v[i].drop)
				mg_journal_intent(fb->j, v[i].uid, g[ga[i]].size, v[i].date, v[i].hash);
	}
	if (mg_journal_flush(fb->j, err) < 0)
		goto fail;
	/* 3. the destination */
	if (dest_rc(x, ops->move(x->dest, x, fa->fp, fb->fp, fb->st.uidvalidity, uidv_b, v, n, err), err) < 0)
		goto fail;
	/* 4. B's journal maps the moved copies; 5. A's forgets them */
	size_t moved = 0;
	for (size_t i = 0; i < n; i++)
		if (!v[i].drop && v[i].new_ref) {
			gone *o = &g[ga[i]];
			mg_journal_add(fb->j, v[i].uid, o->size, v[i].date, o->flags, v[i].new_ref);
			moved++;
		}
	if (mg_journal_flush(fb->j, err) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if (!v[i].drop && v[i].new_ref)
			mg_journal_forget(fa->j, g[ga[i]].uid);
	if (mg_journal_flush(fa->j, err) < 0)
		goto fail;
	/* 6. the entries of the moves that are finished go */
	size_t k = before;
	for (size_t i = before; i < npv; i++) {
		if (mg_journal_find(fb->j, pv[i].ub) && !mg_journal_find(fa->j, pv[i].ua)) {
			pm_clear(&pv[i]);
		} else {
			pmove t = pv[i];
			memset(&pv[i], 0, sizeof pv[i]);
			pv[k++] = t;
		}
	}
	if (pm_save(x, pv, k, err) < 0)
		goto fail;
	x->st->items_moved += (long long)moved;
	char *na = fa->fp->n_comps ? mg_fmap_join(fa->fp->comps, fa->fp->n_comps, '/') : xstrdup("INBOX");
	char *nb = fb->fp->n_comps ? mg_fmap_join(fb->fp->comps, fb->fp->n_comps, '/') : xstrdup("INBOX");
	sync_slog(x, "folder '%s' -> '%s': %zu message(s) moved at the source; moved at the destination "
	          "too ('%s' -> '%s'), nothing copied again", fa->fp->name, fb->fp->name, moved, na, nb);
	free(na);
	free(nb);
	rc = 0;
	goto out;
fail:
	rc = -1;
out:
	pm_free(pv, npv);
	for (size_t i = 0; i < n; i++)
		free(v[i].new_ref);
	free(v);
	free(ga);
	return rc;
}

/* confirmed moves first, grouped by (old folder, new folder) */
static int cmp_fresh_pair(const void *a, const void *b)
{
	const fresh *p = a, *q = b;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return p->f < q->f ? -1 : p->f > q->f;
}

int sync_follow_moves(sctx *x, const mg_folder_plan *plans, size_t np, const sync_status_memo *memo,
                      mg_err *err)
{
	if (!ops_of(x))
		return 0;     /* a destination that never moves (engine/dest.h) */
	if (settle(x, false, err) < 0)
		return -1;
	mf *m = xcalloc(np ? np : 1, sizeof *m);
	gone *g = NULL;
	size_t ng = 0, capg = 0;
	fresh_acc fa = { 0 };
	int rc = 0;
	bool any_new = false, any_journal = false;
	for (size_t i = 0; i < np && rc == 0; i++) {
		m[i].fp = &plans[i];
		if (plans[i].status != MG_FPLAN_COPY || plans[i].unsendable)
			continue;
		m[i].jpath = sync_journal_path(x->job, plans[i].wire);
		if (access(m[i].jpath, F_OK) == 0 && mg_journal_open(m[i].jpath, &m[i].j, err) < 0) {
			rc = -1;
			break;
		}
		if (memo->have[i]) {
			m[i].st = memo->st[i];   /* the count's answer, just taken */
		} else if (mg_source_status(x->src, plans[i].wire, &m[i].st, err) < 0) {
			if (err->category != MGC_INVALIDOP && err->category != MGC_NOTFOUND)
				rc = -1;
			else
				mg_err_clear(err);
			continue;
		}
		mg_journal *j = m[i].j;
		if (j && (rc = sync_note_mailboxid(x, m[i].jpath, m[i].st.mailboxid, err)) < 0)
			break;           /* a folder recreated under its name has a new MAILBOXID */
		m[i].usable = !j || (!j->n_intents && !j->n_orphans &&
		                     (!j->uidvalidity || j->uidvalidity == m[i].st.uidvalidity));
		m[i].has_new = m[i].usable && m[i].st.exists &&
		               (!j || !j->uidnext || m[i].st.uidnext > j->uidnext);
		any_new |= m[i].has_new;
		any_journal |= m[i].usable && j && j->n_msgs;
	}
	if (rc < 0 || !any_new || !any_journal)
		goto out;
	/* messages gone from the folders that had some */
	uint32_t *pend = NULL;
	for (size_t i = 0; i < np && rc == 0; i++) {
		mg_journal *j = m[i].j;
		if (!m[i].usable || !j || !j->n_msgs || !j->uidvalidity)
			continue;
		if (j->modseq && m[i].st.highestmodseq == j->modseq)
			continue;            /* nothing changed since its last complete pass */
		uint32_t *gu = NULL;
		size_t ngu = 0, npend = 0;
		if ((rc = sync_moves_pending_uids(x, m[i].jpath, &pend, &npend, err)) < 0 ||
		    (rc = sync_gone_uids(x, m[i].fp, j, &gu, &ngu, err)) < 0) {
			free(pend);
			break;
		}
		for (size_t k = 0; k < ngu; k++) {
			bool p = false;
			for (size_t q = 0; q < npend && !p; q++)
				p = pend[q] == gu[k];
			mg_jmsg *jm = mg_journal_find(j, gu[k]);
			if (p || !jm)
				continue;
			GROW(g, capg, ng + 1);
			g[ng++] = (gone){ i, gu[k], jm->size, jm->date, xstrdup(jm->dest), xstrdup(jm->flags), NULL, false };
		}
		free(gu);
		free(pend);
		pend = NULL;
	}
	if (rc < 0 || !ng)
		goto out;
	/* new messages of the folders with new mail */
	for (size_t i = 0; i < np && rc == 0; i++) {
		if (!m[i].has_new)
			continue;
		mg_imap_mbox_status ss;
		if ((rc = mg_source_examine(x->src, m[i].fp->wire, &ss, err)) < 0)
			break;
		if (ss.uidvalidity != m[i].st.uidvalidity)
			continue;
		fa.f = i;
		fa.j = m[i].j;
		fa.from = m[i].j && m[i].j->uidnext ? m[i].j->uidnext : 1;
		char set[32];
		snprintf(set, sizeof set, "%" PRIu32 ":*", fa.from);
		size_t before = fa.n;
		rc = mg_source_fetch_meta(x->src, set, 0, fresh_cb, &fa, err);
		/* match by size and date; the Message-IDs of the candidates at the source */
		uint32_t *cu = xmalloc((fa.n - before + 1) * sizeof *cu);
		char **cm = xcalloc(fa.n - before + 1, sizeof *cm);
		size_t nc = 0;
		for (size_t k = before; rc == 0 && k < fa.n; k++)
			for (size_t q = 0; q < ng; q++)
				if ((uint64_t)g[q].size == fa.v[k].size && g[q].date == fa.v[k].date) {
					cu[nc++] = fa.v[k].uid;
					break;
				}
		if (rc == 0 && nc) {
			mid_ctx c = { cu, cm, nc };
			rc = mg_source_fetch_header_fields(x->src, cu, nc, "MESSAGE-ID", sync_mid_cb, &c, err);
			for (size_t k = before; rc == 0 && k < fa.n; k++)
				for (size_t q = 0; q < nc; q++)
					if (cu[q] == fa.v[k].uid) {
						fa.v[k].mid = cm[q];
						cm[q] = NULL;
					}
		}
		for (size_t q = 0; q < nc; q++)
			free(cm[q]);
		free(cm);
		free(cu);
	}
	if (rc < 0)
		goto out;
	/* the Message-IDs of the destination's copies of gone messages that match by size and date */
	const mg_dest_move_ops *ops = ops_of(x);
	for (size_t i = 0; i < np && rc == 0; i++) {
		char **dests = NULL, **mids = NULL;
		size_t *gi = NULL, nd = 0;
		for (size_t q = 0; q < ng; q++) {
			if (g[q].f != i)
				continue;
			bool wanted = false;
			for (size_t k = 0; k < fa.n && !wanted; k++)
				wanted = fa.v[k].mid && (uint64_t)g[q].size == fa.v[k].size && g[q].date == fa.v[k].date;
			if (!wanted)
				continue;
			dests = xrealloc(dests, (nd + 1) * sizeof *dests);
			gi = xrealloc(gi, (nd + 1) * sizeof *gi);
			dests[nd] = g[q].dest;
			gi[nd++] = q;
		}
		if (nd) {
			mids = xcalloc(nd, sizeof *mids);
			rc = dest_rc(x, ops->message_ids(x->dest, x, m[i].fp->comps, m[i].fp->n_comps, dests, nd, mids,
			                                 err), err);
			for (size_t k = 0; k < nd; k++)
				g[gi[k]].mid = mids[k];
			free(mids);
		}
		free(dests);
		free(gi);
	}
	if (rc < 0)
		goto out;
	/* confirmed pairs: same size, date and Message-ID; each gone message once */
	size_t pairs = 0;
	for (size_t k = 0; k < fa.n; k++) {
		fresh *f = &fa.v[k];
		for (size_t q = 0; f->mid && q < ng && f->g < 0; q++)
			if (!g[q].used && g[q].mid && (uint64_t)g[q].size == f->size && g[q].date == f->date &&
			    !strcmp(g[q].mid, f->mid) && (ops->same_folder || g[q].f != f->f)) {   /* a target cannot
			                                                                         MOVE into the same folder */
				g[q].used = true;
				f->g = (long)q;
				pairs++;
			}
	}
	if (!pairs)
		goto out;
	/* one group per (old folder, new folder) */
	for (size_t k = 0; k < fa.n; k++)
		fa.v[k].a = fa.v[k].g >= 0 ? g[fa.v[k].g].f : SIZE_MAX;
	qsort(fa.v, fa.n, sizeof *fa.v, cmp_fresh_pair);
	size_t *idx = xmalloc(fa.n * sizeof *idx);
	for (size_t k = 0; k < fa.n && fa.v[k].g >= 0 && rc == 0 && !sync_cancelled(x);) {
		size_t n = 0, a = fa.v[k].a, b = fa.v[k].f;
		while (k < fa.n && fa.v[k].g >= 0 && fa.v[k].a == a && fa.v[k].f == b)
			idx[n++] = k++;
		rc = move_group(x, &m[a], &m[b], g, fa.v, idx, n, err);
	}
	free(idx);
out:
	for (size_t i = 0; i < np; i++) {
		mg_journal_close(m[i].j);
		free(m[i].jpath);
	}
	free(m);
	for (size_t q = 0; q < ng; q++) {
		free(g[q].dest);
		free(g[q].flags);
		free(g[q].mid);
	}
	free(g);
	for (size_t k = 0; k < fa.n; k++)
		free(fa.v[k].mid);
	free(fa.v);
	return rc;
}
