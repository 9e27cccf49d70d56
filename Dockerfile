FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DILIGENCE_VAR_DIR=/var/lib/diligence
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /app diligence
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput -v0 \
    && mkdir -p /var/lib/diligence && chown -R diligence /var/lib/diligence
USER diligence
EXPOSE 8000
CMD ["gunicorn", "-c", "python:diligence.gunicorn", "diligence.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4"]
