"""The demo site's people who log in: a contract the browser tests rely on (keep these names and passwords).

Pure data, read on both sides: by the loader, which gives the generator's head of sales, accountant and two of its
managers these users (so the two managers own their share of the deals, calls and invoices), and by the bench-side
scripts, which create the users with their roles, languages and passwords.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

PASSWORD = "SalesFunnel-Demo-2026"
DOMAIN = "demo.sales-funnel.test"
DEFAULT_SITE = "sf-demo.local"


@dataclass(frozen=True)
class DemoUser:
	user: str
	role: str
	language: str
	first_name: str
	last_name: str
	replaces: str  # the generator's user this one stands for (`generator.DemoCompany` names)
	# the generator's manager (Employee, Sales Person) it becomes: this rank by first-stage skill (0: the best) in
	# the main funnel's department, so both own a good share of the deals, calls and invoices
	skill_rank: int | None = None
	sales_person: str | None = None  # that manager's Sales Person, renamed to the user's name

	@property
	def full_name(self) -> str:
		return f"{self.first_name} {self.last_name}"

	def login(self) -> dict[str, str]:
		return {
			"user": self.user,
			"password": PASSWORD,
			"role": self.role,
			"language": self.language,
			"full_name": self.full_name,
		}


HEAD_OF_SALES = DemoUser(
	f"head.of.sales@{DOMAIN}", "Sales Manager", "en", "Helen", "Head", "head.of.sales@demo.example"
)
ANNA = DemoUser(
	f"anna.manager@{DOMAIN}",
	"Sales User",
	"ru",
	"Anna",
	"Petrova",
	"",
	skill_rank=0,
	sales_person="Anna Petrova",
)
PIOTR = DemoUser(
	f"piotr.manager@{DOMAIN}",
	"Sales User",
	"pl",
	"Piotr",
	"Lewandowski",
	"",
	skill_rank=2,
	sales_person="Piotr Lewandowski",
)
ACCOUNTANT = DemoUser(
	f"accountant@{DOMAIN}", "Accounts User", "en", "Alice", "Accountant", "accountant@demo.example"
)
DEMO_USERS = (HEAD_OF_SALES, ANNA, PIOTR, ACCOUNTANT)
MANAGERS = (ANNA, PIOTR)

# roles beside the main one (the head of sales also works deals, as the generator's head does)
EXTRA_ROLES = {HEAD_OF_SALES.user: ("Sales User",)}


def logins(url: str, site: str) -> dict[str, object]:
	"""What `demo_output/logins.json` holds."""
	return {"url": url, "site": site, "users": [user.login() for user in DEMO_USERS]}


def as_dicts() -> list[dict[str, object]]:
	return [asdict(user) | {"full_name": user.full_name} for user in DEMO_USERS]
