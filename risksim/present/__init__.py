"""Presentation: the terminal report and the plots."""
