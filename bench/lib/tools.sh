# bench/lib/tools.sh - one set of functions per tool the benchmark times.
# Sourced by bench/run.sh.  Every tool T offers:
#   T_prepare WORK     untimed setup in the empty directory WORK (configs, CSV)
#   T_run WORK         the timed job (run under bench/measure); must return
#                      only when the job is done and leave no process behind
#   T_userdir WORK U   the Maildir tree where user U's mail landed (verified)
# The job is described by the environment run.sh sets:
#   BENCH_USERS        "u01 u02 ..."    (password of U is pw-U)
#   SRC_PORT SRC_TLS   source port; SRC_TLS=1 for implicit TLS (trust $BENCH_CA)
#   TGT_PORT TGT_MAIL  target Dovecot port and its mail root (IMAP targets;
#                      admin login "U*mailadmin" / pw-mailadmin)
#   MIGSH MIGSH_DRIVER the built binaries

# ---- mbsync (isync), one Channel per user, channels one after another ----
mbsync_tls_kw() { # isync 1.5 renamed SSLType to TLSType
	case "$(mbsync --version 2>/dev/null)" in "isync 1.4"*|"isync 1.3"*) echo SSLType ;; *) echo TLSType ;; esac
}

mbsync_conf() { # WORK DEST(maildir|imap)
	local work="$1" dest="$2" u kw sec state
	kw=$(mbsync_tls_kw)
	if [ "$SRC_TLS" = 1 ]; then sec=IMAPS; else sec=None; fi
	: > "$work/mbsyncrc"
	for u in $BENCH_USERS; do
		{
			printf 'IMAPAccount src-%s\nHost 127.0.0.1\nPort %s\nUser %s\nPass %s\n%s %s\n' \
				"$u" "$SRC_PORT" "$u" "$BENCH_PW" "$kw" "$sec"
			[ "$SRC_TLS" = 1 ] && printf 'CertificateFile %s\n' "$BENCH_CA"
			printf '\nIMAPStore src-%s\nAccount src-%s\n\n' "$u" "$u"
			if [ "$dest" = maildir ]; then
				mkdir -p "$work/mail/$u"
				printf 'MaildirStore dst-%s\nInbox %s/mail/%s/\nSubFolders Maildir++\n\n' \
					"$u" "$work" "$u"
			else
				printf 'IMAPAccount dst-%s\nHost 127.0.0.1\nPort %s\nUser %s@bench.example*mailadmin\nPass %s\n%s None\n\n' \
					"$u" "$TGT_PORT" "$u" "$BENCH_MASTER_PW" "$kw"
				printf 'IMAPStore dst-%s\nAccount dst-%s\n\n' "$u" "$u"
			fi
			# SyncState *: state in the near Maildir; an IMAP near side needs a
			# directory of its own per channel (state files are named by box)
			state="*"
			[ "$dest" = imap ] && state="$work/state/$u/" && mkdir -p "$state"
			printf 'Channel %s\nFar :src-%s:\nNear :dst-%s:\nPatterns *\nCreate Both\nSyncState %s\nCopyArrivalDate yes\n\n' \
				"$u" "$u" "$u" "$state"
		} >> "$work/mbsyncrc"
	done
	chmod 600 "$work/mbsyncrc"
}

mbsync_prepare()      { mbsync_conf "$1" maildir; }
mbsync_run()          { mbsync -q -a -c "$1/mbsyncrc"; }
mbsync_userdir()      { echo "$1/mail/$2"; }
mbsync_imap_prepare() { mbsync_conf "$1" imap; }
mbsync_imap_run()     { mbsync -q -a -c "$1/mbsyncrc"; }
mbsync_imap_userdir() { echo "$TGT_MAIL/$2@bench.example"; }

# Destination mailbox names: the CSV EmailAddress, also the target Dovecot's users.
bench_email() { printf '%s@bench.example' "$1"; }
tgt_users() { local u; for u in $BENCH_USERS; do printf '%s ' "$(bench_email "$u")"; done; }

# ---- migsh, through its shell and background service ----
# The batch runs in migsh's service (a detached process: bench/measure reaps
# it, so its CPU and RSS count).  Done = the batch reaches Synced; then the
# service is stopped, which ends the timed step.
migsh_csv() { # WORK
	local u
	printf 'EmailAddress,UserName,Password\n' > "$1/users.csv"
	for u in $BENCH_USERS; do
		printf '%s,%s,%s\n' "$(bench_email "$u")" "$u" "$BENCH_PW" >> "$1/users.csv"
	done
}
migsh_sh() { MIGSH_HOME="$MIGSH_WORK/home" SSL_CERT_FILE="$BENCH_CA" "$MIGSH" -c "$1"; }
migsh_security() { if [ "$SRC_TLS" = 1 ]; then echo Ssl; else echo None; fi; }

