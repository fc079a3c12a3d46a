/*
 * types.h - the object types the migration cmdlets emit (shell/value.h
 * mv_type_info): their names and default display property sets, following
 * Exchange's.
 */
#ifndef MIGSH_CMDLETS_TYPES_H
#define MIGSH_CMDLETS_TYPES_H

#include "shell/value.h"

extern const mv_type_info mg_type_batch;          /* MigrationBatch */
extern const mv_type_info mg_type_batch_id;       /* MigrationBatchId: prints as its Name */
extern const mv_type_info mg_type_endpoint;       /* MigrationEndpoint */
extern const mv_type_info mg_type_endpoint_id;    /* MigrationEndpointId: prints as its Name */
extern const mv_type_info mg_type_user;           /* MigrationUser */
extern const mv_type_info mg_type_user_stats;     /* MigrationUserStatistics */
extern const mv_type_info mg_type_statistics;     /* MigrationStatistics */
extern const mv_type_info mg_type_config;         /* MigrationConfig */
extern const mv_type_info mg_type_test_result;    /* TestMigrationServerAvailabilityResult */
extern const mv_type_info mg_type_skipped_item;   /* MigrationUserSkippedItem */
extern const mv_type_info mg_type_report;         /* MigrationReport (batch -IncludeReport) */
extern const mv_type_info mg_type_service;        /* MigrationService (extension) */

#endif
