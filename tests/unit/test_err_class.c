/* test_err_class.c - every error id the engine and the network layer
 * produce, with the verdict the sync engine acts on: retried or not, and the
 * class its ErrorSummary is worded for. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "common/err_class.h"

typedef struct expect { mg_err_cat cat; const char *id; int retry; mg_err_class cls; } expect;

/* Written from the call sites (mg_err_set/mg_err_sys in common/, net/, engine/),
 * independently of the table in err_class.c. */
static const expect table[] = {
	/* end of stream, reset, cut: retried */
	{ MGC_CONNECTION, "ConnectionClosed", 1, MG_EC_DISCONNECTED },
	{ MGC_CONNECTION, "ConnectionReset", 1, MG_EC_DISCONNECTED },
	{ MGC_CONNECTION, "ConnectionDead", 1, MG_EC_DISCONNECTED },
	{ MGC_CONNECTION, "TlsHandshakeCut", 1, MG_EC_DISCONNECTED },
	{ MGC_READ, "ReadFailed", 1, MG_EC_DISCONNECTED },
	{ MGC_WRITE, "WriteFailed", 1, MG_EC_DISCONNECTED },
	{ MGC_READ, "TlsReadFailed", 1, MG_EC_DISCONNECTED },
	{ MGC_WRITE, "TlsWriteFailed", 1, MG_EC_DISCONNECTED },
	{ MGC_PROTOCOL, "DeflateDesync", 1, MG_EC_DISCONNECTED },
	{ MGC_PROTOCOL, "DeflateError", 1, MG_EC_DISCONNECTED },
	/* cannot connect right now: retried */
	{ MGC_CONNECTION, "ConnectFailed", 1, MG_EC_UNREACHABLE },
	{ MGC_CONNECTION, "ConnectionRefused", 1, MG_EC_UNREACHABLE },
	{ MGC_CONNECTION, "HostNotFound", 1, MG_EC_UNREACHABLE },
	{ MGC_CONNECTION, "NetworkUnreachable", 1, MG_EC_UNREACHABLE },
	{ MGC_TIMEOUT, "ConnectTimeout", 1, MG_EC_UNREACHABLE },
	{ MGC_TIMEOUT, "ResolveTimeout", 1, MG_EC_UNREACHABLE },
	/* timeouts: retried */
	{ MGC_TIMEOUT, "ReadTimeout", 1, MG_EC_TIMEOUT },
	{ MGC_TIMEOUT, "WriteTimeout", 1, MG_EC_TIMEOUT },
	{ MGC_TIMEOUT, "GreetingTimeout", 1, MG_EC_TIMEOUT },
	{ MGC_TIMEOUT, "TlsHandshakeTimeout", 1, MG_EC_TIMEOUT },
	/* garbled answers: retried */
	{ MGC_PROTOCOL, "ImapParseError", 1, MG_EC_PROTOCOL },
	{ MGC_PROTOCOL, "ImapParserFailed", 1, MG_EC_PROTOCOL },
	{ MGC_PROTOCOL, "UnexpectedContinuation", 1, MG_EC_PROTOCOL },
	{ MGC_PROTOCOL, "UnexpectedResponse", 1, MG_EC_PROTOCOL },
	{ MGC_PROTOCOL, "UnexpectedTag", 1, MG_EC_PROTOCOL },
	{ MGC_PROTOCOL, "NotImapServer", 0, MG_EC_PROTOCOL },
	{ MGC_PROTOCOL, "InvalidBase64", 0, MG_EC_PROTOCOL },
	{ MGC_PROTOCOL, "NtlmBadChallenge", 0, MG_EC_PROTOCOL },
	/* authentication: never retried */
	{ MGC_AUTH, "AuthenticationFailed", 0, MG_EC_AUTH },
	{ MGC_AUTH, "LoginDisabled", 0, MG_EC_AUTH },
	{ MGC_AUTH, "MechanismNotOffered", 0, MG_EC_AUTH },
	{ MGC_INVALIDARG, "MissingCredentials", 0, MG_EC_AUTH },
	/* certificates, TLS policy: never retried */
	{ MGC_SECURITY, "CertificateExpired", 0, MG_EC_SECURITY },
	{ MGC_SECURITY, "CertificateHostMismatch", 0, MG_EC_SECURITY },
	{ MGC_SECURITY, "CertificateInvalid", 0, MG_EC_SECURITY },
	{ MGC_SECURITY, "CertificateNotYetValid", 0, MG_EC_SECURITY },
	{ MGC_SECURITY, "CertificateUntrusted", 0, MG_EC_SECURITY },
	{ MGC_SECURITY, "CleartextCredentials", 0, MG_EC_SECURITY },
	{ MGC_SECURITY, "StartTlsInjection", 0, MG_EC_SECURITY },
	{ MGC_SECURITY, "StartTlsNotOffered", 0, MG_EC_SECURITY },
	{ MGC_SECURITY, "StartTlsNotPossible", 0, MG_EC_SECURITY },
	{ MGC_SECURITY, "TlsHandshakeFailed", 0, MG_EC_SECURITY },
	{ MGC_CONNECTION, "TlsHandshakeFailed", 0, MG_EC_SECURITY },
	{ MGC_SECURITY, "TlsInitFailed", 0, MG_EC_SECURITY },
	{ MGC_SECURITY, "TlsPlainTextPort", 0, MG_EC_SECURITY },
	{ MGC_INVALIDOP, "TlsAlreadyActive", 0, MG_EC_SECURITY },
	/* permanent refusals by the server */
	{ MGC_CONNECTION, "ServerRejected", 0, MG_EC_REFUSED },
	{ MGC_INVALIDOP, "CommandRefused", 0, MG_EC_REFUSED },
	{ MGC_INVALIDOP, "CommandRejected", 0, MG_EC_REFUSED },
	{ MGC_INVALIDOP, "AppendRefused", 0, MG_EC_REFUSED },
	{ MGC_INVALIDOP, "CreateFailed", 0, MG_EC_REFUSED },
	{ MGC_PERMISSION, "SourceReadOnly", 0, MG_EC_REFUSED },
	{ MGC_INVALIDOP, "TargetFolderRecreated", 0, MG_EC_REFUSED },
	{ MGC_INVALIDDATA, "InvalidMailboxName", 0, MG_EC_REFUSED },
	/* limits */
	{ MGC_LIMIT, "BadItemLimitExceeded", 0, MG_EC_BAD_LIMIT },
	{ MGC_LIMIT, "LargeItemLimitExceeded", 0, MG_EC_LARGE_LIMIT },
	{ MGC_LIMIT, "ImapLineTooLong", 0, MG_EC_LIMIT },
	{ MGC_LIMIT, "ImapLiteralTooLarge", 0, MG_EC_LIMIT },
	{ MGC_LIMIT, "FileTooLarge", 0, MG_EC_LIMIT },
	/* local storage */
	{ MGC_WRITE, "CreateDirectory", 0, MG_EC_STORAGE },
	{ MGC_WRITE, "OpenDirectory", 0, MG_EC_STORAGE },
	{ MGC_WRITE, "SyncDirectory", 0, MG_EC_STORAGE },
	{ MGC_WRITE, "WriteFile", 0, MG_EC_STORAGE },
	{ MGC_READ, "ReadFile", 0, MG_EC_STORAGE },
	{ MGC_WRITE, "Remove", 0, MG_EC_STORAGE },
	{ MGC_WRITE, "LockFile", 0, MG_EC_STORAGE },
	{ MGC_RESOURCE, "Locked", 0, MG_EC_STORAGE },
	{ MGC_WRITE, "JournalOpen", 0, MG_EC_STORAGE },
	{ MGC_WRITE, "JournalRepair", 0, MG_EC_STORAGE },
	{ MGC_WRITE, "JournalWrite", 0, MG_EC_STORAGE },
	{ MGC_WRITE, "JournalRename", 0, MG_EC_STORAGE },
	{ MGC_WRITE, "MovesWrite", 0, MG_EC_STORAGE },
	{ MGC_WRITE, "MaildirMove", 0, MG_EC_STORAGE },
	{ MGC_PROTOCOL, "BadVanished", 1, MG_EC_PROTOCOL },
	{ MGC_PROTOCOL, "BadUidSet", 1, MG_EC_PROTOCOL },
	{ MGC_INVALIDARG, "InvalidHeaderFields", 0, MG_EC_CONFIG },
	{ MGC_INVALIDOP, "QresyncNotEnabled", 0, MG_EC_CONFIG },
	{ MGC_INVALIDARG, "QresyncNoState", 0, MG_EC_CONFIG },
	{ MGC_INVALIDDATA, "JournalVersion", 0, MG_EC_STORAGE },
	{ MGC_TIMEOUT, "ServerThrottled", 1, MG_EC_TIMEOUT },
	{ MGC_INVALIDOP, "UidExpungeNotOffered", 0, MG_EC_REFUSED },
	{ MGC_INVALIDARG, "RenameInbox", 0, MG_EC_REFUSED },
	{ MGC_INVALIDOP, "RenameTargetExists", 0, MG_EC_REFUSED },
	{ MGC_STOPPED, "OperationStopped", 0, MG_EC_STOPPED },
	{ MGC_WRITE, "MaildirCreate", 0, MG_EC_STORAGE },
	{ MGC_WRITE, "MaildirFlags", 0, MG_EC_STORAGE },
	{ MGC_WRITE, "MaildirSync", 0, MG_EC_STORAGE },
	{ MGC_WRITE, "MaildirWrite", 0, MG_EC_STORAGE },
	{ MGC_READ, "MaildirOpen", 0, MG_EC_STORAGE },
	{ MGC_READ, "MaildirScan", 0, MG_EC_STORAGE },
	{ MGC_NOTFOUND, "MaildirMessageMissing", 0, MG_EC_STORAGE },
	{ MGC_WRITE, "MaildirRemove", 0, MG_EC_STORAGE },
	{ MGC_WRITE, "SpoolOpen", 0, MG_EC_STORAGE },
	{ MGC_WRITE, "SpoolWrite", 0, MG_EC_STORAGE },
	{ MGC_READ, "AppendSourceShort", 0, MG_EC_STORAGE },
	{ MGC_RESOURCE, "DeflateInit", 0, MG_EC_STORAGE },
	{ MGC_INVALIDARG, "FolderNameInvalid", 0, MG_EC_STORAGE },
	{ MGC_TIMEOUT, "ServiceStop", 0, MG_EC_OTHER },
	/* stopped */
	{ MGC_STOPPED, "SyncStopped", 0, MG_EC_STOPPED },
	{ MGC_STOPPED, "Stopped", 0, MG_EC_STOPPED },
	/* the job's settings */
	{ MGC_INVALIDARG, "SyncJobIncomplete", 0, MG_EC_CONFIG },
	{ MGC_INVALIDARG, "NoTargetEndpoint", 0, MG_EC_CONFIG },
	{ MGC_INVALIDARG, "InvalidServer", 0, MG_EC_CONFIG },
	{ MGC_INVALIDARG, "InvalidContentFilter", 0, MG_EC_CONFIG },
	{ MGC_INVALIDARG, "InvalidTimeZone", 0, MG_EC_CONFIG },
	{ MGC_INVALIDARG, "InvalidUidSet", 0, MG_EC_CONFIG },
	{ MGC_INVALIDARG, "InvalidFlags", 0, MG_EC_CONFIG },
	{ MGC_INVALIDARG, "InvalidFlagOperation", 0, MG_EC_CONFIG },
	{ MGC_INVALIDARG, "InvalidDate", 0, MG_EC_CONFIG },
	{ MGC_INVALIDARG, "AppendNoData", 0, MG_EC_CONFIG },
	/* ids of the shell listed for how their record is printed: never retried */
	{ MGC_INVALIDARG, "NamedParameterNotFound", 0, MG_EC_OTHER },
	{ MGC_INVALIDARG, "AmbiguousParameter", 0, MG_EC_OTHER },
	{ MGC_INVALIDARG, "PositionalParameterNotFound", 0, MG_EC_OTHER },
	{ MGC_INVALIDARG, "AmbiguousParameterSet", 0, MG_EC_OTHER },
	{ MGC_INVALIDARG, "MissingArgument", 0, MG_EC_OTHER },
	{ MGC_INVALIDARG, "MissingMandatoryParameter", 0, MG_EC_OTHER },
	{ MGC_INVALIDARG, "CannotConvertArgumentNoMessage", 0, MG_EC_OTHER },
	{ MGC_INVALIDARG, "ParameterAlreadyBound", 0, MG_EC_OTHER },
	{ MGC_INVALIDARG, "InputObjectNotBound", 0, MG_EC_OTHER },
	{ MGC_INVALIDARG, "ParameterArgumentValidationErrorNullNotAllowed", 0, MG_EC_OTHER },
	{ MGC_INVALIDARG, "ParameterArgumentValidationErrorEmptyStringNotAllowed", 0, MG_EC_OTHER },
	{ MGC_NOTFOUND, "CommandNotFoundException", 0, MG_EC_OTHER },
	{ MGC_INVALIDARG, "PathNotFound", 0, MG_EC_OTHER },
	{ MGC_NOTFOUND, "PathNotFound", 0, MG_EC_OTHER },
	{ MGC_INVALIDOP, "ConfirmationRequired", 0, MG_EC_OTHER },
	{ MGC_STOPPED, "PipelineStopped", 0, MG_EC_OTHER },
	{ MGC_INVALIDARG, "PropertyNotFound", 0, MG_EC_OTHER },
	{ MGC_INVALIDOP, "MethodNotFound", 0, MG_EC_OTHER },
	{ MGC_INVALIDARG, "InvalidCastFromStringToInteger", 0, MG_EC_OTHER },
	{ MGC_STOPPED, "RuntimeException", 0, MG_EC_OTHER },
};

