#!/bin/sh
# Initialise PostgreSQL on first start, then run it in the foreground as PID 1's child.
#
# Honours the usual image contract:
#   POSTGRES_PASSWORD  superuser password (required: no trust authentication, ever)
#   POSTGRES_USER      superuser name (default: postgres)
#   POSTGRES_DB        database to create (default: POSTGRES_USER, as in the official image)
#   POSTGRES_HBA       pg_hba.conf text (default: SCRAM for every user and database)
# Extra arguments go to `postgres` (e.g. `-c fsync=off`).
set -eu

: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}"
POSTGRES_USER=${POSTGRES_USER:-postgres}
POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}
PGDATA=${PGDATA:-/var/lib/postgresql/data}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"
    chmod 0700 "$PGDATA"
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
    initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" --auth=scram-sha-256 \
        --encoding=UTF8 --locale=C --no-sync --no-instructions >/dev/null
    rm -f "$pwfile"
    # Inside the container's own network namespace; the engine publishes the port
    # on the host's 127.0.0.1 only (see sandbox/containers/postgres.py).
    {
        echo "listen_addresses = '*'"
        echo "password_encryption = 'scram-sha-256'"
    } >>"$PGDATA/postgresql.conf"
    if [ -n "${POSTGRES_HBA:-}" ]; then
        printf '%s\n' "$POSTGRES_HBA" >"$PGDATA/pg_hba.conf"
    else
        echo "host all all 0.0.0.0/0 scram-sha-256" >"$PGDATA/pg_hba.conf"
    fi
    : >"$PGDATA/pg_ident.conf"
    if [ "$POSTGRES_DB" != postgres ]; then
        # Single-user mode: no listener at all while we create the database.
        quoted=$(printf '%s' "$POSTGRES_DB" | sed 's/"/""/g')
        echo "CREATE DATABASE \"$quoted\"" | postgres --single -D "$PGDATA" postgres >/dev/null
    fi
fi

exec postgres -D "$PGDATA" "$@"
