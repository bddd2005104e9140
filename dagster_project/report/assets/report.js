/* The report's sections, redrawn from the embedded data whenever a filter changes. */
"use strict";
const DATA = JSON.parse(document.getElementById("report-data").textContent);
const {columnChart, barRows, fmt, PALETTE} = window.Charts;
const FAMILY = [["headcount_data_science", "Data science", "#0072B2"], ["headcount_it", "IT", "#E69F00"],
                ["headcount_business", "Business", "#009E73"]];
const COMPANY_COLOR = "#000000", TARGET_COLOR = "#000000", BAND_COLOR = "#D55E00", THRESHOLD_COLOR = "#D55E00";
const P = DATA.parameters || {};
const HUB_NAME = Object.fromEntries(DATA.hubs.map(h => [h.id, h.name]));
const HUB_COLOR = Object.fromEntries(DATA.hubs.map((h, i) => [h.id, PALETTE[i % PALETTE.length]]));

const rowCache = {};
function rows(table) {  // column-wise JSON -> row objects
  if (!rowCache[table]) {
    const cols = {};  // a column of repeated strings comes as {keys, index}
    for (const [name, c] of Object.entries(DATA.tables[table])) cols[name] = Array.isArray(c) ? c : c.index.map(i => c.keys[i]);
    const names = Object.keys(cols), n = cols[names[0]].length;
    rowCache[table] = Array.from({length: n}, (_, i) => Object.fromEntries(names.map(c => [c, cols[c][i]])));
  }
  return rowCache[table];
}
const sum = (xs, f) => xs.reduce((a, r) => a + (f(r) || 0), 0);
const monthLabel = m => m.slice(0, 7);
const quarterLabel = q => q.slice(0, 4) + " Q" + (Math.floor((+q.slice(5, 7) - 1) / 3) + 1);
const quarterOf = m => m.slice(0, 5) + String(Math.floor((+m.slice(5, 7) - 1) / 3) * 3 + 1).padStart(2, "0") + "-01";
const ALL_MONTHS = rows("company_scorecard").map(r => r.month);

const state = {hub: "ALL", period: "24"};
function months() { return state.period === "all" ? ALL_MONTHS : ALL_MONTHS.slice(-(+state.period)); }
function hubIds() { return state.hub === "ALL" ? DATA.hubs.map(h => h.id) : [state.hub]; }
function byHubMonth(table, hub) {
  const map = new Map();
  for (const r of rows(table)) if (r.hub_id === hub) map.set(r.month, r);
  return map;
}

/* One line per hub: coloured and named while few, else thin grey lines (each named in its tooltip). */
const MANY_HUBS = 6;
function hubLine(h, values, extra) {
  const many = state.hub === "ALL" && DATA.hubs.length > MANY_HUBS;
  return {name: HUB_NAME[h], kind: "line", values, ...(many
    ? {color: "#a3adb5", width: 1, markers: false, noLegend: true}
    : {color: state.hub === "ALL" ? HUB_COLOR[h] : "#0072B2", width: state.hub === "ALL" ? 1.5 : 2.5}), ...extra};
}
function hubLegend() {
  return state.hub === "ALL" && DATA.hubs.length > MANY_HUBS
    ? [{name: `each of the ${DATA.hubs.length} hubs (choose one in the Hub filter)`, color: "#a3adb5", kind: "line"}] : [];
}

/* ---------- hubs ---------- */
function headcountChart(container, hub, ms, height, showLegend, maxY) {
  const cm = byHubMonth("hub_critical_mass", hub);
  const ratio = P.critical_mass_at_risk_ratio;
  const target = ms.map(m => cm.has(m) ? cm.get(m).critical_mass_target : null);
  columnChart(container, {
    categories: ms, labels: ms.map(monthLabel), unit: "people", yLabel: "people", height, legend: showLegend, maxY,
    series: [...FAMILY.map(([col, name, color]) => ({name, kind: "bar", stack: "hc", color,
                                                      values: ms.map(m => cm.has(m) ? cm.get(m)[col] : null)})),
             {name: "Critical-mass target", kind: "line", color: TARGET_COLOR, dash: "6 3", markers: false, values: target}],
    bands: ratio == null ? [] : [{name: `At risk (${Math.round(ratio * 100)}–100 % of target)`, color: BAND_COLOR,
                                  from: target.map(t => t == null ? null : t * ratio), to: target}],
    emptyText: "The hub was not open in this period.",
  });
}

