"""Waves: fieldings of a questionnaire, each optionally a follow-up of an earlier wave."""
