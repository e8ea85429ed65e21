"""Points analytics: flows, cost and liability, health, segments."""
