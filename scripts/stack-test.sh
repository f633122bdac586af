#!/usr/bin/env bash
# make stack-test: build the images, start the compose stack on loopback-only ports, smoke-test it from the
# outside (scripts/stack_smoke.py), back it up, restore the backup into a new, empty deployment, check it again,
# and remove everything it started (containers, volumes, network; the images stay for the next run).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
stamp() { echo "== [$((SECONDS - started)) s] $*"; }

if [ -z "${CONTAINERS_CONF:-}" ] && [ ! -S /var/run/docker.sock ]; then
  export CONTAINERS_CONF=$PWD/docker/podman/containers.conf
fi
PROJECT=${STACK_PROJECT:-radcurate-stacktest}
export RADCURATE_BIND=127.0.0.1 RADCURATE_WEB_PORT=${STACK_WEB_PORT:-18000} RADCURATE_DICOM_PORT=${STACK_DICOM_PORT:-21112}
export RADCURATE_HL7_PORT=${STACK_HL7_PORT:-22575}
WEB=http://127.0.0.1:$RADCURATE_WEB_PORT
work=$(mktemp -d /var/tmp/radcurate-stacktest.XXXXXX)
export RADCURATE_ENV_FILE=$work/radcurate.env RADCURATE_BACKUP_DIR=$work/backups
COMPOSE=(podman-compose -p "$PROJECT" -f docker/compose.yaml)
PY=${PY:-.venv/bin/python}

cleanup() {
  stamp "removing the stack"
  "${COMPOSE[@]}" down -v >/dev/null 2>&1 || true
  podman volume rm -f "${PROJECT}_data" "${PROJECT}_pg" "${PROJECT}_redis" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

secret() { "$PY" -c "import secrets; print(secrets.token_urlsafe($1))"; }
db_password=$(secret 24)
cat > "$RADCURATE_ENV_FILE" <<ENV
SECRET_KEY=$(secret 50)
RADCURATE_DEID_KEY=$(secret 32)
POSTGRES_USER=radcurate
POSTGRES_DB=radcurate
POSTGRES_PASSWORD=$db_password
DATABASE_URL=postgres://radcurate:$db_password@db:5432/radcurate
ALLOWED_HOSTS=127.0.0.1,localhost
CSRF_TRUSTED_ORIGINS=$WEB
RADCURATE_PUBLIC_URL=$WEB
RADCURATE_HTTPS=0
GUNICORN_WORKERS=2
WORKER_CONCURRENCY=2
ENV
chmod 600 "$RADCURATE_ENV_FILE"
install -d -o 10001 -g 10001 -m 0700 "$RADCURATE_BACKUP_DIR"

stamp "building the images"
./scripts/build-images.sh platform

wait_ready() {
  stamp "waiting for $WEB/readyz"
  for _ in $(seq 300); do
    if curl -fsS "$WEB/readyz" >/dev/null 2>&1; then stamp "ready: $(curl -fsS "$WEB/readyz")"; return 0; fi
    sleep 2
  done
  "${COMPOSE[@]}" logs --tail 50 >&2 || true
  echo "the stack never became ready" >&2
  return 1
}

healthy() {  # podman runs health checks from systemd timers; without systemd, run each once by hand
  for service in db redis web worker beat listener hl7-listener; do
    container=$(podman ps -q --filter "label=io.podman.compose.project=$PROJECT" \
      --filter "label=com.docker.compose.service=$service" | head -n1)
    for try in $(seq 20); do
      if podman healthcheck run "$container" >/dev/null 2>&1; then break; fi
      [ "$try" = 20 ] && { echo "$service: health check failing" >&2; podman logs --tail 30 "$container" >&2; return 1; }
      sleep 3
    done
  done
  stamp "health checks pass: db redis web worker beat listener hl7-listener"
}

users() {
  "${COMPOSE[@]}" exec -T web python3 manage.py shell -c "$(cat <<'PYCODE'
import json, secrets
from django.contrib.auth.models import Group, User
passwords = {}
for name, role in (("smoke-admin", "admin"), ("smoke-curator", "curator"), ("smoke-radiologist", "radiologist"),
                   ("smoke-radiologist2", "radiologist"), ("smoke-trainer", "trainer")):
    passwords[name] = secrets.token_urlsafe(12)
    user, _ = User.objects.get_or_create(username=name, defaults={"is_staff": role == "admin"})
    user.set_password(passwords[name])
    user.save()
    user.groups.add(Group.objects.get(name=role))
print(json.dumps(passwords))
PYCODE
)" | grep '^{' | tail -n1 > "$work/users.json"  # podman-compose adds "exit code: 0"
}

stamp "starting the stack ($PROJECT: web on $WEB, DICOM on 127.0.0.1:$RADCURATE_DICOM_PORT)"
"${COMPOSE[@]}" up -d
wait_ready
healthy
deploy_check=$("${COMPOSE[@]}" exec -T -e RADCURATE_HTTPS=1 web python3 manage.py check --deploy 2>&1)
if grep -q "security\." <<<"$deploy_check"; then echo "$deploy_check" >&2; exit 1; fi
stamp "check --deploy: no security issue with the env file's settings and RADCURATE_HTTPS=1"
users
"$PY" scripts/stack_smoke.py load --web "$WEB" --dicom-port "$RADCURATE_DICOM_PORT" --users "$work/users.json" \
  --state "$work/state.json"

stamp "backing up"
"${COMPOSE[@]}" exec -T web python3 manage.py backup /backups/smoke
stamp "removing the deployment (containers and volumes), starting a new, empty one"
"${COMPOSE[@]}" down -v
podman volume rm -f "${PROJECT}_data" "${PROJECT}_pg" "${PROJECT}_redis" >/dev/null 2>&1 || true
"${COMPOSE[@]}" up -d db redis
for _ in $(seq 60); do
  podman exec "${PROJECT}_db_1" pg_isready -q -h 127.0.0.1 && break
  sleep 2
done
stamp "restoring into it"
"${COMPOSE[@]}" run --rm --no-deps -T web manage restore /backups/smoke
"${COMPOSE[@]}" up -d
wait_ready
"$PY" scripts/stack_smoke.py verify --web "$WEB" --users "$work/users.json" --state "$work/state.json"
stamp "stack test passed"
