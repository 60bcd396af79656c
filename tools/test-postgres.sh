#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: `test-postgres.sh start <dir>` makes a cluster in <dir> (initdb as the
# postgres user when run as root), starts it on a free local port with a role and database for the tests, and prints
# one line, the Npgsql connection string; `test-postgres.sh stop <dir>` stops it and deletes <dir>.
# Installs the Debian package postgresql with apt-get when no server programs are found (as root only).
set -euo pipefail

find_bindir() {
    if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then pg_config --bindir; return; fi
    for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
    command -v initdb >/dev/null 2>&1 && dirname "$(command -v initdb)"
}

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
        || echo $(( 20000 + RANDOM % 20000 ))
}

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop <dir>" >&2; exit 2; }

case "$cmd" in
start)
    bindir=$(find_bindir || true)
    if [ -z "$bindir" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >/dev/null 2>&1 || true
        bindir=$(find_bindir || true)
    fi
    [ -n "$bindir" ] || { echo "PostgreSQL server programs (initdb, pg_ctl) not found and could not be installed." >&2; exit 3; }
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
        echo "Running as root needs the postgres user (the Debian package makes it)." >&2; exit 3
    fi
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    password=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
    printf '%s\n' "$password" > "$dir/.pw"; [ "$(id -u)" = 0 ] && chown postgres "$dir/.pw"; chmod 600 "$dir/.pw"
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
        --pwfile="$dir/.pw" -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 3; }
    port=$(free_port)
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 3; }
    as_owner "$bindir/psql" -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
        -c "CREATE ROLE batchops LOGIN CREATEDB CREATEROLE PASSWORD '$password'" \
        -c "CREATE DATABASE batchops_test OWNER batchops" >/dev/null
    echo "$port" > "$dir/port"
    echo "Host=127.0.0.1;Port=$port;Database=batchops_test;Username=batchops;Password=$password"
    ;;
stop)
    bindir=$(find_bindir || true)
    if [ -n "$bindir" ] && [ -d "$dir/data" ]; then
        as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*) echo "usage: $0 start|stop <dir>" >&2; exit 2 ;;
esac
