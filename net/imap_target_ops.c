/* imap_target_ops.c - writes a sync makes on a target connection besides
 * APPEND, STORE and UID EXPUNGE (imap_fetch.c): RENAME (refused on a
 * read-only source connection by the client's guard). */
#include "config.h"

#include "net/imap_internal.h"
#include "net/imap_subscribe.h"

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
