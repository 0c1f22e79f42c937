"""faqbot adapters: the command line, the agents' console (and later Slack and the escalation store)."""