static void test_every_id(void **st)
{
	(void)st;
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		mg_err e;
		mg_err_clear(&e);
		mg_err_set(&e, table[i].cat, table[i].id, "x");
		if ((int)mg_err_retryable(&e) != table[i].retry || mg_err_classify(&e) != table[i].cls)
			fail_msg("%s/%s: retry %d class %d, expected retry %d class %d",
			         mg_err_category_name(table[i].cat), table[i].id,
			         (int)mg_err_retryable(&e), (int)mg_err_classify(&e), table[i].retry, (int)table[i].cls);
	}
}

/* Every other id the code base produces (store, CSV, batches, service, shell,
 * cmdlets): none of them is a network event, none is ever retried. */
static const struct { mg_err_cat cat; const char *id; } never_retried[] = {
	{ MGC_EXISTS, "EndpointAlreadyExists" },   /* cmdlets */
	{ MGC_EXISTS, "StoreConstraint" },   /* store */
	{ MGC_INVALIDDATA, "StoreDatabaseMissing" },   /* store */
	{ MGC_INVALIDDATA, "StoreError" },   /* store */
	{ MGC_INVALIDDATA, "StoreRecordCorrupt" },   /* store */
	{ MGC_INVALIDOP, "RestoreNotEmpty" },   /* store */
	{ MGC_INVALIDOP, "StoreBusy" },   /* store */
	{ MGC_NOTFOUND, "RestoreNotFound" },   /* store */
	{ MGC_WRITE, "DumpDirectory" },   /* store */
	{ MGC_WRITE, "DumpSync" },   /* store */
	{ MGC_WRITE, "DumpWrite" },   /* store */
	{ MGC_WRITE, "StoreConvert" },   /* store */
	{ MGC_WRITE, "StoreOpen" },   /* store */
	{ MGC_WRITE, "StoreRolledBack" },   /* store */
	{ MGC_WRITE, "StoreWrite" },   /* store */
	{ MGC_INVALIDARG, "IdentityRequired" },   /* cmdlets */
	{ MGC_INVALIDARG, "IncompleteCredentials" },   /* cmdlets */
	{ MGC_INVALIDARG, "InvalidConcurrencyLimit" },   /* cmdlets */
	{ MGC_INVALIDARG, "InvalidCredentials" },   /* cmdlets */
	{ MGC_INVALIDARG, "InvalidIdentity" },   /* cmdlets */
	{ MGC_INVALIDARG, "InvalidIncrementalSyncInterval" },   /* cmdlets */
	{ MGC_INVALIDARG, "InvalidLimit" },   /* cmdlets */
	{ MGC_INVALIDARG, "InvalidMaxNumberOfBatches" },   /* cmdlets */
	{ MGC_INVALIDARG, "InvalidName" },   /* cmdlets */
	{ MGC_INVALIDARG, "InvalidPort" },   /* cmdlets */
	{ MGC_INVALIDARG, "InvalidRemoteServer" },   /* cmdlets */
	{ MGC_INVALIDARG, "InvalidTimeSpan" },   /* cmdlets */
	{ MGC_INVALIDARG, "InvalidTimeout" },   /* cmdlets */
	{ MGC_INVALIDTYPE, "ParameterTypeMismatch" },   /* cmdlets */
	{ MGC_INVALIDARG, "MaxConcurrentIncrementalSyncsTooLarge" },   /* cmdlets */
	{ MGC_INVALIDARG, "MissingAddUsers" },   /* cmdlets */
	{ MGC_INVALIDARG, "MissingCsvData" },   /* cmdlets */
	{ MGC_INVALIDARG, "MissingRemoteServer" },   /* cmdlets */
	{ MGC_INVALIDARG, "MissingSourceEndpoint" },   /* cmdlets */
	{ MGC_INVALIDARG, "UnsupportedEndpointType" },   /* cmdlets */
	{ MGC_INVALIDOP, "EndpointInUse" },   /* cmdlets */
	{ MGC_NOTSPECIFIED, "ManagementObjectNotFoundException" },   /* cmdlets */
	{ MGC_RESOURCE, "NoDataDirectory" },   /* cmdlets */
	{ MGC_RESOURCE, "ServiceNotRunning" },   /* cmdlets */
	{ MGC_STOPPED, "WaitInterrupted" },   /* cmdlets */
	{ MGC_EXISTS, "DuplicateUser" },   /* engine */
	{ MGC_EXISTS, "MigrationBatchDuplicate" },   /* engine */
	{ MGC_EXISTS, "MigrationEndpointDuplicate" },   /* engine */
	{ MGC_INVALIDARG, "EmptyName" },   /* engine */
	{ MGC_INVALIDARG, "InvalidBatchName" },   /* engine */
	{ MGC_INVALIDARG, "NoDataDirectory" },   /* engine */
	{ MGC_INVALIDARG, "SourceEndpointRequired" },   /* engine */
	{ MGC_INVALIDARG, "TargetEndpointNoAdmin" },   /* engine */
	{ MGC_INVALIDDATA, "CsvValidationColumnCount" },   /* engine */
	{ MGC_INVALIDDATA, "CsvValidationDuplicateColumn" },   /* engine */
	{ MGC_INVALIDDATA, "CsvValidationEmpty" },   /* engine */
	{ MGC_INVALIDDATA, "CsvValidationEncoding" },   /* engine */
	{ MGC_INVALIDDATA, "CsvValidationMalformed" },   /* engine */
	{ MGC_INVALIDDATA, "CsvValidationMissingColumn" },   /* engine */
	{ MGC_INVALIDDATA, "CsvValidationNoRows" },   /* engine */
	{ MGC_INVALIDDATA, "CsvValidationNotCommaSeparated" },   /* engine */
	{ MGC_INVALIDDATA, "CsvValidationNulByte" },   /* engine */
	{ MGC_INVALIDDATA, "CsvValidationUnknownColumn" },   /* engine */
	{ MGC_INVALIDDATA, "StoreFileCorrupt" },   /* engine */
	{ MGC_INVALIDDATA, "StoreFileMissing" },   /* engine */
	{ MGC_INVALIDDATA, "StoreFileTruncated" },   /* engine */
	{ MGC_INVALIDDATA, "StoreSchemaCorrupt" },   /* engine */
	{ MGC_INVALIDDATA, "StoreSchemaNewer" },   /* engine */
	{ MGC_INVALIDOP, "InvalidBatchStatus" },   /* engine */
	{ MGC_INVALIDOP, "InvalidUserStatus" },   /* engine */
	{ MGC_INVALIDOP, "MigrationEndpointInUse" },   /* engine */
	{ MGC_LIMIT, "CsvValidationTooLarge" },   /* engine */
	{ MGC_LIMIT, "CsvValidationTooManyRows" },   /* engine */
	{ MGC_LIMIT, "MaxNumberOfBatches" },   /* engine */
	{ MGC_NOTFOUND, "ManagementObjectNotFoundException" },   /* engine */
	{ MGC_NOTFOUND, "NoTargetEndpoint" },   /* engine */
	{ MGC_PERMISSION, "ServiceStop" },   /* engine */
	{ MGC_READ, "ServiceStatus" },   /* engine */
	{ MGC_RESOURCE, "CsvInit" },   /* engine */
	{ MGC_RESOURCE, "ServiceStart" },   /* engine */
	{ MGC_RESOURCE, "ServiceStop" },   /* engine */
	{ MGC_RESOURCE, "YamlInit" },   /* engine */
	{ MGC_WRITE, "CreateBatch" },   /* engine */
	{ MGC_WRITE, "DeliverNotification" },   /* engine */
	{ MGC_WRITE, "RemoveBatch" },   /* engine */
	{ MGC_WRITE, "RemoveEndpoint" },   /* engine */
	{ MGC_WRITE, "RemoveUser" },   /* engine */
	{ MGC_WRITE, "ReportWrite" },   /* engine */
	{ MGC_EXISTS, "NoClobber" },   /* shell */
	{ MGC_INVALIDARG, "DictionaryKeyMissingKey" },   /* shell */
	{ MGC_INVALIDARG, "DictionaryKeyUnknownKey" },   /* shell */
	{ MGC_INVALIDARG, "ExpandPropertyNotFound" },   /* shell */
	{ MGC_INVALIDARG, "GenericMeasurePropertyNotFound" },   /* shell */
	{ MGC_INVALIDARG, "GenericMeasurePropertyNotNumeric" },   /* shell */
	{ MGC_INVALIDARG, "InvalidDelimiter" },   /* shell */
	{ MGC_INVALIDARG, "MissingFilter" },   /* shell */
	{ MGC_INVALIDARG, "MissingPath" },   /* shell */
	{ MGC_INVALIDARG, "ParameterArgumentTransformationError" },   /* shell */
	{ MGC_INVALIDARG, "ParameterArgumentValidationError" },   /* shell */
	{ MGC_INVALIDOP, "ReadHostNoInput" },   /* shell */
	{ MGC_NOTFOUND, "CommandNotFoundException,Microsoft.PowerShell.Commands.GetCommandCommand" },   /* shell */
	{ MGC_NOTFOUND, "HelpNotFound,Microsoft.PowerShell.Commands.GetHelpCommand" },   /* shell */
	{ MGC_NOTFOUND, "NoParmsFound,Microsoft.PowerShell.Commands.GetHelpCommand" },   /* shell */
	{ MGC_NOTSPECIFIED, "CommandFailed" },   /* shell */
	{ MGC_STOPPED, "ActionPreferenceStop" },   /* shell */
	{ MGC_STOPPED, "ExitRequested" },   /* shell */
	{ MGC_WRITE, "FileOpenFailure" },   /* shell */
	{ MGC_WRITE, "FileWriteFailure" },   /* shell */
};

