"""What users ask of scenarios: simulate, compare, price, sweep, contributions, capital."""
