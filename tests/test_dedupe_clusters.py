"""Clusters across sources, the canonical record, reposts, and the incremental index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.dedupe import (
    Assignment,
    DedupeIndex,
    cluster,
    cluster_id_for,
    find_reposts,
)
from crawler.items import JobPosting, Location, Salary
from tests.test_dedupe_similarity import OTHER_TEXT, TEXT, make_posting

DAY = timedelta(days=1)
START = datetime(2026, 10, 1, tzinfo=UTC)


def job_family() -> list[JobPosting]:
    """One Berlin job on its ATS, its career page and a job board; a second (Munich) job; and a
    design job at the same employer."""
    return [
        make_posting("greenhouse:acme:1", first_seen=START),
        make_posting(
            "jsonld:careers.acme.com:7",
            title="Senior Software Engineer - Payments (m/w/d)",
            company="Acme GmbH",
            first_seen=START + DAY,
            description_text="About Acme: we build tools for finance teams.\n" + TEXT,
        ),
        make_posting(
            "jobboard:jobs:3",
            title="Sr. Software Eng., Payments",
            company="ACME",
            locations=[Location(city="Berlin")],
            first_seen=START + 2 * DAY,
        ),
        make_posting(
            "greenhouse:acme:2",
            locations=[Location(city="Munich", country="DE")],
            first_seen=START,
        ),
        make_posting("greenhouse:acme:5", title="Product Designer, Growth", description_text=OTHER_TEXT),
    ]  # fmt: skip


def groups(assignments: dict[str, Assignment]) -> set[frozenset[str]]:
    found: dict[str, set[str]] = {}
    for assignment in assignments.values():
        found.setdefault(assignment.cluster_id, set()).add(assignment.job_id)
    return {frozenset(members) for members in found.values()}


def test_one_job_on_three_sources_is_one_cluster_with_the_ats_record_canonical() -> None:
    result = cluster(job_family())
    assert groups(result) == {
        frozenset({"greenhouse:acme:1", "jsonld:careers.acme.com:7", "jobboard:jobs:3"}),
        frozenset({"greenhouse:acme:2"}),
        frozenset({"greenhouse:acme:5"}),
    }
    assert result["greenhouse:acme:1"] == Assignment(
        "greenhouse:acme:1", None, cluster_id_for("greenhouse:acme:1")
    )
    assert result["jobboard:jobs:3"].duplicate_of == "greenhouse:acme:1"
    assert result["jsonld:careers.acme.com:7"].duplicate_of == "greenhouse:acme:1"
    assert result["greenhouse:acme:2"].duplicate_of is None
    assert list(result) == sorted(result)


@settings(max_examples=30, deadline=None)
@given(st.permutations(job_family()))
def test_the_order_of_the_input_does_not_change_the_output(order: list[JobPosting]) -> None:
    assert cluster(order) == cluster(job_family())


def test_cluster_ids_are_derived_from_the_canonical_id_only() -> None:
    assert cluster_id_for("greenhouse:acme:1") == cluster_id_for("greenhouse:acme:1")
    assert cluster_id_for("greenhouse:acme:1") != cluster_id_for("greenhouse:acme:2")
    assert cluster_id_for("greenhouse:acme:1").startswith("c")


@pytest.mark.parametrize(
    ("postings", "canonical"),
    [
        (  # the ATS beats a career page and a job board, however rich they are
            [
                make_posting("jobboard:jobs:1", department="Payments", salary=Salary(min=1)),
                make_posting("jsonld:careers.acme.com:2", department="Payments"),
                make_posting("lever:acme:3", description_text=TEXT + "\nApply now."),
            ],
            "lever:acme:3",
        ),
        (  # a career page beats a job board
            [make_posting("jobboard:jobs:1"), make_posting("sitemap:acme:2")],
            "sitemap:acme:2",
        ),
        (  # among two ATS records the one with more filled fields
            [make_posting("greenhouse:acme:1"), make_posting("ashby:acme:2", department="Pay")],
            "ashby:acme:2",
        ),
        (  # then the longer description
            [
                make_posting("greenhouse:acme:1"),
                make_posting("ashby:acme:2", description_text=TEXT + "\nWe sponsor visas."),
            ],
            "ashby:acme:2",
        ),
        (  # then the earlier first_seen
            [
                make_posting("greenhouse:acme:1", first_seen=START + DAY),
                make_posting("ashby:acme:2", first_seen=START),
            ],
            "ashby:acme:2",
        ),
        (  # then the smaller id
            [make_posting("greenhouse:acme:1"), make_posting("ashby:acme:2")],
            "ashby:acme:2",
        ),
    ],
)
def test_canonical_choice(postings: list[JobPosting], canonical: str) -> None:
    result = cluster(postings)
    assert {a.duplicate_of or a.job_id for a in result.values()} == {canonical}
    assert {a.cluster_id for a in result.values()} == {cluster_id_for(canonical)}


def test_one_board_never_lists_one_job_twice() -> None:
    """An aggregator posting that fits two of a board's postings joins only one of them."""
    postings = [
        make_posting("greenhouse:acme:1"),
        make_posting("greenhouse:acme:2", description_text=TEXT + "\nStart: January."),
        make_posting("jobboard:jobs:3"),
    ]
    result = cluster(postings)
    assert result["greenhouse:acme:1"].cluster_id != result["greenhouse:acme:2"].cluster_id
    assert result["jobboard:jobs:3"].duplicate_of in {"greenhouse:acme:1", "greenhouse:acme:2"}


