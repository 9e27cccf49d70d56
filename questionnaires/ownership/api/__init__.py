"""REST views for vendors, entities, stakes, competitors and neutrality (interface)."""
