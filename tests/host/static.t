#!/bin/sh
# The shipped binary is fully static, stripped, hardened, jemalloc-backed.
. "$TOP/tests/tap.sh"
if readelf -lW "$KTBOX" | grep -q INTERP; then r=1; else r=0; fi
ok $r "no PT_INTERP program header"
readelf -dW "$KTBOX" 2>/dev/null | grep -q NEEDED
[ $? -ne 0 ]; ok $? "no DT_NEEDED entries"
file -L "$KTBOX" | grep -q 'statically linked'; ok $? "file(1) says statically linked"
file -L "$KTBOX" | grep -q ', stripped'; ok $? "stripped"
readelf -lW "$KTBOX" | grep -q GNU_RELRO; ok $? "RELRO segment"
readelf -lW "$KTBOX" | grep GNU_STACK | grep -q ' RW '; ok $? "non-executable stack"
# runs with an empty environment, from an empty directory, with no /etc access needed
(cd / && env -i "$KTBOX" --version >/dev/null); ok $? "runs with an empty environment"
done_testing
