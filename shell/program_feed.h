/*
 * program_feed.h - the writer thread that feeds a program in a pipeline
 * (external.c): the shell hands it the text of each piped object as the
 * object arrives, and the thread writes that text to the program's standard
 * input in big pieces.
 *
 * Why a thread: writing each object with its own system call wakes the
 * program once per line (200,000 lines took ten times longer than one big
 * write), and holding the text back until a big piece is full would keep
 * the last lines of a burst from the program for as long as the producer
 * then pauses (seconds, for ever).  Only another thread can write the held
 * text while the shell is busy elsewhere (in a slow producer), so it
 * writes when it holds FEED_BATCH bytes, or FEED_FLUSH_MS after the first
 * byte it holds, whichever comes first.
 *
 * The thread only moves bytes: it never touches the pipeline, the session
 * or a value.  The memory held is bounded: prog_feed_put refuses text while
 * FEED_CAP bytes are waiting (besides the piece being written), and the
 * caller then waits on prog_feed_fd, reading the program's output (a
 * program blocked writing a full output pipe does not read its input) and
 * looking at Ctrl-C.  A program that stops reading (it exited, or closed its
 * input: head -1) fails the thread's send with EPIPE (MSG_NOSIGNAL: no
 * SIGPIPE), and from then on the input is dropped.
 */
#ifndef MIGSH_PROGRAM_FEED_H
#define MIGSH_PROGRAM_FEED_H

#include <stdbool.h>
#include <stddef.h>

#define FEED_BATCH    (64 * 1024)    /* written at once when this much is held */
#define FEED_FLUSH_MS 3              /* the longest the first byte held waits */
#define FEED_CAP      (256 * 1024)   /* held at most, besides the piece being written */

typedef struct prog_feed prog_feed;

/* Start a thread writing to fd (the shell's end of the program's standard
 * input, non-blocking; the caller still owns it and closes it only after
 * prog_feed_stop).  NULL when no thread can be started (the caller then
 * writes itself). */
prog_feed *prog_feed_start(int fd);

enum {
	FEED_TAKEN,    /* the data will be written */
	FEED_FULL,     /* nothing taken: wait for prog_feed_fd, then put again */
	FEED_GONE      /* the program reads no more: the data is dropped */
};
/* Hand data[0..len) to the thread (copied; never blocks).  Data is taken
 * whenever nothing else is waiting, so one object larger than FEED_CAP
 * still goes through. */
int prog_feed_put(prog_feed *f, const char *data, size_t len);

/* No more input: write what is held now.  prog_feed_done then says when
 * all of it is written (or dropped); wait on prog_feed_fd meanwhile. */
void prog_feed_close(prog_feed *f);
bool prog_feed_done(prog_feed *f);

/* Readable after FEED_FULL or prog_feed_close when there is something new
 * (room, the program gone, everything written): poll it for POLLIN. */
int prog_feed_fd(const prog_feed *f);

/* Stop the thread (what it holds is dropped; a write that blocks is
 * abandoned), wait for it to end and free f.  Safe on every path: end,
 * Ctrl-C, errors.  f may be NULL. */
void prog_feed_stop(prog_feed *f);

#endif
