#!/usr/bin/env python3
"""Generates Ferry's Grafana dashboards (grafana/dashboards/*.json) from the panel lists below.

The JSON files are committed; run this after changing a panel: `python3 grafana/generate_dashboards.py`.
The proxy dashboard mirrors every panel and PromQL expression of the ZDM Proxy dashboard (same metric names and
labels, same template variables), so existing operators find what they know; the JVM dashboard replaces the ZDM
Go runtime one. server/src/test/.../MonitoringIT evaluates every expression against a real Prometheus.
"""
import json
import os

QUANTILES = [("0.5", "p50"), ("0.75", "p75"), ("0.9", "p90"), ("0.95", "p95"), ("0.99", "p99"), ("0.999", "p999")]
I = 'instance=~"^($proxyinstance)$"'
N = 'node=~"^($node)$"'
H = "[$histogram_rate]"
E = "[$error_rate]"


class Dashboard:
    def __init__(self, title, uid, variables):
        self.title, self.uid, self.variables = title, uid, variables
        self.panels, self.y, self.x, self.next_id = [], 0, 0, 1

    def row(self, title):
        self._newline()
        self.panels.append({"type": "row", "title": title, "id": self._id(), "collapsed": False,
                            "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y}, "panels": []})
        self.y += 1

    def graph(self, title, targets, unit="short", width=8, stack=False):
        if self.x + width > 24:
            self._newline()
        self.panels.append({
            "type": "graph", "title": title, "id": self._id(), "datasource": "Prometheus",
            "gridPos": {"h": 8, "w": width, "x": self.x, "y": self.y},
            "targets": [{"expr": expr, "legendFormat": legend, "refId": chr(ord("A") + i), "interval": ""}
                        for i, (expr, legend) in enumerate(targets)],
            "yaxes": [{"format": unit, "show": True, "min": 0}, {"format": "short", "show": False}],
            "xaxis": {"mode": "time", "show": True}, "lines": True, "linewidth": 1, "fill": 1,
            "stack": stack, "legend": {"show": True}, "tooltip": {"shared": True, "sort": 2},
        })
        self.x += width

    def _newline(self):
        if self.x:
            self.y += 8
            self.x = 0

    def _id(self):
        self.next_id += 1
        return self.next_id - 1

    def json(self):
        return {
            "title": self.title, "uid": self.uid, "schemaVersion": 27, "version": 1, "editable": True,
            "refresh": "30s", "time": {"from": "now-30m", "to": "now"}, "timezone": "",
            "tags": ["ferry", "zdm"], "panels": self.panels,
            "templating": {"list": self.variables}, "annotations": {"list": []},
        }


def query_variable(name, query, regex="", multi=True):
    return {"name": name, "label": name, "type": "query", "datasource": "Prometheus", "query": query,
            "regex": regex, "refresh": 2, "multi": multi, "includeAll": True, "allValue": ".*",
            "current": {"selected": True, "text": ["All"], "value": ["$__all"]}, "sort": 1}


def custom_variable(name, values):
    return {"name": name, "label": name, "type": "custom", "query": ",".join(values), "multi": False,
            "includeAll": False, "current": {"text": values[0], "value": values[0]},
            "options": [{"text": v, "value": v, "selected": i == 0} for i, v in enumerate(values)]}


def quantiles(expr_for_q, legend_prefix=""):
    return [(expr_for_q(q), legend_prefix + legend) for q, legend in QUANTILES]


def proxy_dashboard():
    d = Dashboard("Ferry Proxy", "ferry-proxy", [
        query_variable("proxyinstance", '{job=~"zdm_proxy"}', '.*instance="([^"]*)".*'),
        query_variable("node", '{job=~"zdm_proxy"}', '.*node="([^"]*)".*'),
        custom_variable("histogram_rate", ["1m", "2m", "3m", "4m", "5m"]),
        custom_variable("error_rate", ["1m", "2m", "3m", "4m", "5m"]),
    ])
    dur = "zdm_proxy_request_duration_seconds"
    reads = 'type=~"reads_origin|reads_target"'

    d.row("Proxy level metrics")
    d.graph("Read Throughput by Instance", [(f"irate({dur}_count{{{reads},{I}}}{H})", "{{instance}} {{type}}")], "reqps")
    d.graph("Write Throughput by Instance", [(f'irate({dur}_count{{type="writes",{I}}}{H})', "{{instance}}")], "reqps")
    d.graph("Read Throughput Aggregate", [(f"sum(irate({dur}_count{{{reads},{I}}}{H})) by (type)", "{{type}}")], "reqps")
    d.graph("Write Throughput Aggregate", [(f'sum(irate({dur}_count{{type="writes",{I}}}{H}))', "writes")], "reqps")
    d.graph("Read Latency by Instance",
            quantiles(lambda q: f'histogram_quantile({q}, rate({dur}_bucket{{type="reads_origin",{I}}}{H}))', "origin ")
            + quantiles(lambda q: f'histogram_quantile({q}, rate({dur}_bucket{{type="reads_target",{I}}}{H}))', "target "), "s")
    d.graph("Write Latency by Instance",
            quantiles(lambda q: f'histogram_quantile({q}, rate({dur}_bucket{{type="writes",{I}}}{H}))'), "s")
    d.graph("Read Latency Aggregate",
            quantiles(lambda q: f'histogram_quantile({q}, sum(rate({dur}_bucket{{type="reads_origin",{I}}}{H})) by (le))', "origin ")
            + quantiles(lambda q: f'histogram_quantile({q}, sum(rate({dur}_bucket{{type="reads_target",{I}}}{H})) by (le))', "target "), "s")
    d.graph("Write Latency Aggregate",
            quantiles(lambda q: f'histogram_quantile({q}, sum(rate({dur}_bucket{{type="writes",{I}}}{H})) by (le))'), "s")
    inflight = "zdm_proxy_inflight_requests_total"
    d.graph("In Flight Read Requests", [(f'sum by (instance)({inflight}{{type=~"reads_target|reads_origin",{I}}})', "{{instance}}")])
    d.graph("In Flight Write Requests", [(f'{inflight}{{type="writes",{I}}}', "{{instance}}")])
    d.graph("In Flight Requests by Type", [(f'sum({inflight}{{type="writes",{I}}})', "writes"),
                                            (f'sum({inflight}{{type=~"reads_origin|reads_target",{I}}})', "reads")])
    d.graph("In Flight Requests by Instance", [(f"sum({inflight}{{{I}}}) by (instance)", "{{instance}}")])
    d.graph("Client Connections", [(f"zdm_client_connections_total{{{I}}}", "{{instance}}")])
    d.graph("PS Cache misses", [(f"zdm_pscache_miss_total{{{I}}}", "{{instance}}")])
    d.graph("PS Cache entries", [(f"zdm_pscache_entries_total{{{I}}}", "{{instance}}")])
    d.graph("Connection Failure Rate", [(f"rate(zdm_proxy_failed_connections_total{{{I}}}{E})", "{{instance}} {{cluster}}")])
    d.graph("Read Failure Rate", [(f"rate(zdm_proxy_failed_reads_total{{{I}}}{E})", "{{instance}} {{cluster}}")])
    d.graph("Write Failure Rate", [(f"rate(zdm_proxy_failed_writes_total{{{I}}}{E})", "{{instance}} {{failed_on}}")])
    d.graph("Read Failure Rate By Instance", [(f"sum(rate(zdm_proxy_failed_reads_total{{{I}}}{E})) by (instance)", "{{instance}}")])
    d.graph("Write Failure Rate by Cluster", [(f"sum(rate(zdm_proxy_failed_writes_total{{{I}}}{E})) by (failed_on)", "{{failed_on}}")])
    d.graph("Write Failure Rate by Instance", [(f"sum(rate(zdm_proxy_failed_writes_total{{{I}}}{E})) by (instance)", "{{instance}}")])
    d.graph("Connection Failure Counters", [(f"zdm_proxy_failed_connections_total{{{I}}}", "{{instance}} {{cluster}}")])
    d.graph("Read Failure Counters", [(f"zdm_proxy_failed_reads_total{{{I}}}", "{{instance}} {{cluster}}")])
    d.graph("Write Failure Counters", [(f"zdm_proxy_failed_writes_total{{{I}}}", "{{instance}} {{failed_on}}")])
    d.graph("Read Failure Counters By Instance", [(f"sum(zdm_proxy_failed_reads_total{{{I}}}) by (instance)", "{{instance}}")])
    d.graph("Write Failure Counters by Cluster", [(f"sum(zdm_proxy_failed_writes_total{{{I}}}) by (failed_on)", "{{failed_on}}")])
    d.graph("Write Failure Counters by Instance", [(f"sum(zdm_proxy_failed_writes_total{{{I}}}) by (instance)", "{{instance}}")])

    d.row("Node level metrics")
    for cluster, title in (("origin", "Origin"), ("target", "Target")):
        m = f"zdm_{cluster}"
        f = f"{I},{N}"
        d.graph(f"{title} Throughput", [(f"irate({m}_request_duration_seconds_count{{{f}}}{H})", "{{instance}} {{node}} {{type}}")], "reqps")
        d.graph(f"{title} Latency",
                quantiles(lambda q: f"histogram_quantile({q}, rate({m}_request_duration_seconds_bucket{{{f}}}{H}))"), "s")
        d.graph(f"{title} Latency Aggregate",
                quantiles(lambda q: f"histogram_quantile({q}, sum(rate({m}_request_duration_seconds_bucket{{{f}}}{H})) by (le))"), "s")
        d.graph(f"{title} Connections", [(f"{m}_connections_total{{{f}}}", "{{instance}} {{node}}")])
        d.graph(f"{title} Connections Sums", [(f"sum({m}_connections_total{{{f}}}) by (node)", "{{node}}"),
                                              (f"sum({m}_connections_total{{{f}}}) by (instance)", "{{instance}}")])
        d.graph(f"{title} Used Stream Ids", [(f"{m}_used_stream_ids_total{{{f}}}", "{{instance}} {{node}}")])
        failed = f"{m}_requests_failed_total"
        d.graph(f"{title} Error Rates", [(f"rate({failed}{{{f}}}{E})", "{{instance}} {{node}} {{error}}")])
        d.graph(f"{title} Error Rate Sums", [(f"sum by ({by})(rate({failed}{{{f}}}{E}))", "{{" + by + "}}")
                                             for by in ("error", "instance", "node")])
        d.graph(f"{title} Error Rates by Node and Error", [(f"sum by (node, error)(rate({failed}{{{f}}}{E}))", "{{node}} {{error}}")])
        d.graph(f"{title} Error Rates by Instance and Error", [(f"sum by (instance, error)(rate({failed}{{{f}}}{E}))", "{{instance}} {{error}}")])
        d.graph(f"{title} Error Rates by Instance and Node", [(f"sum by (instance, node)(rate({failed}{{{f}}}{E}))", "{{instance}} {{node}}")])
        d.graph(f"{title} Error Counters", [(f"{failed}{{{f}}}", "{{instance}} {{node}} {{error}}")])
        d.graph(f"{title} Error Counter Sums", [(f"sum by ({by})({failed}{{{f}}})", "{{" + by + "}}")
                                                for by in ("error", "instance", "node")])
        d.graph(f"{title} Error Counters by Node and Error", [(f"sum by (node, error)({failed}{{{f}}})", "{{node}} {{error}}")])
        d.graph(f"{title} Error Counters by Instance and Error", [(f"sum by (instance, error)({failed}{{{f}}})", "{{instance}} {{error}}")])
        d.graph(f"{title} Error Counters by Instance and Node", [(f"sum by (instance, node)({failed}{{{f}}})", "{{instance}} {{node}}")])

    d.row("Async Read Request Metrics")
    m = "zdm_async"
    f = f"{I},{N}"
    d.graph("In Flight Async Read Requests", [(f"{m}_inflight_requests_total{{{f}}}", "{{instance}} {{node}}")])
    d.graph("Async Read Throughput", [(f"irate({m}_request_duration_seconds_count{{{f}}}{H})", "{{instance}} {{node}}")], "reqps")
    d.graph("Async Read Latency", quantiles(lambda q: f"histogram_quantile({q}, rate({m}_request_duration_seconds_bucket{{{f}}}{H}))"), "s")
    d.graph("Async Read Latency Aggregate",
            quantiles(lambda q: f"histogram_quantile({q}, sum(rate({m}_request_duration_seconds_bucket{{{f}}}{H})) by (le))"), "s")
    d.graph("Async Connections", [(f"{m}_connections_total{{{f}}}", "{{instance}} {{node}}")])
    d.graph("Async Connections Sums", [(f"sum({m}_connections_total{{{f}}}) by (node)", "{{node}}"),
                                       (f"sum({m}_connections_total{{{f}}}) by (instance)", "{{instance}}")])
    failed = f"{m}_requests_failed_total"
    d.graph("Async Error Rates", [(f"rate({failed}{{{f}}}{E})", "{{instance}} {{node}} {{error}}")])
    d.graph("Async Error Rate Sums", [(f"sum by ({by})(rate({failed}{{{f}}}{E}))", "{{" + by + "}}") for by in ("error", "instance", "node")])
    d.graph("Async Error Counters", [(f"{failed}{{{f}}}", "{{instance}} {{node}} {{error}}")])
    d.graph("Async Error Counter Sums", [(f"sum by ({by})({failed}{{{f}}})", "{{" + by + "}}") for by in ("error", "instance", "node")])
    d.graph("Async Error Rates by Instance and Node", [(f"sum by (instance, node)(rate({failed}{{{f}}}{E}))", "{{instance}} {{node}}")])
    d.graph("Async Error Rates by Instance and Error", [(f"sum by (instance, error)(rate({failed}{{{f}}}{E}))", "{{instance}} {{error}}")])
    d.graph("Async Error Rates by Node and Error", [(f"sum by (node, error)(rate({failed}{{{f}}}{E}))", "{{node}} {{error}}")])
    d.graph("Async Error Counters by Instance and Node", [(f"sum by (instance, node)({failed}{{{f}}})", "{{instance}} {{node}}")])
    d.graph("Async Error Counters by Instance and Error", [(f"sum by (instance, error)({failed}{{{f}}})", "{{instance}} {{error}}")])
    d.graph("Async Error Counters by Node and Error", [(f"sum by (node, error)({failed}{{{f}}})", "{{node}} {{error}}")])
    d.graph("Async Used Stream Ids", [(f"{m}_used_stream_ids_total{{{f}}}", "{{instance}} {{node}}")])

    d.row("Ferry: dual-read comparison")
    d.graph("Divergences per Table (rate)", [(f"sum by (table)(rate(zdm_dual_read_divergences_total{{{I}}}{E}))", "{{table}}")], width=12)
    d.graph("Divergences per Table (total)", [(f"sum by (table)(zdm_dual_read_divergences_total{{{I}}})", "{{table}}")], width=12)
    d.graph("Mirrored Reads Compared", [(f"sum by (outcome)(rate(zdm_dual_reads_compared_total{{{I}}}{E}))", "{{outcome}}")], width=12)
    d.graph("Mirrored Reads Dropped", [(f"sum by (reason)(rate(zdm_dual_reads_dropped_total{{{I}}}{E}))", "{{reason}}")], width=12)

    d.row("Ferry: stream ids and connection health")
    for cluster, title in (("origin", "Origin"), ("target", "Target")):
        d.graph(f"{title} Orphaned Stream Ids (timed-out requests awaiting a late answer)",
                [(f"zdm_{cluster}_orphaned_stream_ids{{{I},{N}}}", "{{instance}} {{node}}")], width=12)
    for cluster, title in (("origin", "Origin"), ("target", "Target")):
        d.graph(f"{title} Failed Connection Attempts by Node",
                [(f"rate(zdm_{cluster}_failed_connections_total{{{I},{N}}}{E})", "{{instance}} {{node}}")], width=12)
    return d


def jvm_dashboard():
    d = Dashboard("Ferry JVM", "ferry-jvm", [
        query_variable("proxyinstance", '{job=~"zdm_proxy"}', '.*instance="([^"]*)".*'),
        custom_variable("interval", ["1m", "5m", "10m", "30m", "1h"]),
    ])
    f = f"{{{I}}}"
    d.row("Process")
    d.graph("Process Memory", [(f"process_resident_memory_bytes{f}", "{{instance}} resident"),
                               (f"process_virtual_memory_bytes{f}", "{{instance}} virtual")], "bytes")
    d.graph("Process Memory Derivative", [(f"deriv(process_resident_memory_bytes{f}[$interval])", "{{instance}} resident"),
                                          (f"deriv(process_virtual_memory_bytes{f}[$interval])", "{{instance}} virtual")], "Bps")
    d.graph("CPU", [(f"process_cpu_usage{f}", "{{instance}} process"), (f"system_cpu_usage{f}", "{{instance}} system")], "percentunit")
    d.graph("CPU Seconds Rate", [(f"rate(process_cpu_seconds_total{f}[$interval])", "{{instance}}")], "s")
    d.graph("Open File Descriptors", [(f"process_open_fds{f}", "{{instance}} open"), (f"process_max_fds{f}", "{{instance}} max")])
    d.graph("Open File Descriptors Derivative", [(f"deriv(process_open_fds{f}[$interval])", "{{instance}}")])
    d.row("JVM memory")
    d.graph("Heap Used", [(f'sum by (instance)(jvm_memory_used_bytes{{area="heap",{I}}})', "{{instance}} used"),
                          (f'sum by (instance)(jvm_memory_committed_bytes{{area="heap",{I}}})', "{{instance}} committed")], "bytes")
    d.graph("Non-heap Used", [(f'sum by (instance)(jvm_memory_used_bytes{{area="nonheap",{I}}})', "{{instance}}")], "bytes")
    d.graph("Memory Pools", [(f"jvm_memory_used_bytes{f}", "{{instance}} {{id}}")], "bytes")
    d.graph("Netty Pooled Memory", [(f"sum by (instance, memory_type)(netty_allocator_memory_used{f})", "{{instance}} {{memory_type}}")], "bytes")
    d.graph("Direct Buffers", [(f'jvm_buffer_memory_used_bytes{{id="direct",{I}}}', "{{instance}} used"),
                               (f'jvm_buffer_total_capacity_bytes{{id="direct",{I}}}', "{{instance}} capacity")], "bytes")
    d.graph("Allocation Rate", [(f"rate(jvm_gc_memory_allocated_bytes_total{f}[$interval])", "{{instance}}")], "Bps")
    d.row("Garbage collection and threads")
    d.graph("GC Pauses per Second", [(f"sum by (instance, action, cause)(rate(jvm_gc_pause_seconds_count{f}[$interval]))", "{{instance}} {{action}} {{cause}}")])
    d.graph("GC Pause Time per Second", [(f"sum by (instance)(rate(jvm_gc_pause_seconds_sum{f}[$interval]))", "{{instance}}")], "s")
    d.graph("Longest GC Pause", [(f"max by (instance)(jvm_gc_pause_seconds_max{f})", "{{instance}}")], "s")
    d.graph("Threads", [(f"jvm_threads_live_threads{f}", "{{instance}} live"), (f"jvm_threads_daemon_threads{f}", "{{instance}} daemon"),
                        (f"jvm_threads_peak_threads{f}", "{{instance}} peak")])
    d.graph("Thread States", [(f"jvm_threads_states_threads{f}", "{{instance}} {{state}}")])
    d.graph("Loaded Classes", [(f"jvm_classes_loaded_classes{f}", "{{instance}}")])
    return d


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    for name, dashboard in (("ferry-proxy.json", proxy_dashboard()), ("ferry-jvm.json", jvm_dashboard())):
        with open(os.path.join(here, "dashboards", name), "w") as out:
            json.dump(dashboard.json(), out, indent=2)
            out.write("\n")
        targets = sum(len(p.get("targets", [])) for p in dashboard.panels)
        print(f"{name}: {len([p for p in dashboard.panels if p['type'] != 'row'])} panels, {targets} queries")