migsh_prepare() {
	mkdir -p "$1/home" && chmod 700 "$1/home" && migsh_csv "$1"
	[ -x "$MIGSH" ] || { echo "migsh is not built"; return 1; }
}

# The batch status.  migsh keeps it in its SQLite store: the "Status" column
# of table batches, keyed by the lower-case name (engine/store.c).  One
# read-only sqlite3 shell, started once per run, answers every poll: a process
# per poll would add its start-up CPU to migsh's figures (measured on the
# shared 2-CPU machine: ~27 ms for a `migsh -c`, ~16 ms for a `sqlite3` call,
# 20 times a second).  A final status is always confirmed with
# Get-MigrationBatch.  Without the sqlite3 shell (or with BENCH_POLL_MODE=cmdlet)
# each poll is one `migsh -c`, every BENCH_POLL_CMDLET seconds (default 1).
migsh_status_mode() {
	if [ "${BENCH_POLL_MODE:-db}" != cmdlet ] && command -v sqlite3 >/dev/null 2>&1; then
		echo db
	else
		echo cmdlet
	fi
}

migsh_status_open() { # WORK: start the reader (after the batch exists)
	local db="$1/home/migsh.db"
	[ "$(migsh_status_mode)" = db ] && [ -r "$db" ] || return 0
	coproc MIGSH_SQ { exec sqlite3 -batch -bail -readonly -init /dev/null -cmd ".timeout 5000" "$db" 2>/dev/null; }
}

migsh_status_close() {
	[ -n "${MIGSH_SQ_PID:-}" ] || return 0
	local pid=$MIGSH_SQ_PID
	[ -n "${MIGSH_SQ[1]:-}" ] && eval "exec ${MIGSH_SQ[1]}>&-"
	wait "$pid" 2>/dev/null
	return 0
}

migsh_status() { # WORK: sets MIGSH_STATUS (no subshell: the reader's pipes are this shell's)
	local st=""
	if [ -n "${MIGSH_SQ_PID:-}" ] && [ -n "${MIGSH_SQ[1]:-}" ]; then
		# always one line back (empty while there is no such batch)
		printf '%s\n' "SELECT coalesce((SELECT \"Status\" FROM batches WHERE name_key = 'b'), '');" \
			>&"${MIGSH_SQ[1]}" 2>/dev/null &&
			IFS= read -r -t 10 st <&"${MIGSH_SQ[0]}"
		case "$st" in
		Synced | Completed | SyncedWithErrors | Failed | CompletedWithErrors | Corrupted | Stopped) ;;
		?*) MIGSH_STATUS=$st; return ;;
		esac
	fi
	MIGSH_STATUS=$(migsh_sh 'Get-MigrationBatch -Identity B | Format-List Status' 2>&1 |
		sed -n 's/^Status *: *//p' | tr -d '\r ')
}

# Start the batch (extra New-MigrationBatch arguments in $2), wait for Synced.
migsh_batch() { # WORK [EXTRA]
	MIGSH_WORK=$1
	local extra=${2:-} poll=${BENCH_POLL:-0.05} rc
	[ "$(migsh_status_mode)" = db ] || poll=${BENCH_POLL_CMDLET:-1}
	migsh_sh "New-MigrationEndpoint -IMAP -Name Src -RemoteServer 127.0.0.1 -Port $SRC_PORT -Security $(migsh_security) -SkipVerification
New-MigrationBatch -Name B -SourceEndpoint Src -CSVData ([System.IO.File]::ReadAllBytes('$1/users.csv')) $extra -AutoStart" ||
		{ echo "migsh: creating the endpoint or batch failed"; return 1; }
	migsh_status_open "$1"
	migsh_wait_synced "$1" "$poll"
	rc=$?
	migsh_status_close
	return $rc
}

