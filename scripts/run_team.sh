#!/usr/bin/env bash
# The team deployment shape on one machine: a PostgreSQL server from this machine's own
# binaries in a git-ignored folder, the schema migrated, demo data, and two app processes on
# two ports sharing that database. What a real deployment puts behind a reverse proxy.
#
#   scripts/run_team.sh start    # (make run-team)  idempotent: starts what is not running
#   scripts/run_team.sh stop     # (make stop-team) stops the apps and the server, keeps data
#   scripts/run_team.sh status   # what runs, and check-db
#
# Settings (environment): POCTRAP_TEAM_DIR (default var/team), POCTRAP_PG_PORT (54329),
# POCTRAP_APP_PORTS ("8501 8502"), POCTRAP_APP_ADDRESS (127.0.0.1), POCTRAP_PASSWORD_HASH
# and the other app settings are passed through to both processes (see docs/deploy.md).
# The database server trusts local connections and listens on 127.0.0.1 only: a
# demonstration, not a production database.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
TEAM_DIR="${POCTRAP_TEAM_DIR:-$ROOT/var/team}"
PG_PORT="${POCTRAP_PG_PORT:-54329}"
APP_PORTS="${POCTRAP_APP_PORTS:-8501 8502}"
APP_ADDRESS="${POCTRAP_APP_ADDRESS:-127.0.0.1}"
PY="${POCTRAP_PYTHON:-$ROOT/.venv/bin/python}"
DB_NAME="poctrap"
DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:${PG_PORT}/${DB_NAME}"
START_TIMEOUT_S=60

say() { printf '%s\n' "$*"; }
fail() { printf 'run_team: %s\n' "$*" >&2; exit 1; }

pg_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -V -r); do
    [ -x "$dir/$1" ] && { printf '%s\n' "$dir/$1"; return; }
  done
  command -v "$1" || true
}

