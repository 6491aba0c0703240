#!/usr/bin/env bash
# Installs Debian's prometheus server for the telemetry integration test (tests/Berth.Kubernetes.Tests/Telemetry/
# PrometheusFixture.cs starts /usr/bin/prometheus on loopback with its own config and storage; the packaged
# service is not used). Idempotent: does nothing when /usr/bin/prometheus is already there. Needs root (CI runs as root).
set -euo pipefail
if [ -x /usr/bin/prometheus ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-prometheus.sh: /usr/bin/prometheus is missing and this is not root; run: sudo apt-get install -y prometheus" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# policy-rc.d keeps the package from starting its own service (no init inside containers, and the test runs its own).
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d.berth
chmod +x /usr/sbin/policy-rc.d.berth
if [ ! -e /usr/sbin/policy-rc.d ]; then
  cp /usr/sbin/policy-rc.d.berth /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
rm -f /usr/sbin/policy-rc.d.berth
apt-get install -y -qq --no-install-recommends prometheus >/dev/null
test -x /usr/bin/prometheus
