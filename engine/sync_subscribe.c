/*
 * sync_subscribe.c - the destination's subscriptions mirror the source's:
 * after a complete pass, the migrated folders the source account has
 * subscribed (LSUB) are subscribed at the destination - in the local store
 * by rewriting its subscriptions file in Dovecot's own format
 * (mg_maildir_set_subscriptions), on a target IMAP server with SUBSCRIBE
 * for those the target does not list yet (a target subscription is never
 * removed: the user may have made it there).  Folders not migrated are not
 * subscribed.  A server that refuses LSUB only costs the subscriptions
 * (reported); a broken connection fails the pass like any other command.
 */
#include "config.h"
#include "engine/sync_internal.h"
#include "common/mem.h"
#include "net/imap_subscribe.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool listed(char **v, size_t n, const char *wire)
{
	bool inbox = strcasecmp(wire, "INBOX") == 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], wire) == 0 || (inbox && strcasecmp(v[i], "INBOX") == 0))
			return true;
	return false;
}

/* LSUB; 1 when the server refused it (already reported) */
static int lsub(sctx *x, mg_imap *c, const char *pattern, const char *side, char ***v, size_t *n,
                mg_err *err)
{
	if (mg_imap_lsub(c, pattern, v, n, err) == 0)
		return 0;
	if (err->category != MGC_INVALIDOP && err->category != MGC_PROTOCOL)
		return -1;
	sync_slog(x, "subscriptions not carried: the %s refused LSUB: %s", side, err->msg);
	mg_err_clear(err);
	return 1;
}

int sync_subscriptions(sctx *x, const mg_folder_plan *plans, size_t np, mg_err *err)
{
	const mg_sync_job *job = x->job;
	char *pat = NULL;
	if (job->src_userroot && *job->src_userroot) {
		char *w = mg_imap_mailbox_wire(x->src, job->src_userroot, err);
		if (!w)
			return -1;
		pat = xasprintf("%s*", w);
		free(w);
	}
	char **src = NULL;
	size_t n_src = 0;
	int rc = lsub(x, x->src, pat ? pat : "*", "source", &src, &n_src, err);
	free(pat);
	if (rc != 0)
		return rc < 0 ? -1 : 0;

	mg_md_folder_ref *want = xmalloc((np ? np : 1) * sizeof *want);
	size_t n_want = 0;
	for (size_t i = 0; i < np; i++)
		if (plans[i].status == MG_FPLAN_COPY && listed(src, n_src, plans[i].wire))
			want[n_want++] = (mg_md_folder_ref){ plans[i].comps, plans[i].n_comps };
	mg_imap_lsub_free(src, n_src);

	if (x->md) {
		rc = mg_maildir_set_subscriptions(x->md, want, n_want, err);
		if (rc == 0)
			sync_slog(x, "subscriptions: %zu migrated folder(s) subscribed, as at the source", n_want);
		free(want);
		return rc;
	}
	char **have = NULL;
	size_t n_have = 0, added = 0;
	rc = lsub(x, x->tgt->c, "*", "target", &have, &n_have, err);
	for (size_t i = 0; rc == 0 && i < n_want; i++) {
		char *wire = NULL;
		if (mg_itarget_wire(x->tgt, want[i].comps, want[i].n, &wire, err) < 0) {
			rc = -1;
			break;
		}
		if (!listed(have, n_have, wire)) {
			if (mg_imap_subscribe(x->tgt->c, wire, err) == 0) {
				added++;
			} else if (err->category == MGC_INVALIDOP) {
				sync_slog(x, "folder '%s' not subscribed at the target: %s", wire, err->msg);
				mg_err_clear(err);
			} else {
				rc = -1;
			}
		}
		free(wire);
	}
	if (rc == 0)
		sync_slog(x, "subscriptions: %zu migrated folder(s) subscribed at the source, %zu newly "
		          "subscribed at the target", n_want, added);
	mg_imap_lsub_free(have, n_have);
	free(want);
	return rc < 0 ? -1 : 0;
}
