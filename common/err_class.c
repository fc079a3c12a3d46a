/* err_class.c - transient or permanent, and which class (rules in err_class.h). */
#include "config.h"
#include "common/err_class.h"

#include <string.h>

/* Every id the engine and the network layer produce.  Ids of the shell and
 * the cmdlets never reach the sync engine and fall to the category rule. */
static const mg_err_rule rules[] = {
	/* could not connect: transient (a server restarting, a network blip) */
	{ "ConnectFailed",          true,  MG_EC_UNREACHABLE },
	{ "ConnectionRefused",      true,  MG_EC_UNREACHABLE },
	{ "HostNotFound",           true,  MG_EC_UNREACHABLE },
	{ "NetworkUnreachable",     true,  MG_EC_UNREACHABLE },
	{ "ConnectTimeout",         true,  MG_EC_UNREACHABLE },
	/* lost after it was established: transient */
	{ "ConnectionClosed",       true,  MG_EC_DISCONNECTED },
	{ "ConnectionReset",        true,  MG_EC_DISCONNECTED },
	{ "ConnectionDead",         true,  MG_EC_DISCONNECTED },
	{ "TlsHandshakeCut",        true,  MG_EC_DISCONNECTED },
	{ "ReadFailed",             true,  MG_EC_DISCONNECTED },
	{ "WriteFailed",            true,  MG_EC_DISCONNECTED },
	{ "TlsReadFailed",          true,  MG_EC_DISCONNECTED },
	{ "TlsWriteFailed",         true,  MG_EC_DISCONNECTED },
	{ "DeflateDesync",          true,  MG_EC_DISCONNECTED },
	{ "DeflateError",           true,  MG_EC_DISCONNECTED },
	/* the server stopped answering: transient */
	{ "ReadTimeout",            true,  MG_EC_TIMEOUT },
	{ "WriteTimeout",           true,  MG_EC_TIMEOUT },
	{ "GreetingTimeout",        true,  MG_EC_TIMEOUT },
	{ "TlsHandshakeTimeout",    true,  MG_EC_TIMEOUT },
	/* garbled answers (a cut can leave half a line): transient */
	{ "ImapParseError",         true,  MG_EC_PROTOCOL },
	{ "ImapParserFailed",       true,  MG_EC_PROTOCOL },
	{ "UnexpectedContinuation", true,  MG_EC_PROTOCOL },
	{ "UnexpectedResponse",     true,  MG_EC_PROTOCOL },
	{ "UnexpectedTag",          true,  MG_EC_PROTOCOL },
	{ "BadVanished",            true,  MG_EC_PROTOCOL },   /* a garbled answer: the connection is dropped */
	{ "BadUidSet",              true,  MG_EC_PROTOCOL },
	/* the server kept asking to slow down (net/imap_throttle.c waited as
	 * asked, several times): transient */
	{ "ServerThrottled",        true,  MG_EC_TIMEOUT },
	/* not an IMAP server, broken SASL exchange: permanent */
	{ "NotImapServer",          false, MG_EC_PROTOCOL },
	{ "InvalidBase64",          false, MG_EC_PROTOCOL },
	{ "NtlmBadChallenge",       false, MG_EC_PROTOCOL },
	/* authentication: permanent */
	{ "AuthenticationFailed",   false, MG_EC_AUTH },
	{ "LoginDisabled",          false, MG_EC_AUTH },
	{ "MechanismNotOffered",    false, MG_EC_AUTH },
	{ "MissingCredentials",     false, MG_EC_AUTH },
	/* certificates and TLS policy: permanent */
	{ "CertificateExpired",     false, MG_EC_SECURITY },
	{ "CertificateHostMismatch", false, MG_EC_SECURITY },
	{ "CertificateInvalid",     false, MG_EC_SECURITY },
	{ "CertificateNotYetValid", false, MG_EC_SECURITY },
	{ "CertificateUntrusted",   false, MG_EC_SECURITY },
	{ "CleartextCredentials",   false, MG_EC_SECURITY },
	{ "StartTlsInjection",      false, MG_EC_SECURITY },
	{ "StartTlsNotOffered",     false, MG_EC_SECURITY },
	{ "StartTlsNotPossible",    false, MG_EC_SECURITY },
	{ "TlsHandshakeFailed",     false, MG_EC_SECURITY },
	{ "TlsInitFailed",          false, MG_EC_SECURITY },
	{ "TlsPlainTextPort",       false, MG_EC_SECURITY },
	{ "TlsAlreadyActive",       false, MG_EC_SECURITY },
	/* the server refused: permanent */
	{ "ServerRejected",         false, MG_EC_REFUSED },
	{ "CommandRefused",         false, MG_EC_REFUSED },
	{ "CommandRejected",        false, MG_EC_REFUSED },
	{ "AppendRefused",          false, MG_EC_REFUSED },
	{ "CreateFailed",           false, MG_EC_REFUSED },
	{ "SourceReadOnly",         false, MG_EC_REFUSED },
	{ "TargetFolderRecreated",  false, MG_EC_REFUSED },
	{ "InvalidMailboxName",     false, MG_EC_REFUSED },
	{ "UidExpungeNotOffered",   false, MG_EC_REFUSED },
	{ "RenameInbox",            false, MG_EC_REFUSED },
	{ "RenameTargetExists",     false, MG_EC_REFUSED },
	/* limits: permanent */
	{ "BadItemLimitExceeded",   false, MG_EC_BAD_LIMIT },
	{ "LargeItemLimitExceeded", false, MG_EC_LARGE_LIMIT },
	{ "ImapLineTooLong",        false, MG_EC_LIMIT },
	{ "ImapLiteralTooLarge",    false, MG_EC_LIMIT },
	{ "FileTooLarge",           false, MG_EC_LIMIT },
	/* local storage: permanent */
	{ "CreateDirectory",        false, MG_EC_STORAGE },
	{ "OpenDirectory",          false, MG_EC_STORAGE },
	{ "SyncDirectory",          false, MG_EC_STORAGE },
	{ "WriteFile",              false, MG_EC_STORAGE },
	{ "ReadFile",               false, MG_EC_STORAGE },
	{ "Remove",                 false, MG_EC_STORAGE },
	{ "LockFile",               false, MG_EC_STORAGE },
	{ "Locked",                 false, MG_EC_STORAGE },
	{ "JournalOpen",            false, MG_EC_STORAGE },
	{ "JournalRepair",          false, MG_EC_STORAGE },
	{ "JournalWrite",           false, MG_EC_STORAGE },
	{ "JournalRename",          false, MG_EC_STORAGE },
	{ "MovesWrite",             false, MG_EC_STORAGE },
	{ "MaildirMove",            false, MG_EC_STORAGE },
	{ "JournalVersion",         false, MG_EC_STORAGE },
	{ "MaildirCreate",          false, MG_EC_STORAGE },
	{ "MaildirFlags",           false, MG_EC_STORAGE },
	{ "MaildirSync",            false, MG_EC_STORAGE },
	{ "MaildirWrite",           false, MG_EC_STORAGE },
	{ "MaildirOpen",            false, MG_EC_STORAGE },
	{ "MaildirScan",            false, MG_EC_STORAGE },
	{ "MaildirMessageMissing",  false, MG_EC_STORAGE },
	{ "MaildirRemove",          false, MG_EC_STORAGE },
	{ "SpoolOpen",              false, MG_EC_STORAGE },
	{ "SpoolWrite",             false, MG_EC_STORAGE },
	{ "AppendSourceShort",      false, MG_EC_STORAGE },
	{ "DeflateInit",            false, MG_EC_STORAGE },
	{ "FolderNameInvalid",      false, MG_EC_STORAGE },
	/* the service's own stop (a timeout waiting for it is not a network event) */
	{ "ServiceStop",            false, MG_EC_OTHER },
	/* stopped */
	{ "SyncStopped",            false, MG_EC_STOPPED },
	{ "Stopped",                false, MG_EC_STOPPED },
	{ "OperationStopped",       false, MG_EC_STOPPED },
	/* the job's own settings: permanent */
	{ "SyncJobIncomplete",      false, MG_EC_CONFIG },
	{ "NoTargetEndpoint",       false, MG_EC_CONFIG },
	{ "InvalidServer",          false, MG_EC_CONFIG },
	{ "InvalidContentFilter",   false, MG_EC_CONFIG },
	{ "InvalidTimeZone",        false, MG_EC_CONFIG },
	{ "InvalidUidSet",          false, MG_EC_CONFIG },
	{ "InvalidFlags",           false, MG_EC_CONFIG },
	{ "InvalidHeaderFields",    false, MG_EC_CONFIG },
	{ "QresyncNotEnabled",      false, MG_EC_CONFIG },
	{ "QresyncNoState",         false, MG_EC_CONFIG },
	{ "InvalidFlagOperation",   false, MG_EC_CONFIG },
	{ "InvalidDate",            false, MG_EC_CONFIG },
	{ "AppendNoData",           false, MG_EC_CONFIG },
};

