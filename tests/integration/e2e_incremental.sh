#!/bin/sh
# e2e_incremental.sh - the weeks between the first sync and Complete, through
# the cmdlets against a Dovecot source that its users keep using: between
# passes they get new mail in several folders, change flags and keywords,
# move a message to another folder, delete one, rename a folder (with its
# subfolder) and create a folder.  After Set-MigrationBatch -SyncNow and
# again after Complete-MigrationBatch the destination matches the source
# message for message (flags and keywords too) for the batch with
# -SyncDeletions, and matches it plus exactly the deleted messages for the
# batch without (the moved message is moved at the destination too, with
# deletion sync on or off: a move is not a deletion); no message is there
# twice, and the statistics and the report say what happened.  Both
# destinations: the local store (won, woff) and a target IMAP server through
# -TargetEndpoint (ton, toff; the target Dovecot's own Maildir is listed).
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/cmdlets_lib.sh"
MAILCOMPARE=$top_builddir/tests/lib/mailcompare
[ -x "$MAILCOMPARE" ] || mg_fail "verifier not built: $MAILCOMPARE (run make check)"

mg_dovecot_start SRC --users "won woff ton toff"
mg_dovecot_start CMP --users "won"
mg_dovecot_start DST --users "ton@contoso.edu toff@contoso.edu"
ms_trust
PW=$MG_TEST_PASSWORD
W=$MG_TMP/e2ei
mkdir -p "$W"
echo 0 >"$W/n"
add() { # USER FOLDER: one new message at the source
	_n=$(( $(cat "$W/n") + 1 ))
	echo "$_n" >"$W/n"
	printf 'From: a@example.com\r\nSubject: e%s\r\nMessage-ID: <e%s@example.com>\r\n\r\nbody %s\r\n' \
		"$_n" "$_n" "$_n" >"$W/m.eml"
	mg_maildir_add SRC "$1" "$2" "$W/m.eml" S "2024$(printf '%02d' $((_n % 12 + 1)))010000" >/dev/null
}
listing() { # MAILDIR-ROOT: "folder<TAB>Message-ID" for every message, sorted
	( cd "$1" && find . -type f \( -path '*/cur/*' -o -path '*/new/*' \) | while IFS= read -r f; do
		d=${f#./}
		case $d in
		cur/* | new/*) d=INBOX ;;
		*) d=${d%%/cur/*}; d=${d%%/new/*}; d=${d#.} ;;
		esac
		printf '%s\t%s\n' "$d" "$(grep -m 1 -i '^Message-ID:' "$f" | tr -d '\r' | sed 's/^[^:]*: *//')"
	done ) | sort
}
imap() { # USER COMMAND...: one session at the source
	_u=$1
	shift
	{
		printf 'a LOGIN %s %s\n' "$_u" "$PW"
		_k=0
		for _c in "$@"; do _k=$((_k + 1)); printf 'c%s %s\n' "$_k" "$_c"; done
		printf 'z LOGOUT\n'
	} | mg_imap_starttls "$SRC_IMAP_PORT" | tr -d '\r'
}
USERS="won woff ton toff"
for u in $USERS; do
	for f in INBOX INBOX INBOX A A A B B Parent Parent Parent/Child; do add "$u" "$f"; done
done
home() { # USER: where its destination is
	case $1 in
	w*) echo "$MIGSH_HOME/mail/$1@contoso.edu" ;;
	*) echo "$DST_MAIL/$1@contoso.edu" ;;
	esac
}

