/*
 * sync_copy_maildir.c - copy a chunk of source messages into a Maildir++
 * folder: stream each body into tmp/, rename into cur/ with flags, one
 * syncfs for the chunk, then the journal records (see the crash-safety
 * argument at the top of sync.c).  Also re-maps copies after a UIDVALIDITY
 * change by content.
 */
#include "config.h"
#include "engine/sync_internal.h"
#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* ---- maildir body callbacks ---- */

static int md_begin(void *arg, uint32_t uid, uint64_t size)
{
	fctx *f = arg;
	(void)size;
	if (sync_cancelled(f->x))
		return -1;
	f->cur = sync_find_item(f->items, f->n_items, uid);
	f->writing = false;
	if (!f->cur)
		return 0;                 /* not asked for: ignore its bytes */
	char *base = mg_maildir_base(f->fp->wire, f->uidvalidity, uid, f->cur->date);
	int rc = mg_mdfolder_begin(f->mf, base, &f->w, &f->cb_err);
	free(base);
	if (rc < 0) {
		f->cb_failed = true;
		return -1;
	}
	f->writing = true;
	if (f->rescan)
		sync_hash_start(&f->h);
	return 0;
}

static int md_data(void *arg, uint32_t uid, const void *chunk, size_t len)
{
	fctx *f = arg;
	(void)uid;
	f->x->st->bytes_transferred += (long long)len;
	if (!f->writing)
		return 0;
	if (f->rescan)
		sync_hash_add(&f->h, chunk, len);
	if (mg_mdwrite_data(&f->w, chunk, len, &f->cb_err) < 0) {
		f->cb_failed = true;
		return -1;
	}
	return 0;
}

static int md_end(void *arg, uint32_t uid)
{
	fctx *f = arg;
	if (!f->writing)
		return 0;
	f->writing = false;
	item *it = f->cur;
	char *store;
	const char **fl;
	size_t nfl = mg_flags_split(it->flags, &store, &fl);
	int rc = 0;
	if (f->rescan) {
		char hash[72] = "";
		sync_hash_end(&f->h, hash);
		long oi = sync_find_orphan(f, it->size, hash);
		if (oi >= 0) {
			mg_jmsg *o = &f->j->orphans[oi];
			mg_mdwrite_abort(&f->w);
			rc = mg_mdfolder_set_flags(f->mf, o->dest, fl, nfl, &f->cb_err);
			if (rc == 0) {
				sync_dn_add(f, uid, o->dest, true);
				sync_orphan_used(f, (size_t)oi);
			}
			goto out;
		}
	}
	char *base = xstrdup(f->w.base);
	rc = mg_mdfolder_finish(f->mf, &f->w, fl, nfl, it->date, &f->cb_err);
	if (rc == 0)
		sync_dn_add(f, uid, base, false);
	free(base);
out:
	free(store);
	free(fl);
	if (rc < 0) {
		f->cb_failed = true;
		return -1;
	}
	return 0;
}

void sync_md_missing(void *arg, uint32_t uid, const char *reason)
{
	sync_bad_missing(arg, uid, reason);
}

/* Make the chunk durable, then journal it. */
static int md_commit(fctx *f, mg_err *err)
{
	if (!f->n_dn)
		return 0;
	if (mg_mdfolder_sync(f->mf, err) < 0)
		return -1;
	for (size_t i = 0; i < f->n_dn; i++) {
		item *it = sync_find_item(f->items, f->n_items, f->dn[i].uid);
		mg_journal_add(f->j, it->uid, (long long)it->size, it->date, it->flags, f->dn[i].dest);
	}
	int rc = mg_journal_flush(f->j, err);
	if (rc == 0) {
		for (size_t i = 0; i < f->n_dn; i++)
			if (f->dn[i].matched)
				f->matched++;
			else
				f->x->st->items_copied++;
		f->fs.synced += (long long)f->n_dn;
	}
	sync_dn_clear(f);
	return rc;
}

int sync_md_copy_chunk(fctx *f, item **chunk, size_t n, mg_err *err)
{
	uint32_t *uids = xmalloc(n * sizeof *uids);
	uint64_t *sizes = xmalloc(n * sizeof *sizes);
	size_t nf = 0;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		item *it = chunk[i];
		if (!f->rescan) {
			/* copied before a crash but not journalled: take it as it is */
			char *base = mg_maildir_base(f->fp->wire, f->uidvalidity, it->uid, it->date);
			long long sz = -1;
			const char *rel = mg_mdfolder_find(f->mf, base, &sz);
			char want[32];
			snprintf(want, sizeof want, ",S=%lld:", sz);
			if (rel && sz >= 0 && strstr(rel, want)) {
				char *store;
				const char **fl;
				size_t nfl = mg_flags_split(it->flags, &store, &fl);
				rc = mg_mdfolder_set_flags(f->mf, base, fl, nfl, err);
				free(store);
				free(fl);
				if (rc == 0)
					sync_dn_add(f, it->uid, base, false);
				free(base);
				if (rc < 0)
					goto out;
				continue;
			}
			free(base);
		}
		uids[nf] = it->uid;
		sizes[nf++] = it->size;
	}
	if (nf) {
		mg_imap_body_cb cb = { md_begin, md_data, md_end, sync_md_missing, f };
		f->cb_failed = false;
		rc = mg_imap_fetch_bodies(f->x->src, uids, sizes, nf, &cb, err);
		if (f->writing) {
			mg_mdwrite_abort(&f->w);
			f->writing = false;
		}
		if (rc < 0 && f->cb_failed)
			mg_err_copy(err, &f->cb_err);
		if (rc < 0) {
			mg_err e2;
			md_commit(f, &e2);   /* keep what is complete; best effort */
			goto out;
		}
	}
	rc = md_commit(f, err);
out:
	free(uids);
	free(sizes);
	return rc;
}
