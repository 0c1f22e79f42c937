"""The desks: what every channel's requests mean, written once and channel-neutral.

- :mod:`bot.desks.questions`: the question desk (ask, escalate, feedback, picks);
- :mod:`bot.desks.cases`: the case desk (take, resolve with a label, reopen; rules and refusals as data);
- :mod:`bot.desks.request`: the neutral request every channel parses its input into;
- :mod:`bot.desks.output`: the output interface every channel implements;
- :mod:`bot.desks.front`: a request in, the desks' work, the answer out through the output.

The desks import no adapter; adapters import the desks.
"""
