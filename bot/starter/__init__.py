"""The starter knowledge base and coverage cases that ``faqbot init`` writes (package data, read with importlib.resources)."""
