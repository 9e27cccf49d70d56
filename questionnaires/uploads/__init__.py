"""Uploaded files: the streaming upload handler and parsers, content checks that refuse
polyglots and active content, the bounded child that runs pypdf, and the one response
that serves a private file.

May import: core. Imported by assessments (evidence)."""
