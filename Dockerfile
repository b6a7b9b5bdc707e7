# One image for the web (ASGI) and worker (Celery) services.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Chromium renders exports; Noto covers Vietnamese; Pango is WeasyPrint's fallback engine;
# gettext compiles the message catalogs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      chromium fonts-noto-core libpango-1.0-0 libpangoft2-1.0-0 gettext curl \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 journeymap
WORKDIR /app

COPY pyproject.toml ./
COPY requirements/constraints.txt requirements/
# The project installs its runtime dependencies only (no package of its own, no dev extra:
# Chromium is driven without Playwright), at the tested versions of the constraints file,
# before the code is copied, so a code change does not reinstall them.
RUN pip install -c requirements/constraints.txt . && rm -rf build *.egg-info

COPY . .
RUN DEBUG=0 SECRET_KEY=collectstatic-only DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput -v0 \
 && mkdir -p /data/media && chown -R journeymap:journeymap /data /app

USER journeymap
ENV MEDIA_ROOT=/data/media \
    CHROMIUM_PATH=/usr/bin/chromium
EXPOSE 8000
# No per-message deflate: live changes are a few hundred bytes, and compressing each one for
# every socket on the map cost more CPU than the bytes it saved (docs/benchmarks.md).
CMD ["uvicorn", "journeymap.asgi:application", "--host", "0.0.0.0", "--port", "8000", \
     "--proxy-headers", "--forwarded-allow-ips", "*", "--lifespan", "off", \
     "--ws-per-message-deflate", "false"]
