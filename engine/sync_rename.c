/*
 * sync_rename.c - a folder renamed at the source is renamed at the
 * destination, not copied a second time.
 *
 * Each source folder has its journal under state_dir/folders, named after
 * the folder's wire name (sync_journal_path).  Before the folders are
 * copied, the journals that belong to no folder of the source any more
 * ("vanished") are matched against the folders that have no journal yet
 * ("new"): when the server offers RFC 8474 OBJECTID, a new folder is the
 * vanished one renamed when its MAILBOXID (STATUS) is the one the vanished
 * folder had ("<journal>.mboxid", noted at the end of the pass that made the
 * journal: sync_note_mailboxids); a MAILBOXID that differs means another
 * folder.  Without OBJECTID (or without a noted MAILBOXID) a new folder is
 * the vanished one renamed when its UIDVALIDITY is the vanished journal's
 * (Dovecot, Cyrus and Courier keep it across RENAME) and the messages the
 * journal maps are there with the same UIDs, sizes and dates (up to seven of
 * them are fetched, metadata only; see same_messages).  Then the destination folder
 * is renamed (its rename_folder operation, engine/dest.h: a Maildir++
 * directory rename, or IMAP RENAME on a target), and
 * the journal (and its skipped-items file) is moved to the new name, so the
 * folder's pass finds everything already copied.  Order: destination first,
 * journal second; after a crash in between, a destination that already has
 * the new name and no longer the old one counts as renamed.
 * Subfolders are renamed with their parent by the server: each is a folder
 * of its own here (Maildir++ is flat; on an IMAP target the RENAME of the
 * parent already moved them, which the target's folder list shows).
 */
#include "config.h"
#include "engine/sync_internal.h"
#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"
#include "net/imap_subscribe.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t fnv64(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

char *sync_journal_path(const mg_sync_job *job, const char *wire)
{
	char *dir = mg_path_join(job->state_dir, "folders");
	char *name = xasprintf("%016" PRIx64 ".jnl", fnv64(wire));
	char *p = mg_path_join(dir, name);
	free(name);
	free(dir);
	return p;
}

typedef struct vanished { char *path; mg_journal *j; bool used; } vanished;

/* The messages the journal maps are in the (examined) folder: up to
 * RENAME_PROBES of them, spread over the journal, are fetched (metadata
 * only).  Same folder when none of those the folder still has differs in
 * size or date, and at least half of them are still there: messages deleted
 * at the source in the same interval as the rename (the first or the last
 * one, say) do not hide it, where needing every probe did and the folder was
 * copied a second time. */
#define RENAME_PROBES 7
static int same_messages(sctx *x, const mg_journal *j, bool *same, mg_err *err)
{
	*same = false;
	size_t m = j->n_msgs < RENAME_PROBES ? j->n_msgs : RENAME_PROBES;
	size_t pick[RENAME_PROBES];
	strbuf set = STRBUF_INIT;
	for (size_t k = 0; k < m; k++) {
		pick[k] = m > 1 ? k * (j->n_msgs - 1) / (m - 1) : 0;
		strbuf_addf(&set, "%s%" PRIu32, k ? "," : "", j->msgs[pick[k]].uid);
	}
	meta_acc ma = { 0 };
	int rc = mg_source_fetch_meta(x->src, set.buf, 0, sync_meta_cb, &ma, err);
	strbuf_free(&set);
	if (rc < 0) {
		sync_items_free(ma.v, ma.n);
		return -1;
	}
	size_t there = 0, differ = 0;
	for (size_t k = 0; k < m; k++) {
		const mg_jmsg *jm = &j->msgs[pick[k]];
		for (size_t i = 0; i < ma.n; i++) {
			if (ma.v[i].uid != jm->uid)
				continue;
			if ((long long)ma.v[i].size == jm->size && ma.v[i].date == jm->date)
				there++;
			else
				differ++;
			break;
		}
	}
	sync_items_free(ma.v, ma.n);
	*same = differ == 0 && there > 0 && 2 * there >= m;
	return 0;
}

/* Rename the destination folder; *done false when it cannot be (then the
 * folder is copied as a new one and the old copy stays, as before). */
