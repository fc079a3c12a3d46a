/*
 * imap_target.c - IMAP destination account handling (see imap_target.h).
 */
#include "config.h"
#include "engine/imap_target.h"
#include "common/mem.h"
#include "common/str.h"
#include "net/imap_throttle.h"

#include <stdlib.h>
#include <string.h>

static void find_roles(mg_itarget *t)
{
	size_t pl = strlen(t->prefix);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < t->n_list; i++) {
			const mg_imap_mailbox *m = &t->list[i];
			if (!m->name)
				continue;
			const char *rel = m->name;
			if (pl && str_iprefix(rel, t->prefix))
				rel += pl;
			if (t->sep && strchr(rel, t->sep))
				continue;       /* top level only */
			mg_role r = pass == 0 ? mg_role_from_flags(m->flags) : mg_role_from_name(rel);
			if (r > MG_ROLE_INBOX && !t->role_name[r])
				t->role_name[r] = xstrdup(rel);
		}
	}
}

int mg_itarget_open(const mg_sync_job *job, mg_itarget **out, mg_err *err)
{
	if (!job->dst)
		return mg_err_set(err, MGC_INVALIDARG, "NoTargetEndpoint",
		                  "the batch has an IMAP destination but no target endpoint");
	mg_itarget *t = xcalloc(1, sizeof *t);
	t->c = mg_imap_connect(job->dst, err);
	if (!t->c)
		goto fail;
	mg_imap_set_cancel(t->c, job->cancel);      /* a throttled wait ends on stop */
	if (mg_imap_login(t->c, job->dst_user, job->dst_password, job->dst_authz, err) < 0)
		goto fail;
	if (mg_imap_namespace(t->c, &t->prefix, &t->sep, err) < 0)
		goto fail;
	if (!t->sep)
		t->sep = '/';
	t->uidplus = mg_imap_has_cap(t->c, "UIDPLUS");
	if (mg_imap_list(t->c, "", "*", &t->list, &t->n_list, err) < 0)
		goto fail;
	find_roles(t);
	*out = t;
	return 0;
fail:
	mg_err_prefix(err, "target %s:%d", job->dst->host, job->dst->port);
	mg_itarget_close(t);
	return -1;
}

void mg_itarget_close(mg_itarget *t)
{
	if (!t)
		return;
	if (t->c) {
		mg_imap_logout(t->c, NULL);
		mg_imap_close(t->c);
	}
	mg_imap_mailboxes_free(t->list, t->n_list);
	for (int i = 0; i < MG_ROLE_COUNT; i++)
		free(t->role_name[i]);
	free(t->prefix);
	free(t->selected);
	free(t);
}

int mg_itarget_wire(mg_itarget *t, char *const *comps, size_t n, char **wire, mg_err *err)
{
	if (n == 0) {
		*wire = xstrdup("INBOX");
		return 0;
	}
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, t->prefix ? t->prefix : "");
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addc(&sb, t->sep);
		strbuf_adds(&sb, comps[i]);
	}
	*wire = mg_imap_mailbox_wire(t->c, sb.buf, err);
	strbuf_free(&sb);
	return *wire ? 0 : -1;
}

static bool exists(mg_itarget *t, const char *wire)
{
	for (size_t i = 0; i < t->n_list; i++)
		if (strcmp(t->list[i].wire, wire) == 0 && !(t->list[i].flags & (MG_MBX_NOSELECT | MG_MBX_NONEXISTENT)))
			return true;
	return str_ieq(wire, "INBOX");
}

static void remember(mg_itarget *t, const char *wire)
{
	mg_imap_mailbox *v = xrealloc(t->list, (t->n_list + 1) * sizeof *v);
	t->list = v;
	memset(&v[t->n_list], 0, sizeof v[0]);
	v[t->n_list].wire = xstrdup(wire);
	v[t->n_list].sep = t->sep;
	t->n_list++;
}

int mg_itarget_ensure(mg_itarget *t, char *const *comps, size_t n, mg_err *err)
{
	for (size_t k = 1; k <= n; k++) {
		char *wire;
		if (mg_itarget_wire(t, comps, k, &wire, err) < 0)
			return -1;
		if (exists(t, wire)) {
			free(wire);
			continue;
		}
		bool existed = false;
		int rc = mg_imap_create(t->c, wire, &existed, err);
		if (rc < 0 && k < n && err && err->category == MGC_INVALIDOP) {
			/* some servers refuse creating a parent explicitly; the child
			 * CREATE makes it */
			mg_err_clear(err);
			free(wire);
			continue;
		}
		if (rc < 0) {
			mg_err_prefix(err, "cannot create folder at the target");
			free(wire);
			return -1;
		}
		remember(t, wire);
		free(wire);
	}
	return 0;
}

int mg_itarget_select(mg_itarget *t, const char *wire, bool refresh, mg_err *err)
{
	if (!refresh && t->selected && strcmp(t->selected, wire) == 0)
		return 0;
	free(t->selected);
	t->selected = NULL;
	if (mg_imap_select(t->c, wire, &t->sel, err) < 0)
		return -1;
	t->selected = xstrdup(wire);
	return 0;
}
