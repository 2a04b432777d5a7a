"""``make bench-load``: the whole stack under a surge, measured from outside.

Module map: ``postgres`` (a throwaway PostgreSQL server, shared with the tests), ``fake_apis``
(the Telegram Bot API and WhatsApp Graph API as one recording server on loopback), ``scripts``
(the conversations people have), ``webhooks`` (Telegram updates and signed WhatsApp webhooks
as the channels send them), ``stack`` (starting, killing and measuring the processes) and
``__main__`` (the load generator and the report).
"""