def test_a_remote_posting_does_not_chain_two_cities() -> None:
    postings = [
        make_posting("greenhouse:acme:1"),
        make_posting("jsonld:careers.acme.com:2", locations=[Location(city="Munich", country="DE")]),
        make_posting("jobboard:jobs:3", locations=[], remote="remote"),
    ]  # fmt: skip
    result = cluster(postings)
    assert result["greenhouse:acme:1"].cluster_id != result["jsonld:careers.acme.com:2"].cluster_id


def test_a_card_without_text_that_fits_two_jobs_stays_alone() -> None:
    postings = [
        make_posting("greenhouse:acme:1"),
        make_posting("jsonld:careers.acme.com:2", description_text=OTHER_TEXT),
        make_posting("jobboard:jobs:3", description_text=None),
    ]
    result = cluster(postings)
    assert result["jobboard:jobs:3"].duplicate_of is None
    alone = cluster([postings[0], postings[2]])
    assert alone["jobboard:jobs:3"].duplicate_of == "greenhouse:acme:1"


def test_postings_without_company_are_never_merged() -> None:
    postings = [
        make_posting("greenhouse:a:1", company=None),
        make_posting("jsonld:b:2", company=None),
    ]
    assert len(groups(cluster(postings))) == 2


def test_an_id_given_twice_is_an_error() -> None:
    with pytest.raises(ValueError, match="id given twice"):
        cluster([make_posting("greenhouse:acme:1"), make_posting("greenhouse:acme:1")])


# --- reposts -------------------------------------------------------------------------------------


def test_reposts_form_a_chain_from_the_oldest() -> None:
    postings = [
        make_posting("greenhouse:acme:30", first_seen=START + 60 * DAY),
        make_posting("greenhouse:acme:10", first_seen=START),
        make_posting("greenhouse:acme:20", first_seen=START + 30 * DAY,
                     description_text=TEXT.replace("five", "six")),
        make_posting("greenhouse:acme:40", locations=[Location(city="Munich", country="DE")]),
        make_posting("greenhouse:acme:50", description_text=OTHER_TEXT),
        make_posting("lever:acme:60"),
    ]  # fmt: skip
    assert find_reposts(postings) == [
        ("greenhouse:acme:10", "greenhouse:acme:20"),
        ("greenhouse:acme:20", "greenhouse:acme:30"),
    ]


def test_reposts_need_descriptions_and_fall_back_on_the_posting_date() -> None:
    bare = [
        make_posting("greenhouse:acme:1", description_text=None),
        make_posting("greenhouse:acme:2", description_text=None),
    ]
    assert find_reposts(bare) == []
    dated = [
        make_posting("greenhouse:acme:9", date_posted=datetime(2026, 9, 1).date()),
        make_posting("greenhouse:acme:8", date_posted=datetime(2026, 10, 1).date()),
    ]
    assert find_reposts(dated) == [("greenhouse:acme:9", "greenhouse:acme:8")]


# --- the incremental index -----------------------------------------------------------------------


