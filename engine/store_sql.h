/*
 * store_sql.h - internals of the SQLite state store (store.h), shared by
 * store.c (open, schema, transactions), store_records.c (the records) and
 * store_convert.c (the YAML layout: conversion, dump and restore).  Internal
 * to engine/; every SQL statement of migsh lives in these files.
 *
 * Records map to tables column by column through the tables of coldefs
 * below (one column per record field, named like the field's YAML key), so
 * the SQL is generated from one description and stays standard (CREATE
 * TABLE, INSERT ... ON CONFLICT ... DO UPDATE, SAVEPOINT) where SQLite and
 * PostgreSQL agree.  Enums are stored by name (TEXT), booleans as 0/1,
 * times as epoch seconds, lists of strings as TEXT with each element
 * followed by a newline ('\' and newline escaped).
 */
#ifndef MIGSH_ENGINE_STORE_SQL_H
#define MIGSH_ENGINE_STORE_SQL_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include "common/err.h"
#include "common/mem.h"
#include "engine/records.h"
#include "engine/store.h"

#define MG_DB_FILE "migsh.db"

typedef enum coltype {
	CT_STR, CT_LL, CT_I64, CT_INT, CT_LONG, CT_BOOL, CT_GUID, CT_STRV,
	CT_BSTATUS, CT_USTATUS, CT_CONS, CT_SEC, CT_AUTH, CT_TLOGIN
} coltype;

typedef struct coldef {
	const char *name;      /* column name = YAML key */
	coltype     type;
	size_t      off;       /* offsetof the field in the record */
} coldef;

extern const coldef mg_endpoint_cols[];
extern const size_t mg_endpoint_ncols;
extern const coldef mg_batch_cols[];
extern const size_t mg_batch_ncols;
extern const coldef mg_user_cols[];
extern const size_t mg_user_ncols;

/* Prepared statements kept for the life of the connection. */
enum {
	SQ_USER_UPSERT, SQ_USER_INSERT, SQ_USER_BY_KEY, SQ_EMAIL_IN_USE, SQ_BATCH_ID, SQ_REPORT_ADD, SQ__COUNT
};

struct mg_store {
	char           *home;
	sqlite3        *db;
	pthread_mutex_t mu;          /* recursive: one connection, many threads */
	int             depth;       /* mg_store_lock nesting */
	bool            txn_failed;  /* a statement failed inside the transaction */
	sqlite3_stmt   *stmts[SQ__COUNT];
	int             busy_ms;
};

/* Run SQL without results (several statements allowed). */
int sq_exec(mg_store *st, const char *sql, mg_err *err);
/* Prepare (cached when slot >= 0, reset for reuse). */
sqlite3_stmt *sq_prepare(mg_store *st, int slot, const char *sql, mg_err *err);
void sq_done(mg_store *st, int slot, sqlite3_stmt *s);   /* reset a cached one, finalize others */
/* Fill err from the connection's last error, naming what was being done. */
int sq_fail(mg_store *st, mg_err *err, const char *doing);

/* Bind fields of rec to parameters first.. (in cols order); returns next index. */
int sq_bind_cols(sqlite3_stmt *s, int first, const coldef *cols, size_t n, const void *rec);
/* Read fields of rec from result columns first..; 0 or -1 (bad enum: err). */
int sq_read_cols(sqlite3_stmt *s, int first, const coldef *cols, size_t n, void *rec,
                 const char *what, mg_err *err);
/* "c1, c2, ..." and "?, ?, ..." and "c1 = excluded.c1, ..." (caller frees). */
char *sq_col_list(const coldef *cols, size_t n, const char *prefix);
char *sq_qmarks(size_t n);
char *sq_excluded_list(const coldef *cols, size_t n);

/* Savepoint around one store change, nested inside mg_store_lock's transaction. */
int  sq_change_begin(mg_store *st, mg_err *err);
int  sq_change_end(mg_store *st, int rc, mg_err *err);   /* release or roll back; returns rc */

/* The schema (CREATE TABLE/INDEX) of the current version. */
int sq_create_schema(mg_store *st, mg_err *err);
/* Add the columns of the column tables that the database's tables lack. */
int sq_add_missing_columns(mg_store *st, mg_err *err);

/* A report line as stored (no timestamp added). */
int mg_store_user_report_add_raw(mg_store *st, const char *batch, const char *email,
                                 const char *line, mg_err *err);

/* store_convert.c: import a YAML-layout directory (schema 1: endpoints/,
 * batches/<key>/batch.yaml, users/, *.skipped.yaml, *.log) into the open
 * store, in the caller's transaction. */
int mg_store_import_yaml(mg_store *st, const char *dir, mg_err *err);

#endif
