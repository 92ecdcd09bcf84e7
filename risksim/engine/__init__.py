"""The simulation engine: blocks, random streams, default sampling and backends."""
