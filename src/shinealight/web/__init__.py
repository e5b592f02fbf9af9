"""The Django project: settings, URL map and the WSGI/ASGI entry points."""