static void test_other_ids_not_retried(void **st)
{
	(void)st;
	for (size_t i = 0; i < sizeof never_retried / sizeof never_retried[0]; i++) {
		mg_err e;
		mg_err_clear(&e);
		mg_err_set(&e, never_retried[i].cat, never_retried[i].id, "x");
		if (mg_err_retryable(&e))
			fail_msg("%s/%s would be retried", mg_err_category_name(never_retried[i].cat),
			         never_retried[i].id);
	}
}

/* No rule without a line above: a new id gets a verdict someone looked at. */
static void test_table_covered(void **st)
{
	(void)st;
	size_t n;
	const mg_err_rule *r = mg_err_rules(&n);
	for (size_t i = 0; i < n; i++) {
		int seen = 0;
		for (size_t j = 0; j < sizeof table / sizeof table[0] && !seen; j++)
			seen = !strcmp(table[j].id, r[i].id);
		if (!seen)
			fail_msg("rule for %s has no expectation in this test", r[i].id);
	}
}

/* Ids the table does not know go by category: connection and timeout are transient. */
static void test_unknown_ids(void **st)
{
	(void)st;
	mg_err e;
	mg_err_clear(&e);
	assert_false(mg_err_retryable(&e));
	mg_err_set(&e, MGC_CONNECTION, "SomethingNew", "x");
	assert_true(mg_err_retryable(&e));
	mg_err_set(&e, MGC_TIMEOUT, "SomethingNew", "x");
	assert_true(mg_err_retryable(&e));
	mg_err_set(&e, MGC_AUTH, "SomethingNew", "x");
	assert_false(mg_err_retryable(&e));
	assert_int_equal(mg_err_classify(&e), MG_EC_AUTH);
	mg_err_set(&e, MGC_WRITE, "SomethingNew", "x");
	assert_false(mg_err_retryable(&e));
	mg_err_set(&e, MGC_PARSER, "SomethingNew", "x");
	assert_int_equal(mg_err_classify(&e), MG_EC_OTHER);
}

