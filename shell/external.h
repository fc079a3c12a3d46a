/*
 * external.h - programs that are not PowerShell: executables found on PATH
 * (ls, whoami) or named by a path (/bin/echo) run as child processes, as
 * PowerShell 7 runs them on Linux; binary files are never read as scripts.
 */
#ifndef MIGSH_EXTERNAL_H
#define MIGSH_EXTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include "common/err.h"
#include "shell/value.h"

struct mg_session;

/* Is this file content a program or other binary data rather than script
 * text (an ELF header, or a NUL byte in its first 8 KiB)? */
bool mg_is_binary(const char *data, size_t len);

/* The executable file that name runs: name itself when it contains a '/',
 * else the first executable regular file name in $PATH.  malloc'd, or NULL. */
char *mg_find_program(const char *name);

/* Run the program at path with args (an array of values, each passed as
 * its string form).  Its standard output becomes one string per line in
 * out; its standard error goes to the session's error stream as is.
 * Returns the exit status (128 + signal when killed), or -1 with err set
 * when it could not be started or Ctrl-C stopped it (MGC_STOPPED
 * "PipelineStopped"; the program is killed, as PowerShell does). */
int mg_run_program(struct mg_session *s, const char *path, const mv *args, mv *out, mg_err *err);
/* The same with input[0..inlen) written to its standard input (input NULL:
 * the program reads the shell's own standard input). */
int mg_run_program_fed(struct mg_session *s, const char *path, const mv *args, const char *input, size_t inlen,
                       mv *out, mg_err *err);

/* A program as a pipeline stage ('b','a' | sort): the evaluator makes a
 * stage of mg_cmd_native, without binding, and hands it the program and its
 * arguments (strings) with mg_native_set.  mg_native_begin starts it when
 * the pipeline begins (before any input; process and end start it too if
 * that was not done); each piped object's text reaches its standard input
 * within milliseconds of the object's arrival (in big writes when objects
 * come fast, by a writer thread: program_feed.h), and its output lines go
 * on down the pipeline as they come, both without blocking the shell.  At the end of
 * the input its standard input is closed and it is waited for; its status
 * is $LASTEXITCODE and mg_native_status (-1 while it has not ended). */
#include "shell/cmdlet.h"
extern const mg_cmdlet mg_cmd_native;
void mg_native_set(mg_ctx *c, const char *path, mv *args, bool fed);
int  mg_native_begin(mg_ctx *c);   /* 0, or -1 with c->err set */
int  mg_native_status(mg_ctx *c);

#endif
