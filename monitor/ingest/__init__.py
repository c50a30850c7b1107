"""Video ingest: sources, the newest-frame hand-off and sample clips."""
