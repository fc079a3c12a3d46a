# tests/lib/dovecot.sh - throwaway real Dovecot 2.3 servers for migsh's integration tests.
#
# POSIX sh (works under dash and bash).  Source it from a test script:
#
#     . "$top_srcdir/tests/lib/dovecot.sh"
#     mg_dovecot_start SRC --users "user1 user2"
#     mg_dovecot_load_corpus SRC --seed 7 --messages 20
#     "$MIGSH" -c "..."                 # talk to 127.0.0.1:$SRC_IMAP_PORT
#
# Environment read (make check sets the first three):
#   top_srcdir, top_builddir   source / build tree (default: the current directory)
#   MIGSH                      the migsh binary (not used here, for tests)
#   MG_TEST_PASSWORD           password of every test user   (default Test-Pass-123)
#   MG_TEST_MASTER_PASSWORD    password of master user 'mailadmin' (default Master-Pass-456)
#   MG_REQUIRE_DOVECOT=1       missing dovecot/openssl is a failure instead of a skip (CI)
#   MG_KEEP_TMP=1              keep the temp directory at exit (debugging)
#
# Set by sourcing:
#   MG_TMP        a fresh private temp directory (removed at exit)
#   MG_TEST_CA    PEM file of the test CA; clients trust it with SSL_CERT_FILE="$MG_TEST_CA"
#                 (created lazily by the first mg_dovecot_start or mg_certs)
#   MG_MAIL_USER, MG_MAIL_GROUP  the account Dovecot serves mail as (nobody/nogroup
#                 when run as root, else the current user); loaded mail is chowned to it
#
# Functions (all return non-zero and print a reason on failure; a test usually
# runs under `set -e` or checks with `|| mg_fail "..."`):
#
#   mg_dovecot_start NAME [--no-starttls] [--cert good|wronghost|expired]
#                         [--users "user1 user2 ..."] [--separator / | .] [--compress]
#       Start an instance called NAME (a shell identifier, e.g. SRC or DST).
#       Default users: "user1 user2 user3".
#       --separator . gives a Courier/Cyrus-style view: separator '.', every folder
#       under the prefix "INBOX." (INBOX.Sent, INBOX.Archive.2019); default is '/'
#       with no prefix.  Both allow the other separator inside a name ("a/b" with
#       '.', "a.b" with '/'), stored escaped on disk by Dovecot's listescape plugin.
#       --compress offers COMPRESS=DEFLATE (imap_zlib plugin).  Exports:
#         NAME_IMAP_PORT   plain IMAP on 127.0.0.1 (STARTTLS offered unless --no-starttls)
#         NAME_IMAPS_PORT  implicit TLS on 127.0.0.1 (empty with --no-starttls: Dovecot
#                          offers STARTTLS whenever TLS is on, so that mode has no TLS)
#         NAME_MAIL        Maildir root: NAME_MAIL/<user> is each user's Maildir++
#                          (folder "Archive/2019" is NAME_MAIL/<user>/.Archive.2019)
#         NAME_DIR         the instance directory (dovecot.conf, passwd, log, ...)
#         NAME_LOG         the Dovecot log file
#         NAME_PID         the Dovecot master process id
#         NAME_USERS       the user list
#       mail_max_userip_connections 500; failed logins answer at once (no delay);
#       `userX*mailadmin` with the master password logs in as userX.  Call it in the
#       test's own shell, not inside $(...), so the variables stay set.
#   mg_dovecot_stop NAME      stop one instance (by PID, then its process group)
#   mg_dovecot_restart NAME   stop it and start it again: same ports, users and mail
#                             (a server that goes away and comes back)
#   mg_dovecot_kick NAME USER drop every IMAP connection of USER (doveadm kick)
#   mg_dovecot_stop_all       stop every instance (installed on EXIT automatically)
#   mg_group_pids PID         live processes in the process group of an instance's
#                             master (empty after mg_dovecot_stop)
#   mg_dovecot_add_user NAME USER [PASSWORD]   add a user (passdb re-read at next login)
#   mg_dovecot_add_users NAME "USER..."        add several users (test password), and
#                             wait until Dovecot is sure to see them: it checks the
#                             passwd-file at most once a second, so a login in the
#                             second of the change may still find the old list
#   mg_dovecot_set_password NAME USER PASSWORD change a password while running
#
#   mg_certs                  make the CA and certificates (done by mg_dovecot_start):
#       $MG_TMP/certs/{ca,good,wronghost,expired}.pem and *.key
#       good: CN=localhost, SAN DNS:localhost,IP:127.0.0.1,DNS:127.0.0.1
#       wronghost: SAN DNS:wrong.example.invalid   expired: good's names, expired in 2020
#
#   mg_corpus ARGS...         run the corpus generator (tests/corpus/migsh-corpus)
#   mg_dovecot_load_corpus NAME [GENERATOR ARGS]   generate mail for all NAME's users
#       into NAME_MAIL (e.g. --seed 1 --messages 50 --big-size 36000000 --big-count 1;
#       --manifest FILE lists every message with its folder, UID, flags, date, size,
#       kind and Message-ID; `migsh-corpus --help` lists the special messages).
#       Load before the first login to that user.
#   mg_maildir_folder NAME USER FOLDER   print (and create) the Maildir directory of an
#       IMAP folder, named relative to INBOX with '/' between levels whatever the
#       instance's separator ("INBOX", "Sent", "Archive/2019"; a '.' inside a name
#       is escaped as Dovecot stores it; give non-ASCII names in modified UTF-7,
#       e.g. "Entw&APw-rfe", and a '/' inside a name as "a\2fb")
#   mg_maildir_add NAME USER FOLDER FILE [FLAGS [MTIME]]
#       deliver FILE as a new message (FLAGS like "FS" or "" -> cur/...:2,FLAGS; the
#       word "new" -> new/ (unseen, "recent")); MTIME = internal date as
#       [[CC]YY]MMDDhhmm[.ss] (touch -t).  Prints the path of the stored file.
#       Works while the server runs (Dovecot reads Maildir directly).
#   mg_maildir_find NAME USER FOLDER STRING   print paths of messages containing STRING
#   mg_maildir_setflags PATH FLAGS   re-flag a stored message (rename to cur/base:2,FLAGS)
#   mg_maildir_count DIR      number of messages in a Maildir folder directory
#   mg_maildir_new_uidvalidity NAME USER FOLDER
#       give the folder a new, larger UIDVALIDITY and fresh UIDs (what a server does
#       when a folder is recreated); prints the new value.  Between sessions only.
#
#   mg_tool NAME              print the path of a built helper: freeport, waitport,
#                             silent-listener, imapcat, corpus
#   mg_free_ports N           print N free high ports on 127.0.0.1
#   mg_silent_listener VAR SECONDS   start a listener that accepts and never answers;
#                             sets $VAR to its port and VAR_PID; stopped at exit
#   mg_imap_tls PORT          run openssl s_client (implicit TLS, CA = MG_TEST_CA,
#                             host name checked) feeding it stdin; prints the session
#   mg_imap_starttls PORT     the same with STARTTLS on the plain port
#   mg_imap_plain PORT        the same without TLS (tests/lib/mg-imapcat)
#                             (all three give up after 20 s; end the input with LOGOUT)
#   mg_on_exit "COMMAND"      run COMMAND at exit, before the servers stop (do not
#                             replace the EXIT trap: it stops the servers, and when
#                             the test failed prints the end of each Dovecot log)
#   mg_skip "REASON"          print the reason and exit 77 (automake: SKIP)
#   mg_fail "REASON"          print the reason and exit 1
#   mg_log "TEXT"             print a progress line to stderr
#
# Everything runs on 127.0.0.1 and ports >= 20000; nothing of the system's Dovecot
# is used (no /etc/dovecot, no system service).