# initdb and pg_ctl refuse to run as root: as root they run as the `postgres` account.
as_pg() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Where the server's files live: in TEAM_DIR when the server's account can reach it, else
# (root working in a private home folder) in /tmp; the choice is remembered for `stop`.
pg_dir() {
  if [ -f "$TEAM_DIR/pg.path" ]; then cat "$TEAM_DIR/pg.path"; return; fi
  local dir="$TEAM_DIR/pg" reachable=yes
  mkdir -p "$dir"
  if [ "$(id -u)" = "0" ]; then
    chown postgres:postgres "$dir"
    runuser -u postgres -- test -w "$dir" 2>/dev/null || reachable=no
  fi
  # The server's socket path must stay under about 100 characters.
  if [ "$reachable" = no ] || [ ${#dir} -gt 80 ]; then
    rmdir "$dir" 2>/dev/null || true
    dir="$(mktemp -d /tmp/poctrap-team-pg.XXXXXX)"
    [ "$(id -u)" = "0" ] && chown postgres:postgres "$dir"
  fi
  printf '%s\n' "$dir" > "$TEAM_DIR/pg.path"
  printf '%s\n' "$dir"
}

healthy() {  # the exact body `ok`: any other path also answers 200 with the app's page
  "$PY" - "$1" <<'EOF'
import sys, urllib.request
try:
    with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/_stcore/health", timeout=2) as r:
        sys.exit(0 if r.read().decode().strip() == "ok" else 1)
except Exception:
    sys.exit(1)
EOF
}

app_running() {  # pid file, live process, and it is our app server (pids get reused)
  local pid_file="$TEAM_DIR/app-$1.pid" pid
  [ -f "$pid_file" ] || return 1
  pid="$(cat "$pid_file")"
  kill -0 "$pid" 2>/dev/null && grep -q ui.serve "/proc/$pid/cmdline" 2>/dev/null
}

start() {
  [ -x "$PY" ] || fail "no virtualenv at $PY: run \`make install\` first"
  local initdb pg_ctl dir
  initdb="$(pg_bin initdb)"; pg_ctl="$(pg_bin pg_ctl)"
  [ -n "$initdb" ] && [ -n "$pg_ctl" ] || fail "PostgreSQL binaries not found: install them (apt-get install -y postgresql)"
  mkdir -p "$TEAM_DIR"
  dir="$(pg_dir)"

  if [ ! -f "$dir/data/PG_VERSION" ]; then
    say "Creating a PostgreSQL cluster in $dir/data"
    as_pg "$initdb" -D "$dir/data" -A trust -U postgres -E UTF8 >"$TEAM_DIR/initdb.log" 2>&1 \
      || { cat "$TEAM_DIR/initdb.log" >&2; fail "initdb failed"; }
  fi
  if ! as_pg "$pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    say "Starting PostgreSQL on 127.0.0.1:$PG_PORT"
    as_pg "$pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t "$START_TIMEOUT_S" \
      -o "-p $PG_PORT -k $dir -c listen_addresses=127.0.0.1 -c max_connections=100" start \
      >/dev/null || { tail -n 20 "$dir/server.log" >&2 || true; fail "PostgreSQL did not start (is port $PG_PORT taken? set POCTRAP_PG_PORT)"; }
  fi

  "$PY" - "$PG_PORT" "$DB_NAME" <<'EOF'
import sys, psycopg
port, name = sys.argv[1], sys.argv[2]
with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", autocommit=True) as c:
    if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
        c.execute(f'CREATE DATABASE "{name}"')
EOF
  export DATABASE_URL
  # Every process behind one address shares the cookie secret (sign-in cookies, XSRF).
  [ -f "$TEAM_DIR/cookie_secret" ] || "$PY" -c "import secrets; print(secrets.token_hex(32))" >"$TEAM_DIR/cookie_secret"
  chmod 600 "$TEAM_DIR/cookie_secret"
  STREAMLIT_SERVER_COOKIE_SECRET="${STREAMLIT_SERVER_COOKIE_SECRET:-$(cat "$TEAM_DIR/cookie_secret")}"
  export STREAMLIT_SERVER_COOKIE_SECRET
  "$PY" -m diagnostics init-db --demo || fail "could not migrate or seed the database (output above)"

  local port
  for port in $APP_PORTS; do
    if app_running "$port"; then say "App already running on port $port"; continue; fi
    # setsid: the app outlives this script and ignores a Ctrl-C in the terminal that ran it.
    # ui.serve = `streamlit run app.py` from the repository root.
    setsid "$PY" -m ui.serve --server.port "$port" --server.address "$APP_ADDRESS" \
      --server.headless true --browser.gatherUsageStats false \
      >"$TEAM_DIR/app-$port.log" 2>&1 < /dev/null &
    echo $! >"$TEAM_DIR/app-$port.pid"
  done
  local deadline=$((SECONDS + START_TIMEOUT_S))
  for port in $APP_PORTS; do
    until healthy "$port"; do
      if ! app_running "$port" || [ $SECONDS -ge $deadline ]; then
        tail -n 30 "$TEAM_DIR/app-$port.log" >&2 || true
        fail "the app on port $port did not become healthy"
      fi
      sleep 0.3
    done
  done

  say ""
  say "Team deployment running: two app processes, one PostgreSQL database."
  for port in $APP_PORTS; do say "  http://$APP_ADDRESS:$port   (log: $TEAM_DIR/app-$port.log)"; done
  say "  DATABASE_URL=$DATABASE_URL"
  say "  Access: $([ -n "${POCTRAP_PASSWORD_HASH:-}" ] && echo 'team password required for portfolios and new workshops' || echo 'open (set POCTRAP_PASSWORD_HASH to require a password)')"
  say "Stop with: make stop-team     Health: DATABASE_URL=... .venv/bin/python -m diagnostics check-db"
}

stop() {
  local port pid
  for port in $APP_PORTS; do
    if app_running "$port"; then
      pid="$(cat "$TEAM_DIR/app-$port.pid")"
      kill "$pid"
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
      say "Stopped the app on port $port"
    fi
    rm -f "$TEAM_DIR/app-$port.pid"
  done
  if [ -f "$TEAM_DIR/pg.path" ]; then
    local dir pg_ctl
    dir="$(cat "$TEAM_DIR/pg.path")"; pg_ctl="$(pg_bin pg_ctl)"
    if [ -n "$pg_ctl" ] && as_pg "$pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      as_pg "$pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
      say "Stopped PostgreSQL (data kept in $dir/data; delete $TEAM_DIR and that folder to start afresh)"
    fi
  fi
}

status() {
  local port
  for port in $APP_PORTS; do
    if app_running "$port"; then say "app on port $port: running (pid $(cat "$TEAM_DIR/app-$port.pid"))"
    else say "app on port $port: stopped"; fi
  done
  DATABASE_URL="$DATABASE_URL" "$PY" -m diagnostics check-db 2>/dev/null || say "database: not ready"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) fail "usage: $0 start|stop|status" ;;
esac
