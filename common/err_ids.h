/*
 * err_ids.h - the error ids a decision is taken on, as one list.
 *
 * Every id the engine and the network layer raise is listed here with its
 * verdict for the sync engine (retried or not, and its class: err_class.h),
 * followed by the few ids of the shell that change how a record is printed.
 * The list makes the enum mg_err_code (MGE_<id>, e.g. MGE_AppendRefused):
 * mg_err_set() looks the id up once, when the error is raised, and stores
 * the code in mg_err.code, so code that decides on an error compares codes
 * (a misspelt MGE_ name does not compile) and never the id text.  An id not
 * listed gets MGE_NONE and is decided by its category.
 *
 * X(id, retried, class): class is the MG_EC_ suffix (err_class.h).
 */
#ifndef MIGSH_ERR_IDS_H
#define MIGSH_ERR_IDS_H

#define MG_ERR_IDS(X) \
	/* could not connect: transient (a server restarting, a network blip) */ \
	X(ConnectFailed, true, UNREACHABLE) \
	X(ConnectionRefused, true, UNREACHABLE) \
	X(HostNotFound, true, UNREACHABLE) \
	X(NetworkUnreachable, true, UNREACHABLE) \
	X(ConnectTimeout, true, UNREACHABLE) \
	X(ResolveTimeout, true, UNREACHABLE)   /* no DNS answer within the connect timeout */ \
	/* lost after it was established: transient */ \
	X(ConnectionClosed, true, DISCONNECTED) \
	X(ConnectionReset, true, DISCONNECTED) \
	X(ConnectionDead, true, DISCONNECTED) \
	X(TlsHandshakeCut, true, DISCONNECTED) \
	X(ReadFailed, true, DISCONNECTED) \
	X(WriteFailed, true, DISCONNECTED) \
	X(TlsReadFailed, true, DISCONNECTED) \
	X(TlsWriteFailed, true, DISCONNECTED) \
	X(DeflateDesync, true, DISCONNECTED) \
	X(DeflateError, true, DISCONNECTED) \
	/* the server stopped answering: transient */ \
	X(ReadTimeout, true, TIMEOUT) \
	X(WriteTimeout, true, TIMEOUT) \
	X(GreetingTimeout, true, TIMEOUT) \
	X(TlsHandshakeTimeout, true, TIMEOUT) \
	/* garbled answers (a cut can leave half a line): transient */ \
	X(ImapParseError, true, PROTOCOL) \
	X(ImapParserFailed, true, PROTOCOL) \
	X(UnexpectedContinuation, true, PROTOCOL) \
	X(UnexpectedResponse, true, PROTOCOL) \
	X(UnexpectedTag, true, PROTOCOL) \
	X(BadVanished, true, PROTOCOL)   /* a garbled answer: the connection is dropped */ \
	X(BadUidSet, true, PROTOCOL) \
	/* the server kept asking to slow down (net/imap_throttle.c waited as asked, several times): transient */ \
	X(ServerThrottled, true, TIMEOUT) \
	/* not an IMAP server, broken SASL exchange: permanent */ \
	X(NotImapServer, false, PROTOCOL) \
	X(InvalidBase64, false, PROTOCOL) \
	X(NtlmBadChallenge, false, PROTOCOL) \
	/* authentication: permanent */ \
	X(AuthenticationFailed, false, AUTH) \
	X(LoginDisabled, false, AUTH) \
	X(MechanismNotOffered, false, AUTH) \
	X(MissingCredentials, false, AUTH) \
	/* certificates and TLS policy: permanent */ \
	X(CertificateExpired, false, SECURITY) \
	X(CertificateHostMismatch, false, SECURITY) \
	X(CertificateInvalid, false, SECURITY) \
	X(CertificateNotYetValid, false, SECURITY) \
	X(CertificateUntrusted, false, SECURITY) \
	X(CleartextCredentials, false, SECURITY) \
	X(StartTlsInjection, false, SECURITY) \
	X(StartTlsNotOffered, false, SECURITY) \
	X(StartTlsNotPossible, false, SECURITY) \
	X(TlsHandshakeFailed, false, SECURITY) \
	X(TlsInitFailed, false, SECURITY) \
	X(TlsPlainTextPort, false, SECURITY) \
	X(TlsAlreadyActive, false, SECURITY) \
	/* the server refused: permanent */ \
	X(ServerRejected, false, REFUSED) \
	X(CommandRefused, false, REFUSED) \
	X(CommandRejected, false, REFUSED) \
	X(AppendRefused, false, REFUSED) \
	X(CreateFailed, false, REFUSED) \
	X(SourceReadOnly, false, REFUSED) \
	X(TargetFolderRecreated, false, REFUSED) \
	X(InvalidMailboxName, false, REFUSED) \
	X(UidExpungeNotOffered, false, REFUSED) \
	X(RenameInbox, false, REFUSED) \
	X(RenameTargetExists, false, REFUSED) \
	/* limits: permanent */ \
	X(BadItemLimitExceeded, false, BAD_LIMIT) \
	X(LargeItemLimitExceeded, false, LARGE_LIMIT) \
	X(ImapLineTooLong, false, LIMIT) \
	X(ImapLiteralTooLarge, false, LIMIT) \
	X(FileTooLarge, false, LIMIT) \
	/* local storage: permanent */ \
	X(CreateDirectory, false, STORAGE) \
	X(OpenDirectory, false, STORAGE) \
	X(SyncDirectory, false, STORAGE) \
	X(WriteFile, false, STORAGE) \
	X(ReadFile, false, STORAGE) \
	X(Remove, false, STORAGE) \
	X(LockFile, false, STORAGE) \
	X(Locked, false, STORAGE) \
	X(JournalOpen, false, STORAGE) \
	X(JournalRepair, false, STORAGE) \
	X(JournalWrite, false, STORAGE) \
	X(JournalRename, false, STORAGE) \
	X(JournalVersion, false, STORAGE) \
	X(MaildirCreate, false, STORAGE) \
	X(MaildirFlags, false, STORAGE) \
	X(MaildirSync, false, STORAGE) \
	X(MaildirWrite, false, STORAGE) \
	X(MaildirOpen, false, STORAGE) \
	X(MaildirScan, false, STORAGE) \
	X(MaildirMessageMissing, false, STORAGE) \
	X(MaildirRemove, false, STORAGE) \
	X(MovesWrite, false, STORAGE) \
	X(MaildirMove, false, STORAGE) \
	X(SpoolOpen, false, STORAGE) \
	X(SpoolWrite, false, STORAGE) \
	X(AppendSourceShort, false, STORAGE) \
	X(DeflateInit, false, STORAGE) \
	X(FolderNameInvalid, false, STORAGE) \
	/* the service's own stop (a timeout waiting for it is not a network event) */ \
	X(ServiceStop, false, OTHER) \
	/* stopped */ \
	X(SyncStopped, false, STOPPED) \
	X(Stopped, false, STOPPED) \
	X(OperationStopped, false, STOPPED) \
	/* the job's own settings: permanent */ \
	X(SyncJobIncomplete, false, CONFIG) \
	X(NoTargetEndpoint, false, CONFIG) \
	X(InvalidServer, false, CONFIG) \
	X(InvalidContentFilter, false, CONFIG) \
	X(InvalidTimeZone, false, CONFIG) \
	X(InvalidUidSet, false, CONFIG) \
	X(InvalidFlags, false, CONFIG) \
	X(InvalidFlagOperation, false, CONFIG) \
	X(InvalidDate, false, CONFIG) \
	X(AppendNoData, false, CONFIG) \
	X(InvalidHeaderFields, false, CONFIG) \
	X(QresyncNotEnabled, false, CONFIG) \
	X(QresyncNoState, false, CONFIG) \
	/* the shell: how the record is printed (the exception name, the cmdlet in FullyQualifiedErrorId) */ \
	X(NamedParameterNotFound, false, OTHER) \
	X(AmbiguousParameter, false, OTHER) \
	X(PositionalParameterNotFound, false, OTHER) \
	X(AmbiguousParameterSet, false, OTHER) \
	X(MissingArgument, false, OTHER) \
	X(MissingMandatoryParameter, false, OTHER) \
	X(CannotConvertArgumentNoMessage, false, OTHER) \
	X(ParameterAlreadyBound, false, OTHER) \
	X(InputObjectNotBound, false, OTHER) \
	X(ParameterArgumentValidationErrorNullNotAllowed, false, OTHER) \
	X(ParameterArgumentValidationErrorEmptyStringNotAllowed, false, OTHER) \
	X(CommandNotFoundException, false, OTHER) \
	X(PathNotFound, false, OTHER) \
	X(ConfirmationRequired, false, OTHER) \
	X(PipelineStopped, false, OTHER) \
	X(MethodNotFound, false, OTHER) \
	X(InvalidCastFromStringToInteger, false, OTHER) \
	X(PropertyNotFound, false, OTHER) \
	X(RuntimeException, false, OTHER)

typedef enum mg_err_code {
	MGE_NONE = 0,          /* an id this list does not name */
#define MG_ERR_ID_ENUM(id, retry, cls) MGE_##id,
	MG_ERR_IDS(MG_ERR_ID_ENUM)
#undef MG_ERR_ID_ENUM
	MGE__COUNT
} mg_err_code;

#endif