# ---------------------------------------------------------------- basics --

: "${top_srcdir:=$(pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${MG_TEST_PASSWORD:=Test-Pass-123}"
: "${MG_TEST_MASTER_PASSWORD:=Master-Pass-456}"
export top_srcdir top_builddir MG_TEST_PASSWORD MG_TEST_MASTER_PASSWORD

MG_DOVECOT_INSTANCES=""
MG_EXIT_HOOKS=""
MG_CHILD_PIDS=""

mg_log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
mg_fail() { printf '%s: FAIL: %s\n' "${0##*/}" "$*" >&2; exit 1; }
mg_skip() { printf '%s: SKIP: %s\n' "${0##*/}" "$*" >&2; exit 77; }

# A missing tool is a skip for a developer, a failure in CI (MG_REQUIRE_DOVECOT=1).
mg__need() {
	if [ "${MG_REQUIRE_DOVECOT:-0}" = 1 ]; then
		mg_fail "$*"
	fi
	mg_skip "$*"
}

mg_on_exit() { MG_EXIT_HOOKS="$MG_EXIT_HOOKS
$1"; }

mg__cleanup() {
	mg__rc=$?
	trap - EXIT
	trap '' PIPE    # finish cleaning up even if stderr is a closed pipe
	set +e
	if [ -n "$MG_EXIT_HOOKS" ]; then
		eval "$MG_EXIT_HOOKS"
	fi
	if [ "$mg__rc" -ne 0 ] && [ "$mg__rc" -ne 77 ]; then
		for mg__n in $MG_DOVECOT_INSTANCES; do
			eval "mg__l=\${${mg__n}_LOG:-}"
			if [ -n "$mg__l" ] && [ -s "$mg__l" ]; then
				printf '\n--- last lines of Dovecot log of %s (%s) ---\n' "$mg__n" "$mg__l" >&2
				tail -n 40 "$mg__l" >&2
			fi
		done
	fi
	mg_dovecot_stop_all
	for mg__p in $MG_CHILD_PIDS; do
		kill "$mg__p" 2>/dev/null || :
	done
	if [ -n "${MG_TMP:-}" ] && [ -d "$MG_TMP" ]; then
		if [ "${MG_KEEP_TMP:-0}" = 1 ]; then
			printf '%s: temp directory kept: %s\n' "${0##*/}" "$MG_TMP" >&2
		else
			rm -rf "$MG_TMP"
		fi
	fi
	exit "$mg__rc"
}
trap mg__cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
# A closed output pipe (e.g. `test.sh | head`) must not kill the test before its
# servers are stopped.  (A handler, not SIG_IGN, so programs under test keep the
# default SIGPIPE behaviour.)
trap 'exit 141' PIPE

MG_TMP=$(mktemp -d /tmp/mgt.XXXXXX) || mg_fail "cannot create a temp directory in /tmp"
chmod 0755 "$MG_TMP"
export MG_TMP

# The account Dovecot's login, internal and mail processes run as.
if [ "$(id -u)" -eq 0 ]; then
	MG_MAIL_USER=nobody
	MG_MAIL_GROUP=$(id -gn nobody 2>/dev/null) || MG_MAIL_GROUP=nogroup
else
	MG_MAIL_USER=$(id -un)
	MG_MAIL_GROUP=$(id -gn)
fi
export MG_MAIL_USER MG_MAIL_GROUP

# Give the mail account the files of a Maildir tree (no-op when not root).
mg__chown() {
	if [ "$(id -u)" -eq 0 ]; then
		chown -R "$MG_MAIL_USER:$MG_MAIL_GROUP" "$@"
	fi
}

mg__valid_name() {
	case "$1" in
	'' | [0-9]* | *[!A-Za-z0-9_]*) mg_fail "instance name '$1' must be a shell identifier (e.g. SRC)" ;;
	esac
}