def test_add_reports_the_assignments_that_changed() -> None:
    index = DedupeIndex.build([make_posting("jobboard:jobs:3"), make_posting("greenhouse:acme:9")])
    assert len(index) == 2
    assert index.assignment("jobboard:jobs:3").duplicate_of == "greenhouse:acme:9"
    changed = index.add(make_posting("jsonld:careers.acme.com:7"))
    assert changed == [
        Assignment(
            "jsonld:careers.acme.com:7", "greenhouse:acme:9", cluster_id_for("greenhouse:acme:9")
        )
    ]
    # A more authoritative record arrives: every member now points at it.
    changed = index.add(make_posting("ashby:acme:1", department="Payments"))
    new = cluster_id_for("ashby:acme:1")
    assert changed == [
        Assignment("ashby:acme:1", None, new),
        Assignment("greenhouse:acme:9", "ashby:acme:1", new),
        Assignment("jobboard:jobs:3", "ashby:acme:1", new),
        Assignment("jsonld:careers.acme.com:7", "ashby:acme:1", new),
    ]
    assert index.clusters() == {
        new: ["ashby:acme:1", "greenhouse:acme:9", "jobboard:jobs:3", "jsonld:careers.acme.com:7"]
    }
    assert set(index.evidence("ashby:acme:1")) == {
        "greenhouse:acme:9", "jobboard:jobs:3", "jsonld:careers.acme.com:7",
    }  # fmt: skip


def test_remove_reforms_the_cluster_from_the_remaining_pairs() -> None:
    postings = job_family()
    index = DedupeIndex.build(postings)
    changed = index.remove("greenhouse:acme:1")
    assert "greenhouse:acme:1" not in index
    canonical = "jsonld:careers.acme.com:7"
    assert changed == [
        Assignment("jobboard:jobs:3", canonical, cluster_id_for(canonical)),
        Assignment(canonical, None, cluster_id_for(canonical)),
    ]
    assert index.assignments() == cluster(postings[1:])


def test_adding_again_replaces_the_indexed_posting() -> None:
    index = DedupeIndex.build(job_family())
    moved = make_posting(
        "jobboard:jobs:3", title="Sr. Software Eng., Payments", company="ACME",
        locations=[Location(city="Hamburg", country="DE")],
    )  # fmt: skip
    changed = index.add(moved)
    assert changed == [Assignment("jobboard:jobs:3", None, cluster_id_for("jobboard:jobs:3"))]
    assert len(index) == 5


@pytest.mark.parametrize("order", [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 0, 4, 1, 3]])
def test_adding_one_by_one_gives_the_batch_result(order: list[int]) -> None:
    postings = job_family()
    index = DedupeIndex()
    for position in order:
        index.add(postings[position])
    assert index.assignments() == cluster(postings)


def test_match_asks_without_changing_the_index() -> None:
    postings = job_family()
    index = DedupeIndex.build([postings[0], postings[3], postings[4]])
    match = index.match(postings[1])
    assert match is not None
    assert match.matched_id == "greenhouse:acme:1"
    assert match.duplicate_of == "greenhouse:acme:1"
    assert match.cluster_id == cluster_id_for("greenhouse:acme:1")
    assert match.comparison.reason == "description"
    assert postings[1].id not in index
    assert index.match(make_posting("greenhouse:acme:77", description_text=OTHER_TEXT)) is None
    ats = index.match(make_posting("ashby:acme:0", department="Payments"))
    assert ats is not None
    assert ats.duplicate_of is None  # it would become the canonical record


def test_predecessor_finds_the_newest_older_repost() -> None:
    index = DedupeIndex.build(
        [
            make_posting("greenhouse:acme:1", first_seen=START),
            make_posting("greenhouse:acme:2", first_seen=START + DAY),
            make_posting("greenhouse:acme:3", description_text=OTHER_TEXT),
        ]
    )
    newer = make_posting("greenhouse:acme:4", first_seen=START + 9 * DAY)
    assert index.predecessor(newer) == "greenhouse:acme:2"
    assert index.predecessor(make_posting("lever:acme:4")) is None


def test_a_posting_is_never_its_own_predecessor() -> None:
    index = DedupeIndex.build([make_posting("greenhouse:acme:1", first_seen=START)])
    again = make_posting("greenhouse:acme:1", first_seen=START + 9 * DAY)
    assert index.predecessor(again) is None
    assert index.predecessor(make_posting("greenhouse:acme:2", first_seen=START + DAY)) == (
        "greenhouse:acme:1"
    )
