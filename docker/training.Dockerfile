# The training image: python -m training (PyTorch, CPU wheel by default; no Django, no platform code).
# It reads an exported dataset directory and writes a run directory (docs/dataset-format.md, docs/run-format.md):
#   podman run --rm -v /srv/datasets:/datasets:ro -v /srv/runs:/runs localhost/radcurate-training \
#     train --data /datasets/<name>/v1 --out /runs/r1
# For a GPU, build FROM a CUDA base with the CUDA torch wheel (PIP_INDEX_URL=https://download.pytorch.org/whl/cu128).
ARG BASE_IMAGE=docker.io/library/debian:bookworm-slim

FROM ${BASE_IMAGE} AS system
ARG DEBIAN_MIRROR=
ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
RUN if [ -n "$DEBIAN_MIRROR" ]; then rm -f /etc/apt/sources.list.d/debian.sources; \
      echo "deb $DEBIAN_MIRROR bookworm main" > /etc/apt/sources.list; fi \
 && apt-get update \
 && apt-get install -y --no-install-recommends python3 ca-certificates libgomp1 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin radcurate

FROM system AS packages
ARG PIP_INDEX_URL=
ARG PIP_CERT=
ARG PIP_FIND_LINKS=
RUN apt-get update && apt-get install -y --no-install-recommends python3-venv && rm -rf /var/lib/apt/lists/*
COPY requirements/training.lock /tmp/training.lock
RUN python3 -m venv /opt/venv \
 && env ${PIP_INDEX_URL:+PIP_INDEX_URL=$PIP_INDEX_URL} ${PIP_CERT:+PIP_CERT=$PIP_CERT} \
      ${PIP_FIND_LINKS:+PIP_FIND_LINKS=$PIP_FIND_LINKS} \
    /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check --no-deps -r /tmp/training.lock

FROM system
COPY --from=packages /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
COPY training /app/training
USER radcurate
ENTRYPOINT ["python3", "-m", "training"]
CMD ["--help"]
