#!/usr/bin/env bash
# Make a Docker-API engine answer on this machine without Docker: rootful Podman
# from Debian's packages, configured for this kernel (see DESIGN.md, "Containers
# on these machines"), plus a registry-free base image made with debootstrap.
#
#   scripts/podman-setup.sh [ENV_FILE]     # default ENV_FILE: /run/mcp-podman.env
#
# On success it prints and writes `export K=V` lines (DOCKER_HOST and the
# Testcontainers settings) to ENV_FILE and exits 0. On failure it writes
# MCP_CONTAINERS_SKIP=<reason> to ENV_FILE and exits 2, so the caller can skip
# the container tests with that reason instead of failing or hanging.
# Idempotent: installed packages, the base image and a running service are reused.
set -uo pipefail

ENV_FILE=${1:-/run/mcp-podman.env}
SOCK=${MCP_PODMAN_SOCK:-/run/mcp-podman.sock}
PIDFILE=${MCP_PODMAN_PIDFILE:-/run/mcp-podman.pid}
LOG=${MCP_PODMAN_LOG:-/run/mcp-podman.log}
BASE_IMAGE=${MCP_BASE_IMAGE:-localhost/mcp-sandbox/bookworm-base}
SUITE=bookworm

say() { echo "podman-setup: $*" >&2; }
fail() {
    say "SKIP: $*"
    printf 'export MCP_CONTAINERS_SKIP=%q\n' "$*" >"$ENV_FILE"
    exit 2
}

# A Docker engine that already answers needs none of this.
for sock in /var/run/docker.sock /run/docker.sock; do
    if curl -fsS --max-time 2 --unix-socket "$sock" http://d/_ping 2>/dev/null | grep -q OK \
        && ! curl -fsSI --max-time 2 --unix-socket "$sock" http://d/_ping 2>/dev/null | grep -qi libpod; then
        say "a Docker engine answers on $sock; using it"
        echo "export DOCKER_HOST=unix://$sock" | tee "$ENV_FILE"
        exit 0
    fi
done

[ "$(id -u)" = 0 ] || fail "needs root (rootful Podman); running as uid $(id -u)"
rm -f "$ENV_FILE"

# --- 1. packages (only what is missing) -------------------------------------
need=()
for pair in podman:podman runc:runc debootstrap:debootstrap conmon:conmon \
            iptables:iptables; do
    command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
done
[ -x /usr/lib/podman/netavark ] || [ -x /usr/libexec/podman/netavark ] || need+=(netavark aardvark-dns)
if [ ${#need[@]} -gt 0 ]; then
    say "installing ${need[*]} from the Debian mirror"
    export DEBIAN_FRONTEND=noninteractive
    timeout 300 apt-get update -qq || fail "apt-get update failed"
    timeout 600 apt-get install -y -qq --no-install-recommends "${need[@]}" catatonit >/dev/null \
        || fail "apt-get install ${need[*]} failed"
fi

# --- 2. containers.conf for this kernel ---------------------------------------
# crun rejects the hybrid cgroup layout here, so runc + cgroupfs; no journald, so
# the file events logger; hard ulimits may not be raised, so set them explicitly.
mkdir -p /etc/containers
cat >/etc/containers/containers.conf <<'CONF'
# written by mcp-harness scripts/podman-setup.sh
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
log_driver = "k8s-file"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"

[network]
network_backend = "netavark"
CONF

# --- 3. the registry-free base image -----------------------------------------
mirror() {
    # The Debian mirror apt already uses (deb822 `URIs:` or one-line `deb URI suite`).
    local files=(/etc/apt/sources.list /etc/apt/sources.list.d/*)
    local uri
    uri=$(awk '/^URIs:/ {for (i = 2; i <= NF; i++) print $i} /^deb / {print ($2 ~ /^\[/ ? $3 : $2)}' \
          "${files[@]}" 2>/dev/null | grep -E '/debian/?$' | head -1)
    echo "${uri:-http://deb.debian.org/debian}"
}
if ! timeout 60 podman image exists "$BASE_IMAGE"; then
    url=$(mirror)
    rootfs=$(mktemp -d /var/tmp/mcp-bookworm.XXXXXX)
    say "building $BASE_IMAGE with debootstrap --variant=minbase $SUITE from $url"
    if ! timeout 900 debootstrap --variant=minbase "$SUITE" "$rootfs" "$url" >"$rootfs.log" 2>&1; then
        tail -5 "$rootfs.log" >&2
        rm -rf "$rootfs" "$rootfs.log"
        fail "debootstrap failed (see above)"
    fi
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    if ! tar -C "$rootfs" -c . | timeout 300 podman import --change 'CMD ["/bin/bash"]' - "$BASE_IMAGE" >/dev/null; then
        rm -rf "$rootfs" "$rootfs.log"
        fail "podman import of the base image failed"
    fi
    rm -rf "$rootfs" "$rootfs.log"
else
    say "base image $BASE_IMAGE is cached"
fi

# --- 4. the Docker-API service ------------------------------------------------
ping_ok() { curl -fsS --max-time 2 --unix-socket "$SOCK" http://d/_ping 2>/dev/null | grep -q OK; }
if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null && ping_ok; then
    say "podman service already running (pid $(cat "$PIDFILE"))"
else
    rm -f "$SOCK"
    setsid podman system service --time=0 "unix://$SOCK" >"$LOG" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
    for _ in $(seq 100); do ping_ok && break; sleep 0.1; done
    ping_ok || { tail -5 "$LOG" >&2; fail "podman system service did not answer on $SOCK within 10 s"; }
    say "podman service up on $SOCK (pid $(cat "$PIDFILE"))"
fi

# Prove the runtime works here before promising anything (a 5 s smoke container).
if ! out=$(timeout 60 podman run --rm --network none "$BASE_IMAGE" true 2>&1); then
    echo "$out" | tail -5 >&2
    fail "podman cannot run a container on this machine"
fi

cat >"$ENV_FILE" <<ENV
export DOCKER_HOST=unix://$SOCK
export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_CONNECTION_MODE=docker_host
export TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1
export MCP_SANDBOX_BASE_IMAGE=$BASE_IMAGE
ENV
cat "$ENV_FILE"