function renderHeadcount() {
  const box = document.getElementById("chart-headcount");
  box.replaceChildren();
  const ms = months();
  box.classList.remove("multiples");
  if (state.hub !== "ALL") return headcountChart(box, state.hub, ms, 260, true);
  box.classList.add("multiples");
  const inPeriod = rows("hub_critical_mass").filter(r => ms.includes(r.month));
  const maxY = Math.max(...inPeriod.map(r => Math.max(r.headcount, r.critical_mass_target)));  // one scale for all
  DATA.hubs.forEach((h, i) => {
    const cell = document.createElement("div");
    cell.className = "multiple";
    const title = document.createElement("h4");
    const latest = byHubMonth("hub_critical_mass", h.id).get(DATA.as_of_month);
    title.textContent = h.name + (latest ? ` — ${latest.headcount} people, ${latest.critical_mass_status.replace("_", " ")}` : "");
    cell.appendChild(title);
    const chart = document.createElement("div");
    cell.appendChild(chart);
    box.appendChild(cell);
    headcountChart(chart, h.id, ms, 170, i === 0, maxY);
  });
}

function renderBridge() {
  const ms = months(), hubs = hubIds();
  const flows = [["hires", "Hires", "#009E73", 1], ["transfers_in", "Transfers in", "#56B4E9", 1],
                 ["exits", "Exits", "#D55E00", -1], ["transfers_out", "Transfers out", "#CC79A7", -1]];
  const rs = rows("hub_headcount_bridge").filter(r => hubs.includes(r.hub_id));
  columnChart(document.getElementById("chart-bridge"), {
    categories: ms, labels: ms.map(monthLabel), unit: "people", yLabel: "people (out below zero)",
    series: flows.map(([col, name, color, sign]) => ({name, kind: "bar", stack: "flow", color,
      values: ms.map(m => sign * sum(rs.filter(r => r.month === m), r => r[col]))})),
  });
}

function rateVsCompany(id, hubCol, companyCol, denomCol, label) {
  const ms = months(), mgs = DATA.min_group_size;
  const company = new Map(rows("company_scorecard").map(r => [r.month, r[companyCol]]));
  const series = hubIds().map(h => {
    const hr = byHubMonth("hub_retention", h);
    return hubLine(h, ms.map(m => hr.has(m) ? hr.get(m)[hubCol] : null),
                   {hollow: ms.map(m => hr.has(m) && hr.get(m)[denomCol] < mgs)});
  });
  series.push({name: "Company", kind: "line", color: COMPANY_COLOR, dash: "5 3", width: 2.5, markers: false,
               values: ms.map(m => company.get(m))});
  columnChart(document.getElementById(id), {categories: ms, labels: ms.map(monthLabel), unit: "pct", yLabel: label, series,
                                            extraLegend: hubLegend()});
}

function renderRecruiting() {
  const hubs = hubIds();
  const rs = rows("recruiting").filter(r => hubs.includes(r.hub_id));
  const first = quarterOf(months()[0]);
  const qs = [...new Set(rs.map(r => r.quarter))].filter(q => q >= first).sort();
  columnChart(document.getElementById("chart-requisitions"), {
    categories: qs, labels: qs.map(quarterLabel), unit: "int", yLabel: "requisitions",
    series: [["requisitions_opened", "Opened", "#56B4E9"], ["requisitions_filled", "Filled", "#009E73"],
             ["open_at_quarter_end", "Open at quarter end", "#E69F00"]].map(([col, name, color]) =>
      ({name, kind: "bar", color, values: qs.map(q => sum(rs.filter(r => r.quarter === q), r => r[col]))})),
  });
  columnChart(document.getElementById("chart-time-to-fill"), {
    categories: qs, labels: qs.map(quarterLabel), unit: "days", yLabel: "median days to fill",
    series: hubs.map(h => hubLine(h, qs.map(q => { const r = rs.find(r => r.hub_id === h && r.quarter === q); return r ? r.median_days_to_fill : null; }))),
    extraLegend: hubLegend(),
  });
}

