"""Hubs, people and their HR history: hires, exits, transfers, job changes, rehires."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from dagster_project.contract import ROLE_FAMILIES
from synthetic.scales import Scale

SITES = (("Paris", "EUR"), ("Lyon", "EUR"), ("London", "GBP"), ("Munich", "EUR"),
         ("Boston", "USD"), ("Madrid", "EUR"), ("Manchester", "GBP"), ("Milan", "EUR"))
FAMILY_MIXES = ((0.50, 0.25, 0.25), (0.45, 0.30, 0.25), (0.55, 0.20, 0.25), (0.86, 0.08, 0.06))
MONTHLY_EXIT_P = 0.0105  # about 12 % a year
MONTHLY_TRANSFER_P = 0.003
MONTHLY_JOB_CHANGE_P = 0.006
REHIRE_SHARE = 0.07
CONTRACTOR_SHARE = 0.09


@dataclass
class Hub:
    index: int
    hub_id: str
    name: str
    site: str
    currency: str
    opened_on: dt.date
    final_size: int
    growth_months: int
    family_mix: tuple[float, float, float]
    critical_mass_target: int | None
    closed_on: dt.date | None = None  # the generator's hubs stay open; a closing date ends their budgets


@dataclass
class Event:
    event_id: str
    employee: int
    event_type: str
    date: dt.date
    hub: int | None
    role: str | None
    fte: float | None
    exit_type: str | None = None
    is_regretted: bool | None = None
    requisition_id: str | None = None


@dataclass
class Person:
    index: int
    worker_type: str
    events: list[Event] = field(default_factory=list)
    hub: int | None = None  # current hub while employed
    role: str | None = None
    fte: float = 1.0
    last_date: dt.date | None = None
    left_on: dt.date | None = None

    @property
    def employee_id(self) -> str:
        return f"E{self.index:06d}"


@dataclass
class Requisition:
    requisition_id: str
    hub: int
    role: str
    opened_on: dt.date
    status: str
    closed_on: dt.date | None
    hired: int | None


@dataclass
class Workforce:
    hubs: list[Hub]
    people: list[Person]
    requisitions: list[Requisition]


def month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    months, d = [], start.replace(day=1)
    while d <= end:
        months.append(d)
        d = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def month_end(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


class _Simulation:
    def __init__(self, rng: np.random.Generator, scale: Scale):
        self.rng, self.scale = rng, scale
        self.people: list[Person] = []
        self.requisitions: list[Requisition] = []
        self.n_events = 0
        self.hubs = self._make_hubs()

    def _make_hubs(self) -> list[Hub]:
        rng, scale = self.rng, self.scale
        span = (scale.end_date - scale.start_date).days
        hubs = []
        for i in range(scale.hubs):
            site, currency = SITES[i % len(SITES)]
            # the first hub opens on the first day; the others over the first 45 % of the period
            offset = 0 if i == 0 else int(rng.integers(0, int(span * 0.45)))
            low, high = scale.hub_final_size
            hubs.append(Hub(
                index=i, hub_id=f"H{i + 1:03d}", name=f"{site} {('AI', 'Data', 'Analytics')[i % 3]} Hub {i + 1}",
                site=site, currency=currency, opened_on=scale.start_date + dt.timedelta(days=offset),
                # one hub in four stays below critical mass
                final_size=int(rng.integers(14, 29)) if i % 4 == 1 else int(rng.integers(low, high + 1)),
                growth_months=int(rng.integers(*scale.growth_months)),
                family_mix=FAMILY_MIXES[3] if i % 7 == 3 else FAMILY_MIXES[i % 3],
                critical_mass_target=(25, 40)[i % 2] if i % 5 == 2 else None,
            ))
        return hubs

    # -- events --------------------------------------------------------------------------
    def _date_in(self, person: Person, first: dt.date, last: dt.date) -> dt.date | None:
        """A random day in [first, last] strictly after the person's previous event."""
        low = first if person.last_date is None else max(first, person.last_date + dt.timedelta(days=1))
        if low > last:
            return None
        return low + dt.timedelta(days=int(self.rng.integers(0, (last - low).days + 1)))

    def _add(self, person: Person, event_type: str, date: dt.date, **fields) -> Event:
        self.n_events += 1
        event = Event(f"EV{self.n_events:08d}", person.index, event_type, date, **fields)
        person.events.append(event)
        person.last_date = date
        return event

    def _role_for(self, hub: Hub, members: int) -> str:
        if members == 0:
            return "HUB_LEAD"
        family = ("DATA_SCIENCE", "IT", "BUSINESS")[int(self.rng.choice(3, p=hub.family_mix))]
        roles = [r for r in ROLE_FAMILIES[family] if r != "HUB_LEAD"]
        return roles[int(self.rng.integers(0, len(roles)))]

    def _fte(self) -> float:
        return float(self.rng.choice([1.0, 0.8, 0.6, 0.5], p=[0.86, 0.08, 0.03, 0.03]))

    def _hire(self, hub: Hub, first: dt.date, last: dt.date, members: int,
              rehire_pool: list[Person]) -> Person | None:
        rng = self.rng
        if rehire_pool and rng.random() < REHIRE_SHARE:
            person = rehire_pool.pop(int(rng.integers(0, len(rehire_pool))))
            event_type = "REHIRE"
        else:
            worker_type = "CONTRACTOR" if rng.random() < CONTRACTOR_SHARE and members > 0 else "EMPLOYEE"
            person = Person(len(self.people) + 1, worker_type)
            self.people.append(person)
            event_type = "HIRE"
        date = self._date_in(person, max(first, hub.opened_on), last)
        if date is None:
            if event_type == "REHIRE":
                rehire_pool.append(person)
            return None
        role, fte = self._role_for(hub, members), self._fte()
        requisition_id = None
        if person.worker_type == "EMPLOYEE":
            requisition_id = self._filled_requisition(hub, role, date, person)
        self._add(person, event_type, date, hub=hub.index, role=role, fte=fte, requisition_id=requisition_id)
        person.hub, person.role, person.fte, person.left_on = hub.index, role, fte, None
        return person

    def _filled_requisition(self, hub: Hub, role: str, hire_date: dt.date, person: Person) -> str:
        rng = self.rng
        closed = min(hire_date - dt.timedelta(days=int(rng.integers(7, 45))), self.scale.end_date)
        opened = closed - dt.timedelta(days=int(rng.gamma(2.0, 25.0)) + 5)
        return self._requisition(hub, role, opened, "FILLED", closed, person.index)

    def _requisition(self, hub: Hub, role: str, opened: dt.date, status: str,
                     closed: dt.date | None, hired: int | None) -> str:
        requisition_id = f"R{len(self.requisitions) + 1:06d}"
        self.requisitions.append(Requisition(requisition_id, hub.index, role, opened, status, closed, hired))
        return requisition_id

    def _exit(self, person: Person, date: dt.date) -> None:
        rng = self.rng
        exit_type = str(rng.choice(["VOLUNTARY", "INVOLUNTARY", "OTHER"], p=[0.62, 0.26, 0.12]))
        regretted = exit_type == "VOLUNTARY" and rng.random() < 0.4
        self._add(person, "EXIT", date, hub=None, role=None, fte=None, exit_type=exit_type,
                  is_regretted=regretted)
        person.hub, person.role, person.left_on = None, None, date

    # -- the month loop ------------------------------------------------------------------
    def run(self) -> Workforce:
        rng, scale = self.rng, self.scale
        members: dict[int, list[Person]] = {h.index: [] for h in self.hubs}
        leavers: list[Person] = []
        for first in month_starts(scale.start_date, scale.end_date):
            last = min(month_end(first), scale.end_date)
            open_hubs = [h for h in self.hubs if h.opened_on <= last]
            for hub in open_hubs:
                for person in list(members[hub.index]):
                    draw = rng.random()
                    if draw < MONTHLY_EXIT_P:
                        if (date := self._date_in(person, first, last)) is not None:
                            self._exit(person, date)
                            members[hub.index].remove(person)
                            leavers.append(person)
                    elif draw < MONTHLY_EXIT_P + MONTHLY_TRANSFER_P and len(open_hubs) > 1:
                        others = [h for h in open_hubs if h.index != hub.index]
                        target = others[int(rng.integers(0, len(others)))]
                        if (date := self._date_in(person, max(first, target.opened_on), last)) is not None:
                            self._add(person, "TRANSFER", date, hub=target.index, role=person.role, fte=person.fte)
                            members[hub.index].remove(person)
                            members[target.index].append(person)
                            person.hub = target.index
                    elif (draw < MONTHLY_EXIT_P + MONTHLY_TRANSFER_P + MONTHLY_JOB_CHANGE_P
                          and (date := self._date_in(person, first, last)) is not None):
                        role = self._role_for(hub, len(members[hub.index]))
                        fte = 1.0 if person.fte < 1 and rng.random() < 0.5 else person.fte
                        self._add(person, "JOB_CHANGE", date, hub=hub.index, role=role, fte=fte)
                        person.role, person.fte = role, fte
            rehire_pool = [p for p in leavers if p.left_on and (first - p.left_on).days > 90]
            for hub in open_hubs:
                months_open = (first.year - hub.opened_on.year) * 12 + first.month - hub.opened_on.month + 1
                desired = max(3, round(hub.final_size * min(1.0, months_open / hub.growth_months)))
                for _ in range(max(0, desired - len(members[hub.index])) + int(rng.poisson(0.15))):
                    person = self._hire(hub, first, last, len(members[hub.index]), rehire_pool)
                    if person is not None:
                        members[hub.index].append(person)
                        if person.events[-1].event_type == "REHIRE":
                            leavers.remove(person)
                self._recruiting_noise(hub, first, last)
        self._future_exits(members)
        self._open_requisitions()
        return Workforce(self.hubs, self.people, self.requisitions)

    def _recruiting_noise(self, hub: Hub, first: dt.date, last: dt.date) -> None:
        """Cancelled openings, as every recruiting pipeline has."""
        rng = self.rng
        if rng.random() < 0.18:
            opened = first + dt.timedelta(days=int(rng.integers(0, (last - first).days + 1)))
            closed = opened + dt.timedelta(days=int(rng.integers(10, 120)))
            role = self._role_for(hub, 1)
            if closed <= self.scale.end_date:
                self._requisition(hub, role, opened, "CANCELLED", closed, None)
            else:
                self._requisition(hub, role, opened, "OPEN", None, None)

    def _future_exits(self, members: dict[int, list[Person]]) -> None:
        """Resignations already known to HR, effective after the end of the data."""
        end = self.scale.end_date
        for hub_members in members.values():
            for person in hub_members:
                if self.rng.random() < 0.02:
                    self._exit(person, end + dt.timedelta(days=int(self.rng.integers(1, 75))))

    def _open_requisitions(self) -> None:
        end = self.scale.end_date
        for hub in self.hubs:
            for _ in range(int(self.rng.integers(0, 3))):
                opened = end - dt.timedelta(days=int(self.rng.integers(0, 100)))
                if opened >= hub.opened_on:
                    self._requisition(hub, self._role_for(hub, 1), opened, "OPEN", None, None)


def simulate_workforce(rng: np.random.Generator, scale: Scale) -> Workforce:
    return _Simulation(rng, scale).run()
