"""The output contract of docs/kpis.md: every published table declared once.

The input side has :mod:`dagster_project.contract`; this is its counterpart for what goes out.
A published table is its name, its grain (unique together, and the published row order), and
its columns in published order: DuckDB type, whether it may be NULL, the range or the values it
must keep, and the description a BI user reads. Everything about a published table derives
from here:

- the publication: which tables, which columns, in which row order (:mod:`defs.publish_asset`),
  with each description as a comment in ``kpi.duckdb``;
- the publication gate: the GX suite of each mart (:mod:`validation.suites`): columns and types,
  grain, completeness, ranges, enums;
- ``docs/published_tables.md`` (generated) and what the tests count.

The model logic (identities, relationships, ledger totals, privacy of exit reasons) is not
declared here: it is owned by dbt's data and unit tests beside each model's SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from dagster_project.config import PROJECT_ROOT
from dagster_project.contract import STAGES


@dataclass(frozen=True)
class KpiColumn:
    name: str
    type: str  # the DuckDB type of the published column
    description: str
    nullable: bool = True
    min_value: float | None = None
    max_value: float | None = None
    enum: tuple[str, ...] | None = None
    is_rate: bool = False  # a fraction in [0, 1], NULL when its denominator is 0
    may_exceed_one: bool = False  # a rate above 1 is possible in real data: a warning, not a block


@dataclass(frozen=True)
class PublishedTable:
    name: str
    grain: tuple[str, ...]
    description: str  # what one row is
    columns: tuple[KpiColumn, ...]

    def __post_init__(self):
        names = self.column_names
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: a column is declared twice")
        if not set(self.grain) <= set(names):
            raise ValueError(f"{self.name}: a grain column is not declared")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def rates(self) -> tuple[KpiColumn, ...]:
        return tuple(c for c in self.columns if c.is_rate)

    @property
    def ranges(self) -> tuple[KpiColumn, ...]:
        """Columns with a bound other than being a rate."""
        return tuple(c for c in self.columns
                     if not c.is_rate and (c.min_value is not None or c.max_value is not None))


# Column makers: one per kind of figure, so that a kind is checked the same way in every table.

def key(name: str, description: str, type_: str = "VARCHAR") -> KpiColumn:
    """An identifier or a period: never NULL."""
    return KpiColumn(name, type_, description, nullable=False)


def count(name: str, description: str, type_: str = "BIGINT", min_value: int = 0) -> KpiColumn:
    """A number of people, events or solutions: never NULL, never negative."""
    return KpiColumn(name, type_, description, nullable=False, min_value=min_value)


def rate(name: str, description: str, may_exceed_one: bool = False) -> KpiColumn:
    return KpiColumn(name, "DOUBLE", description, is_rate=True, may_exceed_one=may_exceed_one)


def flag(name: str, description: str, nullable: bool = False) -> KpiColumn:
    return KpiColumn(name, "BOOLEAN", description, nullable=nullable)


def eur(name: str, description: str, nullable: bool = False) -> KpiColumn:
    """An amount in EUR (a sum of ledger lines: may be negative after credits)."""
    return KpiColumn(name, "DOUBLE", description, nullable=nullable)


def value(name: str, type_: str, description: str, nullable: bool = True, min_value: float | None = None,
          max_value: float | None = None, enum: tuple[str, ...] | None = None) -> KpiColumn:
    return KpiColumn(name, type_, description, nullable, min_value, max_value, enum)


HUB_ID = key("hub_id", "The hub (hubs.hub_id).")
MONTH = key("month", "The reporting month, as its first day; figures are at the close of its last day.", "DATE")
SOLUTION_ID = key("solution_id", "The solution (solutions.solution_id).")
HUB_OF_SOLUTION = key("hub_id", "The hub that owns the solution.")
STAGE_AT_MONTH_END = "The solution's lifecycle stage at month end."
MONTHLY_ACTIVE_USERS = count("monthly_active_users", "Distinct users with activity in the calendar month.")

CRITICAL_MASS_STATUSES = ("MET", "AT_RISK", "BELOW")
PERIOD_TYPES = ("QUARTER", "YEAR")
SUPPRESSION_REASONS = ("PRIMARY", "COMPLEMENTARY")

PUBLISHED_TABLES: tuple[PublishedTable, ...] = (
    PublishedTable(
        "hub_critical_mass", ("hub_id", "month"),
        "Hub x month, from the hub's opening month: its employees at month end, their FTE and "
        "disciplinary mix, and whether the hub is at critical mass.",
        (HUB_ID,
         key("hub_name", "The hub's name."),
         MONTH,
         count("headcount", "Employees assigned to the hub at month end (people, not FTE; contractors apart).",
               "INTEGER"),
         value("fte", "DOUBLE", "Sum of those employees' FTE.", nullable=False, min_value=0),
         count("contractor_headcount", "Contractors assigned to the hub at month end (in no rate).", "INTEGER"),
         count("headcount_data_science", "Employees in data science roles (data scientists, engineers, "
               "analysts, ML engineers).", "INTEGER"),
         count("headcount_it", "Employees in IT roles (software engineers, data architects, MLOps).", "INTEGER"),
         count("headcount_business", "Employees in business roles (solution owners, deployment leads, "
               "product managers, hub leads).", "INTEGER"),
         rate("share_data_science", "headcount_data_science / headcount."),
         rate("share_it", "headcount_it / headcount."),
         rate("share_business", "headcount_business / headcount."),
         value("blau_index", "DOUBLE", "Diversity of the three families, 1 - sum of squared shares "
               "(0 = one family, 2/3 = evenly mixed).", min_value=0, max_value=0.6667),
         count("critical_mass_target", "The hub's critical-mass headcount (its own, or the default).",
               "INTEGER", min_value=1),
         value("critical_mass_status", "VARCHAR", "MET at or above the target, AT_RISK from "
               "critical_mass_at_risk_ratio of it, else BELOW.", nullable=False, enum=CRITICAL_MASS_STATUSES),
         flag("is_multidisciplinary", "Every family's share is at least min_family_share."))),
    PublishedTable(
        "hub_headcount_bridge", ("hub_id", "month"),
        "Hub x month: how the employee headcount moved from the month's opening to its close.",
        (HUB_ID, MONTH,
         count("opening_headcount", "The previous month's closing headcount (0 in the hub's first month).",
               "INTEGER"),
         count("hires", "Hires and rehires into the hub dated in the month."),
         count("transfers_in", "Moves into the hub from another hub in the month."),
         count("exits", "Employees whose last day in the company fell in the month while in the hub."),
         count("transfers_out", "Moves from the hub to another hub in the month (never an exit)."),
         count("closing_headcount", "opening + hires + transfers_in - exits - transfers_out; equals "
               "hub_critical_mass.headcount.", "INTEGER"))),
    PublishedTable(
        "hub_retention", ("hub_id", "month"),
        "Hub x month, over the trailing 12-month window ending with the month: retention, "
        "attrition and first-year attrition, each with its denominator.",
        (HUB_ID, MONTH,
         key("window_start", "First day of the month 11 months before `month`.", "DATE"),
         key("window_end", "Last day of `month`.", "DATE"),
         count("opening_headcount", "The hub's employees at the close of the day before window_start."),
         count("retained_in_company", "Of those, still employed at window_end in the same spell."),
         count("retained_in_hub", "Of those, still in this hub at window_end."),
         rate("retention_rate", "retained_in_company / opening_headcount."),
         rate("hub_retention_rate", "retained_in_hub / opening_headcount."),
         count("exits_12m", "Exits from the hub dated in the window."),
         value("avg_headcount_12m", "DOUBLE", "Daily average of the hub's headcount over the window.",
               nullable=False, min_value=0),
         rate("attrition_rate_12m", "exits_12m / avg_headcount_12m; above 1 only with extreme turnover.",
              may_exceed_one=True),
         count("first_year_cohort", "Hires into the hub dated 23 to 12 months before `month` (each "
               "observed for a full year)."),
         count("first_year_exits", "Of those hires, how many left within 365 days, whatever their hub by then."),
         rate("first_year_attrition_rate", "first_year_exits / first_year_cohort."),
         flag("is_full_window", "The hub was open on window_start."))),
    PublishedTable(
        "talent_staffing", ("hub_id", "month"),
        "Hub x month: how much of the hub's working time goes to building and running solutions, "
        "and how fast new hires get staffed.",
        (HUB_ID, MONTH,
         count("headcount", "Employees assigned to the hub at month end (as in hub_critical_mass).", "INTEGER"),
         count("staffed_headcount", "Of those, employees with at least staffing_min_hours BUILD or RUN "
               "hours in the month."),
         rate("staffing_rate", "BUILD+RUN hours / all non-LEAVE hours of the hub's people in the month: "
              "0 in a month without solution work, NULL only when nobody logged hours."),
         value("solutions_per_talent_12m", "DOUBLE", "Mean number of distinct solutions each member worked "
               "on (at least staffing_min_hours) in the trailing 12 months.", min_value=0),
         count("new_hires_12m", "Hires into the hub dated in the trailing 12 months."),
         value("median_days_to_first_staffing", "DOUBLE", "Median days from hire to the first week with "
               "BUILD or RUN hours, over those new hires already staffed.", min_value=0))),
    PublishedTable(
        "recruiting", ("hub_id", "quarter"),
        "Hub x calendar quarter: requisitions opened, filled, cancelled and still open, and the time to fill.",
        (HUB_ID,
         key("quarter", "The quarter, as its first day.", "DATE"),
         count("requisitions_opened", "Requisitions opened in the quarter."),
         count("requisitions_filled", "Requisitions filled (closed as FILLED) in the quarter."),
         count("requisitions_cancelled", "Requisitions cancelled in the quarter."),
         count("open_at_quarter_end", "Requisitions open at the quarter's last day."),
         value("median_days_to_fill", "DOUBLE", "Median of closed_on - opened_on over the requisitions "
               "filled in the quarter.", min_value=0))),
    PublishedTable(
        "solution_lifecycle", ("solution_id",),
        "One row per solution created by as_of_date: its stage at as_of_date and its milestones.",
        (SOLUTION_ID,
         key("solution_name", "The solution's name."),
         HUB_OF_SOLUTION,
         key("business_domain", "The business domain it serves."),
         value("target_users", "INTEGER", "The number of users it is meant for (NULL when unknown).", min_value=0),
         value("current_stage", "VARCHAR", "Stage at as_of_date (NULL before its first stage event).", enum=STAGES),
         value("first_poc_on", "DATE", "First POC event, else the first PILOT or PRODUCTION event."),
         value("first_pilot_on", "DATE", "First PILOT event."),
         value("first_production_on", "DATE", "First PRODUCTION event."),
         value("days_poc_to_production", "BIGINT", "first_production_on - first_poc_on, in days.", min_value=0),
         flag("is_monitored", "Monitoring enabled by as_of_date."))),
    PublishedTable(
        "industrialization", ("hub_id", "cohort_year"),
        "Hub x cohort year (the year of each solution's first POC): how many POCs reached production "
        "within the industrialisation window.",
        (HUB_ID,
         key("cohort_year", "Year of the solutions' first POC.", "INTEGER"),
         count("pocs_started", "POCs of the cohort.", min_value=1),
         count("eligible_pocs", "Of those, POCs started at least industrialization_window_days before as_of_date."),
         count("industrialized", "Of the eligible, those in production within the window."),
         rate("industrialization_rate", "industrialized / eligible_pocs."),
         count("reached_production", "POCs of the cohort that reached production by as_of_date, at any delay."),
         count("stopped", "POCs of the cohort whose current stage is STOPPED."),
         value("median_days_poc_to_production", "DOUBLE", "Median days from first POC to first production "
               "over those that reached production.", min_value=0),
         flag("is_mature", "Every POC of the cohort is eligible: the rate will not change any more."))),
    PublishedTable(
        "solution_adoption", ("solution_id", "month"),
        "Solution x month, from its go-live (first PILOT or PRODUCTION) until it is retired or stopped: "
        "monthly active users against target users.",
        (SOLUTION_ID, HUB_OF_SOLUTION, MONTH,
         value("stage", "VARCHAR", STAGE_AT_MONTH_END, nullable=False, enum=STAGES),
         MONTHLY_ACTIVE_USERS,
         value("target_users", "INTEGER", "The number of users the solution is meant for.", min_value=0),
         rate("adoption_rate", "monthly_active_users / target_users, NULL without a target; above 1 when "
              "more people use it than were targeted.", may_exceed_one=True),
         flag("is_adopted", "adoption_rate is at least adoption_threshold (NULL without a target).",
              nullable=True),
         count("months_in_production", "Month ends in PRODUCTION so far, this one included.", "INTEGER"))),
    PublishedTable(
        "portfolio_health", ("hub_id", "month"),
        "Hub x month: the hub's solutions by stage at month end, stuck POCs and pilots, and the health "
        "of its production solutions.",
        (HUB_ID, MONTH,
         *(count(f"solutions_{stage.lower()}", f"The hub's solutions in {stage} at month end.") for stage in STAGES),
         count("stuck_pocs", "Solutions in POC for more than stuck_poc_days."),
         count("stuck_pilots", "Solutions in PILOT for more than stuck_pilot_days."),
         rate("monitored_share", "Production solutions with monitoring enabled / production solutions."),
         rate("maintained_share", "Production solutions with RUN hours in the last maintained_lookback_days "
              "/ production solutions."),
         rate("adopted_share", "Adopted production solutions / production solutions with a target."),
         rate("healthy_production_share", "Production solutions monitored, maintained and (with a target) "
              "adopted / production solutions."))),
    PublishedTable(
        "cost_per_solution", ("solution_id", "month"),
        "Solution x month, from its first stage event, cost line or hours: direct cost, its share of "
        "the hub's pooled costs, and cost per active user, in EUR.",
        (SOLUTION_ID, HUB_OF_SOLUTION, MONTH,
         eur("direct_cost_eur", "Ledger lines carrying this solution, any hub."),
         eur("allocated_cost_eur", "Its share of its hub's pool, by the allocation key of each cost category."),
         eur("total_cost_eur", "direct_cost_eur + allocated_cost_eur."),
         eur("cumulative_cost_eur", "total_cost_eur summed from the solution's first month."),
         value("build_hours", "DOUBLE", "BUILD hours on the solution in the month.", nullable=False, min_value=0),
         value("run_hours", "DOUBLE", "RUN hours on the solution in the month.", nullable=False, min_value=0),
         MONTHLY_ACTIVE_USERS,
         eur("cost_per_active_user_eur", "total_cost_eur / monthly_active_users, NULL without active users.",
             nullable=True),
         value("stage", "VARCHAR", STAGE_AT_MONTH_END + " NULL before its first stage event.", enum=STAGES))),
    PublishedTable(
        "hub_costs", ("hub_id", "month"),
        "Hub x month: pooled, allocated, unallocated and direct cost, and year-to-date spend against "
        "the year's budget, in EUR.",
        (HUB_ID, MONTH,
         eur("pool_cost_eur", "The hub's lines without a solution (its pool)."),
         eur("allocated_cost_eur", "The part of the pool allocated to solutions."),
         eur("unallocated_cost_eur", "The part of the pool left as hub overhead."),
         eur("direct_cost_eur", "The hub's lines carrying a solution."),
         eur("total_cost_eur", "pool_cost_eur + direct_cost_eur: all the hub's lines."),
         eur("budget_eur", "The year's budget spread evenly over the hub's open months of the year.", nullable=True),
         eur("ytd_cost_eur", "total_cost_eur from January (or the hub's opening) through the month."),
         eur("ytd_budget_eur", "budget_eur over the same months; the year's budget in its last open month.",
             nullable=True),
         eur("ytd_budget_variance_eur", "ytd_cost_eur - ytd_budget_eur (positive = overspend).", nullable=True),
         value("ytd_budget_variance_pct", "DOUBLE", "ytd_budget_variance_eur / ytd_budget_eur."),
         rate("unallocated_share", "unallocated_cost_eur / total_cost_eur: the share of the hub's cost left as "
              "overhead; outside [0, 1] only after credits (a warning).", may_exceed_one=True))),
    PublishedTable(
        "company_scorecard", ("month",),
        "Month: the company's headline KPIs across all hubs.",
        (MONTH,
         count("hubs_open", "Hubs open at month end."),
         count("headcount", "Employees assigned to any hub at month end.", "INTEGER"),
         count("hubs_at_critical_mass", "Hubs whose critical_mass_status is MET."),
         rate("retention_rate_12m", "As hub_retention.retention_rate, over all hub members (a move "
              "between hubs is no loss)."),
         rate("attrition_rate_12m", "As hub_retention.attrition_rate_12m, over all hubs.", may_exceed_one=True),
         rate("first_year_attrition_rate", "As hub_retention.first_year_attrition_rate, over all hubs' hires."),
         count("solutions_in_production", "Solutions in PRODUCTION at month end."),
         count("eligible_pocs", "POCs with a first POC at least industrialization_window_days before month end."),
         count("industrialized_pocs", "Of those, POCs in production within the window."),
         rate("industrialization_rate", "industrialized_pocs / eligible_pocs."),
         rate("adoption_rate", "Sum of MAU / sum of target users over production solutions with a target.",
              may_exceed_one=True),
         rate("adopted_share", "As portfolio_health.adopted_share, over all hubs."),
         rate("healthy_production_share", "As portfolio_health.healthy_production_share, over all hubs."),
         eur("total_cost_eur", "All hubs' cost lines of the month."),
         eur("cost_per_production_solution_eur", "total_cost_eur / solutions_in_production.", nullable=True),
         rate("monitored_share", "As portfolio_health.monitored_share, over all hubs."))),
    PublishedTable(
        "exit_reasons", ("scope", "period_type", "period_start"),
        "Scope (a hub, or COMPANY) x completed calendar quarter or year: exits, and why people left "
        "where no combination of published figures tells the reasons of fewer than min_group_size "
        "leavers (docs/privacy.md).",
        (key("scope", "A hub_id, or COMPANY (all hubs' employees; a move between hubs is no exit)."),
         value("period_type", "VARCHAR", "QUARTER or YEAR.", nullable=False, enum=PERIOD_TYPES),
         key("period_start", "The period's first day.", "DATE"),
         key("period_end", "The period's last day (on or before as_of_date).", "DATE"),
         count("exits", "Exits of the scope in the period (never suppressed).", "INTEGER"),
         value("avg_headcount", "DOUBLE", "Daily average headcount of the scope over the period.",
               nullable=False, min_value=0),
         value("voluntary_exits", "INTEGER", "Exits of type VOLUNTARY (NULL when suppressed).", min_value=0),
         value("involuntary_exits", "INTEGER", "Exits of type INVOLUNTARY (NULL when suppressed).", min_value=0),
         value("other_exits", "INTEGER", "Exits of type OTHER (NULL when suppressed).", min_value=0),
         value("regretted_exits", "INTEGER", "Voluntary exits the company regretted (NULL when suppressed).",
               min_value=0),
         rate("voluntary_attrition_rate", "voluntary_exits / avg_headcount, for the period (not annualised).",
              may_exceed_one=True),
         rate("regretted_attrition_rate", "regretted_exits / avg_headcount, for the period.", may_exceed_one=True),
         flag("is_suppressed", "The reason counts and rates are hidden."),
         value("suppression", "VARCHAR", "Why: PRIMARY (fewer than min_group_size leavers) or COMPLEMENTARY "
               "(hidden so that no difference of shown rows tells a smaller group).", enum=SUPPRESSION_REASONS))),
)

PUBLISHED_TABLES_BY_NAME = {t.name: t for t in PUBLISHED_TABLES}
PERSON_IDENTIFIERS = ("employee", "user_id")  # no published column name may contain these


def _checks(column: KpiColumn) -> str:
    """What the publication gate enforces on a column, in words."""
    said = [] if column.nullable else ["required"]
    if column.is_rate:
        said.append("rate in [0, 1]" + (" (warning above 1)" if column.may_exceed_one else ""))
    elif column.min_value is not None or column.max_value is not None:
        low = "" if column.min_value is None else f"≥ {column.min_value:g}"
        high = "" if column.max_value is None else f"≤ {column.max_value:g}"
        said.append(" and ".join(b for b in (low, high) if b))
    if column.enum:
        said.append(" / ".join(column.enum))
    return "; ".join(said)


def published_tables_markdown() -> str:
    """docs/published_tables.md: every published table, its grain and its columns."""
    lines = ["# Published tables", "",
             "Generated from `dagster_project/output_contract.py` by `make contract`; do not edit by hand.",
             "Each table is published as `kpi.duckdb` table and `parquet/<table>.parquet`, its rows in grain",
             "order, with these columns in this order; the descriptions are also comments in `kpi.duckdb`.",
             "How each figure is computed: [kpis.md](kpis.md).", ""]
    for table in PUBLISHED_TABLES:
        lines += [f"## {table.name}", "", table.description, "", f"Grain: `{', '.join(table.grain)}`.", "",
                  "| column | type | checked | description |", "|---|---|---|---|"]
        lines += [f"| `{c.name}` | {c.type} | {_checks(c)} | {c.description} |" for c in table.columns]
        lines.append("")
    return "\n".join(lines)


PUBLISHED_TABLES_DOC = PROJECT_ROOT / "docs" / "published_tables.md"

if __name__ == "__main__":
    PUBLISHED_TABLES_DOC.write_text(published_tables_markdown())
    print(f"{PUBLISHED_TABLES_DOC}: {len(PUBLISHED_TABLES)} tables")
