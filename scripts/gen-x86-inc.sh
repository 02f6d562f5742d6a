#!/bin/sh
# Turn the constant block of include/bulkhead/x86.h into NASM %defines, so
# C and assembly share one list of architectural names.
set -eu
sed -n '/x86-constants-begin/,/x86-constants-end/ s/^#define[[:space:]]\{1,\}\([A-Z0-9_]\{1,\}\)[[:space:]]\{1,\}\([0-9a-fA-Fx]\{1,\}\).*/%define \1 \2/p' "$1" > "$2.tmp"
mv "$2.tmp" "$2"
