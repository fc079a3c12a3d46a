/*
 * completion.c - tab completion of endpoint names, batch names and user
 * addresses (see completion.h).  Reads the store; never fails loudly: a
 * store that cannot be read just offers nothing.
 */
#include "config.h"
#include "cmdlets/completion.h"
#include "common/mem.h"
#include "engine/store.h"
#include "shell/session.h"

#include <stdlib.h>

static void release_store(void *p)
{
	mg_store_close(p);
}

static mg_store *session_store(mg_session *s)
{
	mg_store *st = mg_session_slot(s, "migration.store");
	if (st || !s->home)
		return st;
	mg_err err;
	mg_err_clear(&err);
	if (mg_store_open(s->home, &st, &err) < 0)
		return NULL;
	mg_session_set_slot(s, "migration.store", st, release_store);
	return st;
}

/* User addresses collected as the store streams the users. */
typedef struct names {
	char  **v;
	size_t  n, cap;
} names;

static int add_email(mg_user *u, void *arg, mg_err *err)
{
	(void)err;
	names *nm = arg;
	if (u->email) {
		GROW(nm->v, nm->cap, nm->n + 2);
		nm->v[nm->n++] = u->email;
		nm->v[nm->n] = NULL;
		u->email = NULL;
	}
	mg_user_free(u);
	return 0;
}

char **mg_migration_names(mg_session *s, mg_complete kind)
{
	if (kind != MGCOMP_ENDPOINT && kind != MGCOMP_BATCH && kind != MGCOMP_USER)
		return NULL;
	mg_store *st = session_store(s);
	if (!st)
		return NULL;
	mg_err err;
	mg_err_clear(&err);
	char **out = NULL;
	size_t n = 0;
	if (kind == MGCOMP_ENDPOINT) {
		mg_endpoint **v = NULL;
		size_t nv = 0;
		if (mg_store_endpoint_list(st, &v, &nv, &err) < 0)
			return NULL;
		out = xcalloc(nv + 1, sizeof *out);
		for (size_t i = 0; i < nv; i++)
			out[n++] = xstrdup(v[i]->name);
		mg_endpoint_list_free(v, nv);
	} else if (kind == MGCOMP_BATCH) {
		mg_batch **v = NULL;
		size_t nv = 0;
		if (mg_store_batch_list(st, &v, &nv, &err) < 0)
			return NULL;
		out = xcalloc(nv + 1, sizeof *out);
		for (size_t i = 0; i < nv; i++)
			out[n++] = xstrdup(v[i]->name);
		mg_batch_list_free(v, nv);
	} else {
		/* streamed: only the addresses are kept, not 100,000 records */
		names nm = { NULL, 0, 0 };
		if (mg_store_user_each(st, NULL, 0, -1, add_email, &nm, &err) < 0) {
			mg_strv_free_all(nm.v);
			return NULL;
		}
		out = nm.v ? nm.v : xcalloc(1, sizeof *out);
		n = nm.n;
	}
	out[n] = NULL;
	return out;
}

void mg_migration_register(mg_session *s)
{
	for (size_t i = 0; i < s->nsources; i++)
		if (s->name_sources[i] == mg_migration_names)
			return;
	mg_session_add_name_source(s, mg_migration_names);
}
