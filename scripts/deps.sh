#!/bin/sh
# Install the Debian packages a task needs, when missing.
# Usage: scripts/deps.sh build|test|goldens|ci|bench|fuzz|static|db ...
#   goldens: the reference tools of tests/reference/ (scripts/regen_goldens.sh) and
#   of the parity tests (tests/python/test_tree.py compares with scikit-learn);
#   fuzz: clang and its libFuzzer runtime (scripts/fuzz.sh);
#   static: what a static link with `pkg-config --static --libs libcrm` needs
#   (nothing beyond the build packages now that OpenBLAS is opened at run time;
#   kept so that scripts/newcomer_check.sh and older instructions still work);
#   db: the throwaway PostgreSQL and MariaDB servers, their client libraries and the
#   Python drivers of scripts/ci_sql.sh and bench/sql;
#   ci: everything CI runs, goldens, fuzz, static and db included.
# As root it runs apt-get; otherwise it prints the exact command to run.
set -eu

# OpenBLAS is opened at run time (lib/core/blas.c), so the build needs only its run-time
# package; libdeflate-dev is optional (faster .gz input, lib/core/fileio.c).
pkgs_build="build-essential cmake pkg-config zlib1g-dev libdeflate-dev libopenblas0-pthread"
# The PHP, Node.js and Java bindings, their test runners and Composer; pip, setuptools,
# wheel and venv for the Python package install test.
# nodejs and npm only when no node/npm is on PATH (a newer Node.js may be installed).
pkgs_bindings="php8.2-cli phpunit composer openjdk-17-jdk-headless libjna-java junit5 python3-pip python3-setuptools python3-wheel python3-venv"
command -v node >/dev/null 2>&1 || pkgs_bindings="$pkgs_bindings nodejs"
command -v npm >/dev/null 2>&1 || pkgs_bindings="$pkgs_bindings npm"
# The SQLite client library (crm/sql.h opens it at run time), the customer service example
# (Flask, gunicorn), headless Chromium for the service page test, and Dask for libcrm.dask's
# tests on a two-process LocalCluster (tests/python/test_dask.py).
pkgs_test="check python3 python3-pytest python3-numpy python3-pandas locales libsqlite3-0 python3-flask gunicorn chromium python3-dask python3-distributed $pkgs_bindings"
pkgs_goldens="python3 python3-numpy python3-scipy python3-mpmath python3-pandas python3-sklearn python3-statsmodels r-base-core r-cran-forecast r-cran-ranger"
# Throwaway database servers and client libraries of scripts/ci_sql.sh and bench/sql.
pkgs_db="postgresql mariadb-server libpq5 libmariadb3 php8.2-cli python3-psycopg2 python3-mysqldb python3-pymysql python3-sqlalchemy"
pkgs_ci="valgrind abigail-tools clang g++ $pkgs_db"
pkgs_fuzz="clang libclang-rt-14-dev"
pkgs_static=""
pkgs_bench="$pkgs_db python3-pandas python3-numpy python3-sklearn python3-statsmodels python3-mpmath r-base-core r-cran-forecast"

want=""
for task in "$@"; do
    case "$task" in
    build) want="$want $pkgs_build" ;;
    test) want="$want $pkgs_build $pkgs_test" ;;
    goldens) want="$want $pkgs_goldens" ;;
    ci) want="$want $pkgs_build $pkgs_test $pkgs_goldens $pkgs_ci $pkgs_fuzz $pkgs_static" ;;
    bench) want="$want $pkgs_build $pkgs_bench" ;;
    fuzz) want="$want $pkgs_build $pkgs_fuzz" ;;
    static) want="$want $pkgs_build $pkgs_static" ;;
    db) want="$want $pkgs_build $pkgs_db" ;;
    *) echo "deps.sh: unknown task '$task' (build, test, goldens, ci, bench, fuzz, static, db)" >&2; exit 2 ;;
    esac
done

missing=""
for p in $want; do
    case " $missing " in *" $p "*) continue ;; esac
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages. Run as root:" >&2
    echo "  apt-get update && apt-get install -y$missing" >&2
    exit 1
fi
echo "Installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
