#!/usr/bin/env bash
# Undo what a test run left running, by PID only: the sandbox's labelled
# containers and networks, the `podman system service` that podman-setup.sh
# started (its PID is in the pidfile), and conmon helpers whose container is
# gone (they linger about five minutes after `exec`). Images and the base image
# stay in Podman's storage on purpose: they are the cache for the next run.
#
#   scripts/podman-teardown.sh
set -uo pipefail

SOCK=${MCP_PODMAN_SOCK:-/run/mcp-podman.sock}
PIDFILE=${MCP_PODMAN_PIDFILE:-/run/mcp-podman.pid}
say() { echo "podman-teardown: $*" >&2; }

command -v podman >/dev/null || { say "podman is not installed; nothing to do"; exit 0; }

# 1. Leftovers of any sandbox run (normally there are none: each run removes its own).
ids=$(timeout 30 podman ps -aq --filter label=mcp-sandbox.run 2>/dev/null)
[ -n "$ids" ] && { say "removing leftover containers: $ids"; timeout 60 podman rm -f -v $ids >/dev/null; }
nets=$(timeout 30 podman network ls -q --filter label=mcp-sandbox.run 2>/dev/null)
[ -n "$nets" ] && { say "removing leftover networks: $nets"; timeout 60 podman network rm -f $nets >/dev/null; }
vols=$(timeout 30 podman volume ls -q --filter label=mcp-sandbox.run 2>/dev/null)
[ -n "$vols" ] && { say "removing leftover volumes: $vols"; timeout 60 podman volume rm -f $vols >/dev/null; }

# 2. The API service we started (TERM, then KILL after 10 s).
if [ -f "$PIDFILE" ]; then
    pid=$(cat "$PIDFILE")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null \
        && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "system service"; then
        kill -TERM "$pid"
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
        say "stopped podman system service (pid $pid)"
    fi
    rm -f "$PIDFILE"
fi
rm -f "$SOCK"

# 3. conmon helpers whose container no longer exists, each by its own PID.
live=$(timeout 30 podman ps -aq --no-trunc 2>/dev/null)
for dir in /proc/[0-9]*; do
    [ "$(cat "$dir/comm" 2>/dev/null)" = conmon ] || continue
    cid=$(tr '\0' '\n' <"$dir/cmdline" 2>/dev/null | awk 'prev == "-c" || prev == "--cid" {print; exit} {prev = $0}')
    [ -n "$cid" ] || continue
    if ! grep -qx "$cid" <<<"$live"; then
        pid=${dir#/proc/}
        kill -TERM "$pid" 2>/dev/null && say "reaped conmon pid $pid (container ${cid:0:12} is gone)"
    fi
done
exit 0
