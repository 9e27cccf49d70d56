"""Reads for assessments: the portal's questionnaire state and a vendor's history."""
