"""The sections of a board report, each built as plain data: a title, a few sentences and tables of cells.

Every cell is `[text, value]`: the words shown on the page and in the PDF, and the number a spreadsheet
stores (None for words). Column kinds tell the spreadsheet how to format the numbers. The whole report is
this data, so a published report is its stored copy (`reporting.content`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from families.models import FamilyEvent, FamilySupportLog, Invitation, InvitationStatus, SupportContact
from improvement import catalogue, success
from improvement.models import ImprovementAction, Status
from kpis.dashboard import ORDER, Figure, trend
from kpis.definitions.base import Level
from kpis.periods import london_midnight, month_start
from kpis.registry import REGISTRY
from pop.dashboard import comparators
from pop.kpis import registry as pop_registry
from reporting import impact
from reporting.figures import FigureRow, Scope, aggregates, apply_suppression, network_of
from reporting.national import NATIONAL
from reporting.periods import ReportPeriod
from reporting.policy import Policy
from reporting.suppression import MARK
from training.selectors import coverage_rows
from units.models import Unit

Cell = list[Any]  # [text, value]
# A figure worked out from a hidden count (a rate, an interval, a change) reads as the count does: one mark for
# every hidden cell (`reporting.suppression.MARK`), explained beside each table that shows it (`note_marks`).
WITHHELD = MARK
NO_BABIES = "No babies in this period"


def cell(text: str, value: float | int | None = None) -> Cell:
    return [text, value]


def note_marks(built: Iterable[dict[str, Any]], policy: Policy) -> None:
    """Add what the mark means to the note of every table that shows one: a reader meets the explanation
    where the mark is, in the page, the PDF and the spreadsheet alike (the GSS shorthand guidance)."""
    for section in built:
        for found in section.get("tables", []):
            if any(c[0] == MARK for row in found["rows"] for c in row):
                # First: it changes how the table reads.
                found["note"] = " ".join(part for part in (policy.mark_note(), found["note"]) if part)


def table(caption: str, columns: Iterable[tuple[str, str]], rows: list[list[Cell]], note: str = "") -> dict[str, Any]:
    return {"caption": caption, "columns": [{"label": label, "kind": kind} for label, kind in columns],
            "rows": rows, "note": note}


@dataclass
class Context:
    scope: Scope
    policy: Policy | None  # None: a report for use within the network
    today: date
    hie_rows: list[FigureRow]
    impact_from: date | None

    @property
    def period(self) -> ReportPeriod:
        return self.scope.period

    def in_scope(self, ods_code: str | None) -> bool:
        """Whether a unit is one the report covers (any unit, for a report on every unit)."""
        units = self.scope.units_covered
        return units is None or ods_code in units

    def units(self) -> Any:
        """The units the report covers, as a queryset (training, events, actions)."""
        units = self.scope.units_covered
        return Unit.objects.all() if units is None else Unit.objects.filter(ods_code__in=units)

    @property
    def measured_on(self) -> date:
        """The day figures that are states rather than sums (training, open actions) are measured on."""
        return min(self.period.end, self.today)

    def count_text(self, value: int | None) -> Cell:
        """A count about babies or families, hidden by the policy when small."""
        if value is None:
            return cell("–")
        if self.policy is not None and self.policy.hides(self.scope.level, value):
            return cell(self.policy.hidden_text)
        return cell(str(value), value)


def _percent(value: float | None, places: int = 0) -> Cell:
    return cell("–" if value is None else f"{value * 100:.{places}f}%", value)


def _own(ctx: Context, rows: Iterable[FigureRow]) -> dict[str, FigureRow]:
    return {r.kpi: r for r in rows if (r.level, r.org_code) == (ctx.scope.level, ctx.scope.org_code)}


# --- HIE KPIs -----------------------------------------------------------------------------------------------------


def _result(row: FigureRow) -> Cell:
    agg = row.aggregate
    if agg is None:
        return cell(NO_BABIES)
    if row.derived_hidden:
        return cell(WITHHELD)
    figure = Figure(agg)
    return cell(figure.text, agg.median if row.is_median else agg.rate)


def _interval(row: FigureRow) -> Cell:
    if row.aggregate is not None and row.derived_hidden:
        return cell(WITHHELD)
    if row.interval is None or row.aggregate is None:
        return cell("–")
    # As the dashboards write it: a rate per 1,000 live births has its interval per 1,000 too, not "0%–0%".
    return cell(Figure(row.aggregate).interval_text or "–")


def _count(row: FigureRow, column: str) -> Cell:
    text = row.shown(column)
    return cell(text or "–", int(text) if text.isdigit() else None)


def _trend(row: FigureRow, previous: Any) -> Cell:
    if row.aggregate is None or previous is None:
        return cell("–")
    if row.derived_hidden:
        # The change is this rate against the last period's: hidden with the rate. A hidden "missing" or "not
        # eligible" count is not in it, and a "[c]" beside a rate that is shown would read as a contradiction.
        return cell(WITHHELD)
    found = trend(Figure(row.aggregate), Figure(previous), REGISTRY[row.kpi].DIRECTION)
    return cell(found.text if found else "–")


def hie(ctx: Context) -> dict[str, Any]:
    scope = ctx.scope
    own = _own(ctx, ctx.hie_rows)
    network = {r.kpi: r for r in ctx.hie_rows if r.level == Level.NETWORK} if scope.is_unit else {}
    before = {a.kpi: a for a in aggregates(ctx.period.previous(), ORDER,
                                           Q(level=scope.level, org_code=scope.org_code))}
    rows = []
    for code in ORDER:
        row = own[code]
        definition = REGISTRY[code]
        better = "Lower is better" if row.is_median or str(definition.DIRECTION) == "lower" else (
            "Higher is better" if str(definition.DIRECTION) == "higher" else "Monitored")
        published = impact_published(code)
        national = NATIONAL.get(code)
        line = [cell(f"{definition.TITLE}\n{better}"), _result(row), _interval(row),
                _count(row, "n" if row.is_median else "numerator"),
                _count(row, "n" if row.is_median else "denominator"), _count(row, "missing")]
        if network:
            other = network[code]
            line.append(cell(WITHHELD) if other.derived_hidden else _result(other))
        line += [cell(published or "–"), cell(national.text if national else "–"), _trend(row, before.get(code))]
        rows.append(line)
    columns = [("Measure", "text"), ("Result", "percent"), ("95% interval", "text"), ("Met", "count"),
               ("Eligible", "count"), ("Missing", "count")]
    if network:
        columns.append(("Network", "percent"))
    columns += [("East of England before → 2012", "text"), ("National", "text"), ("Change", "text")]
    caption = f"Every neuroprotection KPI for {scope.name}, {ctx.period.label}, with 95% Wilson intervals"
    note = ("Median times: Met and Eligible are the babies with the time recorded. East of England before → 2012: "
            "the published figures of the East of England pathway before it started and in 2012. National: UK "
            "figures for the same or a close measure, with their population. Change: against the period before.")
    tables = [table(caption, columns, rows, note)]
    if ctx.policy is None:
        tables.append(_celebrating(ctx))
    return {"key": "hie", "title": "Neuroprotection (HIE) KPIs", "intro": [], "tables": tables}


def impact_published(code: str) -> str:
    from kpis.baselines import PUBLISHED

    published = PUBLISHED.get(code)
    return published.text() if published else ""


def _celebrating(ctx: Context) -> dict[str, Any]:
    """One row per unit (only the report's own unit in a unit report), its measures one per line."""
    by_unit: dict[str, list[str]] = {}
    for win in success.celebrations():
        if ctx.in_scope(win.org_code):
            by_unit.setdefault(win.unit_name, []).append(f"{win.kpi_title}: {'; '.join(win.reasons)}")
    rows = [[cell(unit), cell("\n".join(wins))] for unit, wins in sorted(by_unit.items())]
    # The rule's words as the overview's panel gives them, true for the units this report covers.
    rule = success.rule_text(success.published_applies(ctx.scope.units_covered), shown=None)
    return table("Celebrating success: units and measures that moved the right way",
                 [("Unit", "text"), ("Measures, and why", "text")], rows, rule)


def completeness(ctx: Context) -> dict[str, Any]:
    rows = []
    for code, row in _own(ctx, ctx.hie_rows).items():
        agg = row.aggregate
        recorded = "n" if row.is_median else "denominator"
        # The share is worked out from the two counts printed beside it: hidden only when one of them is.
        percent, withheld = None, bool(row.hidden & {"missing", recorded})
        if agg is not None and not withheld:
            total = ((agg.n or 0) if row.is_median else agg.denominator) + agg.missing
            percent = agg.missing / total if total else None
        rows.append([cell(REGISTRY[code].TITLE), _count(row, "missing"), _count(row, recorded),
                     cell(WITHHELD) if agg is not None and withheld else _percent(percent)])
    return {"key": "completeness", "title": "Data completeness", "intro": [
        "Babies in each measure's group whose data to decide it is missing. Missing data is never counted as a "
        "failure: it is shown here so that it can be chased."],
        "tables": [table(f"Missing data, {ctx.scope.name}, {ctx.period.label}",
                         [("Measure", "text"), ("Missing", "count"), ("Recorded", "count"), ("Missing (%)", "percent")],
                         rows)]}


# --- POP bundle --------------------------------------------------------------------------------------------------


def _pop_rows(ctx: Context) -> list[FigureRow]:
    scope = ctx.scope
    # POP figures are by birth unit; a cooling centre's are those of babies born there.
    level = Level.BIRTH_UNIT if scope.is_unit else scope.level
    if scope.is_unit:
        wanted = Q(level=level, org_code=scope.org_code) | Q(level=Level.NETWORK, org_code=network_of(scope)[1])
    else:
        units = Q(level=Level.BIRTH_UNIT) & (Q() if scope.units is None else Q(org_code__in=scope.units))
        wanted = Q(level=scope.level, org_code=scope.org_code) | units
    stored = aggregates(ctx.period, pop_registry.CODES, wanted)
    names = dict(Unit.objects.values_list("ods_code", "short_name"))
    rows = [FigureRow(a.level, a.org_code, names.get(a.org_code, scope.name), a.kpi, a, ctx.policy)
            for a in sorted(stored, key=lambda a: (a.level == Level.BIRTH_UNIT, names.get(a.org_code, ""), a.kpi))]
    if ctx.policy is not None:
        apply_suppression(rows, ctx.policy, scope)
    return rows


def pop(ctx: Context) -> dict[str, Any]:
    rows = _pop_rows(ctx)
    unit = ctx.scope.is_unit
    level = Level.BIRTH_UNIT if unit else ctx.scope.level
    own = {r.kpi: r for r in rows if r.level == level and r.org_code == ctx.scope.org_code}
    network = {r.kpi: r for r in rows if r.level == Level.NETWORK} if unit else {}
    national = comparators()
    lines = []
    for code in pop_registry.CODES:
        row: FigureRow = own.get(code) or FigureRow(level, ctx.scope.org_code, ctx.scope.name, code, None, ctx.policy)
        comparator = national.get(code)
        line = [cell(pop_registry.TITLES[code]), _result(row), _interval(row), _count(row, "numerator"),
                _count(row, "denominator"), _count(row, "missing")]
        if unit:
            other = network.get(code)
            line.append(cell("–") if other is None else (cell(WITHHELD) if other.derived_hidden else _result(other)))
        line.append(cell(f"{comparator.value_percent}% ({comparator.year}, {comparator.population})"
                         if comparator else "–", comparator.proportion if comparator else None))
        lines.append(line)
    columns = [("Measure", "text"), ("Rate", "percent"), ("95% interval", "text"), ("Met", "count"),
               ("Eligible", "count"), ("Missing", "count")]
    if unit:
        columns.append(("Network", "percent"))
    columns.append(("National", "percent"))
    tables = [table(f"Preterm optimisation bundle, babies born before 34 weeks, {ctx.scope.name}, "
                    f"{ctx.period.label}", columns, lines,
                    "The optimisation score counts elements, not babies: elements given out of elements the babies "
                    "were eligible for. National: the newest published national audit figure.")]
    if not unit:
        tables.append(_pop_units(rows))
    return {"key": "pop", "title": "Preterm optimisation bundle", "intro": [], "tables": tables}


def _pop_units(rows: list[FigureRow]) -> dict[str, Any]:
    by_unit: dict[tuple[str, str], dict[str, FigureRow]] = {}
    for row in rows:
        if row.level == Level.BIRTH_UNIT:
            by_unit.setdefault((row.org_name, row.org_code), {})[row.kpi] = row
    score, every = pop_registry.SCORE.CODE, "pop_all_eligible"
    lines = []
    for (name, _code), kpis in by_unit.items():
        line = [cell(name)]
        for code in (every, score):
            found = kpis.get(code)
            line += [_result(found), _count(found, "denominator")] if found else [cell("–"), cell("–")]
        lines.append(line)
    return table("Each birth unit: all eligible interventions and the optimisation score",
                 [("Unit", "text"), ("All eligible interventions", "percent"), ("Babies", "count"),
                  ("Optimisation score", "percent"), ("Elements", "count")], lines)


# --- Training, families, improvement ------------------------------------------------------------------------


def training(ctx: Context) -> dict[str, Any]:
    units = None if ctx.scope.units_covered is None else list(ctx.units())
    found = [r for r in coverage_rows(ctx.measured_on, units) if not r.unit.is_transport_service]
    rows = []
    for row in found:
        figure, refresher = row.coverage, row.refresher
        rows.append([cell(row.unit.short_name), _percent(figure.rate), cell(str(figure.trained), figure.trained),
                     cell(str(figure.establishment), figure.establishment), cell(figure.rag_label if figure.rate
                                                                                  is not None else figure.text),
                     cell("Due" if refresher.is_due else "Not due")])
    trained, staff = sum(r.coverage.trained for r in found), sum(r.coverage.establishment for r in found)
    if len(found) > 1:
        rows.append([cell("All units"), _percent(trained / staff if staff else None), cell(str(trained), trained),
                     cell(str(staff), staff), cell(""), cell("")])
    return {"key": "training", "title": "Training coverage by unit", "intro": [
        f"Staff trained in the 12 months to {ctx.measured_on:%d/%m/%Y}, each role counted up to its establishment, "
        "out of the unit's establishment. Green from 80%, amber from 50%."],
        "tables": [table(f"Training coverage on {ctx.measured_on:%d/%m/%Y}",
                         [("Unit", "text"), ("Coverage", "percent"), ("Staff trained", "count"),
                          ("Establishment", "count"), ("Status", "text"), ("Refresher", "text")], rows)]}


def _cases_in_scope(ctx: Context) -> Q:
    start, end = london_midnight(ctx.period.start), london_midnight(ctx.period.end + timedelta(days=1))
    where = Q(case__birth_datetime__gte=start, case__birth_datetime__lt=end, case__entered_in_error=False,
              case__therapeutic_hypothermia="yes")
    if ctx.scope.level == Level.BIRTH_UNIT:
        where &= Q(case__birth_unit=ctx.scope.org)
    elif ctx.scope.level == Level.COOLING_CENTRE:
        where &= Q(case__cooling_centre=ctx.scope.org)
    elif (units := ctx.scope.units_covered) is not None:
        # An area's families: babies born or cooled in its units (a baby cooled elsewhere is still its own).
        where &= Q(case__birth_unit__ods_code__in=units) | Q(case__cooling_centre__ods_code__in=units)
    return where


def families(ctx: Context) -> dict[str, Any]:
    booklet = _own(ctx, ctx.hie_rows)["family_booklet_given"]
    logs = FamilySupportLog.objects.filter(_cases_in_scope(ctx))
    contacts = SupportContact.objects.filter(log__in=logs)
    support = [
        [cell("Family booklet given (from the KPI)"), _count(booklet, "numerator"), _count(booklet, "denominator")],
        [cell("Website details given"), ctx.count_text(logs.exclude(website_given_on=None).count()), cell("")],
        [cell("Families with a nurse specialist contact"),
         ctx.count_text(contacts.values("log").distinct().count()), cell("")],
        [cell("Nurse specialist contacts recorded"), ctx.count_text(contacts.count()), cell("")],
        [cell("Families who consented to be contacted"), ctx.count_text(logs.exclude(consent_given_on=None).count()),
         cell("")],
    ]
    events = FamilyEvent.objects.filter(starts_at__gte=london_midnight(ctx.period.start),
                                        starts_at__lt=london_midnight(ctx.period.end + timedelta(days=1)),
                                        starts_at__lte=london_midnight(ctx.today + timedelta(days=1)))
    if ctx.scope.units_covered is not None:
        events = events.filter(host_unit__in=ctx.units())
    invitations = Invitation.objects.filter(event__in=events)
    # Staff numbers describe no family: never hidden.
    held = [[cell(f"{event.title}, {event.host_unit.short_name}"),
             cell(f"{timezone.localtime(event.starts_at):%d/%m/%Y}"),
             ctx.count_text(event.families_attending), cell(str(event.staff_attending or "–"), event.staff_attending)]
            for event in events.select_related("host_unit")]
    sent = invitations.exclude(status=InvitationStatus.PLANNED).count()
    came = invitations.filter(status=InvitationStatus.ATTENDED).count()
    invited = [[cell("Families invited"), ctx.count_text(sent)], [cell("Families who came"), ctx.count_text(came)]]
    return {"key": "families", "title": "Family support", "intro": [
        f"Families of cooled babies born in {ctx.period.label}, and family events held in the period."],
        "tables": [
            table("Support for families", [("What", "text"), ("Families", "count"), ("Out of", "count")], support),
            table("Family events held", [("Event", "text"), ("Date", "text"), ("Families", "count"),
                                         ("Staff", "count")], held),
            table("Invitations to those events", [("What", "text"), ("Families", "count")], invited)]}


def improvement(ctx: Context) -> dict[str, Any]:
    actions = ImprovementAction.objects.select_related("unit", "owner")
    if ctx.scope.units_covered is not None:
        # Actions of the whole network (no unit) belong to network and regional reports, not to a trust's.
        network_wide = Q(unit__isnull=True) if ctx.scope.level in ("network", "region") else Q(pk__in=[])
        actions = actions.filter(Q(unit__in=ctx.units()) | network_wide)
    day = ctx.measured_on
    start, end = london_midnight(ctx.period.start), london_midnight(ctx.period.end + timedelta(days=1))
    finished = actions.filter(status__in=[Status.DONE, Status.ABANDONED], updated_at__gte=start, updated_at__lt=end)
    counts = [[cell("Planned"), cell(str(n := actions.filter(status=Status.PLANNED).count()), n)],
              [cell("In progress"), cell(str(n := actions.filter(status=Status.IN_PROGRESS).count()), n)],
              [cell(f"Overdue on {day:%d/%m/%Y}"), cell(str(n := actions.overdue(day).count()), n)],
              [cell("Done in the period"), cell(str(n := finished.filter(status=Status.DONE).count()), n)],
              [cell("Abandoned in the period"), cell(str(n := finished.filter(status=Status.ABANDONED).count()), n)]]

    def line(action: ImprovementAction, last: str) -> list[Cell]:
        return [cell(action.unit.short_name if action.unit else "Network"), cell(catalogue.title(action.kpi)),
                cell(action.change_idea), cell(f"{action.due_date:%d/%m/%Y}"), cell(last)]

    done = [line(a, f"{a.get_status_display()}: {a.outcome}") for a in finished]
    overdue = [line(a, a.get_status_display()) for a in actions.overdue(day)]
    columns = [("Unit", "text"), ("Measure", "text"), ("Change tried", "text"), ("Due", "text")]
    return {"key": "improvement", "title": "Improvement actions", "intro": [], "tables": [
        table("Improvement actions by status", [("Status", "text"), ("Actions", "count")], counts),
        table("Finished in the period, with their outcomes", [*columns, ("Outcome", "text")], done),
        table(f"Overdue on {day:%d/%m/%Y}", [*columns, ("Status", "text")], overdue)]}


# --- Impact ------------------------------------------------------------------------------------------------------


def _impact_counts(ctx: Context, spec: impact.EstimateSpec,
                   period: ReportPeriod) -> tuple[tuple[int, int] | None, bool]:
    scope = ctx.scope
    level = scope.level if spec.kpi in REGISTRY or not scope.is_unit else Level.BIRTH_UNIT
    found = aggregates(period, [spec.kpi], Q(level=level, org_code=scope.org_code))
    if not found:
        return None, False
    row = found[0]
    withheld = ctx.policy is not None and any(ctx.policy.hides(level, c) for c in
                                              (row.numerator, row.denominator - row.numerator))
    return (row.numerator, row.denominator), withheld


def _estimate_result(found: impact.Estimate, label: str) -> dict[str, Any]:
    return {"for": label, "shown": found.shown, "headline": found.headline, "money": found.money,
            "working": found.working, "reason": found.reason, "notes": list(found.notes)}


def _inputs_data(found: impact.Estimate) -> list[list[Any]]:
    return [[i.label, impact.input_value_text(i), i.population, i.source, i.year, i.key] for i in found.inputs]


def impact_section(ctx: Context) -> dict[str, Any]:
    inputs = impact.current_inputs()
    periods = [(ctx.period, ctx.period.label)]
    if ctx.impact_from is not None and month_start(ctx.impact_from) < ctx.period.start:
        first = month_start(ctx.impact_from)
        label = f"since {first:%B %Y} (programme start) to {ctx.period.end:%B %Y}"
        periods.append((ReportPeriod(f"since-{first:%Y-%m}", "cumulative", first, ctx.period.end, "", label), label))
    estimates = []
    for spec in impact.SPECS:
        found = []
        for period, label in periods:
            counts, withheld = _impact_counts(ctx, spec, period)
            found.append((impact.estimate(spec, counts, inputs, withheld=withheld), label))
        estimates.append({"title": spec.title, "results": [_estimate_result(e, label) for e, label in found],
                          "inputs": _inputs_data(found[0][0])})
    return {"key": "impact", "title": "Impact estimates", "intro": [
        "What the babies treated because of the improvement are estimated to have been spared: babies treated "
        "above the baseline rate, divided by the number needed to treat (or times the risk they faced and the "
        "fall in it). Only a baseline of the same measure in the same babies is used; otherwise the estimate is "
        "not shown and says why. Figures are rounded to what the inputs support. These are estimates, not "
        "observed outcomes."], "tables": [], "estimates": estimates}


BUILDERS: dict[str, Callable[[Context], dict[str, Any]]] = {
    "hie": hie, "pop": pop, "training": training, "families": families, "improvement": improvement,
    "completeness": completeness, "impact": impact_section,
}
