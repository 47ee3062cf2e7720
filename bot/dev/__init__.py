"""Dev tooling, never deployed as part of a process: the demo, the Cloud API simulator,
the chat client, embedded servers, the load and parse benchmarks, and their commands.

Production modules never import this package; `bot.cli.main` registers its
commands (`bot.dev.commands`).
"""
