"""The mutation suite: realistic mistakes (tests/mutations/__init__.py), each applied alone to a
copy of the real sources, must be reported by the mapping or the validation at the file and line
the steward changed. Prints the catch rate; at least 90 % are caught, and every mistake the
project lets through is a known limit with its reason.

The steward's loop (`territoires validate FILE`, territoires/build/incremental.py) gives, on
every mutation, the results of the full validation; reports print values as Turtle, and a
Turtle syntax error names its file, line and the line's text."""

from __future__ import annotations

import shutil

import pytest
from rdflib import BNode

from territoires.build import incremental
from territoires.build.pipeline import check, map_sources
from territoires.build.validate import load_shapes
from territoires.sources import SourceError, turtle

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


# --- the steward's loop: the fast path's results are the full validation's -------------------

def _quiet(_):
    pass


@pytest.fixture(scope="module")
def cached(settings, tmp_path_factory):
    """A copy of the sources, fully validated once: the cache `validate FILE` reads."""
    root = tmp_path_factory.mktemp("loop")
    for name in ("data", "ontology", "shapes"):
        shutil.copytree(settings.data_dir.parent / name, root / name,
                        ignore=shutil.ignore_patterns("output"))
    copy = settings_for(root, root / "output")
    files = incremental.digests(copy)
    sources = map_sources(copy, _quiet)
    incremental.write(copy, sources, check(copy, sources, _quiet), files)
    return copy


def _key(result):
    # a complex path is a blank node of its run's shapes graph: compared as "some path"
    path = "(path)" if isinstance(result.path, BNode) else result.path
    return (result.shape, result.focus, path, result.value, result.severity, result.location,
            tuple(result.also))


def _verdict(validation):
    try:
        report = validation()
    except SourceError as error:
        return "refused", str(error), tuple(error.also)
    if report is None:
        return None
    return report.conforms, frozenset(_key(r) for r in report.results)


@pytest.mark.build   # a full validation per mutation (2–3 minutes)
def test_the_fast_path_gives_the_full_results_on_every_mutation(cached):
    shapes = load_shapes(cached.shapes_dir, cached.base_uri)
    different, fast_runs = [], 0
    for mutation in MUTATIONS:
        path = cached.data_dir / mutation.file
        original = path.read_text(encoding="utf-8")
        path.write_text(mutation.apply(original), encoding="utf-8")
        try:
            full = _verdict(lambda: check(cached, map_sources(cached, _quiet), _quiet, shapes))
            fast = _verdict(lambda: incremental.fast(cached, path, shapes, _quiet))
        finally:
            path.write_text(original, encoding="utf-8")
        if fast is None:   # a change the cache cannot follow: the full validation runs instead
            continue
        fast_runs += 1
        if fast != full:
            different.append((mutation.name, full, fast))
    print(f"\nsteward's loop: {fast_runs}/{len(MUTATIONS)} mutations validated by the fast path, "
          f"{fast_runs - len(different)} with the full validation's results")
    assert fast_runs >= len(MUTATIONS) * 0.75
    assert not different, different[0]


def test_the_fast_path_declines_when_another_file_changed(cached):
    shapes = load_shapes(cached.shapes_dir, cached.base_uri)
    other = cached.data_dir / "article" / "programme.ttl"
    original = other.read_text(encoding="utf-8")
    other.write_text(original + "\n# edited\n", encoding="utf-8")
    said = []
    try:
        assert incremental.fast(cached, cached.data_dir / "article" / "statistiques.ttl", shapes,
                                said.append) is None
    finally:
        other.write_text(original, encoding="utf-8")
    assert any("other file(s) changed" in line for line in said), said


# --- what a report prints ------------------------------------------------------------------------

def test_a_report_prints_values_as_turtle(cached):
    mutation = next(m for m in MUTATIONS if m.name == "salary with a French thousands separator")
    path = cached.data_dir / mutation.file
    original = path.read_text(encoding="utf-8")
    path.write_text(mutation.apply(original), encoding="utf-8")
    try:
        shapes = load_shapes(cached.shapes_dir, cached.base_uri)
        text = incremental.fast(cached, path, shapes, _quiet).text()
    finally:
        path.write_text(original, encoding="utf-8")
    assert 'value: "2.906"^^xsd:decimal' in text
    assert "Literal(" not in text


def test_a_turtle_syntax_error_names_its_file_line_and_text(tmp_path):
    path = tmp_path / "faits.ttl"
    path.write_text('@prefix ex: <http://example.org/> .\n'
                    'ex:a ex:b "non fermé ;\n'
                    'ex:c ex:d ex:e .\n', encoding="utf-8")
    with pytest.raises(SourceError) as raised:
        turtle.parse(path, "https://data.example.fr/")
    message = str(raised.value)
    assert message.startswith(f"{path}:2: invalid Turtle: ")
    assert 'ex:a ex:b "non fermé ;' in message
    assert "b'" not in message and len(message) < 300
