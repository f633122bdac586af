#!/bin/sh
# First start: initdb with the password from the environment (scram), the database, and network access for the
# stack's private network only (password required). Later starts: just the server.
set -eu
: "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
POSTGRES_USER=${POSTGRES_USER:-radcurate}
POSTGRES_DB=${POSTGRES_DB:-radcurate}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
  initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  pg_ctl -o "-c listen_addresses=''" -w start >/dev/null
  createdb --username="$POSTGRES_USER" "$POSTGRES_DB"
  pg_ctl -m fast -w stop >/dev/null
  echo "initialised $PGDATA: database $POSTGRES_DB, user $POSTGRES_USER"
fi
exec postgres -c listen_addresses='*'
