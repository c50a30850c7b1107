"""Recording of site video into segments, their index, retention, replay and export."""
