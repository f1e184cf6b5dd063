# Shared by the benchmark scripts: scratch space, timing, importing,
# starting keydir servers and nginx, and running wrk. Source it after
# setting $work, $keydir, $connections, $warmup and $duration.

pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

log() { printf '%s\n' "$*" >&2; }
now() { date +%s.%N; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

import() {  # import FILE DB -> keys per second
  rm -f "$2" "$2-wal" "$2-shm"
  local start end lines
  start=$(now)
  "$keydir" import "$1" --db "$2" --trust "$work/pki/trust.pem" >/dev/null 2>"$2.import.log"
  end=$(now)
  lines=$(wc -l <"$1")
  echo "$lines $start $end" | awk '{printf "%.0f", $1 / ($3 - $2)}'
}

start_keydir() {  # start_keydir LOG ARGS... : sets $port and $server_pid; $listen, if set, is the address
  local log_file=$1
  shift
  "$keydir" "$@" --listen "${listen:-127.0.0.1:0}" --access-log "" >/dev/null 2>"$log_file" &
  server_pid=$!
  pids+=("$server_pid")
  port=""
  for _ in $(seq 600); do
    port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$log_file")
    [ -n "$port" ] && return 0
    sleep 0.1
  done
  log "bench: keydir $1 did not start: $(cat "$log_file")"
  exit 1
}

serve() {  # serve DB [ARGS...]: starts the directory on DB
  start_keydir "$1.serve.log" serve --db "$1" --trust "$work/pki/trust.pem" "${@:2}"
}

stop_server() {
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
}

run_wrk() {  # run_wrk URL SCRIPT [CONNECTIONS] -> "rate p50_ms p99_ms"; TNS in the environment
  # An unmeasured run first, for keydir and nginx alike: connections,
  # threads and caches are set up before the clock starts. At a million keys
  # SQLite's page caches take about ten seconds of this load to fill; with 3 s
  # the measured run still paid for filling them (see docs/benchmarks.md).
  local c=${3:-$connections}
  wrk -t2 -c"$c" -d"${warmup}s" -s "$2" "$1" >/dev/null
  wrk -t2 -c"$c" -d"${duration}s" --latency -s "$2" "$1" >"$work/wrk.out"
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rate = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    END { printf "%.0f %.2f %.2f", rate, p50, p99 }' "$work/wrk.out"
}

# Waits until the server logging to LOG has made its lookup answers ahead
# (lookup_answers_prefill, on by default), so that what is measured is the
# steady state; prints the server's own line on it (how many, how long).
wait_made_ahead() {  # wait_made_ahead LOG PID
  until grep -q "lookup answers made ahead" "$1"; do
    kill -0 "$2" 2>/dev/null || { log "bench: the server died: $(tail -3 "$1")"; exit 1; }
    sleep 1
  done
  grep "lookup answers made ahead" "$1" | tail -1 | sed 's/^keydir: //'
}

start_nginx() {  # start_nginx FILE: nginx on 127.0.0.1:18089 answering FILE to every path
  mkdir -p "$work/nginx"
  cp "$1" "$work/nginx/answer.json"
  cat >"$work/nginx/nginx.conf" <<CONF
worker_processes $(nproc);
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx;
  proxy_temp_path $work/nginx;
  fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx;
  scgi_temp_path $work/nginx;
  server {
    listen ${nginx_url#http://};
    root $work/nginx;
    location / { default_type application/json; try_files /answer.json =404; }
  }
}
CONF
  nginx -c "$work/nginx/nginx.conf" </dev/null >/dev/null 2>&1
  sleep 0.5
}

stop_nginx() { kill "$(cat "$work/nginx/nginx.pid")"; }
nginx_url=http://127.0.0.1:18089

nginx_wrk() {  # nginx_wrk FILE SCRIPT -> run_wrk's "rate p50_ms p99_ms" for nginx answering FILE; TNS in the environment
  start_nginx "$1"
  run_wrk "$nginx_url" "$2"
  stop_nginx
}

rss_mib() {  # rss_mib PID -> the process's resident memory in MiB
  awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"
}

# The process's own memory (heap, stacks) in MiB, without the file pages it
# maps: those are the kernel's page cache, shared and given back under
# pressure, and are what RSS adds on top of this.
rss_anon_mib() {  # rss_anon_mib PID
  awk '/^RssAnon/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"
}

bytes_per_key() {  # bytes_per_key DB N -> the file's bytes (WAL included) per key
  local bytes=0 file
  for file in "$1" "$1-wal"; do  # the WAL is gone once the last writer closed
    if [ -f "$file" ]; then bytes=$((bytes + $(stat -c %s "$file"))); fi
  done
  awk -v b="$bytes" -v n="$2" 'BEGIN { printf "%.0f", b / n }'
}

make_data() {  # make_data N: $work/keys.ndjson and $work/tns.txt with at least N lines
  [ -f "$work/pki/trust.pem" ] || "$keydir" pki init "$work/pki" >/dev/null
  if [ ! -s "$work/keys.ndjson" ] || [ "$(wc -l <"$work/tns.txt")" -lt "$1" ]; then
    "$make_keys" "$work/pki" "$1" "$work/keys.ndjson" "$work/tns.txt"
  fi
}

feed_db() {  # feed_db N: $work/feed.db (and feed-tns.txt) of N keys, imported unless already there; 0 if kept
  if [ -s "$work/feed.db" ] && [ "$(wc -l <"$work/feed-tns.txt" 2>/dev/null || echo 0)" -eq "$1" ]; then
    return 0
  fi
  log "== import $1 keys"
  head -n "$1" "$work/keys.ndjson" >"$work/feed-keys.ndjson"
  head -n "$1" "$work/tns.txt" >"$work/feed-tns.txt"
  log "bench: keydir import: $1 keys at $(import "$work/feed-keys.ndjson" "$work/feed.db") keys/s"
  return 1
}
