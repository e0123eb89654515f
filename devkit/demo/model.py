"""The demo company's fixed shape: funnels and their stages, departments, territories, groups, items.

Everything here is small reference data; `generator.py` draws the deals, documents and calls from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

STANDARD_SALES_STAGES = (
	# ERPNext's own Sales Stage records (erpnext/setup/setup_wizard/operations/install_fixtures.py)
	"Prospecting",
	"Qualification",
	"Needs Analysis",
	"Value Proposition",
	"Identifying Decision Makers",
	"Perception Analysis",
	"Proposal/Price Quote",
	"Negotiation/Review",
)


@dataclass(frozen=True)
class StageSpec:
	stage: str
	kind: str = "Open"  # Open / Won / Lost
	probability: float = 0.0
	target_conversion: float = 0.0
	time_limit_days: int = 0
	trigger: str | None = None
	# generation only: chance to move on (None = the manager's skill) and median days spent here
	pass_rate: float | None = None
	median_days: float = 5.0


@dataclass(frozen=True)
class FunnelSpec:
	title: str
	company: int  # index into COMPANIES
	department: str
	stages: tuple[StageSpec, ...]
	is_default: bool = False
	customer_kind: str | None = None
	source: str | None = None  # the deal's channel: ERPNext v15's Opportunity.source (Lead Source)
	priority: int = 0
	description: str = ""

	@property
	def open_stages(self) -> tuple[StageSpec, ...]:
		return tuple(s for s in self.stages if s.kind == "Open")

	@property
	def won_stage(self) -> StageSpec:
		return next(s for s in self.stages if s.kind == "Won")

	@property
	def lost_stage(self) -> StageSpec:
		return next(s for s in self.stages if s.kind == "Lost")


@dataclass(frozen=True)
class CompanySpec:
	name: str
	abbr: str
	currency: str
	country: str
	vat: float
	foreign_currency: str
	foreign_rate: float


COMPANIES = (
	CompanySpec("Demo Trading", "DT", "PLN", "Poland", 0.23, "EUR", 4.30),
	CompanySpec("Demo Services", "DS", "EUR", "Germany", 0.19, "USD", 0.92),
)

LOST = StageSpec("Lost", "Lost")

FUNNELS = (
	FunnelSpec(
		"B2B New Customers",
		0,
		"Direct Sales",
		(
			StageSpec("Prospecting", "Open", 10, 60, 7, None, None, 3),
			StageSpec("Qualification", "Open", 20, 55, 10, None, 0.78, 5),
			StageSpec("Needs Analysis", "Open", 35, 60, 14, None, 0.82, 7),
			StageSpec("Proposal/Price Quote", "Open", 55, 50, 14, "Quotation Submitted", 0.70, 8),
			StageSpec("Negotiation/Review", "Open", 75, 60, 21, None, 0.78, 10),
			StageSpec("Won", "Won", 100, 0, 0, "Sales Order Submitted"),
			LOST,
		),
		is_default=True,
		customer_kind="New",
		description="Cold and warm new business: first contact to signed order.",
	),
	FunnelSpec(
		"Inbound Retail",
		0,
		"Inbound Sales",
		(
			StageSpec("Incoming Call", "Open", 10, 70, 2, None, None, 1),
			StageSpec("Measurer Visit", "Open", 30, 60, 7, None, 0.75, 4),
			StageSpec("Showroom", "Open", 50, 60, 10, "Quotation Submitted", 0.70, 5),
			StageSpec("Order", "Open", 80, 85, 14, "Sales Order Submitted", 0.85, 7),
			StageSpec("Paid", "Won", 100, 0, 0, "Sales Invoice Paid"),
			LOST,
		),
		source="Website",
		priority=10,
		description="Incoming calls from the website: measurer's visit, showroom, order and payment.",
	),
	FunnelSpec(
		"Existing Customers",
		0,
		"Key Accounts",
		(
			StageSpec("Qualification", "Open", 25, 70, 7, None, None, 4),
			StageSpec("Proposal/Price Quote", "Open", 55, 60, 14, "Quotation Submitted", 0.70, 6),
			StageSpec("Negotiation/Review", "Open", 80, 70, 21, None, 0.75, 8),
			StageSpec("Won", "Won", 100, 0, 0, "Sales Order Submitted"),
			LOST,
		),
		customer_kind="Existing",
		priority=5,
		description="Repeat business with customers we already invoiced.",
	),
	FunnelSpec(
		"Services B2B",
		1,
		"Services Team",
		(
			StageSpec("Prospecting", "Open", 15, 50, 7, None, None, 3),
			StageSpec("Proposal/Price Quote", "Open", 50, 55, 14, "Quotation Submitted", 0.65, 7),
			StageSpec("Won", "Won", 100, 0, 0, "Sales Order Submitted"),
			LOST,
		),
		is_default=True,
	),
)

APP_SALES_STAGES = ("Won", "Lost", "Incoming Call", "Measurer Visit", "Showroom", "Order", "Paid")

# Sales Person tree: root "Sales Team" (ERPNext's root), departments, then managers
DEPARTMENTS = ("Direct Sales", "Inbound Sales", "Key Accounts", "Services Team")
MANAGERS_PER_DEPARTMENT = {"Direct Sales": 5, "Inbound Sales": 4, "Key Accounts": 3, "Services Team": 2}

FIRST_NAMES = (
	"Anna", "Piotr", "Olga", "Ivan", "Marta", "Tomasz", "Elena", "Dmitry", "Katarzyna", "Pavel",
	"Agnieszka", "Sergey", "Natalia", "Michal", "Irina", "Jakub", "Svetlana", "Andrzej", "Yulia", "Marek",
)  # fmt: skip
LAST_NAMES = (
	"Nowak", "Ivanova", "Kowalski", "Petrov", "Wisniewska", "Smirnov", "Wojcik", "Kuznetsova", "Kaminski",
	"Popov", "Lewandowska", "Sokolov", "Zielinski", "Morozova", "Szymanski", "Volkov",
)  # fmt: skip


@dataclass(frozen=True)
class Tree:
	"""A nested-set tree (Territory, Customer Group, Item Group, Sales Person, Department)."""

	root: str
	children: dict[str, tuple[str, ...]] = field(default_factory=dict)

	def walk(self) -> list[tuple[str, str | None, bool, int, int]]:
		"""(name, parent, is_group, lft, rgt) in nested-set order."""
		rows: list[tuple[str, str | None, bool, int, int]] = []
		counter = [0]

		def visit(name: str, parent: str | None) -> None:
			counter[0] += 1
			lft = counter[0]
			index = len(rows)
			rows.append((name, parent, False, lft, 0))
			kids = self.children.get(name, ())
			for kid in kids:
				visit(kid, name)
			counter[0] += 1
			rows[index] = (name, parent, bool(kids) or parent is None, lft, counter[0])

		visit(self.root, None)
		return rows

	def leaves(self) -> list[str]:
		return [name for name, _, is_group, _, _ in self.walk() if not is_group]


TERRITORIES = Tree(
	"All Territories",
	{
		"All Territories": ("Europe", "Americas", "CIS"),
		"Europe": ("Poland", "Germany", "Czechia"),
		"Americas": ("United States", "Canada"),
		"CIS": ("Kazakhstan", "Armenia"),
	},
)
TERRITORY_WEIGHTS = {
	"Poland": 40, "Germany": 15, "Czechia": 8, "United States": 12, "Canada": 5, "Kazakhstan": 12, "Armenia": 8,
}  # fmt: skip

CUSTOMER_GROUPS = Tree(
	"All Customer Groups",
	{"All Customer Groups": ("Commercial", "Individual", "Government", "Non Profit")},
)
# weight, median deal amount (company currency)
CUSTOMER_GROUP_PROFILE = {
	"Commercial": (60, 6000.0),
	"Individual": (25, 1500.0),
	"Government": (10, 18000.0),
	"Non Profit": (5, 3500.0),
}

ITEM_GROUPS = Tree(
	"All Item Groups",
	{
		"All Item Groups": ("Products", "Services"),
		"Products": ("Windows", "Doors", "Furniture"),
		"Services": ("Installation", "Maintenance"),
	},
)
# item group -> ((item code, standard rate, valuation rate), ...)
ITEMS = {
	"Windows": (("WIN-STD", 900.0, 560.0), ("WIN-PRO", 1500.0, 880.0), ("WIN-ROOF", 2100.0, 1300.0)),
	"Doors": (("DOOR-IN", 700.0, 420.0), ("DOOR-EXT", 1800.0, 1150.0)),
	"Furniture": (("DESK-01", 650.0, 380.0), ("CHAIR-01", 240.0, 130.0), ("CAB-01", 480.0, 300.0)),
	"Installation": (("SVC-INSTALL", 300.0, 120.0),),
	"Maintenance": (("SVC-MAINT", 450.0, 150.0), ("SVC-AUDIT", 1200.0, 400.0)),
}

CHANNELS = ("Website", "Google Ads", "Cold Call", "Referral", "Exhibition", "Partner")
NEW_DEAL_CHANNEL_WEIGHTS = (25, 15, 25, 15, 10, 10)
INBOUND_CHANNELS = ("Website", "Google Ads")

LOST_REASONS = (
	"Price too high",
	"Chose a competitor",
	"No budget",
	"No response",
	"Not a target client",
	"Project postponed",
)
LOST_REASON_WEIGHTS = (30, 20, 15, 20, 8, 7)

TEMPERATURES = ("Cold", "Warm", "Hot")
TEMPERATURE_WEIGHTS = (45, 35, 20)
TEMPERATURE_FACTOR = (0.8, 1.0, 1.2)

CALL_OUTCOMES = (
	# title, category, counts as negotiation, effect
	("No Answer", "No Contact", 0, "Create Follow-up ToDo"),
	("Not a Target", "Not a Target", 0, "None"),
	("Information Only", "Information Only", 0, "None"),
	("Negotiation Started", "Negotiation Started", 1, "Create or Move Opportunity"),
	("Meeting Booked", "Meeting Booked", 1, "Create or Move Opportunity"),
	("Call Back Later", "Callback Requested", 0, "Create Follow-up ToDo"),
	("Existing Customer Service", "Existing Customer", 0, "None"),
	("Spam", "Spam", 0, "None"),
)
