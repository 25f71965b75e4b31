# Production image: gunicorn for the web, the same image for the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
       fonts-dejavu-core gettext curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --upgrade pip && pip install -e .
COPY . .
# Static files with their manifest (hashed names), as DEBUG=0 serves them; no database is needed.
RUN DEBUG=0 SECRET_KEY=build-only ALLOWED_HOSTS=localhost DATABASE_URL=postgres://build@localhost/build \
    python manage.py collectstatic --no-input -v 0 \
    && DEBUG=1 SECRET_KEY=build-only DATABASE_URL=postgres://build@localhost/build \
    python manage.py compilemessages -v 0 --ignore=.venv

RUN useradd --create-home --uid 1000 openpro && mkdir -p /app/var/media /app/var/private && chown -R openpro /app/var
USER openpro
EXPOSE 8000
# Requests are bounded (big exports run as background jobs): 30 s at most, 20 s to finish on stop.
CMD ["gunicorn", "openpro.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--timeout", "30", "--graceful-timeout", "20", "--keep-alive", "5", "--access-logfile", "-"]
