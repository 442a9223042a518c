#!/bin/sh
# The library must not call libc functions that keep global state or depend
# on the process locale: it runs on several threads at once (fit_many, the
# worker pools) inside programs that may call setlocale().
#   lgamma & co. write the global signgam (use crm__lgamma: lgamma_r);
#   strerror may return a shared buffer (crm__strerror: strerror_r);
#   strtod & co., atof, setlocale, localeconv follow LC_NUMERIC (crm__parse_number);
#   the rest keep static state or return static buffers.
# Usage: symbols.sh NM LIBRARY   (exit 0: none used; 1: lists the offenders)
set -eu
nm=$1
lib=$2
bad="lgamma lgammaf lgammal gamma gammaf gammal signgam
strerror strsignal strtok
localtime gmtime ctime asctime mktime tzset getdate
rand srand random srandom drand48 erand48 lrand48 nrand48 mrand48 jrand48 srand48 seed48 lcong48
setlocale localeconv nl_langinfo
strtod strtof strtold atof atoi atol atoll strtol strtoul strtoll strtoull
getenv setenv putenv unsetenv clearenv
tmpnam tempnam mblen mbtowc wctomb mbstowcs wcstombs ecvt fcvt gcvt
readdir getpwnam getpwuid getgrnam getgrgid getlogin ttyname ptsname
hcreate hsearch hdestroy crypt encrypt setkey dirname basename inet_ntoa getopt exit"
used=$("$nm" -D --undefined-only "$lib" | awk '{print $NF}' | sed 's/@.*//' | sort -u)
[ -n "$used" ] || { echo "symbols.sh: no undefined symbols read from $lib" >&2; exit 1; }
found=""
for s in $bad; do
    if printf '%s\n' "$used" | grep -qx "$s"; then found="$found $s"; fi
done
if [ -n "$found" ]; then
    echo "libcrm calls non-reentrant or locale-dependent libc functions:$found" >&2
    exit 1
fi
echo "no non-reentrant libc calls ($(printf '%s\n' "$used" | wc -l) undefined symbols checked)"
