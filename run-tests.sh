#!/bin/sh
# run-tests.sh - build migsh and run the whole test suite, as the README says:
#   0. install missing Debian packages (tests/lib/install-deps.sh; skipped when
#      all of tests/lib/packages.txt is installed, or with --no-install)
#   1. autoreconf -fi
#   2. normal build in build/:        configure, make -j2, make check
#   3. sanitizer build in build-asan/: configure --enable-sanitizers, make, make check
#   4. make distcheck in build/
# Test logs of failing tests are printed.  Exit status non-zero on any failure.
# Options: --quick       only the normal build and its tests
#          --no-install  do not call apt-get even when packages are missing
set -eu
cd "$(dirname "$0")"
top=$(pwd)
jobs=${JOBS:-2}
quick=0
install=1
for a in "$@"; do
	case "$a" in
	--quick) quick=1 ;;
	--no-install) install=0 ;;
	*) echo "usage: ./run-tests.sh [--quick] [--no-install]" >&2; exit 2 ;;
	esac
done
# Missing Dovecot/openssl is a failure here, not a skipped test.
MG_REQUIRE_DOVECOT=1
export MG_REQUIRE_DOVECOT

step() { printf '\n==== %s ====\n' "$*"; }

# Print the logs of tests that failed (FAIL, ERROR or XPASS) under $1.
show_failures() {
	find "$1" -name '*.trs' | while read -r trs; do
		if grep -Eq '^:test-result: (FAIL|ERROR|XPASS)' "$trs"; then
			log=${trs%.trs}.log
			printf '\n---- %s ----\n' "${log#"$top"/}"
			tail -n 200 "$log" 2>/dev/null || :
		fi
	done
	[ -f "$1/test-suite.log" ] && grep -E '^(# |FAIL|ERROR)' "$1/test-suite.log" | head -n 40 || :
}

# check DIR: make check in DIR, printing failing logs on failure.
check() {
	if ! make -C "$1" -j"$jobs" check; then
		show_failures "$1"
		printf '\nrun-tests: make check FAILED in %s\n' "$1" >&2
		exit 1
	fi
}

t0=$(date +%s)
if [ "$install" = 1 ]; then
	step "packages (tests/lib/packages.txt)"
	tests/lib/install-deps.sh
fi
step "autoreconf"
autoreconf -fi

step "normal build (build/)"
mkdir -p build
(cd build && "$top/configure" --quiet)
make -C build -j"$jobs"
check build

if [ "$quick" = 0 ]; then
	step "sanitizer build (build-asan/)"
	mkdir -p build-asan
	(cd build-asan && "$top/configure" --quiet --enable-sanitizers)
	make -C build-asan -j"$jobs"
	check build-asan

	step "make distcheck (build/)"
	if ! make -C build -j"$jobs" distcheck; then
		d=$(find build -maxdepth 1 -type d -name 'migsh-*' | head -n 1)
		[ -z "$d" ] || show_failures "$d"
		echo "run-tests: make distcheck FAILED" >&2
		exit 1
	fi
fi
printf '\nrun-tests: all passed in %s s\n' "$(( $(date +%s) - t0 ))"
