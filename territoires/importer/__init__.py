"""`territoires import-territoires FILE`: load an official list of Territoires d'industrie as its
publisher writes it, and write it as a territory source of the project (layout in
data/territoires/README.md) with the `source.ttl` that describes its named graph.

Two layouts are read:

- **per commune** (the phase-2 list: `insee_com, lib_com, id_ti, lib_ti`): each territory's EPCI
  are derived from its communes with the reference snapshot (`epci_membres.csv.gz`: a commune
  belongs to exactly one EPCI); an EPCI the territory covers only in part is reported with the
  missing communes;
- **per EPCI** (`id_ti, lib_ti, siren_epci`).

The publisher's column names can be mapped (`--column insee_com=CODGEO`); the encoding (UTF-8 with
or without BOM, else cp1252 / Latin-1) and the delimiter (`;`, `,`, tab) are detected. Errors
(unknown commune code or SIREN, contradictory rows) name the file and line and write nothing;
warnings (partly covered EPCI…) are printed and the import goes on. The output is only a source
under data/: the next build maps and validates it like any other, so a bad list never reaches the
published graph.

    reference.py   what the import needs of the reference snapshot
    reading.py     the publisher's file: encoding, delimiter, columns, rows, checks
    writing.py     the project's source: territories.csv and its source.ttl
    command.py     the command and its options
"""

from .command import add_parser, command

__all__ = ["add_parser", "command"]
