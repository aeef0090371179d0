#!/usr/bin/env bash
# One-time set-up on a fresh Debian machine: system packages (as root), then npm.
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # chromium: end-to-end tests; nftables, iproute2 and python3: kernel conformance tests; conntrack: the conntrack kernel test; tcpdump: reading captures back;
  # postgresql: the workshop tests on PostgreSQL (each test file starts and stops its own throwaway cluster)
  apt-get install -y -qq --no-install-recommends chromium nftables conntrack iproute2 python3 tcpdump postgresql >/dev/null
else
  echo "setup: not root or no apt-get; install chromium, nftables, conntrack, iproute2, tcpdump and postgresql yourself for the e2e, conformance, capture and PostgreSQL tests"
fi
npm ci
