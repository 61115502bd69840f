"""Workers: the only place that knows both sides (engine events → queued Qt signals)."""