/* The side survives a prefix and is reset by a new error. */
static void test_side(void **st)
{
	(void)st;
	mg_err e;
	mg_err_clear(&e);
	mg_err_set(&e, MGC_AUTH, "AuthenticationFailed", "no");
	e.side = MG_SIDE_TARGET;
	mg_err_prefix(&e, "target %s", "h");
	assert_int_equal(e.side, MG_SIDE_TARGET);
	mg_err_set(&e, MGC_AUTH, "AuthenticationFailed", "no");
	assert_int_equal(e.side, MG_SIDE_UNKNOWN);
}

/* A long message never loses its cause: mg_err_sys keeps strerror, mg_err_prefix the old message. */
static void test_cause_kept_whole(void **st)
{
	(void)st;
	char path[1500];
	memset(path, 'L', sizeof path - 1);
	path[sizeof path - 1] = 0;
	mg_err e;
	mg_err_clear(&e);
	errno = ENAMETOOLONG;
	mg_err_sys(&e, MGC_WRITE, "CreateDirectory", "cannot create directory '%s'", path);
	assert_true(strlen(e.msg) < sizeof e.msg);
	const char *tail = "...: File name too long";
	assert_string_equal(e.msg + strlen(e.msg) - strlen(tail), tail);
	assert_int_equal(e.sys_errno, ENAMETOOLONG);
	mg_err_set(&e, MGC_WRITE, "X", "the cause, %s", "whole");
	mg_err_prefix(&e, "folder '%s'", path);
	tail = "...: the cause, whole";
	assert_string_equal(e.msg + strlen(e.msg) - strlen(tail), tail);
	assert_int_equal(strncmp(e.msg, "folder 'LLL", 11), 0);
	/* short ones are untouched */
	errno = ENOENT;
	mg_err_sys(&e, MGC_WRITE, "X", "open '%s'", "a");
	assert_string_equal(e.msg, "open 'a': No such file or directory");
	mg_err_prefix(&e, "ctx");
	assert_string_equal(e.msg, "ctx: open 'a': No such file or directory");
}

