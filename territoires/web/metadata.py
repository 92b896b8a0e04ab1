"""(placeholder: filled in by the server work)"""

from flask import Blueprint

bp = Blueprint("metadata", __name__)
