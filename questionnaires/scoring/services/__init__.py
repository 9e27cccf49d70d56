"""Scoring workflows around the pure engine: the scoring outbox (enqueue, claim, run,
sweep, rescore) and custom scenarios. May import: core, audit, authoring, ownership
services, the pure scoring modules."""
