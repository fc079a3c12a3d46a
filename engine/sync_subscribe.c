/*
 * sync_subscribe.c - the destination's subscriptions mirror the source's:
 * after a complete pass, the migrated folders the source account has
 * subscribed (LSUB) are subscribed at the destination (its subscribe
 * operation, engine/dest.h: the local store rewrites its subscriptions file
 * in Dovecot's own format, a target IMAP server gets SUBSCRIBE for those it
 * does not list yet; a target subscription is never removed: the user may
 * have made it there).  Folders not migrated are not
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
static int lsub(sctx *x, mg_source *c, const char *pattern, const char *side, char ***v, size_t *n,
                mg_err *err)
{
	if (mg_source_lsub(c, pattern, v, n, err) == 0)
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
		char *w = mg_source_mailbox_wire(x->src, job->src_userroot, err);
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

	mg_dest_folder_ref *want = xmalloc((np ? np : 1) * sizeof *want);
	size_t n_want = 0;
	for (size_t i = 0; i < np; i++)
		if (plans[i].status == MG_FPLAN_COPY && listed(src, n_src, plans[i].wire))
			want[n_want++] = (mg_dest_folder_ref){ plans[i].comps, plans[i].n_comps };
	mg_imap_lsub_free(src, n_src);
	mg_dscope sc = x->dest->ops->subscribe(x->dest, x, want, n_want, err);
	free(want);
	return sync_scope_rc(x, sc, err);
}
