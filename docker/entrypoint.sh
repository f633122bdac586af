#!/bin/sh
# One image, one role per container: web, worker, beat, listener, hl7-listener, migrate, or any manage.py command.
# Every role but migrate waits until the database is reachable and fully migrated (the one-shot migrate service
# does that), so the order holds even where compose ignores depends_on conditions.
set -eu

wait_for_migrations() {
  # Each try loads Django (seconds of CPU): try every 5 s, not in a tight loop.
  deadline=$(( $(date +%s) + ${RADCURATE_WAIT_S:-600} ))
  until python3 manage.py migrate --check >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "the database is still unreachable or not migrated after ${RADCURATE_WAIT_S:-600} s:" >&2
      python3 manage.py migrate --check >&2 || true
      exit 1
    fi
    sleep 5
  done
}

role=${1:-web}
[ $# -gt 0 ] && shift
case "$role" in
  migrate)
    exec python3 manage.py migrate --noinput "$@" ;;
  web)
    wait_for_migrations
    exec gunicorn radcurate.wsgi --bind "0.0.0.0:${PORT:-8000}" --workers "${GUNICORN_WORKERS:-2}" \
      --threads "${GUNICORN_THREADS:-8}" --timeout "${GUNICORN_TIMEOUT:-300}" --access-logfile - \
      --no-control-socket "$@" ;;
  worker)
    wait_for_migrations
    exec celery -A radcurate worker --loglevel=INFO -Q "${CELERY_TASK_DEFAULT_QUEUE:-radcurate}" \
      --concurrency "${WORKER_CONCURRENCY:-2}" "$@" ;;
  beat)  # one per deployment: it sends the periodic tasks (CELERY_BEAT_SCHEDULE) to the workers
    wait_for_migrations
    exec celery -A radcurate beat --loglevel=INFO --schedule /data/celerybeat-schedule "$@" ;;
  listener)  # all interfaces inside its container, so the published port reaches it
    wait_for_migrations
    exec python3 manage.py dicom_listener --host 0.0.0.0 --port "${DICOM_PORT:-11112}" \
      --ae-title "${DICOM_AE_TITLE:-RADCURATE}" "$@" ;;
  hl7-listener)  # the RIS's report feed (MLLP); all interfaces inside its container, like the DICOM listener
    wait_for_migrations
    exec python3 manage.py hl7_listener --host 0.0.0.0 --port "${HL7_PORT:-2575}" \
      --workers "${HL7_WORKERS:-4}" "$@" ;;
  manage)
    exec python3 manage.py "$@" ;;
  *)
    exec "$role" "$@" ;;
esac
