#!/bin/sh
# Number formatting of the library ignores the process locale: run the
# "locale" case of the tree suite under a German locale (decimal comma),
# compiled here with localedef. Skipped (77) where localedef or the locale
# sources (Debian package locales) are missing.
# Usage: locale.sh CRM_CHECK WORKDIR
set -eu
check=$1
dir=$2
command -v localedef >/dev/null 2>&1 || { echo "SKIP: no localedef"; exit 77; }
[ -f /usr/share/i18n/locales/de_DE ] || { echo "SKIP: no de_DE locale source"; exit 77; }
mkdir -p "$dir"
[ -d "$dir/de_DE.UTF-8" ] || localedef -i de_DE -f UTF-8 "$dir/de_DE.UTF-8" >/dev/null 2>&1 ||
    [ -f "$dir/de_DE.UTF-8/LC_NUMERIC" ] || { echo "SKIP: localedef failed"; exit 77; }
LOCPATH=$dir CRM_TEST_LOCALE=de_DE.UTF-8 exec "$check" tree locale
