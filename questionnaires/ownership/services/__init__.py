"""Ownership workflows, named <entity>_<action>: the registry and its locks, the
neutrality verdict and its refresh, stakes, competitors and vendors."""
