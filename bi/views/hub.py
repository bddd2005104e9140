"""One hub: headcount against its target with the family mix, flows, retention against the
company, staffing, recruiting and costs. The hub comes from the URL: /hub?hub_id=H001."""

import altair as alt
import fmt
import pandas as pd
import streamlit as st
from publication import query, release_or_stop

MONTHS = alt.Axis(format="%b %Y", tickCount=6, labelAngle=0)

release = release_or_stop()

hubs = query(
    release,
    """
    select hub_id, any_value(hub_name order by month desc) as hub_name
    from hub_critical_mass group by hub_id order by hub_id
    """,
)
if hubs.empty:
    st.warning("hub_critical_mass is empty in this publication.")
    st.stop()
names = dict(zip(hubs["hub_id"], hubs["hub_name"], strict=True))
requested = st.query_params.get("hub_id")
hub_id = st.selectbox(
    "Hub",
    list(names),
    index=list(names).index(requested) if requested in names else 0,
    format_func=lambda key: f"{names[key]} ({key})",
)
st.query_params["hub_id"] = hub_id
if requested is not None and requested not in names:
    st.warning(f"No hub {requested!r} in this publication; showing {names[hub_id]}.")

mass = query(release, "select * from hub_critical_mass where hub_id = ? order by month", hub_id)
latest = mass.iloc[-1]
month = latest["month"]
month_label = month.strftime("%B %Y")

st.title(names[hub_id])
st.markdown(
    f"Hub `{hub_id}` · figures as of **{release.as_of_date}** (as_of_date), "
    f"month-end figures for {month_label} · publication `{release.path.name}`."
)

retention = query(
    release,
    """
    select r.month, r.retention_rate, r.attrition_rate_12m, r.first_year_attrition_rate,
           r.opening_headcount, r.is_full_window,
           c.retention_rate_12m as company_retention, c.attrition_rate_12m as company_attrition
    from hub_retention r left join company_scorecard c using (month)
    where r.hub_id = ? order by r.month
    """,
    hub_id,
)
staffing = query(release, "select * from talent_staffing where hub_id = ? order by month", hub_id)
costs = query(release, "select * from hub_costs where hub_id = ? order by month", hub_id)
recruiting = query(release, "select * from recruiting where hub_id = ? order by quarter", hub_id)
bridge = query(release, "select * from hub_headcount_bridge where hub_id = ? order by month", hub_id)


def at_month(frame: pd.DataFrame) -> pd.Series | None:
    rows = frame[frame["month"] == month]
    return rows.iloc[0] if len(rows) else None


ret, staff, cost = at_month(retention), at_month(staffing), at_month(costs)
open_reqs = recruiting.iloc[-1]["open_at_quarter_end"] if len(recruiting) else None

cols = st.columns(6)
cols[0].metric(
    "Headcount vs target",
    f"{int(latest['headcount'])} / {int(latest['critical_mass_target'])}",
    latest["critical_mass_status"],
    delta_color="off",
    delta_arrow="off",
    help="Employees at month end against the hub's critical-mass target: MET, AT_RISK or BELOW.",
)
cols[1].metric(
    "FTE",
    fmt.num(latest["fte"], 1),
    f"{int(latest['contractor_headcount'])} contractors",
    delta_color="off",
    delta_arrow="off",
)
cols[2].metric(
    "Family mix",
    fmt.num(latest["blau_index"], 2),
    "multidisciplinary" if latest["is_multidisciplinary"] else "not multidisciplinary",
    delta_color="off",
    delta_arrow="off",
    help="Blau index, 1 − Σ share² over data science, IT and business (0 = one family, 0.67 = even mix).",
)
cols[3].metric(
    "Retention 12m",
    fmt.pct(None if ret is None else ret["retention_rate"]),
    None if ret is None else fmt.pts(ret["retention_rate"] - ret["company_retention"]),
    help="Share of the hub's employees of 12 months ago still employed; the delta, against the company.",
)
cols[4].metric(
    "Staffing rate",
    fmt.pct(None if staff is None else staff["staffing_rate"]),
    None if staff is None else f"{int(staff['staffed_headcount'])} staffed people",
    delta_color="off",
    delta_arrow="off",
    help="BUILD + RUN hours over all working hours of the hub's people in the month.",
)
cols[5].metric(
    "YTD cost",
    fmt.eur(None if cost is None else cost["ytd_cost_eur"]),
    None
    if cost is None or fmt.missing(cost["ytd_budget_variance_pct"])
    else f"{cost['ytd_budget_variance_pct'] * 100:+.1f} % vs budget",
    delta_color="inverse",
    help="Year-to-date cost, and its variance to the year-to-date budget (positive = overspend).",
)

