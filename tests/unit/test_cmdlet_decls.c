/*
 * test_cmdlet_decls.c - unit tests of the migration cmdlets' data:
 * the declarations (every parameter documented, no duplicate names or
 * positions, enum parameters with values, the seed parameter shapes of
 * Exchange's cmdlets) and the objects built from records (Exchange's
 * property names present, the default display sets resolvable, and no
 * password anywhere in an object).
 */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cmdlets/objects.h"
#include "cmdlets/types.h"
#include "common/str.h"
#include "engine/records.h"
#include "shell/cmdlet.h"

extern const mg_cmdlet *const mg_migration_cmdlets[];

static const mg_cmdlet *find(const char *name)
{
	for (size_t i = 0; mg_migration_cmdlets[i]; i++)
		if (str_ieq(mg_migration_cmdlets[i]->name, name))
			return mg_migration_cmdlets[i];
	return NULL;
}

static const mg_param *param(const mg_cmdlet *c, const char *name)
{
	for (const mg_param *p = c->params; p && p->name; p++)
		if (str_ieq(p->name, name))
			return p;
	return NULL;
}

static bool same_sets(const char *const *a, const char *const *b)
{
	size_t i = 0;
	for (; a[i] && b[i]; i++)
		if (strcmp(a[i], b[i]))
			return false;
	return !a[i] && !b[i];
}

static void test_declarations_complete(void **st)
{
	(void)st;
	size_t n = 0;
	for (size_t i = 0; mg_migration_cmdlets[i]; i++, n++) {
		const mg_cmdlet *c = mg_migration_cmdlets[i];
		assert_non_null(c->synopsis);
		assert_non_null(c->description);
		assert_non_null(c->process);
		assert_non_null(c->examples);
		assert_non_null(c->examples[0].code);
		for (const mg_param *p = c->params; p && p->name; p++) {
			if (!p->help || !*p->help)
				fail_msg("%s -%s has no help", c->name, p->name);
			if (p->type == MPT_ENUM && !p->allowed)
				fail_msg("%s -%s: enum without values", c->name, p->name);
			for (const mg_param *q = p + 1; q->name; q++) {
				if (str_ieq(p->name, q->name))
					fail_msg("%s: -%s declared twice", c->name, p->name);
				if (p->position >= 0 && p->position == q->position &&
				    (!p->sets || !q->sets || same_sets(p->sets, q->sets)))
					fail_msg("%s: -%s and -%s share position %d", c->name, p->name,
					         q->name, p->position);
			}
		}
		for (const mg_example *e = c->examples; e->code; e++) {
			assert_non_null(e->remarks);
			if ((e->flags & MG_EXAMPLE_FAILS) && !e->expect)
				fail_msg("%s: failing example without expected text", c->name);
		}
	}
	assert_int_equal(n, 26);   /* 24 Exchange cmdlets + Export-/Import-MigrationState */
}

