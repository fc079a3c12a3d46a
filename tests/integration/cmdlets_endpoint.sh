#!/bin/sh
# cmdlets_endpoint.sh - Test-MigrationServerAvailability and the endpoint
# cmdlets against real Dovecot: Success over plain, STARTTLS and implicit
# TLS (test CA via SSL_CERT_FILE); Failed results (not errors) naming the
# cause for a refused port, a silent server, a wrong host name, an expired
# certificate, an unknown CA, STARTTLS not offered, TLS against a plain port
# and a bad password; master-user login; New-MigrationEndpoint refuses an
# endpoint that cannot connect unless -SkipVerification; unique names;
# concurrency limits; the seed Format-List line; Set/Remove rules.
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/cmdlets_lib.sh"

mg_dovecot_start SRC --users "user1 user2"
mg_dovecot_start NOTLS --no-starttls --users "user1"
mg_dovecot_start WRONG --cert wronghost --users "user1"
mg_dovecot_start OLD --cert expired --users "user1"
CLOSED=$(mg_free_ports 1)
mg_silent_listener SILENT 60

T='Test-MigrationServerAvailability -IMAP -RemoteServer'

# --- Success: implicit TLS, STARTTLS, plain
ms_ok "$T localhost -Port $SRC_IMAPS_PORT -Security Ssl" 'Result +: Success' 'SupportsCutover +: False'
# the default view is Exchange's (Result first, then Message, ConnectionSettings,
# SupportsCutover, ErrorDetail); the diagnostics only with Format-List *
[ "$(printf '%s\n' "$OUT" | grep -v '^ *$' | head -n 1 | sed 's/ .*//')" = Result ] || { ms_show; mg_fail "the default view does not start with Result"; }
ms_out_has '^ErrorDetail +:'
ms_out_lacks 'Greeting|TlsVersion|RoundTripMilliseconds'
ms_ok "$T localhost -Port $SRC_IMAPS_PORT -Security Ssl | Format-List *" 'Result +: Success' 'Greeting +: ' 'TlsVersion +: '
ms_ok "$T localhost -Port $SRC_IMAPS_PORT -Security Ssl | Format-List TlsVersion,CertificateSubject,CertificateVerified" \
	'TlsVersion +: TLSv1\.[23]' 'CertificateSubject +: .*localhost' 'CertificateVerified +: True'
ms_ok "$T localhost -Port $SRC_IMAP_PORT -Security Tls" 'Result +: Success'
ms_ok "$T 127.0.0.1 -Port $SRC_IMAP_PORT -Security None" 'Result +: Success'
ms_ok "$T localhost -Port $SRC_IMAP_PORT -Security None | Format-List Capabilities" 'IMAP4rev1'

# --- Failed results are objects, not errors (exit status 0)
ms_ok "$T 127.0.0.1 -Port $CLOSED -Security Ssl" 'Result +: Failed' 'Message +: .*(refused|Refused)'
ms_ok "\$r = $T 127.0.0.1 -Port $CLOSED -Security None; \$r.Result; \$r.ErrorDetail -ne \$null" '^Failed$' '^True$'
start=$(date +%s)
ms_ok "$T 127.0.0.1 -Port $SILENT -Security None" 'Result +: Failed' 'Message +: .*(greeting|respond|time)'
[ $(( $(date +%s) - start )) -lt 90 ] || mg_fail "a silent server took more than 90 s to give up"
ms_ok "$T localhost -Port $WRONG_IMAPS_PORT -Security Ssl" 'Result +: Failed' '(host name|hostname|does not match|wrong)'
ms_ok "$T localhost -Port $OLD_IMAPS_PORT -Security Ssl" 'Result +: Failed' 'expired'
MS_CA=$MG_TMP/empty-ca.pem; : >"$MS_CA"
ms_ok "$T localhost -Port $SRC_IMAPS_PORT -Security Ssl" 'Result +: Failed' '(issuer|untrusted|trusted|verify)'
MS_CA=
ms_ok "$T localhost -Port $NOTLS_IMAP_PORT -Security Tls" 'Result +: Failed' 'STARTTLS'
ms_ok "$T localhost -Port $SRC_IMAP_PORT -Security Ssl" 'Result +: Failed'
# -AcceptUntrustedCertificates: works against the wrong-host certificate, and warns loudly
ms_ok "$T localhost -Port $WRONG_IMAPS_PORT -Security Ssl -AcceptUntrustedCertificates" 'Result +: Success'
ms_err_has 'VERIFICATION IS OFF'

# --- extension: -Credentials tests the login; admin (master user) format
ms_ok "$T localhost -Port $SRC_IMAPS_PORT -Security Ssl -Credentials user1,'$MG_TEST_PASSWORD' | Format-List Result,LoginSucceeded" \
	'Result +: Success' 'LoginSucceeded +: True'
