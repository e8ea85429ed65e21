"""Tasks and occasions: the task centre, shares, gift reviews and their moderation, and the
console's task, birthday and member-day settings (rewards are paid by services/points/tasks)."""