# ---------------------------------------------------------------- helpers --

mg_tool() {
	case "$1" in
	freeport) mg__t=$top_builddir/tests/lib/mg-freeport ;;
	waitport) mg__t=$top_builddir/tests/lib/mg-waitport ;;
	silent-listener) mg__t=$top_builddir/tests/lib/mg-silent-listener ;;
	imapcat) mg__t=$top_builddir/tests/lib/mg-imapcat ;;
	corpus) mg__t=$top_builddir/tests/corpus/migsh-corpus ;;
	*) mg_fail "mg_tool: unknown helper '$1'" ;;
	esac
	if [ ! -x "$mg__t" ]; then
		mg_fail "helper $mg__t is not built; run 'make check' (or 'make ${mg__t#"$top_builddir"/}') in $top_builddir"
	fi
	printf '%s\n' "$mg__t"
}

mg_free_ports() { "$(mg_tool freeport)" "${1:-1}"; }

mg_silent_listener() {
	mg__var=$1
	mg__pf=$MG_TMP/silent.$$.$(date +%s%N)
	"$(mg_tool silent-listener)" "${2:-60}" "$mg__pf" >/dev/null &
	mg__sp=$!
	MG_CHILD_PIDS="$MG_CHILD_PIDS $mg__sp"
	mg__i=0
	while [ ! -s "$mg__pf" ]; do
		mg__i=$((mg__i + 1))
		[ "$mg__i" -le 100 ] || mg_fail "silent listener did not start"
		sleep 0.05
	done
	eval "$mg__var=\$(cat \"\$mg__pf\"); ${mg__var}_PID=\$mg__sp; export $mg__var ${mg__var}_PID"
}

