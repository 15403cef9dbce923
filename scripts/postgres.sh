#!/usr/bin/env bash
# A Postgres for the tests: the one on 127.0.0.1:5432 when it answers with
# trust auth (this machine kind runs one), else our own cluster on a free
# port in DIR, from Debian's postgresql package.
#
#   scripts/postgres.sh start DIR   prints an admin URL (…/postgres)
#   scripts/postgres.sh stop DIR    stops the cluster started in DIR, if any
set -euo pipefail
cmd=${1:?usage: postgres.sh start DIR | stop DIR}
dir=${2:?DIR}

bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] || { echo "postgres.sh: no /usr/lib/postgresql/*/bin (apt-get install postgresql)" >&2; exit 1; }
  echo "$d"
}

case $cmd in
start)
  if psql "postgres://postgres@127.0.0.1:5432/postgres" -tAc 'select 1' >/dev/null 2>&1; then
    echo "postgres://postgres@127.0.0.1:5432/postgres"
    exit 0
  fi
  b=$(bin)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir -p "$dir"
  # initdb refuses to run as root; run the cluster as the nobody-like `postgres` user when root.
  run=()
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown -R postgres "$dir"
    run=(runuser -u postgres --)
  fi
  "${run[@]}" "$b/initdb" -D "$dir/data" -U postgres --auth=trust >"$dir/initdb.log" 2>&1
  "${run[@]}" "$b/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir" start >/dev/null
  echo "$port" >"$dir/port"
  echo "postgres://postgres@127.0.0.1:$port/postgres"
  ;;
stop)
  if [ -f "$dir/port" ]; then
    run=()
    [ "$(id -u)" -eq 0 ] && run=(runuser -u postgres --)
    "${run[@]}" "$(bin)/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  fi
  ;;
*) echo "usage: postgres.sh start DIR | stop DIR" >&2; exit 2 ;;
esac
