"""The steps of the main job on a live site, each timed; bench work goes through scripts/bench.sh."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from devkit.demo import model as m
from devkit.demo.generator import DemoCompany, DemoSpec, describe
from devkit.demo.site import users as demo_users
from devkit.demo.site.frames import SiteContext, SiteFrames
from devkit.demo.site.load import load_site, site_config, site_settings

ROOT = Path(__file__).resolve().parents[3]
BENCH_SH = ROOT / "scripts" / "bench.sh"
MARKER = "sf_demo"  # the site_config.json key that says which data the site holds
TIME_ZONE = "Europe/Warsaw"  # the site's (bench_prepare.TIME_ZONE): the data ends at its wall clock
T = TypeVar("T")


@dataclass
class Options:
	deals: int = 20_000
	seed: int = DemoSpec.seed
	fresh: bool = False
	serve: bool = True
	out: str = "demo_output"


class BenchError(RuntimeError):
	pass


class DemoRun:
	def __init__(self, options: Options):
		self.options = options
		self.site = os.environ.get("SF_DEMO_SITE") or demo_users.DEFAULT_SITE
		self.port = int(os.environ.get("SF_BENCH_PORT") or 8000)
		self.url = f"http://127.0.0.1:{self.port}"
		self.out = Path(options.out)
		self.timings: list[tuple[str, float]] = []
		self.bench_dir = Path()
		self.spec = DemoSpec(deals=options.deals, seed=options.seed)
		self._work = Path(tempfile.mkdtemp(prefix="sf_demo_"))
		self._work.chmod(0o777)  # the bench user writes its answers here

	# ------------------------------------------------------------------------------------------ running
	def run(self) -> int:
		started = time.perf_counter()
		try:
			self.step("bench", self.bench)
			reused = self.step("site", self.ensure_site)
			context = self.step("master data and users", self.prepare)
			if not reused:
				self.step("load", lambda: self.load(context))
				self.step("install on data", self.install)
			self.step("check forms and lists", self.check)
			self.step("reports", self.reports)
			self.write_logins()
		except BenchError as error:
			print(f"error: {error}", file=sys.stderr)
			return 1
		finally:
			shutil.rmtree(self._work, ignore_errors=True)
		self.print_timings(time.perf_counter() - started)
		self.print_welcome()
		if self.options.serve:
			return self.serve()
		return 0

	def step(self, name: str, action: Callable[[], T]) -> T:
		print(f"\n== {name}", flush=True)
		started = time.perf_counter()
		result = action()
		seconds = time.perf_counter() - started
		self.timings.append((name, seconds))
		print(f"   {name}: {seconds:.1f} s", flush=True)
		return result

	def bench_sh(self, *args: str, capture: bool = False) -> str:
		done = subprocess.run(
			["bash", str(BENCH_SH), *args], text=True, stdout=subprocess.PIPE if capture else None
		)
		if done.returncode != 0:
			raise BenchError(f"scripts/bench.sh {' '.join(args[:3])} failed (exit {done.returncode})")
		return done.stdout or ""

	def bench_script(self, name: str, *args: str) -> None:
		"""Run one of this package's bench-side scripts with the bench's Python, from the bench's sites folder."""
		script = self.bench_dir / "apps" / "sales_funnel" / "devkit" / "demo" / "site" / name
		self.bench_sh("python", str(script), self.site, *args)

	def work_file(self, name: str, data: Any | None = None) -> Path:
		path = self._work / name
		if data is not None:
			path.write_text(json.dumps(data, default=str))
			path.chmod(0o644)
		return path

	# -------------------------------------------------------------------------------------------- steps
	def bench(self) -> None:
		self.bench_sh("setup")
		env = dict(
			line.split("=", 1) for line in self.bench_sh("env", capture=True).splitlines() if "=" in line
		)
		self.bench_dir = Path(env["BENCH_DIR"])

	def marker(self) -> dict[str, Any] | None:
		try:
			return site_config(self.bench_dir, self.site).get(MARKER)
		except (FileNotFoundError, json.JSONDecodeError):
			return None

	def ensure_site(self) -> bool:
		"""Reuse the site when it holds the requested data (then its `now` is kept); else build it again."""
		marker = self.marker()
		wanted = {"deals": self.spec.deals, "seed": self.spec.seed}
		if marker and not self.options.fresh and {k: marker.get(k) for k in wanted} == wanted:
			self.spec = DemoSpec(
				deals=self.spec.deals, seed=self.spec.seed, now=datetime.fromisoformat(marker["now"])
			)
			print(f"   reusing {self.site}: {describe(self.spec)} (--fresh builds it again)")
			return True
		exists = (self.bench_dir / "sites" / self.site / "site_config.json").exists()
		self.bench_sh("site", self.site, *(["--fresh"] if exists else []))
		now = datetime.now(ZoneInfo(TIME_ZONE)).replace(tzinfo=None, second=0, microsecond=0)
		self.spec = DemoSpec(deals=self.spec.deals, seed=self.spec.seed, now=now)
		return False

	def prepare(self) -> SiteContext:
		company = DemoCompany(self.spec)
		adapt = SiteFrames(company, SiteContext({}, {}))
		reference = {
			"rows": adapt.api_reference(company.reference_frames()),
			"start_year": datetime.fromtimestamp(company.start - 400 * 86_400).year,
			"now_year": self.spec.now.year,
			"currencies": sorted(
				{c.currency for c in m.COMPANIES} | {c.foreign_currency for c in m.COMPANIES}
			),
			"currencies_of": {c.name: [c.currency, c.foreign_currency] for c in m.COMPANIES},
			"vat": {c.name: c.vat for c in m.COMPANIES},
		}
		context_path = self.work_file("context.json")
		self.bench_script(
			"bench_prepare.py", str(self.work_file("reference.json", reference)), str(context_path)
		)
		return SiteContext.from_json(json.loads(context_path.read_text()))

	def load(self, context: SiteContext) -> None:
		print(f"   {describe(self.spec)}")
		settings = site_settings(self.bench_dir, self.site)
		result = load_site(
			settings, DemoCompany(self.spec), context, progress=lambda line: print("   " + line)
		)
		print(f"   {sum(result.rows.values()):,} rows into {len(result.rows)} tables of {settings.database}")

	def install(self) -> None:
		marker = {"deals": self.spec.deals, "seed": self.spec.seed, "now": self.spec.now.isoformat()}
		self.bench_script("bench_install.py", json.dumps(marker))

	def check(self) -> None:
		self.bench_script("bench_check.py")

	def reports(self) -> None:
		from devkit.demo.site.summary import print_site_summary

		path = self.work_file("reports.json")
		self.bench_script("bench_reports.py", str(path))
		print_site_summary(json.loads(path.read_text()), self.out)

	def write_logins(self) -> None:
		self.out.mkdir(parents=True, exist_ok=True)
		path = self.out / "logins.json"
		path.write_text(json.dumps(demo_users.logins(self.url, self.site), indent=1) + "\n")
		print(f"\nLogins written to {path}")

	# ------------------------------------------------------------------------------------------- output
	def print_timings(self, total: float) -> None:
		print("\nElapsed per step")
		for name, seconds in self.timings:
			print(f"  {name:<24} {seconds:7.1f} s")
		print(f"  {'total':<24} {total:7.1f} s")

	def print_welcome(self) -> None:
		print(f"\nThe demo site {self.site}: {self.url}  ({describe(self.spec)})")
		print(f"Password for every user: {demo_users.PASSWORD}")
		for user in demo_users.DEMO_USERS:
			print(f"  {user.user:<42} {user.role:<14} {user.language}  {user.full_name}")
		print(f"  {'Administrator':<42} {'System Manager':<14} en  (password: admin)")
		print(
			f"Serve it later (--no-serve): bash scripts/bench.sh bench --site {self.site} serve --port {self.port}"
		)
		print("What to open:")
		for line in WHAT_TO_OPEN:
			print(f"  {line}")

	def serve(self) -> int:
		"""The bench's web server in the foreground, with its realtime server (socket.io: the Desk's progress
		bars and list refreshes) and one background worker (jobs started from the Desk) beside it; Ctrl+C stops
		all three. The scheduler stays off: nothing reassigns the demo deals behind the visitor's back."""
		print(f"\nServing {self.site} on {self.url} (Ctrl+C stops)", flush=True)
		helpers = [self.background("socketio"), self.background("worker")]
		try:
			self.bench_sh("bench", "--site", self.site, "serve", "--port", str(self.port), "--noreload")
		except KeyboardInterrupt:
			return 0
		except BenchError as error:
			print(f"error: {error}", file=sys.stderr)
			return 1
		finally:
			for helper in helpers:
				_stop(helper)
		return 0

	def background(self, command: str) -> subprocess.Popen:
		log = self.bench_dir / "logs" / f"sales_funnel-demo-{command}.log"
		with open(log, "w") as out:
			return subprocess.Popen(
				["bash", str(BENCH_SH), "bench", command],
				stdout=out,
				stderr=subprocess.STDOUT,
				start_new_session=True,
			)


def _stop(process: subprocess.Popen) -> None:
	"""End a helper started by `DemoRun.background` and everything it started (its own process group)."""
	if process.poll() is None:
		os.killpg(process.pid, signal.SIGTERM)
		try:
			process.wait(timeout=10)
		except subprocess.TimeoutExpired:
			os.killpg(process.pid, signal.SIGKILL)


WHAT_TO_OPEN = (
	"/app/funnels                          the Funnels workspace (reports, funnels, calls)",
	"/app/query-report/Stage Conversion    funnel B2B New Customers: entered, moved on, lost per stage",
	"/app/query-report/Call Outcomes       who turns calls into negotiations (per manager)",
	"/app/query-report/Plan vs Fact        this quarter against the plan",
	"/app/query-report/Daily Payments      the managers' morning: due tomorrow, received today, overdue",
	"/app/query-report/Stale Deals         deals past their stage's time limit",
	"/app/opportunity                      the deals (a manager sees the stage history on each)",
	"/app/sales-invoice                    the accountant's invoices; Invoices Without Deal for the rest",
)