mg_imap_plain() {
	"$(mg_tool imapcat)" "$1" 20 2>&1
}

mg_imap_tls() {
	SSL_CERT_FILE=$MG_TEST_CA timeout 20 openssl s_client -connect "127.0.0.1:$1" -CAfile "$MG_TEST_CA" \
		-verify_return_error -verify_hostname localhost -crlf -ign_eof -quiet 2>&1
}

mg_imap_starttls() {
	SSL_CERT_FILE=$MG_TEST_CA timeout 20 openssl s_client -connect "127.0.0.1:$1" -starttls imap \
		-CAfile "$MG_TEST_CA" -verify_return_error -verify_hostname localhost \
		-crlf -ign_eof -quiet 2>&1
}

# ------------------------------------------------------------ certificates --

mg__openssl() {
	openssl "$@" >>"$MG_TMP/certs/openssl.log" 2>&1 ||
		{ cat "$MG_TMP/certs/openssl.log" >&2; mg_fail "openssl $1 failed while making test certificates"; }
}

# mg__leaf NAME SAN [STARTDATE ENDDATE]: key + certificate signed by the test CA.
mg__leaf() {
	mg__c=$MG_TMP/certs
	mg__openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$mg__c/$1.key" -out "$mg__c/$1.csr" -subj "/O=migsh tests/CN=${3:-localhost}"
	printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' \
		"$2" >"$mg__c/$1.ext"
	if [ -n "${4:-}" ]; then
		# Past validity: 'openssl ca' accepts explicit start and end dates.
		mg__openssl ca -batch -config "$mg__c/ca.cnf" -cert "$mg__c/ca.pem" \
			-keyfile "$mg__c/ca.key" -in "$mg__c/$1.csr" -out "$mg__c/$1.pem" \
			-startdate "$4" -enddate "$5" -extfile "$mg__c/$1.ext" -notext -md sha256
	else
		mg__openssl x509 -req -in "$mg__c/$1.csr" -CA "$mg__c/ca.pem" -CAkey "$mg__c/ca.key" \
			-CAcreateserial -days 3650 -sha256 -extfile "$mg__c/$1.ext" -out "$mg__c/$1.pem"
	fi
}

