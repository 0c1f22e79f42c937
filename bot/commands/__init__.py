"""The ``faqbot`` subcommands' helpers: parsing, texts and the work behind each command.

``bot/cli.py`` wires them; each module here serves one command (or the parser they share)
and reaches the database only through ``bot.store``.
"""
