/*
 * dest_mem.h - an in-memory destination (engine/dest.h) for the sync
 * engine's unit tests: folders of messages held in memory, kept across
 * passes (a test runs several syncs into the same one), with faults on
 * demand.  A message's reference is "m<N>"; every write adds a message (as
 * an APPEND does), and lookup finds a stored copy by its source identity
 * (folder, UIDVALIDITY, uid), as the Maildir store does.  It moves copies
 * between folders (dest.h's moves) like the Maildir store, atomically, and
 * refuses to move a copy that is not there.
 */
#ifndef MIGSH_TESTS_DEST_MEM_H
#define MIGSH_TESTS_DEST_MEM_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include "engine/dest.h"

typedef struct mem_msg {
	char *ref;
	char *key;          /* source identity */
	char *body; size_t len;
	char *flags;
} mem_msg;

typedef struct mem_folder {
	char *name;         /* destination components joined with '/' ("" = INBOX) */
	mem_msg *m; size_t n, cap;
	bool subscribed;
} mem_folder;

typedef struct mem_dest {
	mem_folder *f; size_t nf, capf;
	long next_ref;
	long stored;        /* messages written (all passes) */
	long opens;
	/* faults */
	long fail_after;    /* >= 0: a write fails once this many messages are stored */
	volatile sig_atomic_t *cancel;   /* with cancel_after >= 0: set after that many stored */
	long cancel_after;
	long moved;         /* messages moved between folders (all passes) */
	long move_fail_after; /* >= 0: a move fails once this many messages are moved (those before it stay moved) */
	bool no_lookup;     /* lookup never finds anything (a broken destination, for the tests' own check) */
} mem_dest;

/* d takes a fresh mem_dest (owned by d: mg_dest_free frees it) */
void mem_dest_init(mg_dest *d);
mem_dest *mem_dest_of(mg_dest *d);
/* d's destination without the move operations (moves NULL) */
void mem_dest_no_moves(mg_dest *d);
/* a message someone else put there (not copied by migsh; counts as stored) */
void mem_dest_put(mem_dest *m, const char *folder, const char *body);
/* remove the message whose body equals body (a copy lost behind migsh's back) */
void mem_dest_delete(mem_dest *m, const char *folder, const char *body);
/* the folder "A/B" ("" = INBOX) or NULL */
mem_folder *mem_dest_folder(mem_dest *m, const char *name);
/* messages in the folder whose body contains `text` */
size_t mem_dest_count(mem_dest *m, const char *folder, const char *text);
/* the message whose body equals body, or NULL */
mem_msg *mem_dest_find(mem_dest *m, const char *folder, const char *body);

#endif
