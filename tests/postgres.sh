# Sourced by tests/run.sh: start a throwaway PostgreSQL server for the storage and many-worker
# tests, export COACH_TEST_POSTGRES_URL, and stop it when the calling script exits.
#
# The server is Debian's PostgreSQL (installed here if missing), a fresh cluster in a temporary
# folder, listening on a free loopback port only, with trust authentication (nothing else can
# reach it) and no fsync (test data). PostgreSQL refuses to run as root, so as root it runs as the
# postgres user that Debian's package creates.

pg_bin() {
    find /usr/lib/postgresql -maxdepth 3 -path '*/bin/pg_ctl' 2>/dev/null | sort -V | tail -n 1 | xargs -r dirname
}

if [ -z "$(pg_bin)" ]; then
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq && $sudo apt-get install -y -qq postgresql >/dev/null
fi
pg_dir="$(mktemp -d)"
if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$pg_dir"
    as_pg() { runuser -u postgres -- "$@"; }
else
    as_pg() { "$@"; }
fi
pg_port="$("${PYTHON:-python3}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
as_pg "$(pg_bin)/initdb" --pgdata="$pg_dir/data" --username=postgres --auth=trust --no-sync >/dev/null
as_pg "$(pg_bin)/pg_ctl" --pgdata="$pg_dir/data" --log="$pg_dir/server.log" --wait --silent \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir -c fsync=off" start
stop_postgres() {
    as_pg "$(pg_bin)/pg_ctl" --pgdata="$pg_dir/data" --mode=immediate --silent stop || true
    rm -rf "$pg_dir"
}
trap stop_postgres EXIT
export COACH_TEST_POSTGRES_URL="postgresql+asyncpg://postgres@127.0.0.1:$pg_port/postgres"
