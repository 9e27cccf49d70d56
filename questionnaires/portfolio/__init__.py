"""The buyer's dashboard: portfolio rows, tier counts, filters and exports.

May import: core, audit selectors, assessments services, charts."""
