/*
 * thread.h - start a helper thread that takes no signal.
 *
 * migsh's helper threads (a name lookup, a program's writer) only move
 * bytes; Ctrl-C (SIGINT) and every other signal must reach the thread that
 * waits on them, which looks at the session's flag.  A thread inherits the
 * signal mask of the thread that creates it, so the mask is filled for the
 * moment of pthread_create and put back at once.
 */
#ifndef MIGSH_COMMON_THREAD_H
#define MIGSH_COMMON_THREAD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/* Start fn(arg) in a new thread with every signal blocked.  detached: it
 * frees itself when it ends (tid may then be NULL); stack_bytes: 0 for the
 * default size.  0, or pthread_create's error number. */
int mg_thread_start_quiet(pthread_t *tid, bool detached, size_t stack_bytes, void *(*fn)(void *), void *arg);

#endif