static void test_reference_shapes(void **st)
{
	(void)st;
	/* Test-MigrationServerAvailability: -Port mandatory in the IMAP form */
	const mg_cmdlet *t = find("Test-MigrationServerAvailability");
	assert_non_null(t);
	assert_true(param(t, "Port")->flags & MPF_MANDATORY);
	/* New-MigrationEndpoint: -Port optional with default 993, Security default Ssl */
	const mg_cmdlet *ne = find("New-MigrationEndpoint");
	assert_false(param(ne, "Port")->flags & MPF_MANDATORY);
	assert_string_equal(param(ne, "Port")->defval, "993");
	assert_string_equal(param(ne, "Security")->defval, "Ssl");
	assert_string_equal(param(ne, "MaxConcurrentMigrations")->defval, "100");
	assert_string_equal(param(ne, "MaxConcurrentIncrementalSyncs")->defval, "20");
	assert_int_equal(param(ne, "AcceptUntrustedCertificates")->type, MPT_SWITCH);
	assert_true(param(ne, "DomainController")->flags & MPF_IGNORED);
	/* Set-MigrationEndpoint: AcceptUntrustedCertificates is a Boolean */
	assert_int_equal(param(find("Set-MigrationEndpoint"), "AcceptUntrustedCertificates")->type, MPT_BOOL);
	/* SkipReports: switch on New-, Boolean on Set-MigrationBatch */
	assert_int_equal(param(find("New-MigrationBatch"), "SkipReports")->type, MPT_SWITCH);
	assert_int_equal(param(find("Set-MigrationBatch"), "SkipReports")->type, MPT_BOOL);
	assert_int_equal(param(find("New-MigrationBatch"), "CSVData")->type, MPT_BYTES);
	/* Identity at position 1 (0-based 0) */
	const char *pos1[] = { "Get-MigrationBatch", "Get-MigrationEndpoint", "Remove-MigrationBatch",
	                       "Start-MigrationBatch", "Get-MigrationUserStatistics", NULL };
	for (int i = 0; pos1[i]; i++)
		assert_int_equal(param(find(pos1[i]), "Identity")->position, 0);
	assert_true(param(find("Get-MigrationUserStatistics"), "Identity")->flags & MPF_PIPE_PROPNAME);
	/* Remove-* confirm by default */
	assert_true(find("Remove-MigrationBatch")->flags & MCF_CONFIRM_HIGH);
	assert_true(find("Remove-MigrationEndpoint")->flags & MCF_CONFIRM_HIGH);
	assert_true(find("Remove-MigrationUser")->flags & MCF_CONFIRM_HIGH);
	assert_false(find("Start-MigrationBatch")->flags & MCF_CONFIRM_HIGH);
	/* Start-/Stop-MigrationUser [[-Identity]], Set-MigrationUser [-Identity] (section 10.5):
	 * position 1, piped MigrationUser objects bind by property name */
	const char *users[] = { "Start-MigrationUser", "Stop-MigrationUser", "Set-MigrationUser", NULL };
	for (int i = 0; users[i]; i++) {
		const mg_cmdlet *uc = find(users[i]);
		assert_non_null(uc);
		assert_int_equal(param(uc, "Identity")->position, 0);
		assert_true(param(uc, "Identity")->flags & MPF_PIPE_PROPNAME);
		assert_true(uc->flags & MCF_SHOULD_PROCESS);
		assert_false(uc->flags & MCF_CONFIRM_HIGH);
	}
	assert_false(param(find("Start-MigrationUser"), "Identity")->flags & MPF_MANDATORY);
	assert_false(param(find("Stop-MigrationUser"), "Identity")->flags & MPF_MANDATORY);
	assert_true(param(find("Set-MigrationUser"), "Identity")->flags & MPF_MANDATORY);
	const char *set_user[] = { "SyncNow", "ApproveSkippedItems", NULL };
	for (int i = 0; set_user[i]; i++)
		assert_int_equal(param(find("Set-MigrationUser"), set_user[i])->type, MPT_SWITCH);
	assert_int_equal(param(find("Set-MigrationUser"), "StartAfter")->type, MPT_DATETIME);
	assert_int_equal(param(find("Set-MigrationUser"), "CompleteAfter")->type, MPT_DATETIME);
}

/* No string anywhere in v (recursively) contains needle. */
static void assert_absent(const mv *v, const char *needle)
{
	if (!v)
		return;
	switch (v->kind) {
	case MV_STRING:
		if (strstr(v->u.str.s, needle))
			fail_msg("secret found in an object: %s", v->u.str.s);
		break;
	case MV_ARRAY:
		for (size_t i = 0; i < v->u.arr.n; i++)
			assert_absent(v->u.arr.items[i], needle);
		break;
	case MV_OBJECT:
	case MV_HASH:
		for (size_t i = 0; i < v->u.obj.n; i++)
			assert_absent(v->u.obj.props[i].val, needle);
		break;
	default:
		break;
	}
}

static void assert_props(const mv *o, const char *const *names)
{
	for (size_t i = 0; names[i]; i++)
		if (!mv_get(o, names[i]))
			fail_msg("property %s missing", names[i]);
	const mv_type_info *t = o->u.obj.type;
	for (size_t i = 0; t && t->default_props && t->default_props[i]; i++)
		if (!mv_get(o, t->default_props[i]))
			fail_msg("default display property %s missing", t->default_props[i]);
}

