"""Linked-data documents: every IRI under the base dereferences, with content negotiation.

    routes.py      /id/ (303), /doc/, /def/, /graph/, /shapes/, answered by web/answer.py
    kinds.py       what each kind of document describes (a resource, the ontology, the shapes)
    view.py        a resource's page as people read it
    vocabulary.py  the ontology's and the shapes' documentation pages
    labels.py      human names of vocabulary terms, French first
"""

from .routes import bp

blueprints = (bp,)
