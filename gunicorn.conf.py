"""gunicorn settings read from the repository root (`gunicorn -w 4 -b HOST:PORT wsgi:app`)."""

# Request lines up to gunicorn's maximum reach the app, which answers URLs longer than
# app.inputs.MAX_URL (4096) with 414 in its own format (JSON on /api). Past 8190 bytes gunicorn
# itself answers 400 before the app runs.
limit_request_line = 8190