/* The enum parameters take the enum's own name table as their allowed list,
 * so the index the binder matched (mg_arg_enum) is the enum value: the names
 * are spelled once, and -Security Tls is MG_SEC_TLS without a second parse. */
static void test_enum_parameters_use_the_name_tables(void **st)
{
	(void)st;
	static const struct { const char *cmd, *param; const char *const *names; } uses[] = {
		{ "New-MigrationEndpoint", "Security", mg_security_names },
		{ "New-MigrationEndpoint", "Authentication", mg_auth_names },
		{ "Set-MigrationEndpoint", "Security", mg_security_names },
		{ "Set-MigrationEndpoint", "Authentication", mg_auth_names },
		{ "Test-MigrationServerAvailability", "Security", mg_security_names },
		{ "Test-MigrationServerAvailability", "Authentication", mg_auth_names },
		{ "Get-MigrationBatch", "Status", mg_batch_status_names },
		{ "Get-MigrationUser", "Status", mg_user_status_names },
		{ "Get-MigrationUser", "StatusSummary", mg_status_summary_names },
	};
	for (size_t i = 0; i < sizeof uses / sizeof uses[0]; i++) {
		const mg_cmdlet *c = find(uses[i].cmd);
		assert_non_null(c);
		const mg_param *p = param(c, uses[i].param);
		assert_non_null(p);
		if (p->type != MPT_ENUM || p->allowed != uses[i].names)
			fail_msg("%s -%s: not declared with its enum's name table", uses[i].cmd, uses[i].param);
	}
	/* the tables are indexed by the enums */
	assert_string_equal(mg_security_names[MG_SEC_TLS], "Tls");
	assert_string_equal(mg_auth_names[MG_AUTH_XOAUTH2], "XOAuth2");
	assert_string_equal(mg_batch_status_names[MG_BS_SYNCED_WITH_ERRORS], "SyncedWithErrors");
	assert_null(mg_batch_status_names[MG_BS__COUNT]);
	assert_string_equal(mg_user_status_names[MG_US_INCREMENTAL_SYNCED], "IncrementalSynced");
	assert_null(mg_user_status_names[MG_US__COUNT]);
	assert_string_equal(mg_status_summary_names[mg_user_status_summary_of(MG_US_COMPLETION_FAILED)], "Failed");
	assert_null(mg_status_summary_names[MG_SS__COUNT]);
	mg_auth a = MG_AUTH_BASIC;
	assert_int_equal(mg_auth_parse("cram-md5", &a), 0);   /* older state files */
	assert_int_equal(a, MG_AUTH_CRAMMD5);
}

static void test_endpoint_object(void **st)
{
	(void)st;
	mg_endpoint *e = mg_endpoint_new("IMAPEndpoint");
	e->remote_server = strdup("imap.contoso.com");
	e->admin_user = strdup("mailadmin");
	e->admin_password = strdup("Very-Secret-Endpoint-Pw");
	mv *o = mg_obj_endpoint(e, 1, 2, 3);
	static const char *const names[] = {
		"Identity", "EndpointType", "RemoteServer", "Port", "Security", "Authentication",
		"MaxConcurrentMigrations", "MaxConcurrentIncrementalSyncs", "ActiveMigrationCount",
		"ActiveIncrementalSyncCount", "Username", "Guid", "IsRemote", NULL };
	assert_props(o, names);
	char *id = mv_to_string(mv_get(o, "Identity"));
	assert_string_equal(id, "IMAPEndpoint");
	free(id);
	assert_string_equal(mv_get_str(o, "EndpointType"), "IMAP");
	assert_int_equal(mv_get(o, "Port")->u.i, 993);
	assert_string_equal(mv_get_str(o, "Security"), "Ssl");
	assert_absent(o, "Very-Secret-Endpoint-Pw");
	mv_unref(o);
	mg_endpoint_free(e);
}

