"""Batch import (批量导入, workflow.md): templates, reading, checking and confirming spreadsheets of
declarations. Items join by declaring themselves ``importable`` in their definition."""
