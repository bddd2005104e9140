"""Executive summary: the company's headline KPIs at as_of_date, their trends, and every hub."""

import altair as alt
import fmt
import pandas as pd
import streamlit as st
from publication import query, release_or_stop

MONTHS = alt.Axis(format="%b %Y", tickCount=6, labelAngle=0)
LEGEND = alt.Legend(orient="bottom", columns=2, labelLimit=300)

release = release_or_stop()

st.title("AI data hubs — executive summary")
st.markdown(
    f"Figures as of **{release.as_of_date}** (as_of_date) · publication `{release.path.name}`, "
    f"published {release.published_at[:16].replace('T', ' ')} UTC. Rates are over the trailing "
    "12 months where so named; definitions: docs/kpis.md."
)

scorecard = query(release, "select * from company_scorecard order by month")
if scorecard.empty:
    st.warning("company_scorecard is empty in this publication.")
    st.stop()
latest = scorecard.iloc[-1]
month_label = latest["month"].strftime("%B %Y")
year_ago = scorecard[scorecard["month"] == latest["month"] - pd.DateOffset(years=1)]
year_ago = year_ago.iloc[0] if len(year_ago) else None

budget = query(
    release,
    """
    select sum(ytd_cost_eur) as ytd_cost,
           sum(ytd_cost_eur) filter (where ytd_budget_eur is not null) as ytd_cost_budgeted,
           sum(ytd_budget_eur) as ytd_budget
    from hub_costs where month = (select max(month) from company_scorecard)
    """,
).iloc[0]
variance = (
    None if fmt.missing(budget["ytd_budget"]) else budget["ytd_cost_budgeted"] - budget["ytd_budget"]
)

st.subheader(f"Headline figures, {month_label}")
people = st.columns(5)
people[0].metric(
    "Hubs at critical mass",
    f"{int(latest['hubs_at_critical_mass'])} of {int(latest['hubs_open'])}",
    help="Hubs whose employee headcount is at or above their critical-mass target.",
)
people[1].metric(
    "Headcount",
    fmt.num(latest["headcount"]),
    None if year_ago is None else f"{int(latest['headcount'] - year_ago['headcount']):+d} in 12 months",
    help="Employees assigned to a hub at month end (contractors apart).",
)
people[2].metric(
    "Retention, 12 months",
    fmt.pct(latest["retention_rate_12m"]),
    None if year_ago is None else fmt.pts(latest["retention_rate_12m"] - year_ago["retention_rate_12m"]),
    help="Share of the employees of 12 months ago still employed (a move between hubs is no loss).",
)
people[3].metric(
    "Attrition, 12 months",
    fmt.pct(latest["attrition_rate_12m"]),
    None if year_ago is None else fmt.pts(latest["attrition_rate_12m"] - year_ago["attrition_rate_12m"]),
    delta_color="inverse",
    help="Exits in the trailing 12 months / average headcount.",
)
people[4].metric(
    "First-year attrition",
    fmt.pct(latest["first_year_attrition_rate"]),
    help="Share of the hires of 12 to 23 months ago who left within a year.",
)

portfolio = st.columns(5)
portfolio[0].metric(
    "Industrialisation rate",
    fmt.pct(latest["industrialization_rate"]),
    f"{int(latest['industrialized_pocs'])} of {int(latest['eligible_pocs'])} POCs",
    delta_color="off",
    delta_arrow="off",
    help="POCs in production within the industrialisation window, over the POCs old enough to tell.",
)
portfolio[1].metric(
    "Adopted share",
    fmt.pct(latest["adopted_share"]),
    f"{int(latest['solutions_in_production'])} in production",
    delta_color="off",
    delta_arrow="off",
    help="Production solutions (with a target) whose monthly active users reach the adoption threshold.",
)
portfolio[2].metric(
    "Healthy production share",
    fmt.pct(latest["healthy_production_share"]),
    help="Production solutions monitored, maintained and (with a target) adopted.",
)
portfolio[3].metric(
    f"Cost, {latest['month'].strftime('%b %Y')}",
    fmt.eur(latest["total_cost_eur"]),
    None
    if fmt.missing(latest["cost_per_production_solution_eur"])
    else f"{fmt.eur(latest['cost_per_production_solution_eur'])} / prod. solution",
    delta_color="off",
    delta_arrow="off",
    help="All hubs' cost lines of the month, in EUR.",
)
portfolio[4].metric(
    "YTD vs budget",
    fmt.eur(variance),
    None if variance is None else f"{variance / budget['ytd_budget'] * 100:+.1f} % of budget",
    delta_color="inverse",
    help="Year-to-date cost minus year-to-date budget over the hubs with a budget (positive = "
    "overspend); the delta, as a share of that budget.",
)