static void test_user_objects(void **st)
{
	(void)st;
	mg_user *u = mg_user_new("terrya@contoso.edu", "IMAPBatch1");
	u->user_name = strdup("terrya*mailadmin");
	u->password = strdup("Very-Secret-User-Pw");
	u->synced_items = 12;
	u->skipped_items = 1;
	u->status = MG_US_SYNCED;
	mv *o = mg_obj_user(u);
	static const char *const unames[] = {
		"Identity", "Batch", "BatchId", "Status", "StatusSummary", "LastSyncTime",
		"SyncedItemCount", "SkippedItemCount", "ErrorSummary", "DataConsistencyScore",
		"HasUnapprovedSkippedItems", "Guid", NULL };
	assert_props(o, unames);
	assert_string_equal(mv_get_str(o, "Status"), "Synced");
	assert_string_equal(mv_get_str(o, "UserName"), "terrya*mailadmin");
	assert_absent(o, "Very-Secret-User-Pw");
	mv_unref(o);

	mg_skipped_rec sk = { .folder = "INBOX", .uid = 7, .subject = "big", .size = 40000000,
	                      .date = 1600000000, .kind = "LargeItem", .reason = "over 35 MB" };
	o = mg_obj_user_stats(u, &sk, 1, -1, "report text");
	static const char *const snames[] = {
		"TotalItemsInSourceMailboxCount", "Error", "MigrationType", "BytesTransferred",
		"EstimatedTotalTransferSize", "PercentageComplete", "TotalQueuedDuration",
		"TotalInProgressDuration", "SkippedItems", "Report", "ItemsSynced", "ItemsSkipped", NULL };
	assert_props(o, snames);
	assert_int_equal(mv_count(mv_get(o, "SkippedItems")), 1);
	assert_string_equal(mv_get_str(mv_index(mv_get(o, "SkippedItems"), 0), "Kind"), "LargeItem");
	assert_absent(o, "Very-Secret-User-Pw");
	mv_unref(o);
	mg_user_free(u);
}

static void test_batch_object(void **st)
{
	(void)st;
	mg_batch *b = mg_batch_new("IMAPBatch1");
	b->source_endpoint = strdup("IMAPEndpoint");
	mg_user *u[3];
	u[0] = mg_user_new("a@contoso.edu", "IMAPBatch1");
	u[0]->status = MG_US_SYNCED;
	u[1] = mg_user_new("b@contoso.edu", "IMAPBatch1");
	u[1]->status = MG_US_FAILED;
	u[1]->validation_failed = true;
	u[1]->error = strdup("malformed address");
	u[2] = mg_user_new("c@contoso.edu", "IMAPBatch1");
	u[2]->password = strdup("Very-Secret-Batch-Pw");
	mv *o = mg_obj_batch(b, u, 3, NULL, false);
	static const char *const names[] = {
		"Identity", "Status", "MigrationType", "TotalCount", "ActiveCount", "StoppedCount",
		"SyncedCount", "FinalizedCount", "FailedCount", "FailedInitialSyncCount",
		"FailedIncrementalSyncCount", "CreationDateTime", "LastSyncedDateTime", "StartAfter",
		"StartAfterUTC", "CompleteAfter", "CompleteAfterUTC", "BatchGuid", "Report", "State",
		"SourceEndpoint", "SupportedActions", "DataConsistencyScore", NULL };
	assert_props(o, names);
	assert_int_equal(mv_get(o, "TotalCount")->u.i, 3);
	assert_int_equal(mv_get(o, "FailedCount")->u.i, 1);
	assert_int_equal(mv_get(o, "SyncedCount")->u.i, 1);
	assert_string_equal(mv_get_str(o, "Status"), "Created");
	assert_string_equal(mv_get_str(mv_get(o, "Identity"), "Name"), "IMAPBatch1");
	assert_int_equal(mv_get(o, "ValidationWarningCount")->u.i, 1);
	assert_absent(o, "Very-Secret-Batch-Pw");
	mv_unref(o);
	for (int i = 0; i < 3; i++)
		mg_user_free(u[i]);
	mg_batch_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_declarations_complete),
		cmocka_unit_test(test_reference_shapes),
		cmocka_unit_test(test_enum_parameters_use_the_name_tables),
		cmocka_unit_test(test_endpoint_object),
		cmocka_unit_test(test_user_objects),
		cmocka_unit_test(test_batch_object),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
