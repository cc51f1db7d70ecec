# Sourced by .ci/run (and usable by developers): a throwaway PostgreSQL cluster on loopback.
# Exports DUALPREV_TEST_POSTGRES (a postgresql:// URL) and defines stop_test_postgres.
# The server binaries come from Debian's postgresql package; as root they run as "postgres".
# Each run gets its own data directory and a free port (PG_PORT overrides it), so several
# checkouts can run their suites at once without sharing a server.
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PG_DIR=$(mktemp -d /tmp/dualprev-pg.XXXXXX)
PG_PORT=${PG_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$PG_DIR"
as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust --no-sync >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=on -c max_connections=200" start >/dev/null
export DUALPREV_TEST_POSTGRES="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
stop_test_postgres() { as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true; rm -rf "$PG_DIR"; }
echo "dualprev CI: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') at $DUALPREV_TEST_POSTGRES"
