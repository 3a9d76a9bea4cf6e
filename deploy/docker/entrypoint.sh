#!/bin/sh
# The image's entry: runs one Chorus process with the telemetry preload. The argument is a
# service name (gateway, orchestrator, agents, projector, webhooks), several joined by
# commas to run them in one process (gateway,agents: see services/run.ts), "migrate", or a
# .ts path; without one, CHORUS_SERVICE (set at build time by --build-arg SERVICE) is used.
set -eu
target="${1:-${CHORUS_SERVICE:-gateway}}"
[ "$#" -gt 0 ] && shift
case "$target" in
  *.ts) entry="$target" ;;
  migrate) entry="scripts/migrate.ts" ;;
  *,*) set -- "$target" "$@"; entry="services/run.ts" ;;
  *) entry="services/$target/src/main.ts" ;;
esac
# exec: node becomes PID 1 and receives SIGTERM itself, which starts the graceful shutdown.
exec node --import ./packages/platform/src/telemetry-register.ts "$entry" "$@"
