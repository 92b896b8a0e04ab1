"""The dataset as a whole: the home page, the dumps, the VoID description and the DCAT catalogue.

    routes.py   /, /dump/, /.well-known/void, /catalogue
    home.py     the home page
    dumps.py    the dumps the manifest lists
    void.py     VoID: counts, partitions, subsets, linksets
    dcat.py     DCAT: catalogue, dataset, distributions, SPARQL service
    texts.py    the dataset's title and description, and the graph both are written into
"""

from .routes import bp

blueprints = (bp,)