function renderStaffing() {
  const ms = months();
  columnChart(document.getElementById("chart-staffing"), {
    categories: ms, labels: ms.map(monthLabel), unit: "pct", yLabel: "hours on solutions", maxY: 1,
    series: hubIds().map(h => {
      const s = byHubMonth("talent_staffing", h);
      return hubLine(h, ms.map(m => s.has(m) ? s.get(m).staffing_rate : null));
    }),
    extraLegend: hubLegend(),
  });
}

/* ---------- portfolio ---------- */
function renderFunnel() {
  const hubs = hubIds();
  const sols = rows("solution_lifecycle").filter(r => hubs.includes(r.hub_id) && r.first_poc_on);
  const years = [...new Set(sols.map(r => r.first_poc_on.slice(0, 4)))].sort();
  const stages = [["POC", "#56B4E9", r => true], ["Pilot or later", "#0072B2", r => r.first_pilot_on || r.first_production_on],
                  ["Production", "#009E73", r => r.first_production_on], ["Retired", "#999999", r => r.current_stage === "RETIRED"]];
  columnChart(document.getElementById("chart-funnel"), {
    categories: years, unit: "int", yLabel: "solutions reaching the stage",
    series: stages.map(([name, color, reached]) => ({name, color, kind: "bar",
      values: years.map(y => sols.filter(r => r.first_poc_on.startsWith(y) && reached(r)).length)})),
  });
}

function renderStuck() {
  const hubs = hubIds();
  const list = DATA.stuck_pocs.filter(r => hubs.includes(r.hub_id));
  const body = document.querySelector("#table-stuck tbody");
  body.replaceChildren();
  for (const r of list) {
    const tr = document.createElement("tr");
    if (r.stuck) tr.className = "stuck";
    for (const v of [r.solution, r.hub, fmt.days(r.days), r.stuck == null ? "threshold not recorded" : r.stuck ? "stuck" : "—"]) {
      const td = document.createElement("td");
      td.textContent = v;
      tr.appendChild(td);
    }
    body.appendChild(tr);
  }
  const ph = rows("portfolio_health").filter(r => hubs.includes(r.hub_id) && r.month === DATA.as_of_month);
  document.getElementById("stuck-note").textContent = list.length
    ? `${list.length} solution${list.length > 1 ? "s" : ""} in POC at ${DATA.as_of_date}; portfolio_health counts ` +
      `${sum(ph, r => r.stuck_pocs)} stuck (in POC for more than ${P.stuck_poc_days != null ? P.stuck_poc_days + " days" : "stuck_poc_days"} since last entering it).`
    : "No solution in POC.";
}

function renderAdoption() {
  const hubs = hubIds();
  const rs = rows("solution_adoption").filter(r => hubs.includes(r.hub_id));
  const maxM = Math.max(0, ...rs.map(r => r.months_in_production));
  const cats = Array.from({length: maxM}, (_, i) => i + 1);
  const byId = new Map();
  for (const r of rs) {
    if (!byId.has(r.solution_id)) byId.set(r.solution_id, {hub: r.hub_id, values: cats.map(() => null)});
    byId.get(r.solution_id).values[r.months_in_production - 1] = r.adoption_rate;
  }
  const names = new Map(rows("solution_lifecycle").map(r => [r.solution_id, r.solution_name]));
  const box = document.getElementById("chart-adoption");
  const many = state.hub === "ALL" && DATA.hubs.length > MANY_HUBS;
  columnChart(box, {
    categories: cats, labels: cats.map(String), unit: "pct", yLabel: "active users / target users", legend: false,
    series: [...byId.entries()].map(([id, s]) => ({name: `${names.get(id) || id} (${HUB_NAME[s.hub]})`, kind: "line",
                                                   color: many ? "#0072B2" : HUB_COLOR[s.hub], width: 1.5,
                                                   opacity: many ? 0.45 : 0.8, markers: false, values: s.values})),
    rules: P.adoption_threshold == null ? [] : [{value: P.adoption_threshold, name: `Adoption threshold ${fmt.pct(P.adoption_threshold)}`, color: THRESHOLD_COLOR}],
    emptyText: "No production solution with a target.",
  });
  if (byId.size) {
    const items = many ? [{name: `each production solution of the ${DATA.hubs.length} hubs`, color: "#0072B2", kind: "line"}]
                       : hubs.map(h => ({name: HUB_NAME[h], color: HUB_COLOR[h], kind: "line"}));
    if (P.adoption_threshold != null) items.push({name: "Adoption threshold", color: THRESHOLD_COLOR, kind: "rule"});
    Charts.legend(box, items);
  }
}