static int rename_dest(sctx *x, const mg_folder_plan *op, const mg_folder_plan *np, bool *done,
                       mg_err *err)
{
	mg_dscope sc = x->dest->ops->rename_folder(x->dest, x, op->comps, op->n_comps, np->comps,
	                                           np->n_comps, err);
	*done = sc == MG_DS_OK;
	return sc == MG_DS_OK || sc == MG_DS_FOLDER ? 0 : sync_scope_rc(x, sc, err);
}

static char *mboxid_path(const char *jpath)
{
	return xasprintf("%s.mboxid", jpath);
}

/* The MAILBOXID noted for a journal's folder ("" when none). */
static void mboxid_read(const char *jpath, char out[128])
{
	char *p = mboxid_path(jpath), *data = NULL;
	size_t len = 0;
	out[0] = '\0';
	if (mg_read_file(p, 4096, &data, &len, NULL) == 0 && len && len < 128) {
		memcpy(out, data, len);
		out[len] = '\0';
		out[strcspn(out, "\n")] = '\0';
	}
	free(data);
	free(p);
}

int sync_note_mailboxid(sctx *x, const char *jpath, const char *mailboxid, mg_err *err)
{
	char old[128];
	if (!mailboxid || !*mailboxid)
		return 0;
	mboxid_read(jpath, old);
	if (!strcmp(old, mailboxid))
		return 0;
	(void)x;
	char *p = mboxid_path(jpath), *txt = xasprintf("%s\n", mailboxid);
	int rc = mg_write_atomic(p, txt, strlen(txt), 0600, err);
	free(txt);
	free(p);
	return rc;
}

int sync_note_mailboxids(sctx *x, const mg_folder_plan *plans, size_t np, mg_err *err)
{
	if (!mg_source_has_cap(x->src, "OBJECTID"))
		return 0;
	int rc = 0;
	for (size_t i = 0; i < np && rc == 0; i++) {
		if (plans[i].status != MG_FPLAN_COPY || plans[i].unsendable)
			continue;
		char *jp = sync_journal_path(x->job, plans[i].wire), *mp = mboxid_path(jp);
		if (access(jp, F_OK) == 0 && access(mp, F_OK) != 0) {
			mg_imap_mbox_status s;
			if (mg_source_status(x->src, plans[i].wire, &s, err) == 0)
				rc = sync_note_mailboxid(x, jp, s.mailboxid, err);
			else if (err->category != MGC_INVALIDOP && err->category != MGC_NOTFOUND)
				rc = -1;
			else
				mg_err_clear(err);
		}
		free(jp);
		free(mp);
	}
	return rc;
}

static int move_state(const char *from, const char *to, mg_err *err)
{
	char *sf = sync_skipset_path(from), *st = sync_skipset_path(to);
	char *gf = xasprintf("%s.gone", from), *gt = xasprintf("%s.gone", to);   /* sync_deletions.c */
	char *mf = mboxid_path(from), *mt = mboxid_path(to);
	int rc = 0;
	if (rename(from, to) < 0)
		rc = mg_err_sys(err, MGC_WRITE, "JournalRename", "cannot rename sync journal '%s' to '%s'", from, to);
	else if (rename(sf, st) < 0 && errno != ENOENT)
		rc = mg_err_sys(err, MGC_WRITE, "JournalRename", "cannot rename '%s' to '%s'", sf, st);
	else if (rename(gf, gt) < 0 && errno != ENOENT)
		rc = mg_err_sys(err, MGC_WRITE, "JournalRename", "cannot rename '%s' to '%s'", gf, gt);
	else if (rename(mf, mt) < 0 && errno != ENOENT)
		rc = mg_err_sys(err, MGC_WRITE, "JournalRename", "cannot rename '%s' to '%s'", mf, mt);
	free(sf);
	free(st);
	free(gf);
	free(gt);
	free(mf);
	free(mt);
	if (rc == 0) {
		char *dir = xstrdup(to);
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		rc = mg_fsync_dir(dir, err);
		free(dir);
	}
	return rc;
}

