"""Every source of the graph, found on disk and mapped to one named graph each.

A source is a directory with a `source.ttl` that describes its named graph (title, provenance,
licence) and data files of one kind:

- `*.csv.gz`  the official reference snapshot (`reference.py`, written by `snapshot.py`);
- `*.csv`     territory lists (`territories.py`);
- `*.ttl`     curated facts in Turtle (`turtle.py`), as is the ontology;
- `YYYY/*.csv.gz`  the vintages of the official geography (`vintages.py`), read into a timeline
  of runs and events (`timeline.py`) and mapped to its history (`history.py`), through which
  each territory's perimeter is read at its labelling and today (`perimeters.py`).

`mapping.py` finds them and maps each in turn; `links.py` and `populations.py` derive link sets
and Data Cube observations from the reference; `base.py` holds what every mapper shares (a
source's graph and its errors, which name the file and line). The descriptions themselves form
the graph `graph/sources`.
"""

from .mapping import (DESCRIPTION, Progress, SourceError, SourceGraph, Sources, describe, load_all,
                      source_directories)

__all__ = ["DESCRIPTION", "Progress", "SourceError", "SourceGraph", "Sources", "describe",
           "load_all", "source_directories"]
