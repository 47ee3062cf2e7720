"""The WhatsApp Cloud API channel: inbound models, signatures, outbound payloads, client."""
