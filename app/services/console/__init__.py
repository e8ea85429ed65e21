"""The operations console: what operators change (gifts, flash, home, rules, staff)."""
