/*
 * imap_subscribe.h - folder-list changes carried to a destination (and
 * read from a source): subscriptions - which folders a source account has
 * subscribed (LSUB, which every IMAP4rev1 server answers: Dovecot, Cyrus,
 * Courier), and SUBSCRIBE on a target (refused on a read-only source
 * connection like every other write).
 */
#ifndef MIGSH_NET_IMAP_SUBSCRIBE_H
#define MIGSH_NET_IMAP_SUBSCRIBE_H

#include <stddef.h>
#include "common/err.h"
#include "net/imap_client.h"

/* LSUB "" pattern: the subscribed names as the server sent them (wire form),
 * without entries flagged \Noselect that the server lists only as parents
 * of subscribed children.  *wires is a malloc'd array of malloc'd strings. */
int  mg_imap_lsub(mg_imap *c, const char *pattern, char ***wires, size_t *n, mg_err *err);
void mg_imap_lsub_free(char **wires, size_t n);
/* SUBSCRIBE wire_name. */
int  mg_imap_subscribe(mg_imap *c, const char *wire_name, mg_err *err);
/* imap_target_ops.c: RENAME (a folder renamed at the source follows at the
 * target).  UID EXPUNGE of exactly some uids (deletion sync, late copies) is
 * mg_imap_uid_expunge in imap_client.h. */
int  mg_imap_rename(mg_imap *c, const char *from_wire, const char *to_wire, mg_err *err);

#endif
