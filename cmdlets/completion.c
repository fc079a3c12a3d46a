/*
 * completion.c - tab completion of endpoint names, batch names and user
 * addresses (see completion.h): the names that start with what was typed,
 * from the store's indexes (mg_store_names), so completing an -Identity
 * costs milliseconds at 100,000 users.  Never fails loudly: a store that
 * cannot be read just offers nothing.
 */
#include "config.h"
#include "cmdlets/completion.h"
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

/* At most this many names per completion (plus the last match: see
 * mg_store_names), whatever the store holds: readline asks before it shows
 * more than a hundred anyway. */
#define NAMES_MAX 200

char **mg_migration_names(mg_session *s, mg_complete kind, const char *prefix)
{
	mg_store_name_kind k;
	switch (kind) {
	case MGCOMP_ENDPOINT: k = MG_NAMES_ENDPOINT; break;
	case MGCOMP_BATCH:    k = MG_NAMES_BATCH; break;
	case MGCOMP_USER:     k = MG_NAMES_USER; break;
	default:              return NULL;
	}
	mg_store *st = session_store(s);
	if (!st)
		return NULL;
	mg_err err;
	mg_err_clear(&err);
	/* the store's index answers: a prefix query with a LIMIT, never every
	 * address of every batch */
	return mg_store_names(st, k, prefix, NAMES_MAX, &err);
}

void mg_migration_register(mg_session *s)
{
	for (size_t i = 0; i < s->nsources; i++)
		if (s->name_sources[i] == mg_migration_names)
			return;
	mg_session_add_name_source(s, mg_migration_names);
}
