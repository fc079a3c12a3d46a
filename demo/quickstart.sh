#!/bin/sh
# demo/quickstart.sh - the README's first command: see migsh migrate real mail.
#
#   1. installs the Debian packages it needs (tests/lib/install-deps.sh; sudo if not root)
#   2. builds migsh in build/ (autoreconf, configure, make)
#   3. starts a throwaway Dovecot on 127.0.0.1 (free high ports, own temp dir,
#      test CA) loaded with generated sample mail for alice, bob and carol
#   4. runs a migration batch of the three users into migsh's local store:
#      New-MigrationEndpoint -IMAP ... -Security Tls, New-MigrationBatch -CSVData
#      ([System.IO.File]::ReadAllBytes("C:\migsh-demo\users.csv")) -AutoStart,
#      waits until the batch is Synced, shows Get-MigrationBatch | Format-List and
#      Get-MigrationUser -BatchId ... | Get-MigrationUserStatistics
#   5. stops the migration service and the server, removes the temp directory
#
# Options: --no-install (skip apt), --keep (keep the temp directory, print its path).
# Every step says what it does; the first failing step stops the script with a
# message naming it.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
install=1
for a in "$@"; do
	case "$a" in
	--no-install) install=0 ;;
	--keep) MG_KEEP_TMP=1; export MG_KEEP_TMP ;;
	*) echo "usage: demo/quickstart.sh [--no-install] [--keep]" >&2; exit 2 ;;
	esac
done

STEP=""
# colours only on a terminal, never with NO_COLOR (like migsh itself)
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
	B=$(printf '\033[1m') R=$(printf '\033[1;31m') C=$(printf '\033[36m') G=$(printf '\033[1;32m') N=$(printf '\033[0m')
else
	B= R= C= G= N=
fi
step() { STEP=$*; printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
die() {
	if [ -n "${MIGSH_HOME:-}" ] && [ -s "$MIGSH_HOME/logs/service.log" ]; then
		printf '\n--- last lines of the migration service log (%s) ---\n' "$MIGSH_HOME/logs/service.log" >&2
		tail -n 20 "$MIGSH_HOME/logs/service.log" >&2
	fi
	printf '\n%squickstart FAILED at step "%s": %s%s\n' "$R" "$STEP" "$*" "$N" >&2
	exit 1
}

# ---- 1. packages
if [ "$install" = 1 ]; then
	step "1/5 installing Debian packages (tests/lib/packages.txt)"
	tests/lib/install-deps.sh || die "apt-get failed; see the messages above"
fi

# ---- 2. build
step "2/5 building migsh in build/"
if [ ! -x configure ] || [ configure.ac -nt configure ]; then
	autoreconf -fi || die "autoreconf failed"
fi
mkdir -p build
if [ ! -f build/Makefile ]; then
	(cd build && "$top/configure" --quiet) || die "configure failed (a missing package is named above)"
fi
make -C build -j2 >build/quickstart-make.log 2>&1 || {
	tail -n 30 build/quickstart-make.log >&2
	die "make failed; full log: build/quickstart-make.log"
}
MIGSH=$top/build/migsh
[ -x "$MIGSH" ] || die "build/migsh was not built"
echo "built $MIGSH"

# ---- 3. source server with sample mail
step "3/5 starting a throwaway Dovecot with sample mail"
top_srcdir=$top
top_builddir=$top/build
export top_srcdir top_builddir
# dovecot.sh stops every server it started and removes its temp dir at exit,
# whatever happens.
. "$top/tests/lib/dovecot.sh"
mg_dovecot_start SRC --users "alice bob carol"
mg_dovecot_load_corpus SRC --seed 2026 --messages 40 ||
	die "the corpus generator failed"
echo "Dovecot pid $SRC_PID on 127.0.0.1: IMAP+STARTTLS port $SRC_IMAP_PORT, IMAPS port $SRC_IMAPS_PORT"
echo "test CA: $MG_TEST_CA (migsh trusts it through SSL_CERT_FILE)"
echo "source mailboxes, as IMAP LIST/STATUS over STARTTLS shows them (folder names on the wire):"
for u in alice bob carol; do
	if [ "$u" = carol ]; then
		login="carol*mailadmin" pw=$MG_TEST_MASTER_PASSWORD   # a Dovecot master-user login
	else
		login=$u pw=$MG_TEST_PASSWORD
	fi
	printf 'a LOGIN %s %s\nb LIST "" "*" RETURN (STATUS (MESSAGES))\nz LOGOUT\n' "$login" "$pw" |
		mg_imap_starttls "$SRC_IMAP_PORT" |
		sed -n 's/^\* STATUS \(.*\) (MESSAGES \([0-9]*\))\r*$/\1 \2/p' |
		awk -v u="$login" '{ n = $NF; $NF = ""; sub(/ $/, ""); line = line (line ? ", " : "") $0 " " n; t += n }
			END { printf "  %-16s %d messages: %s\n", u, t, line }'
done

# ---- 4. migration with migsh
step "4/5 migrating alice, bob and carol into migsh's local store"
MIGSH_HOME=$MG_TMP/migsh-home
SSL_CERT_FILE=$MG_TEST_CA
export MIGSH_HOME SSL_CERT_FILE
mkdir -p "$MIGSH_HOME/drives/c/migsh-demo"
chmod 700 "$MIGSH_HOME"
csv=$MIGSH_HOME/drives/c/migsh-demo/users.csv
{
	printf 'EmailAddress,UserName,Password\r\n'
	printf 'alice@contoso.test,alice,%s\r\n' "$MG_TEST_PASSWORD"
	printf 'bob@contoso.test,bob,%s\r\n' "$MG_TEST_PASSWORD"
	printf 'carol@contoso.test,carol*mailadmin,%s\r\n' "$MG_TEST_MASTER_PASSWORD"
} >"$csv"
chmod 600 "$csv"
cp "$csv" "$MG_TMP/users.csv"    # the shell's fallback: the base name in the current directory
cd "$MG_TMP"

stop_service() {
	"$MIGSH" -c 'Stop-MigrationService -TimeoutSeconds 10' >/dev/null 2>&1 || :
	if [ -f "$MIGSH_HOME/service.pid" ]; then
		p=$(cat "$MIGSH_HOME/service.pid" 2>/dev/null || :)
		if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
			kill "$p" 2>/dev/null || :
			sleep 1
			kill -9 "$p" 2>/dev/null || :
		fi
	fi
}
mg_on_exit stop_service

# run 'COMMANDS': echo them PowerShell-style, run with migsh -c, fail loudly.
run() {
	printf '%sPS> %s%s\n' "$C" "$1" "$N"
	"$MIGSH" -c "$1" || die "migsh failed (exit $?) running: $1"
}

"$MIGSH" -c '$null' >/dev/null 2>&1 ||
	die "this build of migsh cannot run one-liners yet (migsh -c); the shell is still being written"

run "New-MigrationEndpoint -IMAP -Name DemoSource -RemoteServer localhost -Port $SRC_IMAP_PORT -Security Tls"
run 'Get-MigrationEndpoint DemoSource | Format-List EndpointType,RemoteServer,Port,Security,Max*'
run 'New-MigrationBatch -Name DemoBatch -SourceEndpoint DemoSource -CSVData ([System.IO.File]::ReadAllBytes("C:\migsh-demo\users.csv")) -AutoStart'

printf 'waiting for the batch to finish its initial sync'
status=""
i=0
while [ "$i" -lt 180 ]; do
	status=$("$MIGSH" -c '(Get-MigrationBatch DemoBatch).Status' 2>/dev/null | tr -d '\r' | sed -n '/[A-Za-z]/{p;q;}' || :)
	case "$status" in
	Synced | SyncedWithErrors | Failed | Completed | CompletedWithErrors | Stopped) break ;;
	esac
	printf '.'
	sleep 1
	i=$((i + 1))
