"""The REST API under /api/v1/: shared permissions, errors, pagination and the URL map."""
