"""Shared machinery of the query pages (Q01–Q20): inputs, scoping, lists, export, print, read functions."""
