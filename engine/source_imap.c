/*
 * source_imap.c - the IMAP source (engine/source.h): one read-only client
 * connection (EXAMINE and BODY.PEEK only; the client's read-only guard is
 * on), logged in as the job's source user.
 */
#include "config.h"
#include "engine/source.h"
#include "engine/sync_internal.h"
#include "common/mem.h"
#include "net/imap_subscribe.h"
#include "net/imap_throttle.h"

#include <stdlib.h>
#include <string.h>

typedef struct im_source { const mg_sync_job *job; mg_imap *c; } im_source;

static im_source *S(const mg_source *s) { return s->state; }
static mg_imap *C(const mg_source *s) { return S(s)->c; }

static void src_close(mg_source *s)
{
	im_source *is = S(s);
	if (is->c) {
		mg_imap_logout(is->c, NULL);
		mg_imap_close(is->c);
		is->c = NULL;
	}
	mg_imap_mailboxes_free(s->list, s->n_list);
	s->list = NULL;
	s->n_list = 0;
	free(s->prefix);
	s->prefix = NULL;
	s->open = false;
}

static int src_open(mg_source *s, sctx *x, mg_err *err)
{
	im_source *is = S(s);
	const mg_sync_job *job = is->job;
	is->c = mg_imap_connect(job->src, err);
	if (!is->c)
		goto fail;
	mg_imap_set_cancel(is->c, job->cancel);    /* a throttled wait ends on stop */
	if (mg_imap_login(is->c, job->src_user, job->src_password, NULL, err) < 0)
		goto fail;
	mg_imap_set_readonly(is->c, true);
	if (mg_imap_enable_qresync(is->c, NULL, err) < 0)   /* VANISHED for sync_deletions.c (issue 14) */
		goto fail;
	if (mg_imap_namespace(is->c, &s->prefix, &s->sep, err) < 0)
		goto fail;
	const char *pattern = "*";
	char *pat = NULL;
	if (job->src_userroot && *job->src_userroot) {
		char *w = mg_imap_mailbox_wire(is->c, job->src_userroot, err);
		if (!w)
			goto fail;
		pat = xasprintf("%s*", w);
		free(w);
		pattern = pat;
	}
	int rc = mg_imap_list(is->c, "", pattern, &s->list, &s->n_list, err);
	free(pat);
	if (rc < 0)
		goto fail;
	sync_slog(x, "connected to source %s:%d (%s) as %s; %zu folders, separator '%c', prefix '%s'",
	     job->src->host, job->src->port, mg_security_name(job->src->security), job->src_user,
	     s->n_list, s->sep ? s->sep : ' ', s->prefix ? s->prefix : "");
	s->open = true;
	return 0;
fail:
	mg_err_prefix(err, "source %s:%d", job->src->host, job->src->port);
	if (err)
		err->side = MG_SIDE_SOURCE;
	return -1;
}

static void src_free(mg_source *s)
{
	free(s->state);
	s->state = NULL;
}

static int src_status(mg_source *s, const char *wire, mg_imap_mbox_status *st, mg_err *err)
{ return mg_imap_status(C(s), wire, st, err); }
static int src_examine(mg_source *s, const char *wire, mg_imap_mbox_status *st, mg_err *err)
{ return mg_imap_examine(C(s), wire, st, err); }
static int src_fetch_meta(mg_source *s, const char *set, uint64_t changedsince, mg_imap_meta_cb cb, void *arg,
                          mg_err *err)
{ return mg_imap_fetch_meta(C(s), set, changedsince, cb, arg, err); }
static int src_fetch_bodies(mg_source *s, const uint32_t *uids, const uint64_t *sizes, size_t n,
                            const mg_imap_body_cb *cb, mg_err *err)
{ return mg_imap_fetch_bodies(C(s), uids, sizes, n, cb, err); }
static int src_fetch_subjects(mg_source *s, const uint32_t *uids, size_t n, mg_imap_subject_cb cb, void *arg,
                              mg_err *err)
{ return mg_imap_fetch_subjects(C(s), uids, n, cb, arg, err); }
static int src_uid_search(mg_source *s, const char *criteria, uint32_t **uids, size_t *n, mg_err *err)
{ return mg_imap_uid_search(C(s), criteria, uids, n, err); }
static int src_lsub(mg_source *s, const char *pattern, char ***wires, size_t *n, mg_err *err)
{ return mg_imap_lsub(C(s), pattern, wires, n, err); }
static char *src_mailbox_wire(mg_source *s, const char *name, mg_err *err)
{ return mg_imap_mailbox_wire(C(s), name, err); }
static bool src_has_cap(mg_source *s, const char *cap)
{ return mg_imap_has_cap(C(s), cap); }
static int src_fetch_header_fields(mg_source *s, const uint32_t *uids, size_t n, const char *fields,
                                   mg_imap_subject_cb cb, void *arg, mg_err *err)
{ return mg_imap_fetch_header_fields(C(s), uids, n, fields, cb, arg, err); }
static bool src_qresync(mg_source *s)
{ return mg_imap_qresync_enabled(C(s)); }
static int src_examine_qresync(mg_source *s, const char *wire, uint32_t uidvalidity, uint64_t modseq,
                               mg_imap_mbox_status *st, uint32_t **vanished, size_t *nv, mg_err *err)
{ return mg_imap_examine_qresync(C(s), wire, uidvalidity, modseq, NULL, st, vanished, nv, err); }

static const mg_source_ops imap_source_ops = {
	.kind = "imap",
	.open = src_open,
	.close = src_close,
	.free = src_free,
	.status = src_status,
	.examine = src_examine,
	.fetch_meta = src_fetch_meta,
	.fetch_bodies = src_fetch_bodies,
	.fetch_subjects = src_fetch_subjects,
	.uid_search = src_uid_search,
	.lsub = src_lsub,
	.mailbox_wire = src_mailbox_wire,
	.has_cap = src_has_cap,
	.fetch_header_fields = src_fetch_header_fields,
	.qresync = src_qresync,
	.examine_qresync = src_examine_qresync,
};

int mg_source_imap_init(const mg_sync_job *job, mg_source *s, mg_err *err)
{
	(void)err;
	memset(s, 0, sizeof *s);
	im_source *is = xcalloc(1, sizeof *is);
	is->job = job;
	s->ops = &imap_source_ops;
	s->state = is;
	return 0;
}

void mg_source_free(mg_source *s)
{
	if (!s || !s->ops)
		return;
	s->ops->close(s);
	s->ops->free(s);
	memset(s, 0, sizeof *s);
}
