#!/bin/sh
# testbed_configure.sh - a missing dependency stops configure with a message that
# names the Debian package to install (issue 2, "Done when").  Each library is
# hidden in turn: from pkg-config through a wrapper that denies knowing it, and
# from the header checks through autoconf's cache variables; configure must
# fail and name the package.
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"

# configure refuses a second build directory when the source tree itself is configured
[ ! -f "$top_srcdir/config.status" ] ||
	mg_skip "the source tree is configured in place; run this test from a VPATH build (./run-tests.sh does)"
real_pkgconfig=$(command -v pkg-config || command -v pkgconf || :)
[ -n "$real_pkgconfig" ] || mg_skip "pkg-config is not installed"

# hide NAME MODULE CACHEVARS... : configure with MODULE unknown to pkg-config and
# the given cache variables; prints configure's output
hide() {
	d=$MG_TMP/cfg-$1
	mkdir -p "$d"
	cat >"$d/pkg-config" <<EOW
#!/bin/sh
case " \$* " in
*" $2"*) exit 1 ;;
esac
exec "$real_pkgconfig" "\$@"
EOW
	chmod +x "$d/pkg-config"
	shift 2
	(cd "$d" && PKG_CONFIG="$d/pkg-config" "$top_srcdir/configure" --quiet "$@" >out 2>&1) && return 1
	cat "$d/out"
}

# check NAME MODULE PACKAGE [CACHEVARS...]
check() {
	name=$1 module=$2 pkg=$3
	shift 3
	if ! out=$(hide "$name" "$module" "$@"); then
		mg_fail "configure succeeded although $name was hidden"
	fi
	printf '%s\n' "$out" | grep -q "apt-get install $pkg" || {
		printf '%s\n' "$out" >&2
		mg_fail "configure without $name does not name the package $pkg"
	}
	echo "ok: without $name: $(printf '%s\n' "$out" | grep "apt-get install $pkg" | head -n 1 | sed 's/^configure: error: //')"
}

check OpenSSL openssl libssl-dev
check libyaml yaml-0.1 libyaml-dev
check zlib zlib zlib1g-dev
check cmocka cmocka libcmocka-dev
check readline readline libreadline-dev ac_cv_header_readline_readline_h=no
check libcsv no-such-module libcsv-dev ac_cv_header_csv_h=no
echo "testbed_configure: all checks passed"
