/* secure.c - SecureString values kept aside in the session (see secure.h). */
#include "config.h"
#include "shell/secure.h"
#include "shell/session.h"
#include "common/mem.h"

#include <stdlib.h>
#include <string.h>

#define SLOT "securestrings"

typedef struct secret {
	mv   *key;      /* the SecureString value (one reference) */
	char *plain;
} secret;

typedef struct registry {
	secret *v;
	size_t n, cap;
} registry;

static void registry_free(void *p)
{
	registry *r = p;
	for (size_t i = 0; i < r->n; i++) {
		mg_wipe(r->v[i].plain, strlen(r->v[i].plain));
		free(r->v[i].plain);
		mv_unref(r->v[i].key);
	}
	free(r->v);
	free(r);
}

static registry *get(struct mg_session *s, bool create)
{
	registry *r = mg_session_slot(s, SLOT);
	if (!r && create) {
		r = xcalloc(1, sizeof *r);
		mg_session_set_slot(s, SLOT, r, registry_free);
	}
	return r;
}

mv *mg_secure_new(struct mg_session *s, const char *plain)
{
	registry *r = get(s, true);
	mv *v = mv_string(MG_SECURE_TEXT);
	GROW(r->v, r->cap, r->n + 1);
	r->v[r->n].key = mv_ref(v);
	r->v[r->n].plain = xstrdup(plain ? plain : "");
	r->n++;
	return v;
}

static const secret *find(struct mg_session *s, const mv *v)
{
	registry *r = s && v ? get(s, false) : NULL;
	for (size_t i = 0; r && i < r->n; i++)
		if (r->v[i].key == v)
			return &r->v[i];
	return NULL;
}

bool mg_secure_is(struct mg_session *s, const mv *v)
{
	return find(s, v) != NULL;
}

char *mg_secure_plain(struct mg_session *s, const mv *v)
{
	const secret *k = find(s, v);
	return k ? xstrdup(k->plain) : NULL;
}

char *mg_secure_text(struct mg_session *s, const mv *v)
{
	char *p = mg_secure_plain(s, v);
	return p ? p : mv_to_string(v);
}
