#!/bin/sh
# Stands in for a binding test whose toolchain is missing at configure time:
# says what is missing and reports a skip (exit 77), or a failure when CI=true
# (or 1) at test time: in CI nothing may be skipped.
#   sh tests/bindings/missing.sh TEST WHAT...
name=$1
shift
echo "$name: missing $* (scripts/deps.sh test installs it)"
case "${CI:-}" in
[Tt][Rr][Uu][Ee] | 1) echo "$name: CI=true, so this is a failure, not a skip"; exit 1 ;;
esac
exit 77
