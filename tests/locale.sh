#!/bin/sh
# Number formatting of the library ignores the process locale: run the
# "locale" case of the tree suite under a German locale (decimal comma),
# compiled here with localedef. Skipped (77) where localedef or the locale
# sources (Debian package locales, installed by scripts/deps.sh test) are
# missing; with CI=true that is a failure.
# Usage: locale.sh CRM_CHECK WORKDIR
set -eu
check=$1
dir=$2
skip() {
    case "${CI:-}" in
    [Tt][Rr][Uu][Ee] | 1) echo "FAIL: $1 (CI=true requires this test to run)"; exit 1 ;;
    esac
    echo "SKIP: $1"
    exit 77
}
command -v localedef >/dev/null 2>&1 || skip "no localedef"
[ -f /usr/share/i18n/locales/de_DE ] || skip "no de_DE locale source"
mkdir -p "$dir"
[ -d "$dir/de_DE.UTF-8" ] || localedef -i de_DE -f UTF-8 "$dir/de_DE.UTF-8" >/dev/null 2>&1 ||
    [ -f "$dir/de_DE.UTF-8/LC_NUMERIC" ] || skip "localedef failed"
LOCPATH=$dir CRM_TEST_LOCALE=de_DE.UTF-8 exec "$check" tree locale
