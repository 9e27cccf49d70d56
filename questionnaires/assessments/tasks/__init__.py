"""Beat tasks for assessments: reminders, reassessment and evidence expiry (thin)."""
