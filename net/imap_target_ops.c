/* imap_target_ops.c - writes a sync makes on a target connection besides
 * APPEND, STORE and UID EXPUNGE (imap_fetch.c): RENAME, and UID MOVE (or
 * COPY + STORE \Deleted + UID EXPUNGE) with the COPYUID answer (refused on
 * a read-only source connection by the client's guard). */
#include "config.h"

#include "net/imap_internal.h"
#include "net/imap_subscribe.h"

#include <stdlib.h>
#include <string.h>

int mg_imap_rename(mg_imap *c, const char *from_wire, const char *to_wire, mg_err *err)
{
	imap_cmd k;
	imap_cmd_start(c, &k, "RENAME");
	imap_cmd_astring(c, &k, from_wire);
	imap_cmd_astring(c, &k, to_wire);
	int rc = imap_run(c, &k, NULL, NULL, NULL, err);
	imap_cmd_free(&k);
	return rc == IMAP_OK ? 0 : imap_fail(c, rc, "RENAME", err);
}

void mg_imap_copyuid_free(mg_imap_copyuid *m)
{
	if (!m)
		return;
	free(m->src);
	free(m->dst);
	memset(m, 0, sizeof *m);
}

/* [COPYUID uidvalidity src-set dst-set]: the two sets list the same number
 * of uids in corresponding order (RFC 4315 3) */
static void copyuid_code(const mg_imap_resp *r, mg_imap_copyuid *m)
{
	if (!m || !r->code || strcmp(r->code, "COPYUID") || r->code_args.n < 3 || m->n)
		return;
	uint64_t v;
	const char *a = mg_imap_val_str(&r->code_args.items[1]), *b = mg_imap_val_str(&r->code_args.items[2]);
	uint32_t *s = NULL, *d = NULL;
	size_t ns = 0, nd = 0;
	if (mg_imap_val_u64(&r->code_args.items[0], &v) < 0 || !v || v > 0xFFFFFFFFu || !a || !b ||
	    mg_imap_uid_set_parse(a, 10000000u, &s, &ns, NULL) < 0 ||
	    mg_imap_uid_set_parse(b, 10000000u, &d, &nd, NULL) < 0 || ns != nd) {
		free(s);
		free(d);
		return;       /* unusable: as if the server had sent none */
	}
	m->uidvalidity = (uint32_t)v;
	m->src = s;
	m->dst = d;
	m->n = ns;
}

static int move_untagged(mg_imap *c, const mg_imap_resp *r, void *arg)
{
	(void)c;
	if (r->status == MG_IMAP_ST_OK)
		copyuid_code(r, arg);
	return 0;
}

int mg_imap_uid_move(mg_imap *c, const char *uid_set, const char *to_wire, mg_imap_copyuid *map,
                     mg_err *err)
{
	if (map)
		memset(map, 0, sizeof *map);
	if (!uid_set || !*uid_set || strspn(uid_set, "0123456789:,") != strlen(uid_set))
		return mg_err_set(err, MGC_INVALIDARG, "InvalidUidSet", "invalid uid set \"%.64s\"", uid_set ? uid_set : "");
	bool move = mg_imap_has_cap(c, "MOVE");
	if (!move && !mg_imap_has_cap(c, "UIDPLUS"))
		return mg_err_set(err, MGC_INVALIDOP, "UidExpungeNotOffered",
		                  "%s offers neither MOVE nor UIDPLUS: cannot move single messages", c->host);
	imap_cmd k;
	imap_cmd_start(c, &k, "UID %s %s", move ? "MOVE" : "COPY", uid_set);
	imap_cmd_astring(c, &k, to_wire);
	const mg_imap_resp *t = NULL;
	int rc = imap_run(c, &k, move_untagged, map, &t, err);
	imap_cmd_free(&k);
	if (rc == IMAP_OK && t)
		copyuid_code(t, map);
	if (rc != IMAP_OK) {
		mg_imap_copyuid_free(map);
		return imap_fail(c, rc, move ? "UID MOVE" : "UID COPY", err);
	}
	if (move)
		return 0;
	/* COPY done: now remove exactly the originals */
	if (mg_imap_uid_store_flags(c, uid_set, '+', "\\Deleted", err) < 0 ||
	    mg_imap_uid_expunge(c, uid_set, err) < 0) {
		mg_imap_copyuid_free(map);
		return -1;
	}
	return 0;
}