ms_passwords_absent "$MG_TEST_PASSWORD"
# a PSCredential made of a SecureString works the same, and never shows the password
ms_ok "\$c = New-Object System.Management.Automation.PSCredential ('user1', (ConvertTo-SecureString '$MG_TEST_PASSWORD' -AsPlainText -Force)); \$c; $T localhost -Port $SRC_IMAPS_PORT -Security Ssl -Credentials \$c | Format-List Result,LoginSucceeded" \
	'System.Security.SecureString' 'Result +: Success' 'LoginSucceeded +: True'
ms_passwords_absent "$MG_TEST_PASSWORD"
ms_ok "$T localhost -Port $SRC_IMAPS_PORT -Security Ssl -Credentials 'user2*mailadmin','$MG_TEST_MASTER_PASSWORD' | Format-List Result,LoginSucceeded" \
	'Result +: Success' 'LoginSucceeded +: True'
# -Verbose shows the protocol trace, with the login redacted
ms_ok "$T localhost -Port $SRC_IMAPS_PORT -Security Ssl -Credentials user1,'$MG_TEST_PASSWORD' -Verbose"
printf '%s\n' "$ERR" "$OUT" | grep -Eq '(C:|S:).*(LOGIN|AUTHENTICATE|CAPABILITY|OK)' || { ms_show; mg_fail "-Verbose shows no protocol trace"; }
ms_passwords_absent "$MG_TEST_PASSWORD" "$(printf '\000user1\000%s' "$MG_TEST_PASSWORD" | base64 | tr -d '\n')"
# a credential the binder cannot make a PSCredential of is refused when the
# line is bound (before any connection), and the message does not repeat the
# text given (only the line as typed is shown under it, as PowerShell does)
ms_fails "$T localhost -Port $SRC_IMAPS_PORT -Security Ssl -Credentials 'user1-SecretNoComma'" \
	"Cannot bind parameter 'Credentials'" 'InvalidCredentials'
case "$(printf '%s\n' "$ERR" | head -n 1)" in *SecretNoComma*) mg_fail "the refused credential text was echoed: $ERR" ;; esac
ms_fails "$T localhost -Port $SRC_IMAPS_PORT -Security Ssl -Credentials @{UserName='user1'}" "Cannot bind parameter 'Credentials'"
ms_ok "$T localhost -Port $SRC_IMAPS_PORT -Security Ssl -Credentials user1,wrong-password | Format-List Result,Message,LoginSucceeded" \
	'Result +: Failed' 'LoginSucceeded +: False'
ms_passwords_absent wrong-password

# --- binding: -Port is mandatory in the IMAP form; -Max is ambiguous on New-MigrationEndpoint
ms_fails "Test-MigrationServerAvailability -IMAP -RemoteServer localhost -Security Ssl" 'Port'
ms_fails "New-MigrationEndpoint -IMAP -Name X -RemoteServer localhost -Max 5" 'ambiguous' 'MaxConcurrentMigrations' 'MaxConcurrentIncrementalSyncs'

# --- New-MigrationEndpoint tests first, refuses what cannot connect
ms_fails "New-MigrationEndpoint -IMAP -Name Down -RemoteServer 127.0.0.1 -Port $CLOSED -Security Ssl" "Down" '(refused|Refused)' 'SkipVerification'
ms_fails "Get-MigrationEndpoint Down" "couldn't be found"
ms_fails "New-MigrationEndpoint -IMAP -Name BadCert -RemoteServer localhost -Port $OLD_IMAPS_PORT -Security Ssl" 'expired'
ms_ok "New-MigrationEndpoint -IMAP -Name Later -RemoteServer 127.0.0.1 -Port $CLOSED -SkipVerification" 'Later'
ms_ok "New-MigrationEndpoint -IMAP -Name IMAPEndpoint -RemoteServer localhost -Port $SRC_IMAPS_PORT -Security Ssl" 'IMAPEndpoint' 'IMAP' 'localhost'
ms_ok "Get-MigrationEndpoint IMAPEndpoint | Format-List EndpointType,RemoteServer,Port,Security,Max*" \
	'^EndpointType +: IMAP$' '^RemoteServer +: localhost$' "^Port +: $SRC_IMAPS_PORT\$" '^Security +: Ssl$' \
	'^MaxConcurrentMigrations +: 100$' '^MaxConcurrentIncrementalSyncs +: 20$'
# defaults: port 993, Ssl, Basic (with -SkipVerification nothing is contacted)
ms_ok "New-MigrationEndpoint -IMAP -Name Defaults -RemoteServer imap.example.invalid -SkipVerification | Format-List Port,Security,Authentication" \
	'^Port +: 993$' '^Security +: Ssl$' '^Authentication +: Basic$'
