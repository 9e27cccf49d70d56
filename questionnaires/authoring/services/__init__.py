"""Template workflows: spec <-> rows, versions, clone, publish, files in and out, the library."""