migsh_wait_synced() { # WORK POLL: until Synced; stops the service
	local st i=0 none=0 poll=$2
	while :; do
		migsh_status "$1"
		st=$MIGSH_STATUS
		case "$st" in
		"")
			none=$((none + 1))
			if [ "$none" -ge 50 ]; then
				echo "migsh: Get-MigrationBatch shows no Status for batch B:"
				migsh_sh "Get-MigrationBatch -Identity B | Format-List Status" 2>&1 | tail -5
				migsh_stop "$1"; return 1
			fi ;;
		Synced | Completed) break ;;
		SyncedWithErrors | Failed | CompletedWithErrors | Corrupted | Stopped)
			echo "migsh: batch ended $st"
			migsh_sh 'Get-MigrationUserStatistics -BatchId B | Format-Table Identifier, Status, Error -AutoSize' 2>&1 | head -20
			migsh_stop "$1"
			return 1 ;;
		esac
		i=$((i + 1))
		if [ "$i" -gt $((36000)) ]; then echo "migsh: batch not Synced after an hour ($st)"; migsh_stop "$1"; return 1; fi
		sleep "$poll"
	done
	migsh_stop "$1"
}

migsh_stop() { # WORK: stop the service; wait until it is gone
	local pid
	pid=$(cat "$1/home/service.pid" 2>/dev/null)
	# cross-check for measure's ru_maxrss: the service's own high-water mark
	[ -n "$pid" ] && [ -r "/proc/$pid/status" ] &&
		grep -E "^(VmHWM|Threads)" "/proc/$pid/status" | tr -s "\t " " " >"$1/service.hwm"
	MIGSH_WORK=$1 migsh_sh 'Stop-MigrationService' >/dev/null 2>&1 || { [ -n "$pid" ] && kill "$pid" 2>/dev/null; }
	if [ -n "$pid" ]; then
		local i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	fi
	return 0
}

migsh_run()     { migsh_batch "$1"; }
migsh_userdir() {
	local d="$1/home/mail/$(bench_email "$2")"
	[ -d "$d" ] || d=$(ls -d "$1/home/mail/$2"* 2>/dev/null | head -1)
	echo "$d"
}

# migsh into the target Dovecot: a target endpoint holding the master user.
migsh_imap_prepare() { migsh_prepare "$1"; }
migsh_imap_run() {
	MIGSH_WORK=$1
	migsh_sh "New-MigrationEndpoint -IMAP -Name Tgt -RemoteServer 127.0.0.1 -Port $TGT_PORT -Security None -SkipVerification -UserName mailadmin -Password '$BENCH_MASTER_PW'" ||
		{ echo "migsh: creating the target endpoint failed"; return 1; }
	migsh_batch "$1" "-TargetEndpoint Tgt"
}
migsh_imap_userdir() { echo "$TGT_MAIL/$(bench_email "$2")"; }

# ---- fallbacks while the migsh shell cannot run a batch yet ----
# service: the same service and sync engine as migsh, driven without the
# shell by the engine's test program tests/integration/engine_driver.
ENGINE_DRIVER=${ENGINE_DRIVER:-${top_builddir:-.}/tests/integration/engine_driver}
service_ed() { MIGSH_HOME="$1/home" SSL_CERT_FILE="$BENCH_CA" "$ENGINE_DRIVER" "${@:2}"; }
service_prepare() {
	mkdir -p "$1/home" && chmod 700 "$1/home" && migsh_csv "$1"
	[ -x "$ENGINE_DRIVER" ] || { echo "$ENGINE_DRIVER is not built"; return 1; }
}
service_batch() { # WORK [batch options]
	local st
	service_ed "$1" endpoint Src 127.0.0.1 "$SRC_PORT" "$(migsh_security)" || return 1
	service_ed "$1" batch B Src "$1/users.csv" autostart "${@:2}" || return 1
	st=$(service_ed "$1" wait B 3600 Synced Completed SyncedWithErrors Failed Stopped Corrupted)
	if [ "$st" != Synced ] && [ "$st" != Completed ]; then
		echo "engine_driver: batch ended '$st'"
		service_ed "$1" users B | head -20
		service_ed "$1" service-stop 30
		return 1
	fi
	service_ed "$1" service-stop 30
}
service_run()     { service_batch "$1"; }
service_userdir() { migsh_userdir "$@"; }
service_imap_prepare() { service_prepare "$1"; }
service_imap_run() {
	service_ed "$1" endpoint Tgt 127.0.0.1 "$TGT_PORT" None mailadmin "$BENCH_MASTER_PW" master || return 1
	service_batch "$1" target=Tgt
}
service_imap_userdir() { migsh_imap_userdir "$@"; }