ms_fails "New-MigrationEndpoint -IMAP -Name imapendpoint -RemoteServer localhost -Port $SRC_IMAPS_PORT" 'already exists'
ms_fails "New-MigrationEndpoint -IMAP -Name Limits -RemoteServer localhost -Port $SRC_IMAPS_PORT -MaxConcurrentMigrations 10 -MaxConcurrentIncrementalSyncs 20" \
	'MaxConcurrentIncrementalSyncs \(20\).*MaxConcurrentMigrations \(10\)'
ms_ok "New-MigrationEndpoint -IMAP -Name Tls143 -RemoteServer localhost -Port $SRC_IMAP_PORT -Security Tls -MaxConcurrentMigrations 50 -MaxConcurrentIncrementalSyncs 25 | Format-List Max*" \
	'MaxConcurrentMigrations +: 50' 'MaxConcurrentIncrementalSyncs +: 25'
# a target endpoint with admin credentials: the login is tested, the password never shown
ms_ok "New-MigrationEndpoint -IMAP -Name Target -RemoteServer localhost -Port $SRC_IMAPS_PORT -Credentials mailadmin,'$MG_TEST_MASTER_PASSWORD' | Format-List *" 'Username +: mailadmin'
ms_passwords_absent "$MG_TEST_MASTER_PASSWORD"
ms_ok "Get-MigrationEndpoint | Format-List *" 'Identity'
ms_passwords_absent "$MG_TEST_MASTER_PASSWORD"
ms_ok "Get-MigrationEndpoint -Type IMAP" 'IMAPEndpoint' 'Tls143'
ms_ok "Test-MigrationServerAvailability -Endpoint IMAPEndpoint" 'Result +: Success'
ms_ok "Test-MigrationServerAvailability -Endpoint Later" 'Result +: Failed'
ms_fails "Test-MigrationServerAvailability -Endpoint Nope" "The migration endpoint 'Nope' couldn't be found"

# --- Set-MigrationEndpoint: tests changed connection settings, prints nothing
ms_ok "Set-MigrationEndpoint IMAPEndpoint -MaxConcurrentMigrations 10 -MaxConcurrentIncrementalSyncs 5"
[ -z "$OUT" ] || mg_fail "Set-MigrationEndpoint printed: $OUT"
ms_fails "Set-MigrationEndpoint IMAPEndpoint -MaxConcurrentIncrementalSyncs 11" 'MaxConcurrentIncrementalSyncs'
ms_fails "Set-MigrationEndpoint IMAPEndpoint -Port $CLOSED" 'IMAPEndpoint' '(refused|Refused)'
ms_ok "(Get-MigrationEndpoint IMAPEndpoint).Port" "^$SRC_IMAPS_PORT\$"
ms_ok "Set-MigrationEndpoint IMAPEndpoint -Port $SRC_IMAP_PORT -Security Tls"
ms_ok "Get-MigrationEndpoint IMAPEndpoint | Format-List Port,Security,MaxConcurrentMigrations" "Port +: $SRC_IMAP_PORT" 'Security +: Tls' 'MaxConcurrentMigrations +: 10'
ms_ok "Set-MigrationEndpoint Later -AcceptUntrustedCertificates \$true -SkipVerification"
ms_ok "(Get-MigrationEndpoint Later).AcceptUntrustedCertificates" '^True$'

# --- Remove-MigrationEndpoint: confirms by default, refuses while a batch uses it
ms_fails "Remove-MigrationEndpoint Later" 'Confirm'
ms_ok "Get-MigrationEndpoint Later" 'Later'
ms_ok "Remove-MigrationEndpoint Later -WhatIf" 'What if'
ms_ok "Get-MigrationEndpoint Later" 'Later'
ms_ok "Remove-MigrationEndpoint Later -Confirm:\$false"
ms_fails "Get-MigrationEndpoint Later" "couldn't be found"
ms_csv "$MG_TMP/one.csv" 'EmailAddress,UserName,Password' "user1@example.com,user1,$MG_TEST_PASSWORD"
ms_ok "New-MigrationBatch -Name UsesIt -SourceEndpoint IMAPEndpoint -CSVData ([System.IO.File]::ReadAllBytes('$MG_TMP/one.csv'))" 'UsesIt'
ms_fails "Remove-MigrationEndpoint IMAPEndpoint -Confirm:\$false" "can't be removed" 'UsesIt'
ms_ok "Remove-MigrationBatch UsesIt -Confirm:\$false"
ms_ok "Remove-MigrationEndpoint IMAPEndpoint -Confirm:\$false"
ms_ok "@(Get-MigrationEndpoint).Count" '^3$'
ms_check_service_logs
echo "cmdlets_endpoint: ok"
