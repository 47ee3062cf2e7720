"""Repositories: plain SQL over asyncpg, one module per kind of row."""
