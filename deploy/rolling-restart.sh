#!/usr/bin/env bash
# Replace the Dasan Console's daphne processes one at a time, with no request refused:
# for each running port, start a process on its twin port (8001 <-> 8101), wait until its
# /healthz answers 200, point nginx at it (a graceful reload), give the old process
# DRAIN_SECONDS to finish its requests, then stop it. Its websockets close and the pages
# reconnect to the others with backoff. Run as root after deploying new code:
#   sudo deploy/rolling-restart.sh
# (collectstatic and migrate first, as README "Production" says).
set -euo pipefail
UPSTREAM=${UPSTREAM:-/etc/nginx/dasan-upstream.conf}
UPSTREAM_WS=${UPSTREAM_WS:-/etc/nginx/dasan-upstream-ws.conf}
DRAIN_SECONDS=${DRAIN_SECONDS:-3}
TWIN_OFFSET=${TWIN_OFFSET:-100}
HEALTH_TRIES=${HEALTH_TRIES:-120}   # twice a second: a minute for a new process to answer

healthy() { curl -fsS -o /dev/null --max-time 3 "http://127.0.0.1:$1/healthz"; }
ports=$(grep -oE '^server 127\.0\.0\.1:[0-9]+' "$UPSTREAM" | cut -d: -f2)
[ -n "$ports" ] || { echo "no 'server 127.0.0.1:<port>' lines in $UPSTREAM" >&2; exit 1; }
for old in $ports; do
  if [ "$old" -ge $((8000 + TWIN_OFFSET)) ]; then new=$((old - TWIN_OFFSET)); else new=$((old + TWIN_OFFSET)); fi
  echo "daphne $old -> $new"
  systemctl start "dasan-daphne@$new"
  for _ in $(seq 1 "$HEALTH_TRIES"); do healthy "$new" && break; sleep 0.5; done
  healthy "$new" || { echo "dasan-daphne@$new is not healthy: $old keeps serving" >&2; systemctl stop "dasan-daphne@$new"; exit 1; }
  sed -i "s/^server 127\.0\.0\.1:$old /server 127.0.0.1:$new /" "$UPSTREAM" "$UPSTREAM_WS"
  nginx -t -q && systemctl reload nginx
  sleep "$DRAIN_SECONDS"
  systemctl disable --now "dasan-daphne@$old" >/dev/null 2>&1 || systemctl stop "dasan-daphne@$old"
  systemctl enable "dasan-daphne@$new" >/dev/null 2>&1 || true
done
echo "every process replaced"
