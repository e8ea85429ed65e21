"""Notifications: the in-app centre, reminders found by the jobs, the SMS outbox, preferences."""
