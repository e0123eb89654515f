"""What every benchmark records beside its timings: the machine, the server and its settings."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from devkit.mariadb import ConnectionSettings, MariaDB

RESULTS = Path(__file__).resolve().parent / "results"
# The InnoDB buffer pool a benchmark needs so that the 1M-deal company's indexes fit in memory; MariaDB's
# default is 128 MiB. Raised at run time (SET GLOBAL, dynamic) and recorded in the result.
BUFFER_POOL_BYTES = 4 * 1024**3


def machine() -> dict[str, Any]:
	cpu = ""
	try:
		for line in Path("/proc/cpuinfo").read_text().splitlines():
			if line.startswith("model name"):
				cpu = line.split(":", 1)[1].strip()
				break
	except OSError:
		pass
	memory_kib = 0
	try:
		memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
	except (OSError, ValueError, IndexError):
		pass
	return {
		"cpu": cpu,
		"cores": os.cpu_count(),
		"memory_gib": round(memory_kib / 1024**2, 1),
		"python": platform.python_version(),
		"platform": platform.platform(),
		"git_commit": _git_commit(),
	}


def _git_commit() -> str:
	try:
		return subprocess.run(
			["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
		).stdout.strip()
	except (OSError, subprocess.CalledProcessError):
		return ""


def prepare_server(settings: ConnectionSettings) -> dict[str, Any]:
	"""Make sure the buffer pool is big enough; return the server's version and settings as used."""
	with MariaDB(settings.with_database(None), autocommit=True) as server:
		before = int(server.sql("SELECT @@innodb_buffer_pool_size")[0][0])
		if before < BUFFER_POOL_BYTES:
			server.sql("SET GLOBAL innodb_buffer_pool_size = %s", (BUFFER_POOL_BYTES,))
		variables = dict(
			server.sql(
				"""SHOW VARIABLES WHERE Variable_name IN ('version', 'innodb_buffer_pool_size',
				'innodb_flush_log_at_trx_commit', 'innodb_log_file_size', 'tmp_table_size', 'max_heap_table_size')"""
			)
		)
	variables["innodb_buffer_pool_size_before_benchmark"] = before
	return variables


def timed(call: Callable[[], Any], runs: int = 5) -> dict[str, Any]:
	"""Median, minimum and every run of `runs` calls, after one warm-up call (caches and buffer pool)."""
	call()
	seconds = []
	for _ in range(runs):
		started = time.perf_counter()
		call()
		seconds.append(time.perf_counter() - started)
	return {
		"median_s": round(statistics.median(seconds), 4),
		"min_s": round(min(seconds), 4),
		"runs_s": [round(s, 4) for s in seconds],
	}


def peak_rss_mib() -> float:
	"""This process's peak resident memory (VmHWM). Unlike getrusage's ru_maxrss, which Linux carries over
	from the parent across fork and exec, it starts afresh with the process."""
	for line in Path("/proc/self/status").read_text().splitlines():
		if line.startswith("VmHWM:"):
			return round(int(line.split()[1]) / 1024, 1)
	return 0.0


def write_result(name: str, payload: dict[str, Any]) -> Path:
	RESULTS.mkdir(parents=True, exist_ok=True)
	path = RESULTS / f"{name}.json"
	payload = {
		"benchmark": name,
		"recorded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
		**payload,
	}
	path.write_text(json.dumps(payload, indent=1, default=str) + "\n")
	return path
