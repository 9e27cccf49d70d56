"""gunicorn settings (`gunicorn -c python:diligence.gunicorn diligence.wsgi`).

The access log writes the request line, which for a vendor opening an invitation holds the
token in the path: redact it before it is written, as Django's own logs do."""

from gunicorn.glogging import Logger

from questionnaires.core.logging import redact


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "f", "{raw_uri}e"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms


logger_class = RedactingLogger
accesslog = "-"
