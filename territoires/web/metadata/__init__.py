"""The dataset as a whole: the home page, the dumps, the VoID description and the DCAT catalogue.

    routes.py   /, /dump/, /.well-known/void, /catalogue, /validation
    home.py     the home page
    dumps.py    the dumps the manifest lists
    void.py     VoID: counts, partitions, subsets, linksets
    dcat.py     DCAT: catalogue, dataset, distributions, SPARQL service
    validation.py  the build's validation report (SHACL + DQV), its verdict, VoID/DCAT links
    texts.py    the dataset's title and description, and the graph both are written into
"""

from .routes import bp

blueprints = (bp,)
