#!/usr/bin/env bash
# Runs a local Prometheus (Debian package `prometheus`) that scrapes the Ferry on localhost:14001 with the job name
# the dashboards expect, e.g. next to `bin/ferry quickstart`. Data goes to a temporary directory; Ctrl-C stops it.
set -euo pipefail
command -v prometheus >/dev/null || { echo "install Prometheus first: sudo apt-get install prometheus" >&2; exit 2; }
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data="$(mktemp -d -t ferry-prometheus-XXXXXX)"
trap 'rm -rf "$data"' EXIT
echo "Prometheus on http://localhost:9090 scraping Ferry at localhost:14001 (data in $data)"
prometheus --config.file="$here/prometheus/prometheus.yml" --storage.tsdb.path="$data" \
  --web.listen-address=localhost:9090