ms_ok "New-MigrationEndpoint -IMAP -Name Src -RemoteServer localhost -Port $SRC_IMAPS_PORT -Security Ssl" Src
ms_csv "$W/on.csv" 'EmailAddress,UserName,Password' "won@contoso.edu,won,$PW"
ms_csv "$W/off.csv" 'EmailAddress,UserName,Password' "woff@contoso.edu,woff,$PW"
ms_ok "New-MigrationBatch -Name On -SourceEndpoint Src -CSVFile '$W/on.csv' -SyncDeletions -AutoStart" On
ms_ok "New-MigrationBatch -Name Off -SourceEndpoint Src -CSVFile '$W/off.csv' -AutoStart" Off
ms_ok "New-MigrationEndpoint -IMAP -Name Dst -RemoteServer localhost -Port $DST_IMAPS_PORT -Security Ssl -Credentials mailadmin,'$MG_TEST_MASTER_PASSWORD'" Dst
ms_csv "$W/ton.csv" 'EmailAddress,UserName,Password' "ton@contoso.edu,ton,$PW"
ms_csv "$W/toff.csv" 'EmailAddress,UserName,Password' "toff@contoso.edu,toff,$PW"
ms_ok "New-MigrationBatch -Name TOn -SourceEndpoint Src -TargetEndpoint Dst -CSVFile '$W/ton.csv' -SyncDeletions -AutoStart" TOn
ms_ok "New-MigrationBatch -Name TOff -SourceEndpoint Src -TargetEndpoint Dst -CSVFile '$W/toff.csv' -AutoStart" TOff
passes() { ms_wait "(Get-MigrationUserStatistics $1@contoso.edu).SyncCount" "$2" 180; }
for u in $USERS; do passes "$u" 1; done

change() { # USER: what users do between passes
	# one session per step: Dovecot runs pipelined commands of a session concurrently
	: >"$W/change.$1"
	for _step in "SELECT INBOX|STORE 1 +FLAGS (\\Flagged \$Work)|STORE 2 -FLAGS (\\Seen)" "SELECT A|MOVE 1 B" \
		"SELECT A|STORE 1 +FLAGS (\\Deleted)" "SELECT A|EXPUNGE" 'RENAME Parent "Parent Renamed"'; do
		_old_ifs=$IFS
		IFS='|'
		# shellcheck disable=SC2086
		imap "$1" $_step >>"$W/change.$1"
		IFS=$_old_ifs
	done
	! grep -q "^c[0-9]* \(NO\|BAD\)" "$W/change.$1" || mg_fail "changing $1's source failed: $(cat "$W/change.$1")"
	add "$1" INBOX; add "$1" B; add "$1" NewFolder; add "$1" 'Parent Renamed'
}
check() { # WHEN: all four destinations against the source
	_when=$1
	for u in $USERS; do
		listing "$SRC_MAIL/$u" >"$W/src.$u"
		listing "$(home "$u")" >"$W/dst.$u"
		[ -z "$(cut -f 2 "$W/dst.$u" | sort | uniq -d)" ] ||
			mg_fail "$_when: $u has a message twice: $(cut -f 2 "$W/dst.$u" | sort | uniq -d)"
		case $u in
		*on)
			cmp -s "$W/src.$u" "$W/dst.$u" ||
				mg_fail "$_when: $u: with -SyncDeletions the destination differs from the source: $(diff "$W/src.$u" "$W/dst.$u" | head -n 20)" ;;
		*)
			sed 's/^/A\t/' "$W/gone.$u" | cat - "$W/src.$u" | sort >"$W/want.$u"
			cmp -s "$W/want.$u" "$W/dst.$u" ||
				mg_fail "$_when: $u: without -SyncDeletions the destination is not the source plus the deleted messages: $(diff "$W/want.$u" "$W/dst.$u" | head -n 20)" ;;
		esac
	done
	# message for message, flags and keywords included (a copy served by Dovecot; the target itself)
	rm -rf "${CMP_MAIL:?}/won"
	cp -a "$MIGSH_HOME/mail/won@contoso.edu" "$CMP_MAIL/won"
	mg__chown "$CMP_MAIL/won"
	"$MAILCOMPARE" --quiet --a-port "$SRC_IMAP_PORT" --a-user won --a-pass-env MG_PW \
		--b-port "$CMP_IMAP_PORT" --b-user won --b-pass-env MG_PW >"$W/cmp.out" 2>&1 ||
		mg_fail "$_when: mailcompare found differences: $(cat "$W/cmp.out")"
	"$MAILCOMPARE" --quiet --a-port "$SRC_IMAP_PORT" --a-user ton --a-pass-env MG_PW \
		--b-port "$DST_IMAP_PORT" --b-user ton@contoso.edu --b-pass-env MG_PW >"$W/cmp.out" 2>&1 ||
		mg_fail "$_when: mailcompare found differences at the target: $(cat "$W/cmp.out")"
	for u in won ton; do
		ms_ok "\$s = Get-MigrationUserStatistics $u@contoso.edu; \"\$(\$s.SkippedItemCount) \$(\$s.DataConsistencyScore)\"" '^0 Perfect$'
	done
	# moves and deletions at the source, counted (the same after the final pass: nothing new)
	for u in $USERS; do
		case $u in *on) want='1 1 1' ;; *) want='1 1 0' ;; esac
		ms_ok "\$s = Get-MigrationUserStatistics $u@contoso.edu; \"\$(\$s.ItemsMoved) \$(\$s.ItemsDeletedAtSource) \$(\$s.ItemsDeletedAtDestination)\"" "^$want\$"
	done
}
export MG_PW="$PW"

