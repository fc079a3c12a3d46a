/*
 * imap_peer.h - a scripted IMAP source for the sync engine's unit tests: a
 * loopback server thread that answers the read-only commands the sync uses
 * (login, NAMESPACE, LIST, LSUB, STATUS, EXAMINE, UID FETCH of metadata,
 * bodies and Subject and Message-ID headers, UID SEARCH ALL) from a mailbox the test
 * scripts between passes (folders, messages, flags).  It accepts one
 * connection at a time, any number in a row.  Every command that is not
 * read-only (SELECT, STORE, APPEND, EXPUNGE, ...) is a test failure
 * (peer_error) - except in target mode (peer_start_target), where the same
 * model is a destination server that a test can make die at an APPEND.
 */
#ifndef MIGSH_TESTS_IMAP_PEER_H
#define MIGSH_TESTS_IMAP_PEER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct peer peer;

peer *peer_start(void);
/* the same as a target server (a destination): SELECT, CREATE, APPEND
 * (literals), UID STORE, UID EXPUNGE, EXPUNGE, SUBSCRIBE are allowed too;
 * APPENDUID in every APPEND's OK (UIDPLUS) */
peer *peer_start_target(void);
/* target: the nth APPEND (from 1, counted over all connections) ends the
 * connection without an answer and sets *cancel (a run killed there):
 * stored says whether the message was stored before (a copy the dead run
 * never journalled) or is stored only when the next APPEND arrives (a late
 * copy: the dead run's session still storing it) */
void  peer_crash_at(peer *p, long nth_append, bool stored, volatile sig_atomic_t *cancel);
/* messages of the folder whose bytes contain text */
long  peer_messages(peer *p, const char *folder, const char *text);
int   peer_port(const peer *p);
/* stop the thread and free everything */
void  peer_stop(peer *p);
/* the first protocol violation seen ("" when none) */
const char *peer_error(peer *p);
/* commands received so far whose text contains `what` */
long  peer_count(peer *p, const char *what);

void  peer_add_folder(peer *p, const char *name, uint32_t uidvalidity, bool subscribed);
/* a message with this Subject, flags ("\\Seen $Work" or ""), and `pad` bytes of body text; its uid */
uint32_t peer_add_msg(peer *p, const char *folder, const char *subject, const char *flags, size_t pad);
/* the same without a Message-ID header (a message a move cannot be recognised by) */
uint32_t peer_add_msg_no_msgid(peer *p, const char *folder, const char *subject, const char *flags, size_t pad);
/* moved to another folder (as IMAP MOVE: a new uid there; the bytes, flags and
 * INTERNALDATE kept); its new uid */
uint32_t peer_move(peer *p, const char *from, uint32_t uid, const char *to);
/* another message in folder `to` with the size and INTERNALDATE of that one
 * but another Message-ID; its uid */
uint32_t peer_add_lookalike(peer *p, const char *folder, uint32_t uid, const char *to);
void  peer_subscribe(peer *p, const char *folder, bool on);
/* answer NO to every `command` (e.g. "LSUB") from now on */
void  peer_refuse(peer *p, const char *command);
void  peer_set_flags(peer *p, const char *folder, uint32_t uid, const char *flags);
/* its INTERNALDATE: day 1 + day % 28 of March 2025 (at first: its uid) */
void  peer_set_date(peer *p, const char *folder, uint32_t uid, uint32_t day);
void  peer_expunge(peer *p, const char *folder, uint32_t uid);
/* the folder gets another name (UIDVALIDITY and uids kept, as Dovecot does) */
void  peer_rename_folder(peer *p, const char *from, const char *to);
/* a new UIDVALIDITY: the messages are numbered again from 1 (same bytes) */
void  peer_renumber(peer *p, const char *folder, uint32_t uidvalidity);
/* the body of a message (for comparing) or NULL */
const char *peer_body(peer *p, const char *folder, uint32_t uid);

#endif
