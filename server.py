"""The WSGI entry point: `gunicorn server:app` (configuration from TERRITOIRES_* variables)."""

from territoires.web import create_app

app = create_app()