# --- pass 2: -SyncNow
for u in $USERS; do
	listing "$SRC_MAIL/$u" | sed -n 's/^A\t//p' >"$W/a-before.$u"
	change "$u"
	listing "$SRC_MAIL/$u" | sed -n 's/^A\t//p' >"$W/a-after.$u"
	grep -vxFf "$W/a-after.$u" "$W/a-before.$u" >"$W/left.$u" || :
	[ "$(wc -l <"$W/left.$u")" -eq 2 ] || mg_fail "expected 2 messages gone from A of $u: $(cat "$W/left.$u"); before: $(cat "$W/a-before.$u"); after: $(cat "$W/a-after.$u"); session: $(cat "$W/change.$u")"
	# deleted: gone from A and from the whole mailbox (the other one moved to B)
	listing "$SRC_MAIL/$u" | cut -f 2 >"$W/all.$u"
	grep -vxFf "$W/all.$u" "$W/left.$u" >"$W/gone.$u" || :
	[ "$(wc -l <"$W/gone.$u")" -eq 1 ] || mg_fail "expected 1 message of $u deleted, 1 moved: $(cat "$W/left.$u")"
done
for b in On Off TOn TOff; do ms_ok "Set-MigrationBatch -Identity $b -SyncNow"; done
for u in $USERS; do passes "$u" 2; done
check "after -SyncNow"
for u in won ton; do
	ms_ok "Get-MigrationUserStatistics $u@contoso.edu -IncludeReport | Format-List Report" \
		"folder 'Parent' was renamed to 'Parent Renamed'" "folder 'A': 1 message\(s\) deleted or moved away.*1 deleted at the destination too" \
		"folder 'A' -> 'B': 1 message\(s\) moved at the source; moved at the destination too"
done
for u in woff toff; do
	ms_ok "Get-MigrationUserStatistics $u@contoso.edu -IncludeReport | Format-List Report" \
		"folder 'A': 1 message\(s\) deleted or moved away.*kept at the destination" \
		"folder 'A' -> 'B': 1 message\(s\) moved at the source; moved at the destination too"
done

# --- the final pass: Complete-MigrationBatch, after more changes
for u in $USERS; do
	imap "$u" 'SELECT B' 'STORE 1 +FLAGS (\Answered)' >/dev/null
	add "$u" NewFolder
done
ms_ok "Complete-MigrationBatch -Identity On -Wait | Format-List Status" 'Status +: Completed'
ms_ok "Complete-MigrationBatch -Identity Off -Wait | Format-List Status" 'Status +: Completed'
ms_ok "Complete-MigrationBatch -Identity TOn -Wait | Format-List Status" 'Status +: Completed'
ms_ok "Complete-MigrationBatch -Identity TOff -Wait | Format-List Status" 'Status +: Completed'
check "after Complete-MigrationBatch"
ms_check_service_logs
echo "e2e_incremental: ok"
