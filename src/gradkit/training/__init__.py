"""Training machinery: batching strategies, callbacks, History, progress."""