# --- headcount against the target, by family ---------------------------------------------
families = mass.melt(
    id_vars=["month", "critical_mass_target"],
    value_vars=["headcount_data_science", "headcount_it", "headcount_business"],
    var_name="family",
    value_name="employees",
)
families["family"] = families["family"].map(
    {"headcount_data_science": "Data science", "headcount_it": "IT", "headcount_business": "Business"}
)
flows = bridge.assign(exits=-bridge["exits"], transfers_out=-bridge["transfers_out"]).melt(
    id_vars="month",
    value_vars=["hires", "transfers_in", "exits", "transfers_out"],
    var_name="flow",
    value_name="people",
)
flows["flow"] = flows["flow"].map(
    {"hires": "Hires", "transfers_in": "Transfers in", "exits": "Exits", "transfers_out": "Transfers out"}
)
left, right = st.columns(2)
with left:
    st.markdown("**Headcount against the critical-mass target, by family**")
    bars = (
        alt.Chart(families)
        .mark_bar()
        .encode(
            x=alt.X("yearmonth(month):T", title=None, axis=MONTHS),
            y=alt.Y("employees:Q", stack="zero", title="employees"),
            color=alt.Color("family:N", title=None, legend=alt.Legend(orient="bottom")),
            tooltip=["family", alt.Tooltip("month:T", format="%b %Y"), "employees"],
        )
    )
    target = (
        alt.Chart(mass)
        .mark_line(color="#d62728", strokeDash=[6, 4])
        .encode(x="yearmonth(month):T", y="critical_mass_target:Q", tooltip=["critical_mass_target"])
    )
    st.altair_chart(bars + target, width="stretch")
    st.caption("Dashed line: the critical-mass target.")
with right:
    st.markdown("**Headcount bridge** (monthly flows; exits and transfers out below zero)")
    st.altair_chart(
        alt.Chart(flows)
        .mark_bar()
        .encode(
            x=alt.X("yearmonth(month):T", title=None, axis=MONTHS),
            y=alt.Y("people:Q", stack="zero", title="people"),
            color=alt.Color(
                "flow:N",
                title=None,
                legend=alt.Legend(orient="bottom"),
                scale=alt.Scale(
                    domain=["Hires", "Transfers in", "Exits", "Transfers out"],
                    range=["#2ca02c", "#98df8a", "#d62728", "#ff9896"],
                ),
            ),
            tooltip=["flow", alt.Tooltip("month:T", format="%b %Y"), "people"],
        ),
        width="stretch",
    )

with st.expander("Headcount bridge, last 12 months"):
    st.dataframe(
        bridge.tail(12).iloc[::-1].assign(month=lambda f: f["month"].dt.strftime("%Y-%m")),
        hide_index=True,
        column_order=["month", "opening_headcount", "hires", "transfers_in", "exits", "transfers_out",
                      "closing_headcount"],
    )

# --- retention against the company, staffing -----------------------------------------------
versus = pd.concat(
    [
        retention[["month", "retention_rate"]].assign(series="This hub"),
        retention[["month", "company_retention"]]
        .rename(columns={"company_retention": "retention_rate"})
        .assign(series="Company"),
    ]
)
left, right = st.columns(2)
with left:
    st.markdown("**Retention, trailing 12 months, against the company**")
    st.altair_chart(
        alt.Chart(versus)
        .mark_line(point=True)
        .encode(
            x=alt.X("month:T", title=None, axis=MONTHS),
            y=alt.Y("retention_rate:Q", title=None, axis=alt.Axis(format="%"), scale=alt.Scale(zero=False)),
            color=alt.Color(
                "series:N",
                title=None,
                legend=alt.Legend(orient="bottom"),
                scale=alt.Scale(domain=["This hub", "Company"], range=["#1f77b4", "#9e9e9e"]),
            ),
            tooltip=["series", alt.Tooltip("month:T", format="%b %Y"), alt.Tooltip("retention_rate:Q", format=".1%")],
        ),
        width="stretch",
    )