/* The id is looked up once, when the error is raised: the code travels with
 * the record (copy, prefix) and decisions go by it, not by the text. */
static void test_code_given_when_raised(void **st)
{
	(void)st;
	mg_err e, f;
	mg_err_clear(&e);
	assert_int_equal(e.code, MGE_NONE);
	mg_err_set(&e, MGC_INVALIDOP, "AppendRefused", "no");
	assert_int_equal(e.code, MGE_AppendRefused);
	errno = ENOENT;
	mg_err_sys(&e, MGC_READ, "MaildirOpen", "open");
	assert_int_equal(e.code, MGE_MaildirOpen);
	mg_err_prefix(&e, "folder %s", "x");
	assert_int_equal(e.code, MGE_MaildirOpen);
	mg_err_copy(&f, &e);
	assert_int_equal(f.code, MGE_MaildirOpen);
	mg_err_set(&e, MGC_CONNECTION, "SomethingNew", "x");
	assert_int_equal(e.code, MGE_NONE);
	mg_err_set(&e, MGC_CONNECTION, "connectionclosed", "x");   /* ids are exact */
	assert_int_equal(e.code, MGE_NONE);
	mg_err_name(&e, MGC_NOTFOUND, "CommandNotFoundException");
	assert_int_equal(e.code, MGE_CommandNotFoundException);
	assert_int_equal(e.category, MGC_NOTFOUND);
	/* the verdict is the code's: the text written over afterwards changes nothing */
	mg_err_set(&e, MGC_PROTOCOL, "ConnectionClosed", "x");
	snprintf(e.id, sizeof e.id, "%s", "Whatever");
	assert_true(mg_err_retryable(&e));
	assert_int_equal(mg_err_classify(&e), MG_EC_DISCONNECTED);
	/* every listed id has its own code, and the code gives the id back */
	size_t n;
	const mg_err_rule *r = mg_err_rules(&n);
	assert_int_equal(n, MGE__COUNT - 1);
	for (size_t i = 0; i < n; i++) {
		mg_err_code c = mg_err_code_of(r[i].id);
		if ((size_t)c != i + 1 || strcmp(mg_err_code_id(c), r[i].id) != 0)
			fail_msg("%s: code %d, expected %zu", r[i].id, (int)c, i + 1);
	}
}