headcount = query(
    release, "select month, hub_name, headcount from hub_critical_mass order by month, hub_id"
)
rates = scorecard.melt(
    id_vars="month",
    value_vars=["retention_rate_12m", "attrition_rate_12m", "first_year_attrition_rate"],
    var_name="rate",
)
rates["rate"] = rates["rate"].map(
    {
        "retention_rate_12m": "Retention, 12 months",
        "attrition_rate_12m": "Attrition, 12 months",
        "first_year_attrition_rate": "First-year attrition",
    }
)
left, right = st.columns(2)
with left:
    st.markdown("**Headcount by hub** (employees at month end)")
    st.altair_chart(
        alt.Chart(headcount)
        .mark_area()
        .encode(
            x=alt.X("month:T", title=None, axis=MONTHS),
            y=alt.Y("headcount:Q", stack="zero", title="employees"),
            color=alt.Color("hub_name:N", title=None, legend=LEGEND),
            tooltip=["hub_name", alt.Tooltip("month:T", format="%b %Y"), "headcount"],
        ),
        width="stretch",
    )
with right:
    st.markdown("**Retention and attrition** (company, trailing 12 months)")
    st.altair_chart(
        alt.Chart(rates)
        .mark_line(point=True)
        .encode(
            x=alt.X("month:T", title=None, axis=MONTHS),
            y=alt.Y("value:Q", title=None, axis=alt.Axis(format="%")),
            color=alt.Color("rate:N", title=None, legend=LEGEND),
            tooltip=["rate", alt.Tooltip("month:T", format="%b %Y"), alt.Tooltip("value:Q", format=".1%")],
        ),
        width="stretch",
    )

shares = scorecard.melt(
    id_vars="month",
    value_vars=["industrialization_rate", "adopted_share", "healthy_production_share"],
    var_name="share",
)
shares["share"] = shares["share"].map(
    {
        "industrialization_rate": "Industrialisation rate",
        "adopted_share": "Adopted share",
        "healthy_production_share": "Healthy production share",
    }
)
costs = query(
    release,
    """
    select c.month, m.hub_name, c.total_cost_eur
    from hub_costs c join hub_critical_mass m using (hub_id, month)
    order by c.month, c.hub_id
    """,
)
left, right = st.columns(2)
with left:
    st.markdown("**Industrialisation and adoption** (company)")
    st.altair_chart(
        alt.Chart(shares)
        .mark_line(point=True)
        .encode(
            x=alt.X("month:T", title=None, axis=MONTHS),
            y=alt.Y("value:Q", title=None, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("share:N", title=None, legend=LEGEND),
            tooltip=["share", alt.Tooltip("month:T", format="%b %Y"), alt.Tooltip("value:Q", format=".1%")],
        ),
        width="stretch",
    )
with right:
    st.markdown("**Monthly cost by hub** (EUR)")
    st.altair_chart(
        alt.Chart(costs)
        .mark_bar()
        .encode(
            x=alt.X("yearmonth(month):T", title=None, axis=MONTHS),
            y=alt.Y("total_cost_eur:Q", title=None, axis=alt.Axis(format="~s")),
            color=alt.Color("hub_name:N", title=None, legend=LEGEND),
            tooltip=["hub_name", alt.Tooltip("month:T", format="%b %Y"),
                     alt.Tooltip("total_cost_eur:Q", format=",.0f")],
        ),
        width="stretch",
    )

st.subheader(f"Hubs, {month_label}")
hubs = query(
    release,
    """
    select m.hub_id, m.hub_name, m.headcount, m.critical_mass_target, m.critical_mass_status,
           m.is_multidisciplinary, r.retention_rate, r.attrition_rate_12m, s.staffing_rate,
           c.ytd_cost_eur, c.ytd_budget_eur, c.ytd_budget_variance_pct
    from hub_critical_mass m
    left join hub_retention r using (hub_id, month)
    left join talent_staffing s using (hub_id, month)
    left join hub_costs c using (hub_id, month)
    where m.month = (select max(month) from hub_critical_mass)
    order by m.hub_id
    """,
)
table = hubs.assign(
    retention_rate=hubs["retention_rate"] * 100,
    attrition_rate_12m=hubs["attrition_rate_12m"] * 100,
    staffing_rate=hubs["staffing_rate"] * 100,
    ytd_budget_variance_pct=hubs["ytd_budget_variance_pct"] * 100,
)
st.dataframe(
    table,
    hide_index=True,
    column_order=[
        "hub_name", "headcount", "critical_mass_target", "critical_mass_status", "is_multidisciplinary",
        "retention_rate", "attrition_rate_12m", "staffing_rate", "ytd_budget_variance_pct",
    ],
    column_config={
        "hub_name": "Hub",
        "headcount": st.column_config.NumberColumn("Headcount"),
        "critical_mass_target": st.column_config.NumberColumn("Target"),
        "critical_mass_status": "Critical mass",
        "is_multidisciplinary": st.column_config.CheckboxColumn("Multidisciplinary"),
        "retention_rate": st.column_config.NumberColumn("Retention 12m", format="%.1f %%"),
        "attrition_rate_12m": st.column_config.NumberColumn("Attrition 12m", format="%.1f %%"),
        "staffing_rate": st.column_config.NumberColumn("Staffing rate", format="%.1f %%"),
        "ytd_budget_variance_pct": st.column_config.NumberColumn("YTD vs budget", format="%+.1f %%"),
    },
)
st.markdown("**Hub pages**")
links = st.columns(len(hubs))
for column, (_, hub) in zip(links, hubs.iterrows(), strict=True):
    column.page_link("views/hub.py", label=f"{hub['hub_name']} →", query_params={"hub_id": hub["hub_id"]})
