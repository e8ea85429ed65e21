"""Monitoring and alerts: rules with thresholds an operator sets, evaluated by the alerts job
(every minute) and as registrations happen; each finding opens one alert per window."""