/* One table gives the PowerShell name of every category, in ErrorCategory's numbering. */
static void test_category_names(void **st)
{
	(void)st;
	static const char *const ps[] = {
		"NotSpecified", "OpenError", "CloseError", "DeviceError", "DeadlockDetected",
		"InvalidArgument", "InvalidData", "InvalidOperation", "InvalidResult", "InvalidType",
		"MetadataError", "NotImplemented", "NotInstalled", "ObjectNotFound", "OperationStopped",
		"OperationTimeout", "SyntaxError", "ParserError", "PermissionDenied", "ResourceBusy",
		"ResourceExists", "ResourceUnavailable", "ReadError", "WriteError", "FromStdErr",
		"SecurityError", "ProtocolError", "ConnectionError", "AuthenticationError",
		"LimitsExceeded", "QuotaExceeded", "NotEnabled",
	};
	assert_int_equal(MGC__COUNT, sizeof ps / sizeof ps[0]);
	for (int i = 0; i < MGC__COUNT; i++) {
		assert_string_equal(mg_err_category_name((mg_err_cat)i), ps[i]);
		assert_string_equal(mg_err_category_names[i], ps[i]);
		char lower[64];
		snprintf(lower, sizeof lower, "%s", ps[i]);
		for (char *p = lower; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		mg_err_cat c = MGC__COUNT;
		assert_int_equal(mg_err_category_parse(lower, &c), 0);
		assert_int_equal(c, i);
	}
	assert_null(mg_err_category_names[MGC__COUNT]);
	assert_string_equal(mg_err_category_name(MGC_NOTFOUND), "ObjectNotFound");
	assert_string_equal(mg_err_category_name(MGC_LIMIT), "LimitsExceeded");
	assert_string_equal(mg_err_category_name(MGC__COUNT), "NotSpecified");
	mg_err_cat c = MGC_AUTH;
	assert_int_equal(mg_err_category_parse("NoSuchCategory", &c), -1);
	assert_int_equal(mg_err_category_parse(NULL, &c), -1);
	assert_int_equal(c, MGC_AUTH);
	/* a new error starts as NotSpecified */
	mg_err e;
	mg_err_clear(&e);
	assert_int_equal(e.category, MGC_NOTSPECIFIED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_id),
		cmocka_unit_test(test_table_covered),
		cmocka_unit_test(test_other_ids_not_retried),
		cmocka_unit_test(test_unknown_ids),
		cmocka_unit_test(test_side),
		cmocka_unit_test(test_cause_kept_whole),
		cmocka_unit_test(test_code_given_when_raised),
		cmocka_unit_test(test_category_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