done
printf ' %s\n' "${status:-no status}"
run 'Get-MigrationBatch -Identity DemoBatch | Format-List'
run 'Get-MigrationUser -BatchId DemoBatch | Get-MigrationUserStatistics'
run 'Get-MigrationUser -BatchId DemoBatch | Get-MigrationUserStatistics | Format-List Identity,Status,SyncedItemCount,SkippedItemCount,TargetMailbox'
case "$status" in
Synced) ;;
*) die "the batch ended as '${status:-unknown}' instead of Synced (see the statistics above)" ;;
esac

# Count what landed in the local store against the source, mailbox by mailbox.
echo "messages at the source and in the local store:"
for u in alice bob carol; do
	src=$(find "$SRC_MAIL/$u" -type f \( -path '*/cur/*' -o -path '*/new/*' \) | wc -l | tr -d ' ')
	dst=$("$MIGSH" -c "(Get-MigrationUserStatistics -Identity $u@contoso.test).TargetMailbox" 2>/dev/null |
		tr -d '\r' | sed -n '/./{p;q;}' || :)
	if [ -n "$dst" ] && [ -d "$dst" ]; then
		got=$(find "$dst" -type f \( -path '*/cur/*' -o -path '*/new/*' \) | wc -l | tr -d ' ')
		printf '  %-20s source %4s   local store %4s   (%s)\n' "$u@contoso.test" "$src" "$got" "$dst"
		[ "$got" = "$src" ] || die "$u@contoso.test: $src messages at the source but $got in $dst"
	else
		printf '  %-20s source %4s   local store: no TargetMailbox directory reported\n' "$u@contoso.test" "$src"
	fi
done

# ---- 5. cleanup (the EXIT trap stops the service and Dovecot, removes the temp dir)
step "5/5 stopping the migration service and Dovecot"
stop_service
mg_dovecot_stop_all
printf '\n%squickstart: done - 3 mailboxes migrated into %s (removed now; use --keep to look at it)%s\n' "$G" "$MIGSH_HOME" "$N"
