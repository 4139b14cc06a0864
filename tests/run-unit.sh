#!/bin/sh
# Runs each cmocka unit-test binary given as an argument; prints the plain
# closing line "N passed, N failed" over binaries and fails if any failed.
pass=0 fail=0
for t in "$@"; do
	if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $t"; fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
