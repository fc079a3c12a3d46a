/*
 * imap_target.h - the IMAP destination: log in to the target account (master
 * user or PLAIN authorization identity), learn its namespace, separator and
 * special folders, create folders with its separator, and keep one folder
 * selected for APPEND / UID STORE / reconcile fetches.  Writes only to the
 * target; the source connection never goes through here.
 */
#ifndef MIGSH_ENGINE_IMAP_TARGET_H
#define MIGSH_ENGINE_IMAP_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "engine/folder_map.h"
#include "engine/sync.h"
#include "net/imap_client.h"

typedef struct mg_itarget {
	mg_imap *c;
	char     sep;            /* target hierarchy separator ('/' when flat/unknown) */
	char    *prefix;         /* personal namespace prefix ("" / "INBOX.") */
	bool     uidplus;
	mg_imap_mailbox *list;   /* folders that exist at the target */
	size_t   n_list;
	char    *role_name[MG_ROLE_COUNT];  /* target's own special folders (relative names) */
	char    *selected;       /* wire name of the selected folder or NULL */
	mg_imap_mbox_status sel; /* its status at SELECT */
} mg_itarget;

int  mg_itarget_open(const mg_sync_job *job, mg_itarget **out, mg_err *err);
void mg_itarget_close(mg_itarget *t);   /* LOGOUT best effort */

/* Wire name for destination components (n == 0: INBOX); caller frees. */
int  mg_itarget_wire(mg_itarget *t, char *const *comps, size_t n, char **wire, mg_err *err);
/* CREATE the folder (and missing parents) unless it exists. */
int  mg_itarget_ensure(mg_itarget *t, char *const *comps, size_t n, mg_err *err);
/* SELECT (no-op when already selected and !refresh). */
int  mg_itarget_select(mg_itarget *t, const char *wire, bool refresh, mg_err *err);

#endif
