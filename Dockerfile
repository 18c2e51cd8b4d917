# The web, worker and beat image of Follow-up (see docker-compose.yml).
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATA_DIR=/data

RUN useradd --create-home --uid 1000 app && mkdir -p /data && chown app /data
WORKDIR /app

# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir core followup_site inbox interviews notes reminders tracking \
    && touch core/__init__.py followup_site/__init__.py inbox/__init__.py interviews/__init__.py notes/__init__.py reminders/__init__.py tracking/__init__.py \
    && pip install . \
    && pip uninstall -y followup

COPY . .
RUN DEBUG=false SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost DATA_DIR=/tmp/build \
    python manage.py collectstatic --noinput

USER app
# 8000: the web app; 2525: the forwarding server (manage.py inbound_smtpd).
EXPOSE 8000 2525
CMD ["gunicorn", "followup_site.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
