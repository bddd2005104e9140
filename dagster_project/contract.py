"""The source data contract of docs/sources.md, declared once.

Ingestion (DuckDB ``read_csv`` column types), the synthetic generator and the validation
layer all read this declaration. Types are DuckDB SQL types: a value that does not parse
as its type is a fatal ingestion error. Nullability and enums are rules for the validation
layer (blocking errors, not fatal), so they are declared here but not enforced at read time.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLE_FAMILIES: dict[str, tuple[str, ...]] = {
    "DATA_SCIENCE": ("DATA_SCIENTIST", "DATA_ENGINEER", "ML_ENGINEER", "DATA_ANALYST"),
    "IT": ("SOFTWARE_ENGINEER", "DATA_ARCHITECT", "MLOPS_ENGINEER"),
    "BUSINESS": ("SOLUTION_OWNER", "DEPLOYMENT_LEAD", "PRODUCT_MANAGER", "HUB_LEAD"),
}
ROLES = tuple(role for roles in ROLE_FAMILIES.values() for role in roles)

WORKER_TYPES = ("EMPLOYEE", "CONTRACTOR")
EVENT_TYPES = ("HIRE", "REHIRE", "TRANSFER", "JOB_CHANGE", "EXIT")
# Order of HR events on the same day (docs/sources.md): what opens a spell first, what closes it
# last. A group's index is the event's rank (dbt macro ``event_type_rank``); the first group opens
# a spell (``opens_spell``).
EVENT_ORDER: tuple[tuple[str, ...], ...] = (("HIRE", "REHIRE"), ("TRANSFER", "JOB_CHANGE"), ("EXIT",))
EXIT_TYPES = ("VOLUNTARY", "INVOLUNTARY", "OTHER")
REQUISITION_STATUSES = ("OPEN", "FILLED", "CANCELLED")
BUSINESS_DOMAINS = (
    "SUPPLY_CHAIN", "PRICING", "MARKETING", "SALES", "MAINTENANCE",
    "MANUFACTURING", "FINANCE", "RISK", "HR", "CUSTOMER_SERVICE",
)
STAGES = ("IDEATION", "POC", "PILOT", "PRODUCTION", "RETIRED", "STOPPED")
ACTIVITY_TYPES = ("BUILD", "RUN", "INTERNAL", "TRAINING", "LEAVE")
COST_CATEGORIES = ("STAFF", "CONTRACTOR", "CLOUD", "LICENSE", "OTHER")
CHARGE_TYPES = ("USAGE", "PURCHASE", "CREDIT", "ADJUSTMENT")

MONEY = "DECIMAL(18,4)"
RATE = "DECIMAL(18,8)"
MONTH = "MONTH"  # YYYY-MM, read as a DATE on the first of the month


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB type used by read_csv; a non-parsing value is fatal
    nullable: bool = False
    enum: tuple[str, ...] | None = None


@dataclass(frozen=True)
class SourceFile:
    system: str  # folder of the source directory: hr, projects or costs
    name: str  # file stem, raw table name and asset key suffix
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]

    @property
    def relative_stem(self) -> str:
        return f"{self.system}/{self.name}"

    @property
    def date_format(self) -> str:
        """strptime format of the file's DATE columns (a file holds dates or months, not both)."""
        kinds = {c.type for c in self.columns} & {"DATE", MONTH}
        assert len(kinds) <= 1, f"{self.name}: mixes DATE and MONTH columns"
        return "%Y-%m" if kinds == {MONTH} else "%Y-%m-%d"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _c(name: str, type_: str = "VARCHAR", nullable: bool = False, enum=None) -> Column:
    return Column(name, type_, nullable, enum)


SOURCES: tuple[SourceFile, ...] = (
    SourceFile(
        "hr", "hubs", "One row per data hub (HRIS organisation export).",
        (_c("hub_id"), _c("hub_name"), _c("site", nullable=True), _c("opened_on", "DATE"),
         _c("closed_on", "DATE", True), _c("critical_mass_target", "INTEGER", True)),
        ("hub_id",),
    ),
    SourceFile(
        "hr", "employees", "One row per person, with the worker type (HRIS worker export).",
        (_c("employee_id"), _c("worker_type", enum=WORKER_TYPES)),
        ("employee_id",),
    ),
    SourceFile(
        "hr", "employment_events",
        "Effective-dated HR events: hires, rehires, transfers, job changes and exits.",
        (_c("event_id"), _c("employee_id"), _c("event_type", enum=EVENT_TYPES),
         _c("effective_date", "DATE"), _c("hub_id", nullable=True),
         _c("role", nullable=True, enum=ROLES), _c("fte", "DOUBLE", True),
         _c("exit_type", nullable=True, enum=EXIT_TYPES), _c("is_regretted", "BOOLEAN", True),
         _c("requisition_id", nullable=True)),
        ("event_id",),
    ),
    SourceFile(
        "hr", "requisitions", "Recruiting openings (ATS export).",
        (_c("requisition_id"), _c("hub_id"), _c("role", enum=ROLES), _c("opened_on", "DATE"),
         _c("status", enum=REQUISITION_STATUSES), _c("closed_on", "DATE", True),
         _c("hired_employee_id", nullable=True)),
        ("requisition_id",),
    ),
    SourceFile(
        "projects", "solutions", "The AI solution portfolio (portfolio tool export).",
        (_c("solution_id"), _c("hub_id"), _c("solution_name"),
         _c("business_domain", enum=BUSINESS_DOMAINS), _c("target_users", "INTEGER", True),
         _c("created_on", "DATE"), _c("monitoring_enabled_on", "DATE", True)),
        ("solution_id",),
    ),
    SourceFile(
        "projects", "solution_stage_events", "Lifecycle stage transitions of each solution.",
        (_c("solution_id"), _c("stage", enum=STAGES), _c("entered_on", "DATE")),
        ("solution_id", "entered_on"),
    ),
    SourceFile(
        "projects", "timesheets", "Weekly time entries per person and activity (time tracking).",
        (_c("employee_id"), _c("week_start", "DATE"), _c("activity_type", enum=ACTIVITY_TYPES),
         _c("solution_id", nullable=True), _c("hours", "DOUBLE")),
        ("employee_id", "week_start", "activity_type", "solution_id"),
    ),
    SourceFile(
        "projects", "usage_events", "Solution usage, one row per pseudonymous user per day.",
        (_c("solution_id"), _c("activity_date", "DATE"), _c("user_id"),
         _c("n_actions", "INTEGER")),
        ("solution_id", "activity_date", "user_id"),
    ),
    SourceFile(
        "costs", "cost_lines", "General-ledger expense lines of the hubs' cost centres.",
        (_c("line_id"), _c("posting_date", "DATE"), _c("hub_id"), _c("solution_id", nullable=True),
         _c("cost_category", enum=COST_CATEGORIES), _c("charge_type", enum=CHARGE_TYPES),
         _c("amount", MONEY), _c("currency")),
        ("line_id",),
    ),
    SourceFile(
        "costs", "fx_rates", "Monthly conversion rates to the reporting currency (EUR).",
        (_c("period_month", MONTH), _c("currency"), _c("rate_to_eur", RATE)),
        ("period_month", "currency"),
    ),
    SourceFile(
        "costs", "budgets", "Annual hub budgets in EUR.",
        (_c("hub_id"), _c("year", "INTEGER"), _c("budget_eur", MONEY)),
        ("hub_id", "year"),
    ),
)

SOURCES_BY_NAME = {s.name: s for s in SOURCES}
