"""Server-drawn SVG, pure Python over plain data: score bars, scenario bars, the
portfolio tier chart and trend, the ownership graph and its timeline.

Used by pages and by reports. May import: the pure cores (ownership.neutrality,
scoring.text). Never the ORM."""
