#!/bin/sh
# Fixture sites: every folder tests/fixtures/<name>/ is a small site
# (content/, sources/, optional templates/) with
#   args             the folio command line to run (default: "build"),
#                    run as: folio <args> -C <copy of the fixture>
#   expected.err     the exact standard error expected (default: empty)
#   expected.status  the exact exit status expected (default: 0)
#   expect/          optional: files that must exist in the output with
#                    this exact content (paths relative to the site copy)
#   skip-sanitized   optional: the fixture cannot hold under the sanitizers
#                    (the file says why); skipped when FOLIO_SANITIZED=1
#   check.sh         optional: a script run in the site copy afterwards,
#                    with FOLIO (the executable) and REPO (the repository
#                    root) set; it fails the fixture by exiting non-zero
# The fixture is copied to a scratch folder first, so runs never write into
# the repository.  Usage: run-fixtures.sh path/to/folio [name...]
folio=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); shift
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
pass=0 fail=0 skip=0
names="$*"
[ -n "$names" ] || names=$(ls "$here/fixtures")
for name in $names; do
	src="$here/fixtures/$name"
	[ -d "$src" ] || continue
	if [ "${FOLIO_SANITIZED:-0}" = 1 ] && [ -f "$src/skip-sanitized" ]; then
		echo "skip $name: $(head -n 1 "$src/skip-sanitized")"
		skip=$((skip + 1)); continue
	fi
	site="$scratch/$name"
	cp -R "$src" "$site"
	args=build
	[ -f "$src/args" ] && args=$(cat "$src/args")
	want_status=0
	[ -f "$src/expected.status" ] && want_status=$(cat "$src/expected.status")
	(cd "$site" && $folio $args -C . >"$scratch/$name.out" 2>"$scratch/$name.err")
	status=$?
	ok=1
	if [ "$status" != "$want_status" ]; then
		echo "FAIL $name: exit status $status, expected $want_status"; ok=0
	fi
	if [ -f "$src/expected.err" ]; then
		if ! diff -u "$src/expected.err" "$scratch/$name.err" >"$scratch/$name.diff"; then
			echo "FAIL $name: stderr differs"; cat "$scratch/$name.diff"; ok=0
		fi
	elif [ -s "$scratch/$name.err" ]; then
		echo "FAIL $name: unexpected stderr"; cat "$scratch/$name.err"; ok=0
	fi
	if [ -d "$src/expect" ]; then
		(cd "$src/expect" && find . -type f) | while read -r f; do
			if ! cmp -s "$src/expect/$f" "$site/$f"; then
				echo "FAIL $name: $f differs"; diff -u "$src/expect/$f" "$site/$f" | head -40
				echo x >>"$scratch/$name.bad"
			fi
		done
		[ -f "$scratch/$name.bad" ] && ok=0
	fi
	if [ -f "$src/check.sh" ]; then
		if ! (cd "$site" && FOLIO=$folio REPO=$repo sh "$src/check.sh"); then
			echo "FAIL $name: check.sh failed"; ok=0
		fi
	fi
	if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "fixtures: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
