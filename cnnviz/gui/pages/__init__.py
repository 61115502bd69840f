"""One page per lesson."""
