/*
 * types.c - type descriptions (name, default display set) of the objects
 * the migration cmdlets emit.  The default sets follow Exchange's console
 * views: batch table "Identity Status Type TotalCount", endpoint table
 * "Identity EndpointType RemoteServer", user table "Identity Batch Status
 * LastSyncTime", statistics table "Identity Batch Status ItemsSynced
 * ItemsSkipped"; the rest print as lists.
 */
#include "config.h"
#include "cmdlets/types.h"

#include <stddef.h>

static const char *const batch_props[] = { "Identity", "Status", "Type", "TotalCount", NULL };
static const char *const endpoint_props[] = { "Identity", "EndpointType", "RemoteServer", NULL };
static const char *const user_props[] = { "Identity", "Batch", "Status", "LastSyncTime", NULL };
static const char *const user_stats_props[] = {
	"Identity", "Batch", "Status", "ItemsSynced", "ItemsSkipped", NULL };
static const char *const skipped_props[] = {
	"DateReceived", "Kind", "FolderName", "Subject", "MessageSize", NULL };
static const char *const service_props[] = { "Status", "ProcessId", "StartTime", "Home", NULL };

const mv_type_info mg_type_batch = { "MigrationBatch", batch_props, 1, "Identity" };
const mv_type_info mg_type_batch_id = { "MigrationBatchId", NULL, 2, "Name" };
const mv_type_info mg_type_endpoint = { "MigrationEndpoint", endpoint_props, 1, "Identity" };
const mv_type_info mg_type_endpoint_id = { "MigrationEndpointId", NULL, 2, "Name" };
const mv_type_info mg_type_user = { "MigrationUser", user_props, 1, "Identity" };
const mv_type_info mg_type_user_stats = { "MigrationUserStatistics", user_stats_props, 1, "Identity" };
const mv_type_info mg_type_statistics = { "MigrationStatistics", NULL, 2, "Identity" };
const mv_type_info mg_type_config = { "MigrationConfig", NULL, 2, "Identity" };
/* Exchange's view first; the migsh diagnostics stay available with Format-List * */
static const char *const test_result_props[] = { "Result", "Message", "ConnectionSettings", "SupportsCutover",
                                                 "ErrorDetail", NULL };
const mv_type_info mg_type_test_result = { "TestMigrationServerAvailabilityResult", test_result_props, 2, "Result" };
const mv_type_info mg_type_skipped_item = { "MigrationUserSkippedItem", skipped_props, 1, "Subject" };
const mv_type_info mg_type_report = { "MigrationReport", NULL, 2, "Path" };
const mv_type_info mg_type_service = { "MigrationService", service_props, 1, "Status" };