mg_certs() {
	if [ -n "${MG_TEST_CA:-}" ] && [ -s "$MG_TEST_CA" ]; then
		return 0
	fi
	command -v openssl >/dev/null 2>&1 || mg__need "openssl is not installed (apt-get install openssl)"
	mg__c=$MG_TMP/certs
	mkdir -p "$mg__c/newcerts"
	: >"$mg__c/index.txt"
	echo 1000 >"$mg__c/serial"
	cat >"$mg__c/ca.cnf" <<EOF
[ ca ]
default_ca = testca
[ testca ]
dir = $mg__c
database = $mg__c/index.txt
new_certs_dir = $mg__c/newcerts
serial = $mg__c/serial
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
[ anything ]
organizationName = optional
commonName = supplied
EOF
	mg__openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$mg__c/ca.key" -out "$mg__c/ca.pem" -days 3650 \
		-subj "/O=migsh tests/CN=migsh test CA" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
	mg__leaf good 'DNS:localhost,IP:127.0.0.1,DNS:127.0.0.1'
	mg__leaf wronghost 'DNS:wrong.example.invalid' wrong.example.invalid
	mg__leaf expired 'DNS:localhost,IP:127.0.0.1,DNS:127.0.0.1' localhost \
		20200101000000Z 20200201000000Z
	chmod 0644 "$mg__c"/*.pem
	MG_TEST_CA=$mg__c/ca.pem
	export MG_TEST_CA
}

# ------------------------------------------------------------------ users --

# passwd-file line: user:{PLAIN}password:::::: (uid/gid/home come from the userdb overrides)
# (passwd-file fields are ':'-separated: a password may hold anything but ':' and newlines)
mg__pwline() {
	case "$1$2" in
	*:* | *'
'*) mg_fail "test user names and passwords cannot contain ':' or a newline" ;;
	esac
	printf '%s:{PLAIN}%s::::::\n' "$1" "$2"
}

mg_dovecot_add_user() {
	eval "mg__d=\${${1}_DIR:?unknown instance $1}; mg__m=\${${1}_MAIL}"
	mg__pwline "$2" "${3:-$MG_TEST_PASSWORD}" >>"$mg__d/passwd"
	mkdir -p "$mg__m/$2/cur" "$mg__m/$2/new" "$mg__m/$2/tmp"
	mg__chown "$mg__m/$2"
	eval "${1}_USERS=\"\${${1}_USERS} \$2\"; export ${1}_USERS"
}

mg_dovecot_add_users() {
	for mg__au in $2; do
		mg_dovecot_add_user "$1" "$mg__au"
	done
	mg__t=$(date +%s)
	while [ "$(date +%s)" -le "$mg__t" ]; do sleep 0.2; done
}

mg_dovecot_set_password() {
	eval "mg__d=\${${1}_DIR:?unknown instance $1}"
	grep -v "^$2:" "$mg__d/passwd" >"$mg__d/passwd.new" || :
	mg__pwline "$2" "$3" >>"$mg__d/passwd.new"
	chmod 0644 "$mg__d/passwd.new"
	mv "$mg__d/passwd.new" "$mg__d/passwd"
}

# ----------------------------------------------------------------- config --

mg__write_conf() {
	# $1 dir, $2 imap port, $3 imaps port, $4 cert name, $5 starttls yes/no, $6 name,
	# $7 separator, $8 compress yes/no
	if [ "$7" = . ]; then
		mg__prefix=INBOX.
	else
		mg__prefix=
	fi
	mg__plugins=listescape
	mg__imap_plugins='$mail_plugins'
	if [ "$8" = yes ]; then
		mg__plugins="$mg__plugins zlib"
		mg__imap_plugins='$mail_plugins imap_zlib'
	fi
	mg__ssl_dh=""
	if [ -r /usr/share/dovecot/dh.pem ]; then
		mg__ssl_dh="ssl_dh = </usr/share/dovecot/dh.pem"
	fi
	if [ "$5" = yes ]; then
		mg__ssl=yes
		mg__imaps="  inet_listener imaps {
    address = 127.0.0.1
    port = $3
    ssl = yes
  }"
	else
		# Dovecot offers STARTTLS whenever TLS is enabled, so --no-starttls means
		# no TLS at all: plain IMAP only, no imaps listener.
		mg__ssl=no
		mg__imaps=""
	fi
	cat >"$1/dovecot.conf" <<EOF
# Throwaway Dovecot for migsh tests (written by tests/lib/dovecot.sh). Nothing from /etc.
instance_name = mg-$6-$$
base_dir = $1/run
state_dir = $1/state
log_path = $1/dovecot.log
protocols = imap
listen = 127.0.0.1
shutdown_clients = yes

default_internal_user = $MG_MAIL_USER
default_internal_group = $MG_MAIL_GROUP
default_login_user = $MG_MAIL_USER
first_valid_uid = 1
first_valid_gid = 1
mail_uid = $MG_MAIL_USER
mail_gid = $MG_MAIL_GROUP
mail_location = maildir:$1/mail/%u
mail_plugins = $mg__plugins
namespace inbox {
  inbox = yes
  separator = $7
  prefix = $mg__prefix
}

ssl = $mg__ssl
ssl_cert = <$MG_TMP/certs/$4.pem
ssl_key = <$MG_TMP/certs/$4.key
$mg__ssl_dh

disable_plaintext_auth = no
auth_mechanisms = plain login
auth_master_user_separator = *
auth_verbose = yes
auth_cache_size = 0
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $1/master-passwd
  master = yes
  result_success = continue
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $1/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u $1/passwd
  override_fields = uid=$MG_MAIL_USER gid=$MG_MAIL_GROUP home=$1/home/%u
}

protocol imap {
  mail_max_userip_connections = 500
  mail_plugins = $mg__imap_plugins
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $2
  }
$mg__imaps
}
service anvil {
  chroot =
}
EOF
}

# ------------------------------------------------------------- lifecycle --

mg_dovecot_start() {
	command -v dovecot >/dev/null 2>&1 ||
		[ -x /usr/sbin/dovecot ] || mg__need "dovecot is not installed (apt-get install dovecot-imapd)"
	mg__dovecot=$(command -v dovecot 2>/dev/null || echo /usr/sbin/dovecot)
	mg__name=$1
	mg__valid_name "$mg__name"
	shift
	mg__cert=good
	mg__starttls=yes
	mg__users="user1 user2 user3"
	mg__sep=/
	mg__compress=no
	while [ $# -gt 0 ]; do
		case "$1" in
		--no-starttls) mg__starttls=no ;;
		--separator) mg__sep=$2; shift ;;
		--compress) mg__compress=yes ;;
		--cert) mg__cert=$2; shift ;;
		--users) mg__users=$2; shift ;;
		*) mg_fail "mg_dovecot_start: unknown option '$1'" ;;
		esac
		shift
	done
	case "$mg__sep" in
	/ | .) ;;
	*) mg_fail "mg_dovecot_start: --separator must be / or ." ;;
	esac
	case "$mg__cert" in
	good | wronghost | expired) ;;
	*) mg_fail "mg_dovecot_start: --cert must be good, wronghost or expired" ;;
	esac
	mg_certs
	mg__d=$MG_TMP/$mg__name
	[ ! -e "$mg__d" ] || mg_fail "instance $mg__name already exists"
	mkdir -p "$mg__d/mail" "$mg__d/home" "$mg__d/run" "$mg__d/state"
	mg__pwline mailadmin "$MG_TEST_MASTER_PASSWORD" >"$mg__d/master-passwd"
	: >"$mg__d/passwd"
	chmod 0644 "$mg__d/passwd" "$mg__d/master-passwd"
	eval "${mg__name}_DIR=\$mg__d; ${mg__name}_MAIL=\$mg__d/mail; ${mg__name}_LOG=\$mg__d/dovecot.log; ${mg__name}_USERS=''"
	eval "export ${mg__name}_DIR ${mg__name}_MAIL ${mg__name}_LOG ${mg__name}_USERS"
	for mg__u in $mg__users; do
		mg_dovecot_add_user "$mg__name" "$mg__u"
	done
	mg__chown "$mg__d/mail" "$mg__d/home"

	mg__try=0
	while :; do
		mg__try=$((mg__try + 1))
		mg__ports=$(mg_free_ports 2) || mg_fail "no free ports"
		mg__p1=$(echo "$mg__ports" | sed -n 1p)
		mg__p2=$(echo "$mg__ports" | sed -n 2p)
		mg__write_conf "$mg__d" "$mg__p1" "$mg__p2" "$mg__cert" "$mg__starttls" "$mg__name" \
			"$mg__sep" "$mg__compress"
		if "$mg__dovecot" -c "$mg__d/dovecot.conf" >"$mg__d/start.err" 2>&1; then
			break
		fi
		if grep -q 'Address already in use' "$mg__d/start.err" "$mg__d/dovecot.log" 2>/dev/null &&
			[ "$mg__try" -lt 5 ]; then
			mg_log "ports $mg__p1/$mg__p2 taken meanwhile; retrying with others"
			continue
		fi
		cat "$mg__d/start.err" >&2
		[ -f "$mg__d/dovecot.log" ] && tail -n 20 "$mg__d/dovecot.log" >&2
		mg_fail "dovecot did not start (config $mg__d/dovecot.conf)"
	done
	mg__i=0
	while [ ! -s "$mg__d/run/master.pid" ]; do
		mg__i=$((mg__i + 1))
		[ "$mg__i" -le 100 ] || mg_fail "dovecot $mg__name wrote no master.pid"
		sleep 0.05
	done
	mg__pid=$(cat "$mg__d/run/master.pid")
	MG_DOVECOT_INSTANCES="$MG_DOVECOT_INSTANCES $mg__name"
	eval "${mg__name}_PID=\$mg__pid; ${mg__name}_IMAP_PORT=\$mg__p1; ${mg__name}_IMAPS_PORT=\$mg__p2"
	eval "export ${mg__name}_PID ${mg__name}_IMAP_PORT ${mg__name}_IMAPS_PORT"
	if [ "$mg__starttls" = no ]; then
		eval "${mg__name}_IMAPS_PORT="
	fi
	"$(mg_tool waitport)" "$mg__p1" 10 || mg_fail "dovecot $mg__name does not accept connections on $mg__p1"
	if [ "$mg__starttls" = yes ]; then
		"$(mg_tool waitport)" "$mg__p2" 10 || mg_fail "dovecot $mg__name does not accept connections on $mg__p2"
	fi
	mg__ready "$mg__name" "$mg__p1"
}

mg_dovecot_stop() {
	eval "mg__pid=\${${1}_PID:-}"
	[ -n "$mg__pid" ] || return 0
	# A clean shutdown takes Dovecot 2-3 s (it waits for idle children); a
	# throwaway instance gets 1 s, then its whole process group is killed.
	if mg_alive "$mg__pid"; then
		kill -TERM "$mg__pid" 2>/dev/null || :
		mg__i=0
		while mg_alive "$mg__pid" && [ "$mg__i" -lt 20 ]; do
			sleep 0.05
			mg__i=$((mg__i + 1))
		done
	fi
	# The daemonized master leads its own process group: anything left in it goes now.
	kill -KILL -- "-$mg__pid" 2>/dev/null || :
	kill -KILL "$mg__pid" 2>/dev/null || :
	mg__i=0
	while [ -n "$(mg_group_pids "$mg__pid")" ] && [ "$mg__i" -lt 40 ]; do
		sleep 0.05
		mg__i=$((mg__i + 1))
	done
	eval "${1}_PID="
	MG_DOVECOT_INSTANCES=$(printf '%s\n' $MG_DOVECOT_INSTANCES | grep -vx "$1" | tr '\n' ' ' || :)
	return 0
}

# True when process $1 exists and is not a zombie (a daemonized master's
# parent may be a PID 1 that does not reap).
mg_alive() {
	case "$(ps -o stat= -p "$1" 2>/dev/null)" in
	'' | Z*) return 1 ;;
	*) return 0 ;;
	esac
}

# Wait until the server greets at once with its capabilities: right after start
# the auth process may not be connected yet and Dovecot first says "* OK Waiting
# for authentication process to respond..", which would confuse a test.
mg__ready() {
	mg__i=0
	until printf 'z LOGOUT\n' | "$(mg_tool imapcat)" "$2" 5 2>/dev/null | head -n 1 |
		grep -q '^\* OK \[CAPABILITY'; do
		mg__i=$((mg__i + 1))
		[ "$mg__i" -le 100 ] || mg_fail "dovecot $1 does not greet properly on port $2"
		sleep 0.05
	done
}

mg_dovecot_restart() {
	eval "mg__d=\${${1}_DIR:?unknown instance $1}; mg__p1=\${${1}_IMAP_PORT}; mg__p2=\${${1}_IMAPS_PORT}"
	mg_dovecot_stop "$1"
	mg__dovecot=$(command -v dovecot 2>/dev/null || echo /usr/sbin/dovecot)
	rm -f "$mg__d/run/master.pid"
	mg__i=0
	# the old listening sockets may take a moment to go away
	until "$mg__dovecot" -c "$mg__d/dovecot.conf" >"$mg__d/start.err" 2>&1; do
		mg__i=$((mg__i + 1))
		if [ "$mg__i" -ge 50 ]; then
			cat "$mg__d/start.err" >&2
			mg_fail "dovecot $1 did not start again"
		fi
		sleep 0.1
	done
	mg__i=0
	while [ ! -s "$mg__d/run/master.pid" ]; do
		mg__i=$((mg__i + 1))
		[ "$mg__i" -le 100 ] || mg_fail "dovecot $1 wrote no master.pid"
		sleep 0.05
	done
	mg__pid=$(cat "$mg__d/run/master.pid")
	eval "${1}_PID=\$mg__pid; export ${1}_PID"
	MG_DOVECOT_INSTANCES="$MG_DOVECOT_INSTANCES $1"
	"$(mg_tool waitport)" "$mg__p1" 10 || mg_fail "dovecot $1 does not accept connections on $mg__p1"
	[ -z "$mg__p2" ] || "$(mg_tool waitport)" "$mg__p2" 10 ||
		mg_fail "dovecot $1 does not accept connections on $mg__p2"
	mg__ready "$1" "$mg__p1"
}

mg_dovecot_kick() {
	eval "mg__d=\${${1}_DIR:?unknown instance $1}"
	mg__doveadm=$(command -v doveadm 2>/dev/null || echo /usr/bin/doveadm)
	"$mg__doveadm" -c "$mg__d/dovecot.conf" kick "$2" >/dev/null 2>&1 || :
}

# Print the ids of the live processes in process group $1 (none: nothing).
mg_group_pids() {
	ps -e -o pid= -o pgid= -o stat= | awk -v g="$1" '$2 == g && $3 !~ /^Z/ { print $1 }'
}

mg_dovecot_stop_all() {
	# TERM every master first so their shutdowns overlap, then stop each.
	for mg__n in $MG_DOVECOT_INSTANCES; do
		eval "mg__pid=\${${mg__n}_PID:-}"
		[ -z "$mg__pid" ] || kill -TERM "$mg__pid" 2>/dev/null || :
	done
	for mg__n in $MG_DOVECOT_INSTANCES; do
		mg_dovecot_stop "$mg__n"
	done
	MG_DOVECOT_INSTANCES=""
}

# ------------------------------------------------------------------- mail --

mg_corpus() { "$(mg_tool corpus)" "$@"; }

mg_dovecot_load_corpus() {
	mg__n=$1
	shift
	eval "mg__m=\${${mg__n}_MAIL:?unknown instance $mg__n}; mg__us=\${${mg__n}_USERS}"
	mg__ul=$(echo $mg__us | tr ' ' ',')
	mg_corpus --out "$mg__m" --users "$mg__ul" "$@" || mg_fail "corpus generator failed"
	mg__chown "$mg__m"
}

mg_maildir_folder() {
	eval "mg__m=\${${1}_MAIL:?unknown instance $1}"
	case "$3" in
	INBOX | inbox | '') mg__f=$mg__m/$2 ;;
	*) mg__f=$mg__m/$2/.$(printf '%s' "$3" | sed 's/\./\\2e/g' | tr / .) ;;
	esac
	if [ ! -d "$mg__f/cur" ]; then
		mkdir -p "$mg__f/cur" "$mg__f/new" "$mg__f/tmp"
		[ "$mg__f" = "$mg__m/$2" ] || : >"$mg__f/maildirfolder"
		mg__chown "$mg__f"
	fi
	printf '%s\n' "$mg__f"
}

mg_maildir_add() {
	mg__f=$(mg_maildir_folder "$1" "$2" "$3") || return 1
	[ -r "$4" ] || mg_fail "mg_maildir_add: cannot read $4"
	# a counter in a file: callers usually run this inside $(...), a subshell
	mg__seq=$(( $(cat "$MG_TMP/.maildir-seq" 2>/dev/null || echo 0) + 1 ))
	echo "$mg__seq" >"$MG_TMP/.maildir-seq"
	mg__base=$(date +%s).M${mg__seq}P$$.migsh-test
	mg__size=$(wc -c <"$4" | tr -d ' ')
	cp "$4" "$mg__f/tmp/$mg__base"
	[ -z "${6:-}" ] || touch -t "$6" "$mg__f/tmp/$mg__base"
	mg__chown "$mg__f/tmp/$mg__base"
	if [ "${5-}" = new ]; then
		mg__dst=$mg__f/new/$mg__base,S=$mg__size
	else
		mg__dst=$mg__f/cur/$mg__base,S=$mg__size:2,${5:-}
	fi
	mv "$mg__f/tmp/$mg__base" "$mg__dst"
	printf '%s\n' "$mg__dst"
}

mg_maildir_find() {
	mg__f=$(mg_maildir_folder "$1" "$2" "$3") || return 1
	grep -l -F -e "$4" "$mg__f"/cur/* "$mg__f"/new/* 2>/dev/null || :
}

mg_maildir_setflags() {
	mg__dir=${1%/*}
	mg__dir=${mg__dir%/*}
	mg__b=${1##*/}
	mg__b=${mg__b%%:2,*}
	mv "$1" "$mg__dir/cur/$mg__b:2,$2"
	printf '%s\n' "$mg__dir/cur/$mg__b:2,$2"
}

mg_maildir_count() {
	find "$1/cur" "$1/new" -type f 2>/dev/null | wc -l | tr -d ' '
}

mg_maildir_new_uidvalidity() {
	mg__f=$(mg_maildir_folder "$1" "$2" "$3") || return 1
	mg__old=0
	if [ -f "$mg__f/dovecot-uidlist" ]; then
		mg__old=$(sed -n '1s/.* V\([0-9]*\).*/\1/p' "$mg__f/dovecot-uidlist")
	fi
	mg__new=$(( ${mg__old:-0} + 1000 ))
	[ "$mg__new" -gt "$(date +%s)" ] || mg__new=$(( $(date +%s) + 1000 ))
	rm -f "$mg__f"/dovecot.index* "$mg__f/dovecot-uidlist" "$mg__f/dovecot-uidvalidity"*
	printf '3 V%s N1\n' "$mg__new" >"$mg__f/dovecot-uidlist"
	mg__chown "$mg__f/dovecot-uidlist"
	printf '%s\n' "$mg__new"
}
