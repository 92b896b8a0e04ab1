"""Dataset versions and what changed between them (versions.py keeps them at build time).

    /changes                    the kept versions, newest first, with the triples added and
                                removed per named graph since the version before: HTML in words
                                (the territories, EPCI and communes that changed), or JSON
    /changes/<version>.rdfp     the change that made a version, as an RDF Patch (the first kept
                                version's: its whole dump added)
"""

from .routes import bp

blueprints = (bp,)
