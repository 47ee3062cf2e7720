"""`khaacho bench`: an end-to-end load benchmark and the chaos suite's load driver.

The pieces: signed webhook envelopes (`webhooks`), a latency histogram
(`hist`), open- and closed-loop load schedules (`loadgen`), the bare-aiohttp
ceiling (`baseline`), subprocess management for web/worker (`procs`), a
generated population (`population`) and order messages (`messages`), the
conversation driver that plays retailers and vendors against the real
system (`driver`) and the report (`report`).
"""
