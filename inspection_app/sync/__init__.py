"""Visit bundles: export, verified import and merge (see ``bundle``, ``merge``, ``crypto``)."""
