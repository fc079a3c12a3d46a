/*
 * scripted_peer.h - a scripted IMAP server on a loopback port for the unit
 * tests (one connection, one thread): each step waits for a client command
 * containing `expect` (NULL: send at once, e.g. the greeting) and sends
 * `reply` with "$T" replaced by the command's tag ("CLOSE" closes the
 * connection, "SLEEP" goes silent).  server_finish() closes the client,
 * joins the server and fails the test when the client did not send what the
 * script expected.
 */
#ifndef MIGSH_TESTS_UNIT_SCRIPTED_PEER_H
#define MIGSH_TESTS_UNIT_SCRIPTED_PEER_H

#include <pthread.h>
#include "common/mem.h"
#include "net/imap_client.h"

typedef struct step {
	const char *expect;   /* substring the client's command must contain (NULL: greeting, send at once) */
	const char *reply;    /* "$T" is the client's tag; "CLOSE" closes; "SLEEP" goes silent */
} step;

typedef struct server {
	int lfd, port;
	const step *steps;
	pthread_t th;
	char error[512];
	strbuf got;           /* everything the client sent */
} server;

server *server_start(const step *steps);
void server_finish(server *s, mg_imap *c);

#endif
