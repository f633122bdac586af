"""Answers /healthz and /readyz before any other middleware.

Probes come from addresses that are not in ALLOWED_HOSTS (a pod IP, a container's 127.0.0.1), over plain HTTP
behind a TLS-terminating proxy (no HTTPS redirect wanted) and without a session: so they are answered first.
"""

from django.http import JsonResponse

from core.health.checks import readiness

LIVE_PATH = "/healthz"
READY_PATH = "/readyz"


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info.rstrip("/")
        if path == LIVE_PATH:
            return _no_store(JsonResponse({"status": "alive"}))
        if path == READY_PATH:
            report = readiness()
            body = {"status": "ready" if report["ready"] else "not ready", **report}
            return _no_store(JsonResponse(body, status=200 if report["ready"] else 503))
        return self.get_response(request)


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response