with right:
    st.markdown("**Staffing rate** (share of working hours spent building and running solutions)")
    st.altair_chart(
        alt.Chart(staffing)
        .mark_line(point=True)
        .encode(
            x=alt.X("month:T", title=None, axis=MONTHS),
            y=alt.Y("staffing_rate:Q", title=None, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            tooltip=[alt.Tooltip("month:T", format="%b %Y"), alt.Tooltip("staffing_rate:Q", format=".1%")],
        ),
        width="stretch",
    )
if staff is not None:
    st.caption(
        f"{month_label}: {fmt.num(staff['solutions_per_talent_12m'], 1)} solutions per person over 12 months; "
        f"new hires in 12 months: {int(staff['new_hires_12m'])}, first staffed after a median of "
        f"{fmt.num(staff['median_days_to_first_staffing'])} days."
    )

# --- recruiting, costs ---------------------------------------------------------------------
requisitions = recruiting.melt(
    id_vars="quarter",
    value_vars=["requisitions_opened", "requisitions_filled", "requisitions_cancelled"],
    var_name="requisitions",
    value_name="count",
)
requisitions["requisitions"] = requisitions["requisitions"].str.removeprefix("requisitions_")
this_year = costs[costs["month"].dt.year == month.year]
spend = this_year.melt(
    id_vars="month", value_vars=["ytd_cost_eur", "ytd_budget_eur"], var_name="series", value_name="eur"
)
spend["series"] = spend["series"].map({"ytd_cost_eur": "YTD cost", "ytd_budget_eur": "YTD budget"})
left, right = st.columns(2)
with left:
    st.markdown(f"**Recruiting by quarter** ({fmt.num(open_reqs)} requisitions open at the last quarter's end)")
    st.altair_chart(
        alt.Chart(requisitions)
        .mark_bar()
        .encode(
            x=alt.X("yearquarter(quarter):O", title=None),
            xOffset=alt.XOffset("requisitions:N", sort=["opened", "filled", "cancelled"]),
            y=alt.Y("count:Q", title="requisitions"),
            color=alt.Color(
                "requisitions:N",
                title=None,
                legend=alt.Legend(orient="bottom"),
                scale=alt.Scale(domain=["opened", "filled", "cancelled"], range=["#1f77b4", "#2ca02c", "#9e9e9e"]),
            ),
            tooltip=["requisitions", alt.Tooltip("quarter:T", format="%Y-%m"), "count"],
        ),
        width="stretch",
    )
with right:
    st.markdown(f"**Year-to-date cost against budget, {month.year}** (EUR)")
    st.altair_chart(
        alt.Chart(spend)
        .mark_line(point=True)
        .encode(
            x=alt.X("month:T", title=None, axis=MONTHS),
            y=alt.Y("eur:Q", title=None, axis=alt.Axis(format="~s")),
            color=alt.Color(
                "series:N",
                title=None,
                legend=alt.Legend(orient="bottom"),
                scale=alt.Scale(domain=["YTD cost", "YTD budget"], range=["#1f77b4", "#9e9e9e"]),
            ),
            tooltip=["series", alt.Tooltip("month:T", format="%b %Y"), alt.Tooltip("eur:Q", format=",.0f")],
        ),
        width="stretch",
    )

st.markdown(f"**Solutions by cost, last 12 months to {month_label}**")
solutions = query(
    release,
    """
    select l.solution_name, l.current_stage, sum(c.total_cost_eur) as cost_12m_eur,
           sum(c.build_hours) as build_hours, sum(c.run_hours) as run_hours,
           arg_max(c.monthly_active_users, c.month) as active_users_last_month
    from cost_per_solution c join solution_lifecycle l using (solution_id)
    where c.hub_id = ? and c.month > ?::date - interval 12 month and c.month <= ?::date
    group by all order by cost_12m_eur desc
    """,
    hub_id,
    month.date(),
    month.date(),
)
st.dataframe(
    solutions,
    hide_index=True,
    column_config={
        "solution_name": "Solution",
        "current_stage": "Stage",
        "cost_12m_eur": st.column_config.NumberColumn("Cost, 12 months (EUR)", format="%,.0f"),
        "build_hours": st.column_config.NumberColumn("Build hours", format="%,.0f"),
        "run_hours": st.column_config.NumberColumn("Run hours", format="%,.0f"),
        "active_users_last_month": st.column_config.NumberColumn("Active users", format="%d"),
    },
)
st.page_link("views/summary.py", label="← Executive summary")
