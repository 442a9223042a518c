# Throwaway PostgreSQL 15 and MariaDB 10.11 servers for the SQL tests and
# benchmarks, on unix sockets in a temporary directory (no TCP port).
# Sourced by scripts/ci_sql.sh and bench/sql/run.sh (bash):
#
#   . tests/sql/servers.sh
#   sql_servers_start DIR      # DIR: a new directory (its parents readable by the
#                              # postgres user when root); exports the URIs below
#   ...
#   sql_servers_stop           # stops both by PID and removes their data
#
# After sql_servers_start:
#   CRM_TEST_PG_URI     libpq conninfo of database crm, user crm (password in PGPASSWORD)
#   CRM_TEST_PG_URL     the same database as a postgresql:// URI (the form crm's -o takes)
#   CRM_TEST_MY_URI     mysql:// URI of database crm, user crm (password in MYSQL_PWD)
#   CRM_TEST_PG_STOP / CRM_TEST_PG_START, CRM_TEST_MY_STOP / CRM_TEST_MY_START
#                       shell commands that stop a server abruptly (as a crash would) and
#                       start it again on the same data, for the fault tests
# Root (as CI runs): PostgreSQL refuses to run as root, so it runs as the
# `postgres` user in a directory that user owns; MariaDB runs with --user=root.

sql_pg_bindir() {
    if [ -x /usr/lib/postgresql/15/bin/initdb ]; then
        echo /usr/lib/postgresql/15/bin
    elif command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
        pg_config --bindir
    fi
}

# Prints what is missing to run the servers (empty when nothing is).
sql_servers_missing() {
    local m=""
    [ -n "$(sql_pg_bindir)" ] || m="$m postgresql-15(initdb)"
    command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || m="$m mariadb-server(mariadbd)"
    command -v mariadb-install-db >/dev/null 2>&1 || m="$m mariadb-server(mariadb-install-db)"
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
        m="$m postgres-user"
    fi
    echo "$m"
}

_sql_as_pg() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

_sql_mariadbd() {
    if command -v mariadbd >/dev/null 2>&1; then command -v mariadbd; else echo /usr/sbin/mariadbd; fi
}

