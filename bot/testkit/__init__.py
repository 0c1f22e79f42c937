"""faqbot's test kit, shipped inside the package so tests and benchmarks import it like any module.

- :mod:`bot.testkit.fake_slack`: a fake Slack Web API on 127.0.0.1 (real HTTP,
  a call log, failures on demand).
- :mod:`bot.testkit.sinks`: escalation sinks that write to a file or a stream,
  for tests that need to see what was forwarded.

Nothing in faqbot's own code paths imports this package.
"""
