"""Database sessions, loaded with one plain query (SESSION_ENGINE = "radcurate.sessions").

Every authenticated request loads its session, and a viewer fetches a series one frame request per slice:
compiling the ORM's lookup cost several times the query. Saving, expiry and everything else is Django's.
"""

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        model = self.model
        connection = connections[router.db_for_read(model)]
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {quote(model._meta.db_table)} WHERE session_key = %s AND expire_date > %s",
                [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # as Django's lookup does for a missing or expired session
            return None
        return model(session_key=self.session_key, session_data=row[0])  # load() reads only the data