sql_servers_start() {
    SQL_DIR=$1
    export PGPASSWORD=crm-test-secret MYSQL_PWD=crm-test-secret
    local bin
    bin=$(sql_pg_bindir)
    mkdir -p "$SQL_DIR/pg" "$SQL_DIR/my"
    chmod 755 "$SQL_DIR"
    printf '%s\n' "$PGPASSWORD" > "$SQL_DIR/pg/pw"
    if [ "$(id -u)" = 0 ]; then
        chown -R postgres "$SQL_DIR/pg"
    fi
    # PostgreSQL: password (scram) authentication on a unix socket only; fsync off
    # (nothing is kept), but commits reach the WAL at once, so a killed server
    # keeps what was committed, as the fault tests expect
    _sql_as_pg "$bin/initdb" -D "$SQL_DIR/pg/data" -U crm --pwfile="$SQL_DIR/pg/pw" \
        --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
        --no-sync >"$SQL_DIR/pg/initdb.log" 2>&1 || { cat "$SQL_DIR/pg/initdb.log" >&2; return 1; }
    local as_pg=""
    [ "$(id -u)" = 0 ] && as_pg="runuser -u postgres --"
    CRM_TEST_PG_START="$as_pg '$bin/pg_ctl' -D '$SQL_DIR/pg/data' -w -t 60 -l '$SQL_DIR/pg/server.log' -o \"-k '$SQL_DIR/pg' -c listen_addresses= -c fsync=off -c full_page_writes=off -c TimeZone=Europe/Berlin\" start >/dev/null"
    CRM_TEST_PG_STOP="$as_pg '$bin/pg_ctl' -D '$SQL_DIR/pg/data' -m immediate stop >/dev/null"
    bash -c "$CRM_TEST_PG_START" || { cat "$SQL_DIR/pg/server.log" >&2; return 1; }
    SQL_PG_PID=$(head -1 "$SQL_DIR/pg/data/postmaster.pid")
    _sql_as_pg "$bin/psql" -q -X "host=$SQL_DIR/pg user=crm dbname=postgres" \
        -c "CREATE DATABASE crm" >/dev/null || return 1
    export CRM_TEST_PG_URI="host=$SQL_DIR/pg user=crm dbname=crm"
    export CRM_TEST_PG_URL="postgresql://crm@/crm?host=$SQL_DIR/pg" # the same as a URI
    export CRM_TEST_PG_START CRM_TEST_PG_STOP SQL_PG_PID

    # MariaDB: InnoDB, no networking, a password user `crm`
    local mariadbd userarg=""
    mariadbd=$(_sql_mariadbd)
    [ "$(id -u)" = 0 ] && userarg="--user=root"
    mariadb-install-db --no-defaults $userarg --datadir="$SQL_DIR/my/data" \
        --auth-root-authentication-method=normal --skip-test-db \
        >"$SQL_DIR/my/install.log" 2>&1 || { cat "$SQL_DIR/my/install.log" >&2; return 1; }
    # setsid: a server restarted by a test outlives the test's process group
    CRM_TEST_MY_START="setsid '$mariadbd' --no-defaults $userarg --datadir='$SQL_DIR/my/data' --skip-networking --socket='$SQL_DIR/my/sock' --pid-file='$SQL_DIR/my/pid' --log-error='$SQL_DIR/my/error.log' --innodb-buffer-pool-size=512M --innodb-flush-log-at-trx-commit=2 --innodb-doublewrite=0 --default-time-zone=+02:00 --character-set-server=utf8mb4 --collation-server=utf8mb4_bin </dev/null >/dev/null 2>&1 & i=0; while [ \$i -lt 120 ] && ! [ -S '$SQL_DIR/my/sock' ]; do sleep 0.5; i=\$((i+1)); done; [ -S '$SQL_DIR/my/sock' ]"
    CRM_TEST_MY_STOP="kill -9 \$(cat '$SQL_DIR/my/pid') && while [ -S '$SQL_DIR/my/sock' ] && kill -0 \$(cat '$SQL_DIR/my/pid') 2>/dev/null; do sleep 0.1; done; rm -f '$SQL_DIR/my/sock' '$SQL_DIR/my/pid'"
    rm -f "$SQL_DIR/my/sock"
    bash -c "$CRM_TEST_MY_START" || { cat "$SQL_DIR/my/error.log" >&2; return 1; }
    SQL_MY_PID=$(cat "$SQL_DIR/my/pid")
    env -u MYSQL_PWD mariadb --no-defaults -S "$SQL_DIR/my/sock" -uroot -e \
        "CREATE DATABASE crm CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
         CREATE USER crm@localhost IDENTIFIED BY '$MYSQL_PWD';
         GRANT ALL ON crm.* TO crm@localhost;" || return 1
    export CRM_TEST_MY_URI="mysql://crm@localhost/crm?socket=$SQL_DIR/my/sock"
    export CRM_TEST_MY_START CRM_TEST_MY_STOP SQL_MY_PID
}

# Stops both servers (by the PIDs in their pid files) and removes SQL_DIR.
sql_servers_stop() {
    [ -n "${SQL_DIR:-}" ] || return 0
    local pid
    if [ -f "$SQL_DIR/pg/data/postmaster.pid" ]; then
        pid=$(head -1 "$SQL_DIR/pg/data/postmaster.pid")
        kill -QUIT "$pid" 2>/dev/null
    fi
    if [ -f "$SQL_DIR/my/pid" ]; then
        pid=$(cat "$SQL_DIR/my/pid")
        kill -9 "$pid" 2>/dev/null
    fi
    local i=0
    while [ $i -lt 50 ] && { [ -f "$SQL_DIR/pg/data/postmaster.pid" ] && kill -0 "$(head -1 "$SQL_DIR/pg/data/postmaster.pid")" 2>/dev/null; }; do
        sleep 0.1
        i=$((i + 1))
    done
    rm -rf "$SQL_DIR"
    SQL_DIR=
}
