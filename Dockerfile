# Production image: the same code runs as web (gunicorn), Celery worker and Celery beat.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PORTAL_VAR_DIR=/var/lib/portal
WORKDIR /app
# The CJK font embedded in the licence PDFs (licences/pdf.py, settings.LICENCE_FONT).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-wqy-microhei \
 && rm -rf /var/lib/apt/lists/*
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/base.txt
COPY . .
RUN useradd --system --home /app portal \
 && mkdir -p /var/lib/portal && chown portal /var/lib/portal
USER portal
RUN SECRET_KEY=build-only-collectstatic python manage.py collectstatic --noinput -v 0
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
