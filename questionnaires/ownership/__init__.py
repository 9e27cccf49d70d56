"""Ownership and neutrality: vendors, the entity registry, stakes, competitors, the graph,
the neutrality verdict, change of control and the rapid re-check it triggers.

Layers: `ownership/neutrality/` is the pure core (plain data, no Django); `models.py`; `services/`
(may import core, audit, authoring services, and assessments services for the re-check);
`api/` and `pages/` (interface: may import this package's services and core).
Charts of the graph live in `questionnaires.charts`."""
