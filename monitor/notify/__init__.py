"""Webhooks told of alerts and camera outages: events, outbox, delivery."""
