"""The planning board's services on a real SQLite file: stages, moves and order, RAG roll-up and
history, milestones, dependencies, risks, links, the opportunities register and CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from hescb_desktop.domain.board import (
    BoardFilter,
    Lanes,
    creates_cycle,
    lay_out,
    position_between,
)
from hescb_desktop.domain.enums import (
    ActionStatus,
    Marking,
    OpportunityOutcome,
    Rag,
    RagDimension,
)
from hescb_desktop.domain.errors import ValidationError
from hescb_desktop.services import actions, board, crud, opportunities, planning
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.entities import (
    AGENDA_ITEMS,
    DECISIONS,
    MEETINGS,
    MINUTES,
    OBJECTIVES,
    ORGANISATIONS,
    PAPERS,
    PEOPLE,
)

TODAY = date(2026, 11, 25)


def _objective(ctx: ServiceContext, title: str, stage: str = "Proposed", **extra: object) -> str:
    return crud.create(ctx.uow(), OBJECTIVES, {"title": title, "stage": stage, **extra}).value.id


def _column(ctx: ServiceContext, stage: str) -> list[str]:
    cards = board.load_board(ctx.uow(write=False), TODAY).cards
    return [c.title for c in sorted(cards, key=lambda c: c.sort_key()) if c.stage == stage]


# ------------------------------------------------------------------ stages
def test_default_stages_in_order(ctx: ServiceContext) -> None:
    names = [s.name for s in board.list_stages(ctx.uow(write=False))]
    assert names == ["Proposed", "Scoping", "In delivery", "Embedding", "Closed"]


def test_stages_renamed_added_reordered_and_cards_follow(ctx: ServiceContext) -> None:
    card = _objective(ctx, "Joint training facility", "Scoping")
    stages = {s.name: s.id for s in board.list_stages(ctx.uow(write=False))}
    board.rename_stage(ctx.uow(), stages["Scoping"], "  Options   appraisal ")
    board.add_stage(ctx.uow(), "On hold")
    order = [stages[n] for n in ("Closed", "Proposed", "In delivery", "Embedding")]
    new = {s.name: s.id for s in board.list_stages(ctx.uow(write=False))}
    board.reorder_stages(ctx.uow(), [*order, new["On hold"], new["Options appraisal"]])
    names = [s.name for s in board.list_stages(ctx.uow(write=False))]
    assert names == [
        "Closed",
        "Proposed",
        "In delivery",
        "Embedding",
        "On hold",
        "Options appraisal",
    ]
    assert crud.get(ctx.uow(write=False), OBJECTIVES, card).stage == "Options appraisal"


def test_home_leaves_out_the_closed_stage_whatever_it_is_called(ctx: ServiceContext) -> None:
    from hescb_desktop.domain.board import CLOSED_STAGE_ID
    from hescb_desktop.services.home import home_summary

    def on_home() -> list[str]:
        return sorted(o.title for o in home_summary(ctx.uow(write=False), TODAY, "x").objectives)

    _objective(ctx, "Live one", "In delivery")
    done = _objective(ctx, "Finished one", "Closed")
    stages = {s.id: s.name for s in board.list_stages(ctx.uow(write=False))}
    assert stages[CLOSED_STAGE_ID] == "Closed"  # the id migration 0005 seeds
    assert on_home() == ["Live one"]
    board.rename_stage(ctx.uow(), CLOSED_STAGE_ID, "Done & dusted")
    assert crud.get(ctx.uow(write=False), OBJECTIVES, done).stage == "Done & dusted"
    assert on_home() == ["Live one"]
    # a new stage called "Closed" is just another stage: its cards stay on Home
    board.add_stage(ctx.uow(), "Closed")
    board.move_card(ctx.uow(), done, "Closed")
    assert on_home() == ["Finished one", "Live one"]
    # with the seeded closed stage deleted nothing counts as closed
    board.delete_stage(ctx.uow(), CLOSED_STAGE_ID)
    assert on_home() == ["Finished one", "Live one"]


@pytest.mark.parametrize("name", ["", "   ", "scoping", "x" * 61])
def test_bad_stage_names_refused(ctx: ServiceContext, name: str) -> None:
    with pytest.raises(ValidationError):
        board.add_stage(ctx.uow(), name)
    assert len(board.list_stages(ctx.uow(write=False))) == 5


def test_deleting_a_stage_that_holds_cards_is_refused(ctx: ServiceContext) -> None:
    card = _objective(ctx, "Shared drone unit", "Embedding")
    stages = {s.name: s.id for s in board.list_stages(ctx.uow(write=False))}
    with pytest.raises(ValidationError, match=r'"Embedding" still holds 1 card'):
        board.delete_stage(ctx.uow(), stages["Embedding"])
    assert "Embedding" in [s.name for s in board.list_stages(ctx.uow(write=False))]
    board.move_card(ctx.uow(), card, "Closed")
    board.delete_stage(ctx.uow(), stages["Embedding"])
    assert "Embedding" not in [s.name for s in board.list_stages(ctx.uow(write=False))]


def test_reorder_needs_every_stage(ctx: ServiceContext) -> None:
    ids = [s.id for s in board.list_stages(ctx.uow(write=False))]
    with pytest.raises(ValidationError):
        board.reorder_stages(ctx.uow(), ids[:3])


# ------------------------------------------------------------------ moves and order
def test_moves_within_and_between_columns_keep_order(ctx: ServiceContext) -> None:
    a, b, c = (_objective(ctx, t, position=float(n)) for n, t in enumerate("ABC", 1))
    d = _objective(ctx, "D", "Scoping", position=1.0)
    board.move_card(ctx.uow(), c, "Proposed", before_id=a)  # to the top
    assert _column(ctx, "Proposed") == ["C", "A", "B"]
    board.move_card(ctx.uow(), a, "Scoping", after_id=d)  # to the bottom of another column
    assert _column(ctx, "Proposed") == ["C", "B"]
    assert _column(ctx, "Scoping") == ["D", "A"]
    board.move_card(ctx.uow(), b, "Scoping", after_id=d, before_id=a)  # between two
    assert _column(ctx, "Scoping") == ["D", "B", "A"]
    board.move_card(ctx.uow(), d, "Scoping")  # no neighbours: the bottom
    assert _column(ctx, "Scoping") == ["B", "A", "D"]
    assert _column(ctx, "Proposed") == ["C"]


def test_many_inserts_at_one_place_renumber_the_column(ctx: ServiceContext) -> None:
    first = _objective(ctx, "first", position=1.0)
    last = _objective(ctx, "last", position=2.0)
    moved = [_objective(ctx, f"m{n:02d}", "Scoping") for n in range(60)]
    for card in moved:  # each goes just above "last": the gap halves every time
        board.move_card(ctx.uow(), card, "Proposed", after_id=first, before_id=last)
        # next time insert between the one just moved and "last"
        first = card
    assert _column(ctx, "Proposed") == ["first", *[f"m{n:02d}" for n in range(60)], "last"]


def test_move_to_unknown_stage_or_neighbour_refused(ctx: ServiceContext) -> None:
    a = _objective(ctx, "A")
    b = _objective(ctx, "B", "Scoping")
    with pytest.raises(ValidationError, match="no stage"):
        board.move_card(ctx.uow(), a, "Nowhere")
    with pytest.raises(ValidationError, match="not in the Proposed column"):
        board.move_card(ctx.uow(), a, "Proposed", after_id=b)
    assert crud.get(ctx.uow(write=False), OBJECTIVES, a).stage == "Proposed"


def test_place_card_puts_it_back(ctx: ServiceContext) -> None:
    a = _objective(ctx, "A", position=3.5)
    board.move_card(ctx.uow(), a, "Closed")
    board.place_card(ctx.uow(), a, "Proposed", 3.5)
    got = crud.get(ctx.uow(write=False), OBJECTIVES, a)
    assert (got.stage, got.position) == ("Proposed", 3.5)


def test_position_between() -> None:
    assert position_between(None, None) == 1.0
    assert position_between(None, 2.0) == 1.0
    assert position_between(2.0, None) == 3.0
    assert position_between(1.0, 2.0) == 1.5
    assert position_between(1.0, 1.0) is None


# ------------------------------------------------------------------ RAG
def test_overall_follows_the_worst_dimension_and_history_is_kept(ctx: ServiceContext) -> None:
    obj = _objective(ctx, "Joint HQ")
    uow = ctx.uow
    planning.set_rag(
        uow(),
        obj,
        {RagDimension.TIME: Rag.GREEN, RagDimension.COST: Rag.GREEN},
        on=date(2026, 3, 1),
    )
    result = planning.set_rag(
        uow(),
        obj,
        {RagDimension.COST: Rag.RED},
        reason="overspend",
        path_to_green="Re-tender the fit-out",
        on=date(2026, 6, 1),
    )
    assert result.value.rag_overall is Rag.RED
    assert result.value.path_to_green == "Re-tender the fit-out"
    history = planning.objective_detail(uow(write=False), obj).rag_history
    seen = [(h.dimension, h.rating, h.assessed_on) for h in history]
    assert (RagDimension.OVERALL, Rag.GREEN, date(2026, 3, 1)) in seen
    assert (RagDimension.OVERALL, Rag.RED, date(2026, 6, 1)) in seen
    assert (RagDimension.COST, Rag.RED, date(2026, 6, 1)) in seen
    assert history[0].assessed_on == date(2026, 6, 1)  # newest first


def test_override_better_than_worst_needs_a_reason(ctx: ServiceContext) -> None:
    obj = _objective(ctx, "Joint HQ")
    planning.set_rag(ctx.uow(), obj, {RagDimension.TIME: Rag.RED})
    with pytest.raises(ValidationError, match="needs a reason"):
        planning.set_rag(ctx.uow(), obj, {}, override=Rag.GREEN, reason="  ")
    assert crud.get(ctx.uow(write=False), OBJECTIVES, obj).rag_overall is Rag.RED
    done = planning.set_rag(ctx.uow(), obj, {}, override=Rag.AMBER, reason="Board accepted delay")
    assert done.value.rag_overall is Rag.AMBER
    assert done.value.rag_override_reason == "Board accepted delay"
    cleared = planning.set_rag(ctx.uow(), obj, {RagDimension.TIME: Rag.AMBER})
    assert (cleared.value.rag_overall, cleared.value.rag_override_reason) == (Rag.AMBER, "")


# ------------------------------------------------------------------ milestones, deps, risks
def test_milestone_after_target_date_warns_but_saves(ctx: ServiceContext) -> None:
    obj = _objective(ctx, "Joint HQ", target_date=date(2026, 12, 31))
    ok = planning.save_milestone(
        ctx.uow(), {"objective_id": obj, "title": "Planning consent", "due_date": "2026-10-01"}
    )
    assert ok.warnings == ()
    late = planning.save_milestone(
        ctx.uow(), {"objective_id": obj, "title": "Keys handed over", "due_date": "2027-02-01"}
    )
    assert "after the objective's target date" in late.warnings[0]
    done = planning.save_milestone(ctx.uow(), {"done": True}, late.value.value.id)
    assert done.value.value.done and done.value.value.done_on is not None
    moved = planning.update_objective(ctx.uow(), obj, {"target_date": date(2026, 9, 1)})
    assert len(moved.warnings) == 2  # both milestones now fall after the target


def test_target_before_start_refused(ctx: ServiceContext) -> None:
    obj = _objective(ctx, "Joint HQ")
    with pytest.raises(ValidationError, match="before the start"):
        planning.update_objective(
            ctx.uow(), obj, {"start_date": date(2026, 5, 1), "target_date": date(2026, 4, 1)}
        )
    assert crud.get(ctx.uow(write=False), OBJECTIVES, obj).start_date is None


def test_dependency_cycles_refused(ctx: ServiceContext) -> None:
    a, b, c = (_objective(ctx, t) for t in ("Estates", "Training", "Drone"))
    planning.add_dependency(ctx.uow(), a, b)
    planning.add_dependency(ctx.uow(), b, c)
    with pytest.raises(ValidationError, match=r"cycle \(\"Drone\" → \"Estates\" → "):
        planning.add_dependency(ctx.uow(), c, a)
    with pytest.raises(ValidationError, match="cycle"):
        planning.add_dependency(ctx.uow(), a, a)
    with pytest.raises(ValidationError, match="already"):
        planning.add_dependency(ctx.uow(), a, b)
    detail = planning.objective_detail(ctx.uow(write=False), b)
    assert [t for _, t in detail.depends_on] == ["Drone"]
    assert [t for _, t in detail.needed_by] == ["Estates"]
    dep = detail.depends_on[0][0]
    planning.remove(ctx.uow(), "objective_dependencies", dep.id)
    planning.add_dependency(ctx.uow(), c, a)  # no cycle any more


def test_creates_cycle_pure() -> None:
    edges = [("a", "b"), ("b", "c"), ("x", "a")]
    assert creates_cycle(edges, ("c", "a")) == ["c", "a", "b", "c"]
    assert creates_cycle(edges, ("c", "x")) == ["c", "x", "a", "b", "c"]
    assert creates_cycle(edges, ("a", "c")) is None


def test_risks_scored_1_to_5(ctx: ServiceContext) -> None:
    obj = _objective(ctx, "Joint HQ")
    with pytest.raises(ValidationError, match="1 to 5"):
        planning.save_risk(ctx.uow(), {"objective_id": obj, "description": "x", "impact": 6})
    risk = planning.save_risk(
        ctx.uow(),
        {
            "objective_id": obj,
            "description": "Contractor <insolvency> & delay",
            "likelihood": 2,
            "impact": 5,
            "mitigation": "Parent guarantee",
        },
    ).value
    assert planning.objective_detail(ctx.uow(write=False), obj).risks == (risk,)
    assert risk.description == "Contractor <insolvency> & delay"


def test_links_actions_papers_decisions(ctx: ServiceContext) -> None:
    obj = _objective(ctx, "Joint HQ")
    actions.raise_action(ctx.uow(), {"description": "Draft the case", "objective_id": obj})
    start = __import__("datetime").datetime(2026, 5, 1, 10, tzinfo=__import__("datetime").UTC)
    meeting = crud.create(
        ctx.uow(), MEETINGS, {"title": "HESCB", "start_utc": start, "end_utc": start}
    ).value.id
    paper = crud.create(
        ctx.uow(),
        PAPERS,
        {"title": "HQ options", "reference": "HESCB 4/26", "ref_year": 2026, "ref_number": 4},
    ).value.id
    crud.create(
        ctx.uow(),
        AGENDA_ITEMS,
        {
            "meeting_id": meeting,
            "position": 1,
            "title": "HQ",
            "paper_id": paper,
            "objective_id": obj,
        },
    )
    minute = crud.create(
        ctx.uow(),
        MINUTES,
        {"meeting_id": meeting, "reference": "1/26", "ref_year": 2026, "ref_number": 1},
    ).value.id
    crud.create(
        ctx.uow(),
        DECISIONS,
        {
            "minute_id": minute,
            "meeting_id": meeting,
            "text": "Option B agreed",
            "objective_id": obj,
        },
    )
    detail = planning.objective_detail(ctx.uow(write=False), obj)
    assert [a.description for a in detail.actions] == ["Draft the case"]
    assert [p.title for p in detail.papers] == ["HQ options"]
    assert [d.text for d in detail.decisions] == ["Option B agreed"]


# ------------------------------------------------------------------ the board's cards
def test_card_carries_counts_milestone_partners_and_marking(ctx: ServiceContext) -> None:
    hfrs = crud.create(ctx.uow(), ORGANISATIONS, {"code": "HFRS", "name": "Fire"}).value.id
    sro = crud.create(ctx.uow(), PEOPLE, {"name": "Sam Patel"}).value.id
    obj = _objective(
        ctx,
        "Drone",
        "In delivery",
        lead_organisation_id=hfrs,
        sro_id=sro,
        partner_codes="HC, HCC",
        marking=Marking.OFFICIAL_SENSITIVE,
    )
    for due, status in (
        (TODAY - timedelta(days=2), None),
        (TODAY + timedelta(days=5), None),
        (TODAY - timedelta(days=9), ActionStatus.CLOSED),
    ):
        a = actions.raise_action(
            ctx.uow(),
            {
                "description": "x",
                "objective_id": obj,
                "raised_on": TODAY - timedelta(days=30),
                "due_date": due,
            },
        ).value
        if status:
            crud.update(ctx.uow(), actions.ACTIONS, a.id, {"status": status})
    for title, due in (("Later", "2027-01-01"), ("Sooner", "2026-12-01")):
        planning.save_milestone(ctx.uow(), {"objective_id": obj, "title": title, "due_date": due})
    (card,) = board.load_board(ctx.uow(write=False), TODAY).cards
    assert (card.lead_code, card.partner_codes, card.sro) == ("HFRS", ("HC", "HCC"), "Sam Patel")
    assert (card.open_actions, card.overdue_actions) == (2, 1)
    assert (card.next_milestone, card.next_milestone_date) == ("Sooner", date(2026, 12, 1))
    assert card.sensitive


def test_workstreams_are_cards_naming_their_objective(ctx: ServiceContext) -> None:
    parent = _objective(ctx, "Joint estates", "In delivery")
    _objective(ctx, "Fire station refits", "Scoping", kind="workstream", parent_id=parent)
    cards = {c.title: c for c in board.load_board(ctx.uow(write=False), TODAY).cards}
    ws = cards["Fire station refits"]
    assert ws.is_workstream and ws.workstream_of == "Joint estates"
    assert not cards["Joint estates"].is_workstream
    names = [s.name for s in board.list_stages(ctx.uow(write=False))]
    only = lay_out(cards.values(), names, board_filter=BoardFilter(objectives_only=True))
    assert only.count("Scoping") == 0 and only.count("In delivery") == 1
    found = lay_out(cards.values(), names, board_filter=BoardFilter(text="joint estates"))
    assert found.count("Scoping") == 1  # a search for the objective finds its workstreams


def test_filter_and_swimlanes(ctx: ServiceContext) -> None:
    hc = crud.create(ctx.uow(), ORGANISATIONS, {"code": "HC", "name": "Police"}).value.id
    _objective(ctx, "Estates review", theme="Estates", lead_organisation_id=hc)
    _objective(ctx, "Drone", "Scoping", theme="Operational assets", partner_codes="HC")
    red = _objective(ctx, "Safeguarding data", theme="Safeguarding")
    planning.set_rag(ctx.uow(), red, {RagDimension.TIME: Rag.RED})
    cards = board.load_board(ctx.uow(write=False), TODAY).cards
    stages = board.list_stages(ctx.uow(write=False))
    names = [s.name for s in stages]
    by_org = lay_out(cards, names, board_filter=BoardFilter(organisation="HC"))
    assert sorted(c.title for s in by_org.stages for c in by_org.cell("", s)) == [
        "Drone",
        "Estates review",
    ]
    by_rag = lay_out(cards, names, board_filter=BoardFilter(rag=Rag.RED))
    assert [c.title for c in by_rag.cell("", "Proposed")] == ["Safeguarding data"]
    assert lay_out(cards, names, board_filter=BoardFilter(text="DRONE")).count("Scoping") == 1
    lanes = lay_out(cards, names, Lanes.THEME)
    assert lanes.lanes == ("Estates", "Operational assets", "Safeguarding")
    lead = lay_out(cards, names, Lanes.LEAD)
    assert lead.lanes == ("HC", "No lead")


def test_unknown_stage_gets_its_own_column(ctx: ServiceContext) -> None:
    _objective(ctx, "From an older PC", "Discovery")
    cards = board.load_board(ctx.uow(write=False), TODAY).cards
    names = [s.name for s in board.list_stages(ctx.uow(write=False))]
    layout = lay_out(cards, names)
    assert layout.stages[-1] == "Discovery"
    assert [c.title for c in layout.cell("", "Discovery")] == ["From an older PC"]


def test_csv_export_keeps_text_as_typed(ctx: ServiceContext) -> None:
    _objective(ctx, 'Łódź <pilot> & "quotes", ok', "Scoping", path_to_green="line 1\nline 2")
    _objective(ctx, "Second", "Proposed")
    b = board.load_board(ctx.uow(write=False), TODAY)
    rows = list(csv.reader(io.StringIO(board.board_csv(b.cards, b.stage_names))))
    assert rows[0][:3] == ["Title", "Stage", "Theme"]
    assert [r[0] for r in rows[1:]] == ["Second", 'Łódź <pilot> & "quotes", ok']
    assert rows[2][12] == "line 1\nline 2"


# ------------------------------------------------------------------ opportunities
def test_opportunity_adopted_becomes_a_linked_objective(ctx: ServiceContext) -> None:
    who = crud.create(ctx.uow(), PEOPLE, {"name": "Alex Morgan"}).value.id
    opp = opportunities.raise_opportunity(
        ctx.uow(),
        {
            "title": "Shared fleet workshop",
            "raised_by_id": who,
            "raised_on": "2026-02-03",
            "assessment": "Saves £200k",
        },
    ).value
    assert opp.outcome is OpportunityOutcome.UNDER_REVIEW
    done, obj = opportunities.adopt(ctx.uow(), opp.id).value
    assert done.outcome is OpportunityOutcome.ADOPTED and done.objective_id == obj.id
    assert obj.stage == "Proposed"
    (card,) = board.load_board(ctx.uow(write=False), TODAY).cards
    assert card.opportunity == "Shared fleet workshop"
    (row,) = opportunities.register(ctx.uow(write=False))
    assert (row.raised_by, row.objective_title) == ("Alex Morgan", "Shared fleet workshop")
    with pytest.raises(ValidationError, match="already"):
        opportunities.adopt(ctx.uow(), opp.id)


def test_opportunity_declined_needs_a_reason(ctx: ServiceContext) -> None:
    opp = opportunities.raise_opportunity(ctx.uow(), {"title": "Merge control rooms"}).value
    with pytest.raises(ValidationError, match="needs a reason"):
        opportunities.decline(ctx.uow(), opp.id, " ")
    declined = opportunities.decline(ctx.uow(), opp.id, "Different dispatch systems").value
    assert declined.outcome is OpportunityOutcome.DECLINED
    assert declined.outcome_reason == "Different dispatch systems"
