"""The mutation suite: realistic mistakes (tests/mutations/__init__.py), each applied alone to a
copy of the real sources, must be reported by the mapping or the validation at the file and line
the steward changed. Prints the catch rate; at least 90 % are caught, and every mistake the
project lets through is a known limit with its reason."""

from __future__ import annotations

import shutil

import pytest

from .conftest import settings_for
from .mutations import MUTATIONS
from .mutations.harness import Bench

CATCH_RATE = 0.90


@pytest.fixture(scope="module")
def outcomes(settings, tmp_path_factory):
    root = tmp_path_factory.mktemp("mutations")
    for name in ("data", "ontology", "shapes"):
        shutil.copytree(settings.data_dir.parent / name, root / name,
                        ignore=shutil.ignore_patterns("output"))
    bench = Bench(settings_for(root, root / "output"))
    return [bench.run(mutation) for mutation in MUTATIONS]


def test_the_suite_is_big_enough_and_names_are_unique():
    assert len(MUTATIONS) >= 30
    assert len({m.name for m in MUTATIONS}) == len(MUTATIONS)


def test_catch_rate(outcomes):
    caught = [o for o in outcomes if o.caught]
    rate = len(caught) / len(outcomes)
    print(f"\nmutation suite: {len(caught)}/{len(outcomes)} caught at the right file and line "
          f"({rate:.0%})")
    for outcome in outcomes:
        mark = "caught" if outcome.caught else ("elsewhere" if outcome.detected else "missed")
        said = next((what for what, where in outcome.reported if where == outcome.expected),
                    outcome.reported[0][0] if outcome.reported else "")
        print(f"  {mark:9} {outcome.mutation.name}: {said}")
    assert rate >= CATCH_RATE


def test_every_uncaught_mutation_is_a_known_limit_and_every_limit_is_real(outcomes):
    for outcome in outcomes:
        if outcome.caught:
            assert outcome.mutation.limit is None, \
                f"{outcome.mutation.name!r} is caught now: remove its known limit"
        else:
            assert outcome.mutation.limit, (
                f"{outcome.mutation.name!r} is not reported at {outcome.expected}: "
                f"got {outcome.reported}")


def test_the_unmutated_sources_raise_no_violation(outcomes, settings):
    # The bench put every file and graph back: the same sources conform once more.
    from territoires.build.pipeline import check, map_sources
    report = check(settings, map_sources(settings, lambda _: None), lambda _: None)
    assert report.conforms, report.text()
