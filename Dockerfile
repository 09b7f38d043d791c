# One app process. Run two or more of them behind a reverse proxy, all with the same
# DATABASE_URL (PostgreSQL): see docs/deploy.md and compose.yaml. Not built on the
# development machines (they have no container engine); it follows docs/deploy.md.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
RUN useradd --create-home --uid 10001 poctrap \
    && mkdir -p /app/var \
    && chown poctrap /app/var
USER poctrap

EXPOSE 8501
# Liveness: the exact body "ok" (any other path also answers 200 with the app's page).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import sys, urllib.request as u; sys.exit(u.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read() != b'ok')"

# `streamlit run app.py` from the app's folder (see ui/serve.py).
CMD ["python", "-m", "ui.serve", \
     "--server.port", "8501", "--server.address", "0.0.0.0", "--server.headless", "true"]