const mg_err_rule *mg_err_rules(size_t *n)
{
	*n = sizeof rules / sizeof rules[0];
	return rules;
}

static const mg_err_rule *find(const mg_err *e)
{
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		if (!strcmp(rules[i].id, e->id))
			return &rules[i];
	return NULL;
}

bool mg_err_retryable(const mg_err *e)
{
	if (!e || !e->set)
		return false;
	const mg_err_rule *r = find(e);
	if (r)
		return r->retry;
	/* an id this table does not know: connection trouble and timeouts are transient */
	return !strcmp(e->category, MGC_CONNECTION) || !strcmp(e->category, MGC_TIMEOUT);
}

mg_err_class mg_err_classify(const mg_err *e)
{
	if (!e || !e->set)
		return MG_EC_OTHER;
	const mg_err_rule *r = find(e);
	if (r)
		return r->cls;
	static const struct { const char *cat; mg_err_class cls; } bycat[] = {
		{ MGC_CONNECTION, MG_EC_DISCONNECTED }, { MGC_TIMEOUT, MG_EC_TIMEOUT },
		{ MGC_AUTH, MG_EC_AUTH }, { MGC_SECURITY, MG_EC_SECURITY },
		{ MGC_PROTOCOL, MG_EC_PROTOCOL }, { MGC_LIMIT, MG_EC_LIMIT },
		{ MGC_WRITE, MG_EC_STORAGE }, { MGC_STOPPED, MG_EC_STOPPED },
		{ MGC_INVALIDARG, MG_EC_CONFIG },
	};
	for (size_t i = 0; i < sizeof bycat / sizeof bycat[0]; i++)
		if (!strcmp(bycat[i].cat, e->category))
			return bycat[i].cls;
	return MG_EC_OTHER;
}
