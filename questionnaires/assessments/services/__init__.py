"""Assessment workflows: issue, invitation access and limits, answers, evidence, submit,
reminders and reassessment."""
