/* imap_subscribe.c - LSUB and SUBSCRIBE (see imap_subscribe.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"
#include "net/imap_internal.h"
#include "net/imap_subscribe.h"

typedef struct lsub_arg { char **v; size_t n, cap; } lsub_arg;

static int lsub_untagged(mg_imap *c, const mg_imap_resp *r, void *arg)
{
	(void)c;
	lsub_arg *a = arg;
	if (!r->name || strcmp(r->name, "LSUB") || r->args.n < 3)
		return 0;
	const mg_imap_val *fl = &r->args.items[0];
	const char *wire = mg_imap_val_str(&r->args.items[2]);
	if (fl->type != MG_IMAP_LIST || !wire)
		return 0;
	for (size_t i = 0; i < fl->n; i++) {
		const char *f = mg_imap_val_str(&fl->items[i]);
		if (f && strcasecmp(f, "\\Noselect") == 0)
			return 0;   /* only a parent of subscribed folders (RFC 3501 6.3.9) */
	}
	GROW(a->v, a->cap, a->n + 1);
	a->v[a->n++] = xstrdup(wire);
	return 0;
}

int mg_imap_lsub(mg_imap *c, const char *pattern, char ***wires, size_t *n, mg_err *err)
{
	lsub_arg a = { 0 };
	imap_cmd k;
	imap_cmd_start(c, &k, "LSUB");
	imap_cmd_astring(c, &k, "");
	imap_cmd_astring(c, &k, pattern ? pattern : "*");
	int rc = imap_run(c, &k, lsub_untagged, &a, NULL, err);
	imap_cmd_free(&k);
	if (rc != IMAP_OK) {
		mg_imap_lsub_free(a.v, a.n);
		return imap_fail(c, rc, "LSUB", err);
	}
	*wires = a.v;
	*n = a.n;
	return 0;
}

void mg_imap_lsub_free(char **wires, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(wires[i]);
	free(wires);
}

int mg_imap_subscribe(mg_imap *c, const char *wire_name, mg_err *err)
{
	imap_cmd k;
	imap_cmd_start(c, &k, "SUBSCRIBE");
	imap_cmd_astring(c, &k, wire_name);
	int rc = imap_run(c, &k, NULL, NULL, NULL, err);
	imap_cmd_free(&k);
	return rc == IMAP_OK ? 0 : imap_fail(c, rc, "SUBSCRIBE", err);
}