function renderShares() {
  const ms = months(), hubs = hubIds();
  const rs = rows("portfolio_health").filter(r => hubs.includes(r.hub_id));
  const share = (m, col) => {  // shares of production solutions, pooled over the hubs
    const xs = rs.filter(r => r.month === m && r.solutions_production > 0);
    const n = sum(xs, r => r.solutions_production);
    return n ? sum(xs, r => r[col] * r.solutions_production) / n : null;
  };
  columnChart(document.getElementById("chart-shares"), {
    categories: ms, labels: ms.map(monthLabel), unit: "pct", yLabel: "share of production solutions", maxY: 1,
    series: [["monitored_share", "Monitored", "#0072B2"], ["maintained_share", "Maintained", "#E69F00"]].map(
      ([col, name, color]) => ({name, kind: "line", color, values: ms.map(m => share(m, col))})),
  });
}

/* ---------- cost ---------- */
function renderCost() {
  const ms = new Set(months()), hubs = hubIds();
  const names = new Map(rows("solution_lifecycle").map(r => [r.solution_id, r.solution_name]));
  const totals = new Map();
  for (const r of rows("cost_per_solution")) {
    if (!ms.has(r.month) || !hubs.includes(r.hub_id)) continue;
    const t = totals.get(r.solution_id) || {direct: 0, allocated: 0};
    t.direct += r.direct_cost_eur; t.allocated += r.allocated_cost_eur;
    totals.set(r.solution_id, t);
  }
  const top = [...totals.entries()].sort((a, b) => (b[1].direct + b[1].allocated) - (a[1].direct + a[1].allocated)).slice(0, 15);
  barRows(document.getElementById("chart-cost-solutions"), {
    categories: top.map(([id]) => names.get(id) || id), unit: "eur", xLabel: "EUR over the period",
    series: [{name: "Direct", color: "#0072B2", stack: "c", values: top.map(([, t]) => t.direct)},
             {name: "Allocated from the hub pool", color: "#56B4E9", stack: "c", values: top.map(([, t]) => t.allocated)}],
  });
  const hc = rows("hub_costs").filter(r => hubs.includes(r.hub_id));
  barRows(document.getElementById("chart-pool"), {
    categories: hubs.map(h => HUB_NAME[h]), unit: "eur", xLabel: "EUR of the hub's pool over the period",
    series: [{name: "Allocated to solutions", color: "#009E73", stack: "p",
              values: hubs.map(h => sum(hc.filter(r => r.hub_id === h && ms.has(r.month)), r => r.allocated_cost_eur))},
             {name: "Unallocated (hub overhead)", color: "#999999", stack: "p",
              values: hubs.map(h => sum(hc.filter(r => r.hub_id === h && ms.has(r.month)), r => r.unallocated_cost_eur))}],
  });
  const last = hc.filter(r => r.month === DATA.as_of_month);
  const withBudget = hubs.filter(h => last.some(r => r.hub_id === h));
  const get = (h, col) => { const r = last.find(r => r.hub_id === h); return r ? r[col] : null; };
  barRows(document.getElementById("chart-budget"), {
    categories: withBudget.map(h => HUB_NAME[h]), unit: "eur", xLabel: `EUR, January to ${DATA.as_of_month.slice(0, 7)}`,
    series: [{name: "Actual year to date", color: "#0072B2", values: withBudget.map(h => get(h, "ytd_cost_eur"))},
             {name: "Budget year to date", color: "#E69F00", values: withBudget.map(h => get(h, "ytd_budget_eur"))}],
  });
}

