#!/bin/sh
# Runs each unit test given as an argument (cmocka binaries, and
# executable Node scripts); prints the plain closing line "N passed,
# N failed" over them and fails if any failed.
pass=0 fail=0
for t in "$@"; do
	if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $t"; fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
