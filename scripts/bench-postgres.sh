# Sourced by scripts/bench-load and scripts/bench-memory: a throwaway PostgreSQL cluster
# on a free local port, removed on exit, and run copies of the release binaries.
# Defines start_postgres (sets pg_url), copy_binaries (sets bin) and cleans up on EXIT.

as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
work=$(mktemp -d)
pg_dir=""
cleanup() {
  if [ -n "$pg_dir" ]; then
    as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
  rm -rf "$work"
}
trap cleanup EXIT

start_postgres() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "== installing postgresql"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
  fi
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  pg_dir=$(mktemp -d)
  chown postgres: "$pg_dir"
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  echo "== starting PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on port $port"
  as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 -N >/dev/null
  as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w start \
    -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100" >/dev/null
  pg_url="postgres://postgres@127.0.0.1:$port/postgres"
}

# Run copies: target/ is shared, and a rebuild in the middle of a run (with other
# migrations) would make the server refuse the benchmark's database.
copy_binaries() {
  echo "== cargo build --release -p mamori -p mamori-bench"
  cargo build --release --quiet -p mamori -p mamori-bench
  bin="$work/bin"
  mkdir -p "$bin"
  cp target/release/mamori target/release/mamori-bench "$bin/"
}