/* ---------- trust ---------- */
function renderExitReasons() {
  const scope = state.hub === "ALL" ? "COMPANY" : state.hub;
  const first = state.period === "all" ? "" : months()[0];
  const rs = rows("exit_reasons").filter(r => r.scope === scope && r.period_end >= first)
    .sort((a, b) => a.period_end.localeCompare(b.period_end) || (a.period_type === "YEAR") - (b.period_type === "YEAR"));
  document.getElementById("exit-scope").textContent = scope === "COMPANY" ? "the company (all hubs)" : HUB_NAME[scope];
  const body = document.querySelector("#table-exits tbody");
  body.replaceChildren();
  for (const r of rs) {
    const tr = document.createElement("tr");
    tr.className = r.period_type === "YEAR" ? "year" : "";
    const period = r.period_type === "YEAR" ? r.period_start.slice(0, 4) + " (year)" : quarterLabel(r.period_start);
    const cells = [[period], [fmt.int(r.exits)]];
    for (const col of ["voluntary_exits", "involuntary_exits", "other_exits", "regretted_exits"]) {
      cells.push(r.is_suppressed ? [`suppressed (${(r.suppression || "").toLowerCase()})`, r.suppression] : [fmt.int(r[col])]);
    }
    for (const [text, reason] of cells) {
      const td = document.createElement("td");
      td.textContent = text;
      if (reason !== undefined) { td.className = "suppressed"; td.dataset.suppressed = reason || ""; }
      tr.appendChild(td);
    }
    tr.dataset.scope = r.scope; tr.dataset.period = r.period_type + ":" + r.period_start;
    body.appendChild(tr);
  }
}

function renderSparkline() {
  const rs = rows("company_scorecard");
  columnChart(document.getElementById("spark-headcount"), {
    categories: rs.map(r => r.month), labels: rs.map(r => monthLabel(r.month)), unit: "people", height: 80,
    legend: false, compact: true, series: [{name: "Headcount", kind: "line", color: "#0072B2", markers: false, values: rs.map(r => r.headcount)}],
  });
}

function renderAll() {
  document.querySelectorAll("[data-period-label]").forEach(n => {
    const ms = months();
    n.textContent = `${monthLabel(ms[0])} to ${monthLabel(ms[ms.length - 1])}`;
  });
  document.querySelectorAll("[data-hub-label]").forEach(n => n.textContent = state.hub === "ALL" ? "all hubs" : HUB_NAME[state.hub]);
  renderHeadcount(); renderBridge();
  rateVsCompany("chart-retention", "retention_rate", "retention_rate_12m", "opening_headcount", "12-month retention");
  rateVsCompany("chart-attrition", "attrition_rate_12m", "attrition_rate_12m", "avg_headcount_12m", "12-month attrition");
  renderRecruiting(); renderStaffing();
  renderFunnel(); renderStuck(); renderAdoption(); renderShares();
  renderCost(); renderExitReasons();
}

function setup() {
  const hubSelect = document.getElementById("filter-hub");
  for (const h of DATA.hubs) hubSelect.add(new Option(h.name, h.id));
  hubSelect.addEventListener("change", () => { state.hub = hubSelect.value; renderAll(); });
  const periodSelect = document.getElementById("filter-period");
  periodSelect.value = state.period;
  periodSelect.addEventListener("change", () => { state.period = periodSelect.value; renderAll(); });
  renderSparkline();
  renderAll();
  let width = window.innerWidth;
  window.addEventListener("resize", () => { if (window.innerWidth !== width) { width = window.innerWidth; renderSparkline(); renderAll(); } });
}
setup();