int sync_follow_renames(sctx *x, const mg_fmap_opts *o, const mg_folder_plan *plans, size_t np,
                        mg_err *err)
{
	char *dir = mg_path_join(x->job->state_dir, "folders");
	char **known = xmalloc((np ? np : 1) * sizeof *known);
	for (size_t i = 0; i < np; i++)
		known[i] = sync_journal_path(x->job, plans[i].wire);
	vanished *v = NULL;
	size_t nv = 0, cap = 0;
	int rc = 0;
	DIR *d = opendir(dir);
	for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 4, ".jnl") != 0)
			continue;
		char *p = mg_path_join(dir, e->d_name);
		bool mine = false;
		for (size_t i = 0; i < np && !mine; i++)
			mine = strcmp(known[i], p) == 0;
		if (mine) {
			free(p);
			continue;
		}
		mg_journal *j = NULL;
		mg_err je;
		mg_err_clear(&je);
		if (mg_journal_open(p, &j, &je) < 0 || !j->n_msgs || !j->folder || j->n_intents) {
			mg_journal_close(j);     /* unreadable, empty or unsettled: leave it */
			free(p);
			continue;
		}
		GROW(v, cap, nv + 1);
		v[nv++] = (vanished){ p, j, false };
	}
	if (d)
		closedir(d);
	for (size_t i = 0; nv && rc == 0 && i < np; i++) {
		const mg_folder_plan *fp = &plans[i];
		if (fp->status != MG_FPLAN_COPY || fp->n_comps == 0 || access(known[i], F_OK) == 0)
			continue;
		/* RFC 8474: the folder's MAILBOXID, kept across RENAME */
		mg_imap_mbox_status ss;
		char newid[128] = "";
		bool objectid = mg_source_has_cap(x->src, "OBJECTID");
		if (objectid) {
			if (mg_source_status(x->src, fp->wire, &ss, err) < 0) {
				if (err->category != MGC_INVALIDOP && err->category != MGC_NOTFOUND)
					rc = -1;
				else
					mg_err_clear(err);
				continue;
			}
			memcpy(newid, ss.mailboxid, sizeof newid);
		}
		bool examined = false;
		for (size_t k = 0; k < nv && rc == 0; k++) {
			if (v[k].used)
				continue;
			char oldid[128];
			mboxid_read(v[k].path, oldid);
			bool by_id = *newid && *oldid;
			if (by_id && strcmp(newid, oldid) != 0)
				continue;         /* another folder */
			if (!by_id) {
				if (!examined && (rc = mg_source_examine(x->src, fp->wire, &ss, err)) < 0) {
					if (err->category != MGC_INVALIDOP && err->category != MGC_NOTFOUND)
						break;
					mg_err_clear(err);
					rc = 0;
					break;
				}
				examined = true;
				if (v[k].j->uidvalidity != ss.uidvalidity)
					continue;
				bool same;
				if ((rc = same_messages(x, v[k].j, &same, err)) < 0 || !same)
					continue;
			}
			/* the old destination name, mapped as the old folder would be */
			mg_imap_mailbox mb = { 0 };
			mb.name = v[k].j->folder;
			mb.wire = mg_source_mailbox_wire(x->src, v[k].j->folder, NULL);
			mb.sep = x->src->sep;
			mg_folder_plan *op = NULL;
			size_t nop = 0;
			if (!mb.wire || mg_fmap_build(&mb, 1, o, &op, &nop, NULL) < 0 || nop != 1 ||
			    op[0].status != MG_FPLAN_COPY || op[0].n_comps == 0) {
				free(mb.wire);
				mg_fmap_free(op, nop);
				continue;
			}
			free(mb.wire);
			bool done = false;
			rc = rename_dest(x, &op[0], fp, &done, err);
			if (rc == 0 && done) {
				char *on = mg_fmap_join(op[0].comps, op[0].n_comps, '/');
				char *nn = mg_fmap_join(fp->comps, fp->n_comps, '/');
				char *oldsrc = xstrdup(v[k].j->folder);
				mg_journal_close(v[k].j);
				v[k].j = NULL;
				v[k].used = true;
				rc = move_state(v[k].path, known[i], err);
				if (rc == 0)
					sync_slog(x, "folder '%s' was renamed to '%s' at the source (same %s): renamed "
					          "at the destination ('%s' -> '%s'), nothing copied again", oldsrc,
					          fp->name, by_id ? "MAILBOXID" : "UIDVALIDITY and messages", on, nn);
				free(oldsrc);
				free(on);
				free(nn);
			}
			mg_fmap_free(op, nop);
			break;
		}
	}
	for (size_t k = 0; k < nv; k++) {
		mg_journal_close(v[k].j);
		free(v[k].path);
	}
	free(v);
	for (size_t i = 0; i < np; i++)
		free(known[i]);
	free(known);
	free(dir);
	return rc;
}
