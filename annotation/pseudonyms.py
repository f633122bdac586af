"""Stable reader pseudonyms for exports and statistics: datasets may model reader effects without naming readers."""

import hashlib
import hmac

from django.conf import settings


def reader_pseudonym(user_id: int) -> str:
    digest = hmac.new(settings.RADCURATE_DEID_KEY.encode(), f"reader:{user_id}".encode(), hashlib.sha256)
    return "R" + digest.hexdigest()[:10]


def blind_letter(position: int) -> str:
    """Reader A, B, C ... for side-by-side views where identities are hidden."""
    return f"Reader {chr(ord('A') + position)}"
